// Property test of fused adapters: random WIT types (prims, string, list, tuple, option, result,
// nested) and sample values, in a generated composition where the test host calls a caller
// component's `run<i>: func(x: T) -> T`, which calls the callee component's `f<i>` (a fused
// adapter: the two components have their own memories, realloc and string encodings, drawn at
// random), which calls the host's `g<i>` (identity) through its own lowering (from the callee's
// region: another adapter). The composition runs on jco and as the down output on node:wasi
// (canonical-ABI caller); the results must be equal, and equal to the arguments. Fixed seeds.
import { describe, expect, test } from 'vitest';
import type { Shape } from '../src/component/abi.js';
import { fuseAdapter } from '../src/lower/fuse.js';
import { lower } from '../src/lower/index.js';
import { flatten, size, type CType, type FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec } from './harness/corpus-call.js';
import { sample } from './harness/gen-values.js';
import { encodeValue } from './harness/ipc-values.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';
import { wat } from './helpers/wat.js';
import { fileURLToPath } from 'node:url';

const IMPORTS = fileURLToPath(new URL('../fixtures/src/compositions/prop-imports.mjs', import.meta.url));
const PRIMS = ['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char'] as const;
const ENCODINGS = ['utf8', 'utf16', 'latin1+utf16'] as const;

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomType(r: () => number, depth: number): CType {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kind = depth >= 3 ? pick(['prim', 'prim', 'string']) : pick(['prim', 'prim', 'string', 'list', 'tuple', 'tuple', 'option', 'result', 'result']);
  switch (kind) {
    case 'prim':
      return { k: pick(PRIMS) };
    case 'string':
      return { k: 'string' };
    case 'list':
      return { k: 'list', elem: randomType(r, depth + 1) };
    case 'tuple':
      return { k: 'tuple', types: Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomType(r, depth + 1)) };
    case 'option':
      return { k: 'option', type: randomType(r, depth + 1) };
    default: {
      const ok = r() < 0.8 ? randomType(r, depth + 1) : undefined;
      const err = r() < 0.8 ? randomType(r, depth + 1) : undefined;
      return { k: 'result', ...(ok ? { ok } : {}), ...(err ? { err } : {}) };
    }
  }
}

function watType(t: CType): string {
  switch (t.k) {
    case 'list':
      return `(list ${watType(t.elem)})`;
    case 'tuple':
      return `(tuple ${t.types.map(watType).join(' ')})`;
    case 'option':
      return `(option ${watType(t.type)})`;
    case 'result':
      return `(result${t.ok ? ` ${watType(t.ok)}` : ''}${t.err ? ` (error ${watType(t.err)})` : ''})`;
    default:
      return t.k;
  }
}

const flat = (t: CType) => flatten(t);
const params = (t: CType) => (flat(t).length > 16 ? ['i32'] : flat(t));
const wfunc = (t: CType) => `(func (param "x" ${watType(t)}) (result ${watType(t)}))`;

