// `down` output on Wasmtime, a second p1 host independent of node:wasi and strict where node:wasi
// is lenient (it is the reference preview1 implementation). Every command fixture with a component
// form, in both modes, is checked against its manifest entry; the p1 originals and the components
// themselves run on Wasmtime too, so a failure here can be told apart from a harness or host fault.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { checkExpectations, runWasmtime, runWasmtimeComponent, specOf, type Fixture, type WasmtimeOptions } from './harness/index.js';
import { componentFixtures } from './lower-helpers.js';

/** Refused by `down` (lower.test.ts checks the message), so there is no output to run. None now: wat_nested_utf16 goes down (issue 9). */
const REFUSED = new Set<string>();
const commands = componentFixtures().filter((f) => f.kind === 'command' && !REFUSED.has(f.name));
const withP1 = commands.filter((f): f is typeof f & { p1: string } => f.p1 !== null);

/**
 * Runs expected to fail, with why (a Wasmtime limit, or a `down` bug not fixed yet): they run as
 * `test.fails`, so a fix shows up as a failing test and this list stays true. Keys:
 * `<fixture> <form>`, form `default` / `keep` (the down output, adapter dropped / kept), `p1` (the
 * original module) or `p2` (the component). Empty: on these fixtures Wasmtime has shown no host
 * limit and every down output runs as the manifest says.
 */
const EXPECTED_FAILURES: Record<string, string> = {};

function testOf(key: string): typeof test | typeof test.fails {
  return key in EXPECTED_FAILURES ? test.fails : test;
}

function titleOf(what: string, key: string): string {
  return key in EXPECTED_FAILURES ? `${what} (expected to fail: ${EXPECTED_FAILURES[key]})` : what;
}

/** Winch for the 14 MB componentize-js module: Cranelift takes 15-30 s to compile it here, Winch 3-10 s. */
function hostOf(f: Fixture): WasmtimeOptions & { timeoutMs: number } {
  return f.big ? { compiler: 'winch', timeoutMs: 120_000 } : { compiler: 'cranelift', timeoutMs: 60_000 };
}

/** The kept adapter exits through WASI 0.2's exit, which only says ok/err, as a 0.2 host does. */
function exitForm(adapter: 'dropped' | 'kept' | 'none'): 'p1' | 'p2' {
  return adapter === 'kept' ? 'p2' : 'p1';
}

const MODES = [
  { mode: 'default', keepAdapter: false },
  { mode: 'keep', keepAdapter: true },
] as const;

describe.concurrent('down output on Wasmtime', () => {
  for (const { mode, keepAdapter } of MODES) {
    for (const f of commands) {
      const key = `${f.name} ${mode}`;
      testOf(key)(titleOf(`${f.name} (${keepAdapter ? '--keep-adapter' : 'default'})`, key), async () => {
        const { module, report } = lower(readFileSync(f.p2), { keepAdapter });
        const r = await runWasmtime(module, { ...specOf(f), ...hostOf(f) });
        checkExpectations(f, r, exitForm(report.adapter));
      }, 2 * hostOf(f).timeoutMs);
    }
  }
});

describe.concurrent('references on Wasmtime', () => {
  for (const f of withP1) {
    const key = `${f.name} p1`;
    testOf(key)(titleOf(`p1 original: ${f.name}`, key), async () => {
      checkExpectations(f, await runWasmtime(f.p1, specOf(f)), 'p1');
    });
  }
  // Not the componentize-js ones: 5 CPU-seconds each to compile even with Winch, and jco already
  // checks them against the manifest (fixtures.test.ts); their down outputs run above.
  for (const f of commands.filter((x) => !x.big)) {
    const key = `${f.name} p2`;
    testOf(key)(titleOf(`component: ${f.name}`, key), async () => {
      checkExpectations(f, await runWasmtimeComponent(f.p2, specOf(f)), 'p2');
    });
  }
});

test('the runner reports exit codes and traps as the other runners do', async () => {
  const exit3 = withP1.find((f) => f.name === 'exit_3')!;
  const r = await runWasmtime(exit3.p1, specOf(exit3));
  expect([r.exitCode, r.trapped]).toEqual([3, false]);
  const trap = withP1.find((f) => f.name === 'trap')!;
  const t = await runWasmtime(trap.p1, specOf(trap));
  expect([t.exitCode, t.trapped, t.stdout.toString()]).toEqual([null, true, 'before trap\n']);
  expect(t.trapMessage).toMatch(/unreachable/);
});
