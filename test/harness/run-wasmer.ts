// runWasmer: a preview1 module on @wasmer/sdk, in a child process. Slow
// (~2-4 s a run); use for a few fixtures only. Limits (see child-wasmer.mjs):
// `files` is always empty (the post-run tree cannot be read back), a trap
// loses the output before it, and argv[0] is sanitised to a command name.
import { fileURLToPath } from 'node:url';
import { runChild, runResult } from './child.js';
import { makeWorkdir } from './sandbox.js';
import type { RunResult, RunSpec } from './types.js';

const CHILD = fileURLToPath(new URL('./child-wasmer.mjs', import.meta.url));

export async function runWasmer(wasm: string, spec: RunSpec = {}): Promise<RunResult> {
  const wd = makeWorkdir(spec);
  try {
    const seeds = Object.fromEntries(
      (spec.preopens ?? []).map((p) => [
        p.guest,
        Object.fromEntries(Object.entries(p.files ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : Buffer.from(v).toString()])),
      ]),
    );
    const config = { wasmPath: wasm, args: spec.args ?? ['main'], env: spec.env ?? {}, seeds, stdinPath: wd.stdinPath };
    const r = await runChild(CHILD, config, wd, spec.timeoutMs ?? 120_000);
    return runResult(r, {});
  } finally {
    wd.dispose();
  }
}
