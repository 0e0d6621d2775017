// Data segments whose offset reads a global (the dynamic-linking shape: `env.__memory_base`
// imported from another core instance that defines it as a constant), in modules rebased onto a
// region of a composition: the offset is evaluated when linking and the segment lands at
// region.base + value. Compositions assembled with jco's parse, run on the down output and on
// jco; refusals name the segment, the global and why (src/lower/memory-regions-offsets.ts).
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseModule } from '../src/binary/module.js';
import { BinaryReader } from '../src/binary/reader.js';
import { lower } from '../src/lower/index.js';
import { layoutRegions, rebaseModule } from '../src/lower/memory-regions.js';
import type { FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec } from './harness/corpus-call.js';
import { encodeValue } from './harness/ipc-values.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';
import { errorOf } from './helpers/errors.js';
import { wat } from './helpers/wat.js';

const IMPORTS = fileURLToPath(new URL('../fixtures/src/compositions/prop-imports.mjs', import.meta.url));
const str: FuncSig = { params: [], result: { k: 'string' } };
const call = (name: string): CallSpec => ({ name, core: name, sig: str, args: [] });
const LIB_TEXT = 'the library data, placed by __memory_base';
const APP_TEXT = 'the app data, placed by its own base';

/**
 * A library component whose memory-owning module `$L` reads `env.__memory_base` (and
 * `__table_base` for its element segment) from `provider` (core module text defining the core
 * instances `$env`, its instantiation args named "env"), and an app whose main module imports
 * its memory and places its own data at a base read from another core module; the app exports
 * `lib() -> string` (through the library) and `app() -> string`.
 */
function composition(provider: string, offset = '(global.get $mb)', libImport = '(global $mb i32)'): string {
  return `(component
  (component $Lib
    ${provider}
    (core module $L
      (import "env" "__memory_base" ${libImport})
      (import "env" "__table_base" (global $tb i32))
      (memory (export "memory") 1)
      (table 4 funcref)
      (global $next (mut i32) (i32.const 32768))
      (data ${offset} "${LIB_TEXT}")
      (elem (global.get $tb) func $text)
      (func $text (result i32) (global.get $mb))
      (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (local.get $p) (local.get $size)))
        (local.get $p))
      ;; The string's address through the table (its slot from __table_base), as PIC code does.
      (func (export "get") (result i32)
        (i32.store (i32.const 16) (call_indirect (result i32) (global.get $tb)))
        (i32.store (i32.const 20) (i32.const ${LIB_TEXT.length}))
        (i32.const 16)))
    (core instance $l (instantiate $L (with "env" (instance $env))))
    (func (export "get") (result string)
      (canon lift (core func $l "get") (memory (core memory $l "memory")) (realloc (core func $l "realloc")))))

  (component $App
    (import "lib-get" (func $lib-get (result string)))
    (core module $Mem
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 8192))
      (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (local.get $p) (local.get $size)))
        (local.get $p)))
    (core module $Consts (global (export "base") i32 (i32.const 1000)))
    (core instance $mem (instantiate $Mem))
    (core instance $consts (instantiate $Consts))
    (core func $lib-get-l (canon lower (func $lib-get) (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
    (core module $Main
      (import "mem" "memory" (memory 1))
      (import "consts" "base" (global $base i32))
      (import "h" "lib-get" (func $lib-get (param i32)))
      (data (global.get $base) "${APP_TEXT}")
      (func (export "lib") (result i32) (call $lib-get (i32.const 64)) (i32.const 64))
      (func (export "app") (result i32)
        (i32.store (i32.const 72) (global.get $base))
        (i32.store (i32.const 76) (i32.const ${APP_TEXT.length}))
        (i32.const 72)))
    (core instance $main (instantiate $Main
      (with "mem" (instance $mem))
      (with "consts" (instance $consts))
      (with "h" (instance (export "lib-get" (func $lib-get-l))))))
    (func (export "lib") (result string) (canon lift (core func $main "lib") (memory (core memory $mem "memory"))))
    (func (export "app") (result string) (canon lift (core func $main "app") (memory (core memory $mem "memory")))))

  (instance $lib (instantiate $Lib))
  (instance $app (instantiate $App (with "lib-get" (func $lib "get"))))
  (export "lib" (func $app "lib"))
  (export "app" (func $app "app")))`;
}

/** The library's `env`: one module defining both bases as constants. */
const DIRECT = `
    (core module $Env
      (global (export "__memory_base") i32 (i32.const 4096))
      (global (export "__table_base") i32 (i32.const 1)))
    (core instance $env (instantiate $Env))`;

/**
 * Two imports between the constant and the library: $Mid imports the memory base from $Base and
 * re-exports it, and the library's "env" is an inline export instance of $Mid's exports; the
 * table base is a global of $Mid whose initializer reads another of its imports.
 */
