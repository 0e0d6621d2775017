// `up` output on Wasmtime, the strict WASI 0.2 host (`wasmtime run` itself), next to the official
// preview1 adapter's component of the same fixture (the committed bin/p2 form: `jco new
// --wasi-command`, which is wasm-tools' `component new` with the official adapter). Both are
// checked against the manifest; ours must pass wherever the official one does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { targets } from '../fixtures/build.mjs';
import { lift } from '../src/lift/index.js';
import { checkExpectations, loadManifest, runP2, runWasmtimeComponent, specOf, type Fixture, type RunSpec } from './harness/index.js';
import { FIXTURES_DIR } from './harness/manifest.js';

const fixtures = loadManifest().filter((f): f is Fixture & { p1: string; p2: string } => f.kind === 'command' && f.p1 !== null && f.p2 !== null);

/**
 * Runs expected to fail on Wasmtime, with why; they run as `test.fails`, so a fix shows up as a
 * failing test and the list stays true. Keys: `<fixture> official` / `<fixture> ours`.
 * Empty: both pass every fixture here. Where Wasmtime differs from jco: env_empty_value's
 * manifest host issue (the official adapter's component loses an empty environment value on
 * jco) does not show on Wasmtime, where the same component passes; Wasmtime is strict where jco
 * is lenient about core modules repeating an import name (lift-p1-semantics.test.ts).
 */
const EXPECTED_FAILURES: Record<string, string> = {};

function testOf(key: string): typeof test | typeof test.fails {
  return key in EXPECTED_FAILURES ? test.fails : test;
}

describe.concurrent('up output on Wasmtime, next to the official adapter', () => {
  for (const f of fixtures) {
    for (const who of ['official', 'ours'] as const) {
      const key = `${f.name} ${who}`;
      const why = EXPECTED_FAILURES[key];
      testOf(key)(why ? `${key} (expected to fail: ${why})` : key, async () => {
        const component = who === 'ours' ? lift(readFileSync(f.p1)).component : readFileSync(f.p2);
        // A 0.2 host has only ok/err: the manifest's exitP2.
        checkExpectations(f, await runWasmtimeComponent(component, specOf(f)), 'p2');
      });
    }
  }
});

/**
 * test/lift-unit.test.ts's C inputs (errno values, file-system paths, a guest's cabi_realloc),
 * whose output it checks on jco: ours prints the same on Wasmtime. The official adapter is no
 * reference here: it traps in lift_errno's sock_accept, and Wasmtime's own p1 traps on its
 * invalid clock id, where preview 1 says `inval` (ours).
 */
const UNIT_SPECS: Record<string, RunSpec> = {
  lift_errno: { args: ['errno'], preopens: [{ guest: '/sandbox' }] },
  lift_fs_more: { args: ['fs-more'], preopens: [{ guest: '/sandbox' }], stdin: 'input\n' },
  lift_guest_realloc: { args: ['guest', 'one'] },
};

describe.concurrent('up output of the lift-unit inputs on Wasmtime', () => {
  for (const t of targets.filter((x) => x.test === 'test/lift-unit.test.ts')) {
    test(`${t.name}: as on jco`, async () => {
      const spec = UNIT_SPECS[t.name];
      if (!spec) throw new Error(`no run spec for ${t.name}`);
      const { component } = lift(readFileSync(join(FIXTURES_DIR, t.out)));
      const [wasmtime, jco] = await Promise.all([runWasmtimeComponent(component, spec), runP2(component, spec)]);
      expect(wasmtime.trapped, wasmtime.trapMessage).toBe(false);
      expect(wasmtime.exitCode).toBe(0);
      expect(wasmtime.stdout.toString()).toBe(jco.stdout.toString());
    });
  }
});
