// runP1: a preview1 core module on Node's node:wasi, in a child process.
// runBrowserShim: the same on @bjorn3/browser_wasi_shim (in-memory files,
// busy-wait poll_oneoff with one subscription at most).
import { fileURLToPath } from 'node:url';
import { runChild, runResult } from './child.js';
import { makeWorkdir, snapshotPreopens, wasmFileIn } from './sandbox.js';
import type { P1RunSpec, RunResult } from './types.js';

const NODE_WASI = fileURLToPath(new URL('./child-p1.mjs', import.meta.url));
const BROWSER_SHIM = fileURLToPath(new URL('./child-shim.mjs', import.meta.url));

export function runP1(wasm: Uint8Array | string, spec: P1RunSpec = {}): Promise<RunResult> {
  return runCoreModule(NODE_WASI, wasm, spec);
}

export function runBrowserShim(wasm: Uint8Array | string, spec: P1RunSpec = {}): Promise<RunResult> {
  return runCoreModule(BROWSER_SHIM, wasm, spec);
}

async function runCoreModule(script: string, wasm: Uint8Array | string, spec: P1RunSpec): Promise<RunResult> {
  const wd = makeWorkdir(spec);
  try {
    const wasmPath = wasmFileIn(wd, wasm);
    const config = {
      wasmPath,
      args: spec.args ?? ['main.wasm'],
      env: spec.env ?? {},
      preopens: wd.preopens,
      stubImports: spec.stubImports ?? false,
    };
    const r = await runChild(script, config, wd, spec.timeoutMs ?? 60_000);
    return runResult(r, snapshotPreopens(wd.preopens));
  } finally {
    wd.dispose();
  }
}
