// Two runs of one program on different hosts (a component host, the down output on a p1 host)
// must agree on everything a program shows: stdout, stderr, exit code and the files it left.
import { expect } from 'vitest';
import type { RunResult } from '../harness/index.js';

export function sameRun(got: RunResult, want: RunResult): void {
  expect(got.trapped, got.trapMessage).toBe(false);
  expect(got.stdout.toString()).toBe(want.stdout.toString());
  expect(got.stderr.toString()).toBe(want.stderr.toString());
  expect(got.exitCode).toBe(want.exitCode);
  expect(filesOf(got)).toEqual(filesOf(want));
}

function filesOf(r: RunResult): Record<string, string> {
  return Object.fromEntries(Object.entries(r.files).map(([path, e]) => [path, e.kind === 'file' ? e.data.toString() : 'dir']));
}
