// Assertions shared by the fixture suites: a run against its manifest entry.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Fixture } from './manifest.js';
import type { RunResult } from './types.js';

export function filesAsJson(r: RunResult): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(r.files).map(([path, e]) => [path, e.kind === 'dir' ? null : e.data.toString('utf8')]),
  );
}

/** `form` picks the exit code: p1 hosts keep the code, 0.2 hosts say 0 or 1. */
export function checkExpectations(f: Fixture, r: RunResult, form: 'p1' | 'p2', opts: { files?: boolean } = {}): void {
  const e = f.expect;
  const where = `${f.name} (${form}) stderr: ${r.stderr.toString().slice(0, 500)}`;
  if (e.stdout !== undefined) expect(r.stdout.toString('utf8'), where).toBe(e.stdout);
  if (e.stdoutLength !== undefined) expect(r.stdout.length, where).toBe(e.stdoutLength);
  if (e.stdoutSha256 !== undefined) expect(createHash('sha256').update(r.stdout).digest('hex'), where).toBe(e.stdoutSha256);
  if (e.stderr !== undefined) expect(r.stderr.toString('utf8'), where).toBe(e.stderr);
  expect(r.trapped, `${where} trap: ${r.trapMessage}`).toBe(e.trap);
  if (!e.trap) expect(r.exitCode, where).toBe(form === 'p1' ? e.exitP1 : e.exitP2);
  if (e.files !== undefined && opts.files !== false) expect(filesAsJson(r), where).toEqual(e.files);
}
