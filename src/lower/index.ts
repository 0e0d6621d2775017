import { sniffWasm } from '../binary/component.js';
import { WasiAdaptError } from '../errors.js';
import { merge } from './merge.js';
import { planLowering } from './planning.js';
import { componentView } from './from-component.js';
import type { Role } from './view.js';

export interface LowerOptions {
  /** Keep the component's preview1 adapter (running on the polyfill) instead of calling the host's p1 directly. */
  keepAdapter?: boolean;
  /** Keep imports p1 cannot serve (wasi:http, ...) as imports of the output instead of linking stand-ins. */
  allowUnresolved?: boolean;
  /** Refuse imports p1 cannot serve instead of linking stand-ins that report failure. */
  strict?: boolean;
}

export interface LowerReport {
  /**
   * Every core instance linked, in order: the component's modules with their roles, `polyfill`,
   * and `generated` for the modules the linker wrote (fused adapters, region runtime, scratch
   * allocator).
   */
  modules: { name: string; role: Role | 'polyfill' }[];
  adapter: 'dropped' | 'kept' | 'none';
  /** Core imports of linked modules bound to something. */
  importsResolved: number;
  /** Imports of the output (module.name). */
  hostImports: string[];
  polyfillFunctions: string[];
  customImports: string[];
  /** WASI interfaces p1 cannot provide, kept as imports under --allow-unresolved. */
  unresolvedKept: string[];
  /** Stand-ins for functions p1 cannot serve (default mode), `iface#func: what it does`. */
  stubbed: string[];
  /** Each export, with the WIT type of the function it came from where known (`_start` names `wasi:cli/run`). */
  exports: { name: string; wit: string | undefined }[];
  functions: number;
  /**
   * The linked modules' DWARF (`.debug_*` custom sections, payload bytes). Main's are kept, in
   * their order, when its bodies land at their input offsets unchanged (DWARF addresses code by
   * offset); everything else is dropped, with why.
   */
  debugInfo: {
    kept: string[];
    keptBytes: number;
    dropped: { module: string; sections: string[]; bytes: number; reason: string }[];
  };
  inputSize: number;
  outputSize: number;
  milliseconds: number;
}

/** Turns a WASI 0.2 component into one core module for WASI preview 1 hosts. */
export function lower(component: Uint8Array, options: LowerOptions = {}): { module: Uint8Array; report: LowerReport } {
  const started = performance.now();
  if (sniffWasm(component) === 'core') {
    throw new WasiAdaptError(
      'unsupported',
      "this is a core module, not a component: a preview 1 module runs on p1 runtimes as it is ('wasi-adapt up' makes a component of it)",
      { offset: 4 },
    );
  }
  const view = componentView(component);
  const { plan: p, polyfill } = planLowering(view, options);
  const polyKey = view.component.coreInstances.length;
  const merged = merge(p, (inst) => (inst.key === polyKey ? polyfill.module() : view.module(inst.module.index)));
  checkValid(merged.bytes);
  const hasAdapter = view.component.modules.some((m) => m.role === 'adapter');
  const adapterLinked = p.instances.some((i) => i.key !== polyKey && i.module.role === 'adapter');
  return {
    module: merged.bytes,
    report: {
      modules: p.instances.map((i) => ({ name: i.key === polyKey ? polyfill.view().name : i.module.name, role: i.key === polyKey ? 'polyfill' : i.module.role })),
      adapter: !hasAdapter ? 'none' : adapterLinked ? 'kept' : 'dropped',
      importsResolved: p.instances.reduce((n, i) => n + i.imports.length, 0),
      hostImports: merged.hostImports,
      polyfillFunctions: p.polyfillFunctions,
      customImports: p.customImports,
      unresolvedKept: p.unresolvedKept,
      stubbed: p.stubbed,
      exports: p.exports.filter((e) => merged.exports.includes(e.name)).map((e) => ({ name: e.name, wit: e.wit })),
      functions: merged.functions,
      debugInfo: merged.debugInfo,
      inputSize: component.length,
      outputSize: merged.bytes.length,
      milliseconds: performance.now() - started,
    },
  };
}

/** The engine's validator (Node has it; the ES2022 lib this project compiles against does not declare it). */
declare const WebAssembly: { validate(bytes: Uint8Array): boolean; Module: new (bytes: Uint8Array) => unknown };

/**
 * Bodies the linker did not need to touch are copied unread, so a core module
 * that was invalid in the component would be invalid in the output: say so
 * here rather than in the user's runtime.
 */
function checkValid(module: Uint8Array): void {
  if (WebAssembly.validate(module)) return;
  let reason = 'unknown reason';
  try {
    new WebAssembly.Module(module);
  } catch (err) {
    reason = (err as Error).message;
  }
  throw new WasiAdaptError('bad-value', `the linked module does not validate (${reason}); a core module of the component is likely invalid`);
}


