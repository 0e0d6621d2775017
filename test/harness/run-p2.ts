// runP2: a WASI 0.2 command component on jco's preview2-shim (Node), in a
// child process. Equivalent to `jco run`, but with the shim told exactly
// which args/env/preopens to expose (`jco run` hands over the host's env,
// cwd and a "/" preopen unless --sandbox is given).
import { fileURLToPath } from 'node:url';
import { runChild, runResult } from './child.js';
import { makeWorkdir, snapshotPreopens } from './sandbox.js';
import { readComponent, transpiled } from './transpile-cache.js';
import type { RunResult, RunSpec } from './types.js';

const CHILD = fileURLToPath(new URL('./child-p2.mjs', import.meta.url));

export interface P2RunSpec extends RunSpec {
  /** What wasi:cli/environment.initial-cwd returns (default: none). */
  cwd?: string;
}

export async function runP2(component: Uint8Array | string, spec: P2RunSpec = {}): Promise<RunResult> {
  const jsPath = await transpiled(readComponent(component));
  const wd = makeWorkdir(spec);
  try {
    const config = {
      jsPath,
      args: spec.args ?? ['main.wasm'],
      env: spec.env ?? {},
      cwd: spec.cwd ?? null,
      preopens: wd.preopens,
    };
    const r = await runChild(CHILD, config, wd, spec.timeoutMs ?? 60_000);
    return runResult(r, snapshotPreopens(wd.preopens));
  } finally {
    wd.dispose();
  }
}