/** A component lifting `<out><i>` over a core function that forwards to its import `<in><i>`, each with its own memory. */
function forwarder(types: CType[], enc: string, imp: string, out: string): string {
  const RET = 16;
  const coreImports = types
    .map((t, i) => {
      const spill = flat(t).length > 1;
      return `(import "in" "${imp}${i}" (func $${imp}${i} (param ${[...params(t), ...(spill ? ['i32'] : [])].join(' ')}) (result ${spill ? '' : flat(t).join(' ')})))`;
    })
    .join('\n      ');
  const funcs = types
    .map((t, i) => {
      const spill = flat(t).length > 1;
      const gets = params(t).map((_, j) => `local.get ${j}`).join(' ');
      return `(func (export "${out}${i}") (param ${params(t).join(' ')}) (result ${spill ? 'i32' : flat(t).join(' ')}) ${gets} ${spill ? `i32.const ${RET}` : ''} call $${imp}${i} ${spill ? `i32.const ${RET}` : ''})`;
    })
    .join('\n      ');
  return `
    ${types.map((t, i) => `(import "${imp}${i}" (func $${imp}${i} ${wfunc(t).slice(6, -1)}))`).join('\n    ')}
    (core module $Mem
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 4096))
      (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32) (local $i i32)
        (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1))) (i32.sub (i32.const 0) (local.get $align))))
        (global.set $next (i32.add (local.get $p) (local.get $size)))
        (if (i32.gt_u (global.get $next) (i32.shl (memory.size) (i32.const 16)))
          (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $next) (i32.shl (memory.size) (i32.const 16))) (i32.const 16)) (i32.const 1))) (i32.const -1)) (then unreachable))))
        (if (local.get $old)
          (then (block $done (loop $copy
            (br_if $done (i32.ge_u (local.get $i) (select (local.get $old-size) (local.get $size) (i32.lt_u (local.get $old-size) (local.get $size)))))
            (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.load8_u (i32.add (local.get $old) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy)))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (alias core export $mem "memory" (core memory $memory))
    (alias core export $mem "realloc" (core func $realloc))
    ${types.map((_, i) => `(core func $${imp}${i}-low (canon lower (func $${imp}${i}) (memory $memory) (realloc $realloc) string-encoding=${enc}))`).join('\n    ')}
    (core module $Main
      (import "mem" "memory" (memory 1))
      ${coreImports}
      ${funcs})
    (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "in" (instance ${types.map((_, i) => `(export "${imp}${i}" (func $${imp}${i}-low))`).join(' ')}))))
    ${types.map((t, i) => `(func (export "${out}${i}") ${wfunc(t).slice(6, -1)} (canon lift (core func $main "${out}${i}") (memory $memory) (realloc $realloc) string-encoding=${enc}))`).join('\n    ')}`;
}

function composition(types: CType[], callerEnc: string, calleeEnc: string): string {
  return `(component
  (import "test:fuse/host" (instance $host ${types.map((t, i) => `(export "g${i}" ${wfunc(t)})`).join(' ')}))
  (component $Callee ${forwarder(types, calleeEnc, 'g', 'f')})
  (component $Caller ${forwarder(types, callerEnc, 'f', 'run')})
  (instance $callee (instantiate $Callee ${types.map((_, i) => `(with "g${i}" (func $host "g${i}"))`).join(' ')}))
  (instance $caller (instantiate $Caller ${types.map((_, i) => `(with "f${i}" (func $callee "f${i}"))`).join(' ')}))
  (instance $api ${types.map((_, i) => `(export "run${i}" (func $caller "run${i}"))`).join(' ')})
  (export "test:fuse/api" (instance $api)))`;
}

/** Types whose values the harness can compare as they are (a top-level result is an exception on jco: wrap it). */
function typesFor(seed: number, n: number): CType[] {
  const r = rng(seed);
  const out: CType[] = [];
  while (out.length < n) {
    let t = randomType(r, 0);
    if (t.k === 'result') t = { k: 'tuple', types: [t] };
    if (size(t) > 2000) continue;
    out.push(t);
  }
  return out;
}

// jco 1.35 transpiles these compositions only when both sides use utf8 (otherwise its
// transpiler traps): the other encoding pairs are checked against the arguments alone.
const PAIRS: [string, string][] = [
  ['utf8', 'utf8'], ['utf8', 'utf8'], ['utf8', 'utf8'], ['utf8', 'utf8'],
  ['utf16', 'utf8'], ['utf8', 'utf16'], ['latin1+utf16', 'utf16'], ['utf16', 'latin1+utf16'], ['latin1+utf16', 'utf8'], ['utf8', 'latin1+utf16'],
];
const CASES = PAIRS.map(([callerEnc, calleeEnc], i) => ({ seed: i + 1, callerEnc, calleeEnc, types: typesFor(i + 1, 12) }));

