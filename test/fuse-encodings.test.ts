// Real-toolchain compositions whose components disagree on string encoding: fixtures/bin/
// compositions/greeter-app-utf16.wasm and greeter-app-latin1-utf16.wasm, the greeter-app programs
// (a C library and a C command, each wasi-libc + the official preview1 adapter, composed by
// fixtures/compose.mjs) with the library built and embedded for utf16 (`(ptr, code units)`,
// aligned 2) or latin1+utf16 (the tagged length; it answers in latin1 when every code point is
// below 256, else in utf16), the app unchanged (utf8). Every string function is given every
// argument: latin1, BMP, astral, empty, long, ASCII. The reference is Wasmtime 49's component
// host: the down output (adapter dropped and kept) on node:wasi and on Wasmtime's preview1 must
// print, write and exit as it does, including the cabi_realloc calls both programs record (less
// the preview1 adapters' own two pages each, when they are dropped)
// (GREETER_TRACE: store_string's estimate, growth and shrink, in order, with their sizes and
// alignments); 10,000 rounds leave the output memory its size after one. And the library means
// the same program in every encoding: the utf8 greeter-app prints what both variants print.
//
// jco 1.35 is not a reference here: its transpiler traps (`wasm unreachable instruction executed`
// in js-component-bindgen) on the latin1+utf16 variant. The utf16 variant it transpiles and runs,
// and when tried (with these arguments, GREETER_TRACE set) it printed what Wasmtime prints, realloc
// calls included; it is left out all the same, so both variants have the one reference.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseComponent } from '../src/binary/component.js';
import type { Component } from '../src/binary/component-types.js';
import { lower } from '../src/lower/index.js';
import { runP1, runWasmtime, runWasmtimeComponent, type RunResult, type RunSpec } from './harness/index.js';
import { sameRun } from './helpers/same-run.js';
import { pagesAfterRun } from './helpers/pages-after-run.js';

const BIN = new URL('../fixtures/bin/compositions/', import.meta.url);
const LONG = `long ${'x'.repeat(3000)}\u00e9${'y'.repeat(2000)} \u2713\u{1f680}`;
const SPEC: RunSpec = {
  // Each argument is greeted, split (after a fixed text), searched for, parsed and looked up.
  args: ['app', 'Ada', 'caf\u00e9', 'na\u00efve \u00fcber', '\u2713 \u4e2d\u6587', '\u{1f680} \u{1f600}x', '', '1234', LONG],
  // GREETING is latin1: with it, greeting a latin1 name is latin1 and any other utf16. EMPTY last:
  // jco 1.35's adapter runs an empty value into the next variable (fixtures/README.md).
  env: { GREETING: 'gr\u00fc\u00dfe', 'caf\u00e9': '\u00e0 la carte', '\u2713 \u4e2d\u6587': 'snow \u2603 \u{1f680}', EMPTY: '' },
  preopens: [{ guest: '/sandbox', files: { 'motd.txt': 'message of the day: caf\u00e9 \u2713 \u{1f680}\nsecond line\n' } }],
};
const TRACED: RunSpec = { ...SPEC, env: { GREETER_TRACE: '1', ...SPEC.env } };

const VARIANTS = [
  ['greeter-app-utf16', 'utf16'],
  ['greeter-app-latin1-utf16', 'latin1+utf16'],
] as const;

