// callExports: calls functions of a reactor component's exported interfaces
// on jco, in a child process (one instance for all calls, in order).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.js';
import { makeWorkdir } from './sandbox.js';
import { readComponent, transpiled } from './transpile-cache.js';

const CHILD = fileURLToPath(new URL('./child-call.mjs', import.meta.url));

export interface ExportCall {
  /** Exported instance name as jco exposes it, e.g. "fixtures:demo/calc@0.1.0". */
  export: string;
  func: string;
  args: unknown[];
}

export type CallResult = { ok: true; value: unknown } | { ok: false; error: string };

export async function callExports(component: Uint8Array | string, calls: ExportCall[]): Promise<CallResult[]> {
  const jsPath = await transpiled(readComponent(component));
  const wd = makeWorkdir({});
  try {
    await runChild(CHILD, { jsPath, calls }, wd, 60_000);
    return (JSON.parse(readFileSync(wd.reportPath, 'utf8')) as { results: CallResult[] }).results;
  } finally {
    wd.dispose();
  }
}
