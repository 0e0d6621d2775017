// `down`, differentially: every fixture component, lowered, runs on node:wasi exactly as the
// component runs on jco, and as its p1 original runs on node:wasi.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { runP1, runP2, specOf } from './harness/index.js';
import { componentFixtures, expectSameRun } from './lower-helpers.js';

const fixtures = componentFixtures();

describe.each([
  { mode: 'default', keepAdapter: false },
  { mode: '--keep-adapter', keepAdapter: true },
])('down ($mode)', ({ keepAdapter }) => {
  test.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const component = readFileSync(f.p2);
    const { module, report } = lower(component, { keepAdapter });
    expect(WebAssembly.validate(module)).toBe(true);
    expect(report.outputSize).toBe(module.length);
    const spec = specOf(f);
    const ours = await runP1(module, spec);
    if (f.p1) expectSameRun(ours, await runP1(f.p1, spec), true);
    if (!f.p2HostIssue) expectSameRun(ours, await runP2(f.p2, spec), false);
  });
});

test('adapter-shaped output is nearly the original p1 module', () => {
  for (const f of fixtures) {
    if (!f.p1 || !readFileSync(f.p2).length) continue;
    const { module, report } = lower(readFileSync(f.p2));
    if (report.adapter !== 'dropped') continue;
    const original = readFileSync(f.p1).length;
    expect(module.length, f.name).toBeLessThanOrEqual(original * 1.05);
    expect(report.hostImports.every((i) => i.startsWith('wasi_snapshot_preview1.')), f.name).toBe(true);
  }
});
