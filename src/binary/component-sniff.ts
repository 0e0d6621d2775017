import { WasiAdaptError } from '../errors.js';

export type WasmKind = 'core' | 'component' | 'prerelease-component' | 'not-wasm';

/** The component-model binary version this library reads and writes. */
export const COMPONENT_VERSION = 0x0d;

/**
 * What the 8-byte preamble says. Components carry layer 1 in bytes 6..7 and a
 * pre-standard version in bytes 4..5; anything before 0x0d predates WASI 0.2.
 */
export function sniffWasm(bytes: Uint8Array): WasmKind {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    return 'not-wasm';
  }
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  if (layer === 0) return version === 1 ? 'core' : 'not-wasm';
  if (layer !== 1) return 'not-wasm';
  return version === COMPONENT_VERSION ? 'component' : version < COMPONENT_VERSION ? 'prerelease-component' : 'not-wasm';
}

export function isComponent(bytes: Uint8Array): boolean {
  return sniffWasm(bytes) === 'component';
}

/** Throws unless `bytes` starts with a current component preamble; `base` is its absolute offset. */
export function checkComponentPreamble(bytes: Uint8Array, base: number): void {
  const kind = sniffWasm(bytes);
  if (kind === 'component') return;
  const hex = Array.from(bytes.subarray(4, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  switch (kind) {
    case 'prerelease-component':
      throw new WasiAdaptError(
        'prerelease',
        `this is a pre-release component-model binary (version/layer bytes ${hex}) from before WASI 0.2; ` +
          'rebuild it with current tools (wasm-tools, jco, cargo-component or wit-component based toolchains)',
        { offset: base + 4 },
      );
    case 'core':
      throw new WasiAdaptError('unsupported', 'this is a core WebAssembly module, not a component', { offset: base + 4 });
    default:
      if (bytes.length >= 8 && bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) {
        throw new WasiAdaptError('unsupported', `unknown WebAssembly version/layer bytes ${hex}`, { offset: base + 4 });
      }
      throw new WasiAdaptError('not-wasm', 'not a WebAssembly binary (missing the \\0asm preamble)', { offset: base });
  }
}
