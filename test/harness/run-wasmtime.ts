// runWasmtime: a preview1 core module on Wasmtime's own WASI p1 (strict: the
// reference implementation of preview1), in a Python child process using the
// wasmtime package (Wasmtime 49) from the repo's `.venv`.
// runWasmtimeComponent: a WASI 0.2 command component on Wasmtime's WASI 0.2
// (`wasi:cli/run`), the same host `wasmtime run` is.
// `npm test` creates the venv first (scripts/setup-wasmtime.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChild, runResult } from './child.js';
import { makeWorkdir, snapshotPreopens, wasmFileIn } from './sandbox.js';
import type { P1RunSpec, RunResult, RunSpec } from './types.js';

const CHILD = fileURLToPath(new URL('./child-wasmtime.py', import.meta.url));
export const WASMTIME_PYTHON = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));

export interface WasmtimeOptions {
  /**
   * Cranelift (default, what `wasmtime run` uses) or Winch, the baseline compiler: it compiles a
   * 14 MB componentize-js module 3-5x faster. WASI behaves the same under both.
   */
  compiler?: 'cranelift' | 'winch';
}

export function runWasmtime(wasm: Uint8Array | string, spec: P1RunSpec & WasmtimeOptions = {}): Promise<RunResult> {
  return run('module', wasm, spec, spec.stubImports ?? false);
}

/** WASI 0.2's exit has only ok/err, so a component's exit code is 0 or 1 (as on jco). */
export function runWasmtimeComponent(component: Uint8Array | string, spec: RunSpec & WasmtimeOptions = {}): Promise<RunResult> {
  return run('component', component, spec, false);
}

async function run(kind: 'module' | 'component', wasm: Uint8Array | string, spec: RunSpec & WasmtimeOptions, stubImports: boolean): Promise<RunResult> {
  // Loud, not a skip: a missing venv means the set-up step did not run.
  if (!existsSync(WASMTIME_PYTHON)) throw new Error(`${WASMTIME_PYTHON} missing: run \`node scripts/setup-wasmtime.mjs\` (npm test does)`);
  const wd = makeWorkdir(spec);
  try {
    const wasmPath = wasmFileIn(wd, wasm);
    const config = { kind, wasmPath, args: spec.args ?? ['main.wasm'], env: spec.env ?? {}, preopens: wd.preopens, stubImports, compiler: spec.compiler ?? 'cranelift' };
    const r = await runChild(CHILD, config, wd, spec.timeoutMs ?? 60_000, [WASMTIME_PYTHON]);
    return runResult(r, snapshotPreopens(wd.preopens));
  } finally {
    wd.dispose();
  }
}
