// `down`, differentially: every fixture component, lowered, runs on node:wasi exactly as the
// component runs on jco, and as its p1 original runs on node:wasi.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { lower } from '../src/lower/index.js';
import { runP1, runP2, specOf } from './harness/index.js';
import { componentFixtures, expectNoNewFeatures, expectSameRun } from './lower-helpers.js';

const fixtures = componentFixtures();
/** Components down must refuse, and what the error names. */
// Every command fixture goes down now (wat_nested_utf16, once refused, is linked through fused adapters: issue 9).
const REFUSED: Record<string, RegExp> = {};
const commands = fixtures.filter((f) => f.kind === 'command' && !f.big && !(f.name in REFUSED));
describe.each([
  { mode: 'default', keepAdapter: false },
  { mode: '--keep-adapter', keepAdapter: true },
])('down ($mode)', ({ keepAdapter }) => {
  test.each(commands.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const component = readFileSync(f.p2);
    const { module, report } = lower(component, { keepAdapter });
    expect(WebAssembly.validate(module)).toBe(true);
    expect(report.outputSize).toBe(module.length);
    expectNoNewFeatures(component, module, report.modules.some((m) => m.role === 'polyfill'));
    const spec = specOf(f);
    const ours = await runP1(module, spec);
    // Through the adapter, exit codes pass WASI 0.2's exit (ok/err only), as on a 0.2 host.
    if (f.p1) expectSameRun(ours, await runP1(f.p1, spec), report.adapter !== 'kept');
    if (!f.hostIssues.p2) expectSameRun(ours, await runP2(f.p2, spec), false);
  });
});

test.each(Object.entries(REFUSED))('%s is refused with a message naming the reason', (name, reason) => {
  const f = fixtures.find((x) => x.name === name)!;
  let error: unknown;
  try {
    lower(readFileSync(f.p2));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WasiAdaptError);
  expect((error as WasiAdaptError).message).toMatch(reason);
});

test('adapter-shaped output is nearly the original p1 module and imports only p1', () => {
  let checked = 0;
  for (const f of commands) {
    if (!f.p1) continue;
    const { module, report } = lower(readFileSync(f.p2));
    expect(report.adapter, f.name).toBe('dropped');
    // 5%, plus the producers section naming wasi-adapt (stripped modules have none of their own).
    expect(module.length, f.name).toBeLessThanOrEqual(readFileSync(f.p1).length * 1.05 + 64);
    expect(report.hostImports.every((i) => i.startsWith('wasi_snapshot_preview1.')), f.name).toBe(true);
    expect(report.modules.map((m) => m.role), f.name).toEqual(['main']);
    checked++;
  }
  expect(checked).toBeGreaterThan(5);
});

test('a preview 1 module is refused with the way to go', () => {
  const p1 = fixtures.find((f) => f.p1 !== null)!.p1!;
  expect(() => lower(readFileSync(p1))).toThrow(/core module, not a component.*wasi-adapt up/);
});