describe.each(CASES)('seed $seed: $callerEnc caller, $calleeEnc callee', ({ types, callerEnc, calleeEnc }) => {
  const viaJco = callerEnc === 'utf8' && calleeEnc === 'utf8';
  test(viaJco ? 'the down output returns what jco returns, which is the argument' : 'the down output returns the argument', async () => {
    const bytes = await wat(composition(types, callerEnc, calleeEnc));
    const { module, report } = lower(bytes);
    expect(report.modules.filter((m) => m.name.startsWith('fused adapter')).length).toBeGreaterThanOrEqual(types.length);
    const sigs: FuncSig[] = types.map((t) => ({ params: [{ name: 'x', type: t }], result: t }));
    const calls: CallSpec[] = [];
    const expected: unknown[] = [];
    types.forEach((t, i) => {
      for (let v = 0; v < 3; v++) {
        const value = sample(t, v);
        calls.push({ iface: 'test:fuse/api', name: `run${i}`, core: `test:fuse/api#run${i}`, sig: sigs[i]!, args: encodeValue([value]) as unknown[] });
        expected.push({ kind: 'ok', value: encodeValue(value) });
      }
    });
    const imports = types.map((_, i) => ({ iface: 'test:fuse/host', name: `g${i}`, sig: sigs[i]! }));
    const spec = { importsModule: IMPORTS, component: 'fuse', imports, sequences: [calls] };
    const got = await runCorpusCalls({ ...spec, side: 'core', target: module });
    expect(got.results[0]).toEqual(expected);
    if (!viaJco) return;
    const [t] = await pretranspileInstantiable([bytes]);
    if (!t || 'error' in t) throw new Error(`jco cannot transpile the composition: ${t && 'error' in t ? t.error.slice(0, 500) : ''}`);
    const want = await runCorpusCalls({ ...spec, side: 'jco', target: t.entry });
    expect(got.results).toEqual(want.results);
  }, 60_000);
});

// Named types the generated compositions do not use (records, variants, enums, flags), run as an
// adapter alone: the callee (JS) receives what lift-then-lower makes of the caller's flat values.
describe('an adapter run directly: what lifting checks and normalizes', () => {
  const variant: Shape = { k: 'variant', cases: [{ k: 'prim', type: 'u8' }, { k: 'prim', type: 'f32' }, { k: 'prim', type: 'u64' }, undefined] };
  const params: Shape[] = [
    variant,
    { k: 'flags', count: 40 },
    { k: 'variant', cases: Array.from({ length: 300 }, () => undefined) },
    { k: 'record', fields: [{ k: 'prim', type: 'bool' }, { k: 'prim', type: 's8' }, { k: 'prim', type: 'char' }, { k: 'prim', type: 'u16' }] },
  ];
  const instance = async () => {
    const { bytes } = fuseAdapter({
      params,
      results: [],
      caller: { encoding: 'utf8', memory: false, region: false, realloc: false, postReturn: false },
      callee: { encoding: 'utf8', memory: false, region: false, realloc: false, postReturn: false },
      bulk: false,
    });
    let got: unknown[] = [];
    const { instance } = await WebAssembly.instantiate(bytes, { callee: { func: (...a: unknown[]) => void (got = a) } });
    const adapter = instance.exports.adapter as (...a: unknown[]) => void;
    return (...a: unknown[]) => {
      adapter(...a);
      return got;
    };
  };
  const f32bits = (x: number) => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]!);

  test('payloads in joined slots, flags, narrow integers and bools are normalized', async () => {
    const call = await instance();
    // case 1 (f32) in the joined i64 slot with garbage above bit 31; flags' bits past 40; bool 7; s8 0x1ff; u16 0x12345.
    const got = call(1, (0xdeadn << 32n) | f32bits(1.5), -1, -1, 299, 7, 0x1ff, 0x1f600, 0x12345);
    expect(got).toEqual([1, f32bits(1.5), -1, 0xff, 299, 1, -1, 0x1f600, 0x2345]);
    // case 0 (u8): wrapped to 8 bits, the slot's upper bits cleared.
    expect(call(0, 0x1_0000_0142n, 0, 0, 0, 0, 0, 0x61, 0)).toEqual([0, 0x42n, 0, 0, 0, 0, 0, 0x61, 0]);
    // case 3 (no payload): the payload slot is zero whatever the caller left there.
    expect(call(3, 99n, 0, 0, 0, 0, 0, 0x61, 0)).toEqual([3, 0n, 0, 0, 0, 0, 0, 0x61, 0]);
  });

  test('bad discriminants and chars trap', async () => {
    const call = await instance();
    expect(() => call(4, 0n, 0, 0, 0, 0, 0, 0x61, 0)).toThrow(WebAssembly.RuntimeError);
    expect(() => call(0, 0n, 0, 0, 300, 0, 0, 0x61, 0)).toThrow(WebAssembly.RuntimeError);
    expect(() => call(0, 0n, 0, 0, 0, 0, 0, 0xd800, 0)).toThrow(WebAssembly.RuntimeError);
    expect(() => call(0, 0n, 0, 0, 0, 0, 0, 0x110000, 0)).toThrow(WebAssembly.RuntimeError);
  });
});