const CHAIN = `
    (core module $Base
      (global (export "memory_base") i32 (i32.const 5000))
      (global (export "two") i32 (i32.const 2)))
    (core module $Mid
      (import "base" "memory_base" (global $mb i32))
      (import "base" "two" (global $two i32))
      (export "memory_base" (global $mb))
      (global (export "table_base") i32 (global.get $two)))
    (core instance $base (instantiate $Base))
    (core instance $mid (instantiate $Mid (with "base" (instance $base))))
    (core instance $env
      (export "__memory_base" (global $mid "memory_base"))
      (export "__table_base" (global $mid "table_base")))`;

/**
 * The dynamic-linking shape with one memory (no regions, nothing rebased): `env` defines the
 * memory and the library's bases, the library places its data and table slot at them.
 */
const ONE_MEMORY = `(component
  (core module $Env
    (memory (export "memory") 1)
    (table (export "table") 4 funcref)
    (global (export "lib:memory_base") i32 (i32.const 2048))
    (global (export "lib:table_base") i32 (i32.const 3)))
  (core instance $env (instantiate $Env))
  (core module $L
    (import "env" "memory" (memory 1))
    (import "env" "table" (table 4 funcref))
    (import "env" "__memory_base" (global $mb i32))
    (import "env" "__table_base" (global $tb i32))
    (global $end i32 (global.get $mb))
    (data (global.get $mb) "${LIB_TEXT}")
    (elem (global.get $tb) func $text)
    (func $text (result i32) (global.get $mb))
    (func (export "lib") (result i32)
      (i32.store (i32.const 16) (call_indirect (result i32) (global.get $tb)))
      (i32.store (i32.const 20) (i32.const ${LIB_TEXT.length}))
      (i32.const 16)))
  (core instance $l (instantiate $L (with "env" (instance
    (export "memory" (memory $env "memory"))
    (export "table" (table $env "table"))
    (export "__memory_base" (global $env "lib:memory_base"))
    (export "__table_base" (global $env "lib:table_base"))))))
  (func (export "lib") (result string) (canon lift (core func $l "lib") (memory (core memory $env "memory")))))`;

