// WASI from every component of a composition: fixtures/src/compositions/app-library-wasi.wat,
// an app and a library, each with its own memory, both printing through wasi:cli/stdout and
// reading their arguments and environment, the library reading a preopened file. The down
// output on node:wasi and on Wasmtime's preview1 must print what jco prints for the component;
// a run making 10,000 WASI calls that return lists into the memory that is not the host's must
// end with the output memory no larger than a run making one.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { pagesAfterRun } from './helpers/pages-after-run.js';
import { runP1, runP2, runWasmtime, type RunSpec } from './harness/index.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const bytes = new Uint8Array(readFileSync(`${BIN}app-library-wasi.wasm`));
// 100 bytes, so the library reads it in two chunks of 64.
const DATA = 'a file the library reads through wasi:filesystem, in two reads of sixty-four bytes: caf\u00e9 \u{1f680}!!\n';
const SPEC: RunSpec = {
  args: ['app-library-wasi', 'x y'],
  env: { GREETING: 'gr\u00fc\u00dfe', EMPTY: '' },
  preopens: [{ guest: '/sandbox', files: { 'data.txt': DATA } }],
};

describe('app-library-wasi: WASI lowered from two memories', () => {
  const { module, report } = lower(bytes);

  test("both memories are regions above the host's (region 0); their WASI calls go through adapters, with the scratch", () => {
    const names = report.modules.map((m) => m.name);
    expect(names.filter((n) => n.includes('(region 1)')).length).toBeGreaterThan(0);
    expect(names.filter((n) => n.includes('(region 2)')).length).toBeGreaterThan(0);
    expect(names).toContain('scratch allocator');
    // get-stdout needs no adapter (no memory); every other WASI lowering does.
    expect(names.filter((n) => n.startsWith('fused adapter (import wasi:')).length).toBeGreaterThanOrEqual(3);
  });

  test('node:wasi and Wasmtime print what jco prints', async () => {
    const [want, p1, wasmtime] = await Promise.all([runP2(bytes, SPEC), runP1(module, SPEC), runWasmtime(module, SPEC)]);
    expect(want.stdout.toString()).toBe(
      'app argv: app-library-wasi x y\napp env: GREETING=gr\u00fc\u00dfe EMPTY=\n' +
        'lib greeting: hello, library \u2713\nlib argv: app-library-wasi x y\nlib env: GREETING=gr\u00fc\u00dfe EMPTY=\n' +
        `lib file: ${DATA}app done\n`,
    );
    for (const got of [p1, wasmtime]) {
      expect(got.stdout.toString()).toBe(want.stdout.toString());
      expect(got.stderr.toString()).toBe(want.stderr.toString());
      expect(got.exitCode).toBe(want.exitCode);
      expect(got.trapped).toBe(false);
    }
  });

  test('10,000 WASI calls returning lists from each region: the output memory does not grow', () => {
    const once = pagesAfterRun(module, { args: ['app-library-wasi'], env: { GREETING: 'x' }, files: { 'data.txt': DATA }, stderr: false });
    const loop = pagesAfterRun(module, { args: ['app-library-wasi', 'loop', 'please'], env: { GREETING: 'x' }, files: { 'data.txt': DATA }, stderr: false });
    expect(loop.stdout).toContain('lib file: a file');
    // 10,000 environments and 20,000 file reads would take over 2 MB (32 pages) if kept.
    expect(loop.pages).toBe(once.pages);
  });
});