const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.wasm`, BIN)));
const utf8Run = runWasmtimeComponent(bytesOf('greeter-app'), SPEC);

/**
 * What the programs record without their preview1 adapters: each adapter allocates two pages of
 * its program's memory with the program's cabi_realloc at its first WASI call (its state and
 * arena); dropped (its main's p1 calls bridged to the host's), nothing does.
 */
function withoutAdapterPages(r: RunResult): RunResult {
  const stderr = r.stderr.toString();
  expect(stderr.match(/ \(0,0,8,65536\)/g)).toHaveLength(4);
  return { ...r, stderr: Buffer.from(stderr.replaceAll(' (0,0,8,65536)', '')) };
}

/** The string encodings a component's canon lift or lower options name. */
function encodings(c: Component, kind: 'lift' | 'lower'): Set<string> {
  const out = new Set<string>();
  for (const s of c.sections) {
    if (s.kind !== 'canon') continue;
    for (const item of s.items) {
      if (item.kind !== kind) continue;
      for (const o of item.options) if (o.kind === 'utf8' || o.kind === 'utf16' || o.kind === 'latin1+utf16') out.add(o.kind);
    }
  }
  return out;
}

/** The app's realloc calls that grew a block `factor` times (store_string's worst case for utf8). */
function appGrowths(stderr: string, factor: number): number {
  const app = stderr.split('\n').filter((l) => l.startsWith('[app] realloc'));
  return [...app.join(' ').matchAll(/\(p,(\d+),1,(\d+)\)/g)].filter(([, from, to]) => Number(to) === factor * Number(from)).length;
}

describe.each(VARIANTS)('%s: a %s library composed with a utf8 app', (name, encoding) => {
  const bytes = bytesOf(name);
  const reference = runWasmtimeComponent(bytes, TRACED);

  test('the library lifts its exports in its encoding, the app lowers them in utf8', () => {
    const [library, app] = parseComponent(bytes).sections.flatMap((s) => (s.kind === 'component' ? [s.component] : []));
    expect(encodings(library!, 'lift')).toEqual(new Set([encoding]));
    expect(encodings(app!, 'lower')).toEqual(new Set(['utf8']));
  });

  test('on Wasmtime\'s component host it prints what the utf8 library prints, non-ASCII text through every function', async () => {
    const [want, got] = await Promise.all([utf8Run, runWasmtimeComponent(bytes, SPEC)]);
    sameRun(got, want);
    const out = got.stdout.toString();
    for (const line of [
      'greet: gr\u00fc\u00dfe, \u2713 \u4e2d\u6587!\n',
      'greet: gr\u00fc\u00dfe, \u{1f680} \u{1f600}x!\n',
      'greet: gr\u00fc\u00dfe, !\n',
      `greet: gr\u00fc\u00dfe, ${LONG}!\n`,
      'split: 8 words: [the] [quick] [brown] [fox] [caf\u00e9] [\u{1f680}] [na\u00efve] [\u00fcber]\n',
      'split: 8 words: [the] [quick] [brown] [fox] [caf\u00e9] [\u{1f680}] [\u2713] [\u4e2d\u6587]\n',
      `describe: count=9 longest=${'x'.repeat(3000)}\u00e9${'y'.repeat(2000)} total=5038\n`,
      'find caf\u00e9: some(4)\n',
      'find \u{1f680} \u{1f600}x: none\n',
      'parse "\u2713 \u4e2d\u6587": err(not a u32: \u2713 \u4e2d\u6587)\n',
      'parse "1234": ok(1234)\n',
      'motd: ok(message of the day: caf\u00e9 \u2713 \u{1f680})\n',
      'env caf\u00e9: some("\u00e0 la carte")\n',
      'env \u2713 \u4e2d\u6587: some("snow \u2603 \u{1f680}")\n',
      'env : none\n',
    ]) {
      expect(out.includes(line), line.slice(0, 100)).toBe(true);
    }
    expect(out).toMatch(/app done\n$/);
  });

  test('the realloc calls cross both ways: the app\'s results grown from utf16 (x3) and, latin1+utf16 only, from latin1 (x2)', async () => {
    const stderr = (await reference).stderr.toString();
    expect(stderr).toMatch(/^\[greet\] realloc .*\(0,0,2,/m);
    expect(appGrowths(stderr, 3)).toBeGreaterThan(0);
    if (encoding === 'utf16') expect(appGrowths(stderr, 2)).toBe(0);
    else expect(appGrowths(stderr, 2)).toBeGreaterThan(0);
  });

  for (const keepAdapter of [false, true]) {
    test(`down (keepAdapter: ${keepAdapter}) on node:wasi and Wasmtime p1: output, files, exit code and realloc calls as on the component host`, async () => {
      const { module, report } = lower(bytes, { keepAdapter });
      expect(report.adapter).toBe(keepAdapter ? 'kept' : 'dropped');
      const [reference_, p1, wasmtime] = await Promise.all([reference, runP1(module, TRACED), runWasmtime(module, TRACED)]);
      const want = keepAdapter ? reference_ : withoutAdapterPages(reference_);
      sameRun(p1, want);
      sameRun(wasmtime, want);
    });
  }

  // Every transcoded copy is released: the library's results by its post-returns, the app's by the app.
  test('10,000 rounds of library calls: the output memory does not grow', () => {
    const { module } = lower(bytes);
    const run = (rounds: number) => pagesAfterRun(module, { args: ['app', 'loop', String(rounds)], env: { GREETING: 'gr\u00fc\u00dfe \u2713' }, files: { 'motd.txt': 'caf\u00e9 \u{1f680}\n' }, stderr: true });
    const once = run(1);
    const loop = run(10_000);
    const perRound = Number(/checksum (\d+)/.exec(once.stdout)![1]);
    expect(loop.stdout).toContain(`loop: 10000 rounds, checksum ${perRound * 10_000}\n`);
    expect(loop.pages).toBe(once.pages);
  });
});