/** Builds, lowers and runs a composition on the down output and on jco: both calls' results. */
async function runBoth(text: string, jco = true) {
  const bytes = await wat(text);
  const { module, report } = lower(bytes);
  const spec = { importsModule: IMPORTS, component: 'offsets', imports: [], sequences: [[call('lib'), call('app'), call('lib')]] };
  const got = await runCorpusCalls({ ...spec, side: 'core', target: module });
  if (!jco) return { report, got, want: undefined };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile the composition: ${t && 'error' in t ? t.error : ''}`);
  const want = await runCorpusCalls({ ...spec, side: 'jco', target: t.entry });
  return { report, got, want };
}

const ok = (s: string) => ({ kind: 'ok', value: encodeValue(s) });
const EXPECTED = [ok(LIB_TEXT), ok(APP_TEXT), ok(LIB_TEXT)];

describe('data segments at global offsets in a composition, down output vs jco', () => {
  test('the base is a constant global exported by another core module of the component', async () => {
    const { report, got, want } = await runBoth(composition(DIRECT));
    // Two regions: the app's (the host's, region 0) and the library's.
    expect(report.modules.map((m) => m.name).filter((n) => n.includes('(region 1)'))).toHaveLength(1);
    // What the linker wrote says so in the report.
    expect(report.modules).toContainEqual({ name: 'region runtime', role: 'generated' });
    const adapters = report.modules.filter((m) => m.name.startsWith('fused adapter'));
    expect(adapters.length).toBeGreaterThan(0);
    expect(new Set(adapters.map((m) => m.role))).toEqual(new Set(['generated']));
    expect(got.results[0]).toEqual(EXPECTED);
    expect(got.results).toEqual(want!.results);
  });

  test('the base reaches the library through a chain of two imports, an inline export instance and an initializer', async () => {
    const { got, want } = await runBoth(composition(CHAIN));
    expect(got.results[0]).toEqual(EXPECTED);
    expect(got.results).toEqual(want!.results);
  });

  test('one memory (nothing rebased): the merged module reads no global that is no longer imported', async () => {
    const bytes = await wat(ONE_MEMORY);
    const { module } = lower(bytes);
    const spec = { importsModule: IMPORTS, component: 'offsets', imports: [], sequences: [[call('lib')]] };
    const [t] = await pretranspileInstantiable([bytes]);
    if (!t || 'error' in t) throw new Error(`jco cannot transpile the composition: ${t && 'error' in t ? t.error : ''}`);
    const [got, want] = await Promise.all([runCorpusCalls({ ...spec, side: 'core', target: module }), runCorpusCalls({ ...spec, side: 'jco', target: t.entry })]);
    expect(got.results).toEqual([[ok(LIB_TEXT)]]);
    expect(got.results).toEqual(want.results);
  });

  // Node 20 (jco's engine here) has no extended-const; the down output computes it when linking.
  test('an extended-const offset (i32.add, i32.sub, i32.mul over the base) lands where the engine would put it', async () => {
    const shifted = composition(DIRECT, '(i32.sub (i32.add (global.get $mb) (i32.mul (i32.const 3) (i32.const 64))) (i32.const 192))');
    const { got } = await runBoth(shifted, false);
    expect(got.results[0]).toEqual(EXPECTED);
    // 64 bytes further than the code reads: the code sees zeros there instead of the text.
    const off = composition(DIRECT, '(i32.add (global.get $mb) (i32.const 64))');
    const { got: moved } = await runBoth(off, false);
    expect(moved.results[0]![0]).toEqual(ok('\0'.repeat(LIB_TEXT.length)));
  });
});

const MUTABLE = DIRECT.replace('(global (export "__memory_base") i32', '(global (export "__memory_base") (mut i32)');

describe('offsets the linker cannot know are refused, naming the segment, the global and why', () => {
  test('the providing instance defines the global mutable', async () => {
    const bytes = await wat(composition(MUTABLE));
    const err = errorOf(() => lower(bytes));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/data segment 0 has a computed offset the linker cannot know/);
    expect(err.message).toMatch(/env\.__memory_base is export __memory_base of core instance \d+, where global 0 is mutable/);
    expect(err.message).toMatch(/^module \d+ \(core instance \d+, region 1\): /);
  });

  test('the module imports the global as mutable', async () => {
    const bytes = await wat(composition(MUTABLE, undefined, '(global $mb (mut i32))'));
    const err = errorOf(() => lower(bytes));
    expect(err.message).toMatch(/data segment 0 has a computed offset the linker cannot know: global 0 is the mutable import env\.__memory_base/);
  });

  test('a value that puts the segment past the memory is refused as before', async () => {
    const bytes = await wat(composition(DIRECT.replace('(i32.const 4096)', '(i32.const 65530)')));
    expect(errorOf(() => lower(bytes)).message).toMatch(/data segment 0 \(\d+ bytes at 65530\) does not fit/);
  });
});

describe('rebaseModule evaluates offsets with the values it is given', () => {
  const layout = layoutRegions([{ min: 1 }, { min: 2 }]);
  const offsetOf = (bytes: Uint8Array) => decode(parseModule(bytes).data[0]!.offset!.bytes);

  test('imported globals answered by the caller, wrapping arithmetic, region base added', async () => {
    const m = await wat(`(module (import "env" "a" (global i32)) (import "env" "b" (global i32)) (memory 2)
      (data (i32.add (i32.mul (global.get 0) (global.get 1)) (i32.const -8)) "x"))`);
    const values: Record<string, number> = { a: 0x10000, b: 0x10001 };
    // 0x10000 * 0x10001 wraps to 0x10000 (mod 2^32); minus 8.
    const out = rebaseModule(m, 1, layout, (imp) => ({ value: values[imp.name]! }));
    expect(offsetOf(out)).toBe(65536 + 0x10000 - 8);
    const why = errorOf(() => rebaseModule(m, 1, layout, (imp) => (imp.name === 'b' ? { why: 'b is unknown' } : { value: 1 })));
    expect(why.message).toMatch(/data segment 0 has a computed offset the linker cannot know: b is unknown/);
  });

  test('globals the module defines from imported ones; element offsets and i32 initializers reading globals become constants', async () => {
    const m = await wat(`(module (import "env" "a" (global i32)) (global $b i32 (global.get 0)) (global $c (mut i32) (global.get 1))
      (table 8 funcref) (memory 1) (data (global.get 1) "x") (elem (global.get 0) func $f) (func $f))`);
    const out = parseModule(rebaseModule(m, 1, layout, () => ({ value: 3 })));
    expect(decode(out.data[0]!.offset!.bytes)).toBe(65536 + 3);
    expect(decode(out.elements[0]!.offset!.bytes)).toBe(3);
    expect(out.globals.map((g) => decode(g.init.bytes))).toEqual([3, 3]);
  });

  test('without an answer for imports, the offset is refused naming the import', async () => {
    const m = await wat('(module (import "env" "__memory_base" (global i32)) (memory 1) (data (global.get 0) "x"))');
    expect(errorOf(() => rebaseModule(m, 0, layout)).message).toMatch(/global 0 is the import env\.__memory_base, and what provides it is not known here/);
  });
});


/** The value of an `i32.const c end` expression (anything else fails the test). */
function decode(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  expect(r.u8()).toBe(0x41);
  const v = r.s32();
  expect(r.u8()).toBe(0x0b);
  return v;
}
