// Differential tests for `up`: each p1 fixture runs on node:wasi, and its
// lifted component on jco; both must print the same and end the same way
// (a 0.2 host only reports exit status 0 or 1). The official adapter's
// component of the same fixture (`jco new --wasi-command`) must agree too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lift } from '../src/lift/index.js';
import { loadManifest, runP1, runP2, type RunResult } from './harness/index.js';

const fixtures = loadManifest().filter((f) => f.p1 && f.kind === 'command');

function outcome(r: RunResult) {
  return {
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    trapped: r.trapped,
    exit: r.trapped ? null : r.exitCode === 0 ? 0 : 1,
    files: Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, v.kind === 'dir' ? null : v.data.toString('base64')])),
  };
}

describe('up: lifted p1 fixtures behave like node:wasi and like jco new', () => {
  for (const f of fixtures) {
    it(f.name, async () => {
      const { component, report } = lift(readFileSync(f.p1!));
      expect(report.kind).toBe('command');
      const spec = { args: f.args, env: f.env, preopens: f.preopens, stdin: f.stdin };
      const [p1, ours, theirs] = await Promise.all([runP1(f.p1!, spec), runP2(component, spec), runP2(f.p2!, spec)]);
      const mine = outcome(ours);
      if (!f.hostIssues.p1) expect(mine).toEqual(outcome(p1));
      if (!f.hostIssues.p2) expect(mine).toEqual(outcome(theirs));
    });
  }
});
