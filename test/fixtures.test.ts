// Every fixture in fixtures/manifest.json, run on the reference hosts:
// p1 forms on node:wasi, p2 forms on jco (preview2-shim). Checks the
// recorded expectations, then that the two forms of one program agree
// byte for byte (exit codes through the 0.2 ok/err mapping).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { targets } from '../fixtures/build.mjs';
import {
  callExports,
  loadManifest,
  pretranspile,
  runP1,
  runP2,
  specOf,
  type Fixture,
  type RunResult,
} from './harness/index.js';
import { checkExpectations, filesAsJson } from './harness/check.js';
import { FIXTURES_DIR } from './harness/manifest.js';

const fixtures = loadManifest();

// One jco process transpiles every component (cold: ~15 s; cached after).
beforeAll(async () => {
  await pretranspile([...new Set(fixtures.flatMap((f) => (f.p2 ? [f.p2] : [])))]);
}, 180_000);

// One run per fixture and form, shared by the expectation and differential tests.
const runs = new Map<string, Promise<RunResult>>();
function runOnce(f: Fixture, form: 'p1' | 'p2'): Promise<RunResult> {
  const key = `${f.name}:${form}`;
  let p = runs.get(key);
  if (!p) {
    const path = f[form];
    if (!path) throw new Error(`${f.name} has no ${form} form`);
    p = form === 'p1' ? runP1(path, specOf(f)) : runP2(path, specOf(f));
    runs.set(key, p);
  }
  return p;
}

describe.concurrent('fixtures on reference hosts', () => {
  for (const f of fixtures) {
    if (f.kind === 'reactor') {
      test(`${f.name}: exports on jco`, async () => {
        const results = await callExports(f.p2!, f.calls);
        expect(results).toEqual((f.expect.results ?? []).map((value) => ({ ok: true, value })));
      });
      continue;
    }
    if (f.p1) {
      const t = f.hostIssues.p1 ? test.fails : test;
      t(`${f.name}: p1 on node:wasi`, async () => checkExpectations(f, await runOnce(f, 'p1'), 'p1'));
    }
    if (f.p2) {
      // A recorded host issue is expected to fail; if it starts passing, update the manifest.
      const t = f.hostIssues.p2 ? test.fails : test;
      t(`${f.name}: p2 on jco${f.hostIssues.p2 ? ' (known host issue)' : ''}`, async () =>
        checkExpectations(f, await runOnce(f, 'p2'), 'p2'), f.big ? 120_000 : 60_000);
    }
    if (f.p1 && f.p2 && !f.hostIssues.p1 && !f.hostIssues.p2) {
      test(`${f.name}: p1 and p2 runs agree`, async () => {
        const [a, b] = await Promise.all([runOnce(f, 'p1'), runOnce(f, 'p2')]);
        expect(b.stdout.equals(a.stdout), 'stdout bytes').toBe(true);
        expect(b.stderr.equals(a.stderr), 'stderr bytes').toBe(true);
        expect(b.trapped).toBe(a.trapped);
        if (!a.trapped) expect(b.exitCode).toBe(a.exitCode === 0 ? 0 : 1);
        expect(filesAsJson(b)).toEqual(filesAsJson(a));
      });
    }
  }
});

describe('fixture binaries', () => {
  const outs = new Set(targets.map((t) => t.out));

  test('build.mjs builds every binary the manifest names', () => {
    for (const f of fixtures) {
      for (const path of [f.p1, f.p2]) {
        if (path) expect(outs, `${f.name}: ${path}`).toContain(relative(FIXTURES_DIR, path));
      }
    }
  });

  test('every binary build.mjs lists is committed, and nothing else is in bin/', () => {
    for (const out of outs) expect(existsSync(join(FIXTURES_DIR, out)), out).toBe(true);
    const onDisk = readdirSync(join(FIXTURES_DIR, 'bin')).flatMap((d) => readdirSync(join(FIXTURES_DIR, 'bin', d)).map((n) => `bin/${d}/${n}`));
    expect(onDisk.sort()).toEqual([...outs].sort());
  });

  test('every manifest fixture name is unique and covers something', () => {
    const names = fixtures.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of fixtures) expect(f.covers.length, f.name).toBeGreaterThan(10);
  });
});
