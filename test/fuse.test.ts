// Property test of fused adapters: random WIT types (prims, string, list, tuple, option, result,
// and the named record, variant, enum and flags, nested; made by helpers/fuse-gen.ts) and sample
// values, in a generated composition where the test host calls a caller component's
// `run<i>: func(x: T) -> T`, which calls the callee component's `f<i>` (a fused adapter: the two
// components have their own memories, realloc and string encodings, drawn at random), which calls
// the host's `g<i>` (identity) through its own lowering (from the callee's region: another
// adapter). The composition runs on jco and as the down output on node:wasi (canonical-ABI
// caller); the results must be equal, and equal to the arguments. Fixed seeds.
import { describe, expect, test } from 'vitest';
import type { Shape } from '../src/component/abi.js';
import { fuseAdapter } from '../src/lower/fuse.js';
import { lower } from '../src/lower/index.js';
import type { FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec } from './harness/corpus-call.js';
import { encodeValue } from './harness/ipc-values.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';
import { composition, typesFor, valueFor } from './helpers/fuse-gen.js';
import { wat } from './helpers/wat.js';
import { fileURLToPath } from 'node:url';

const IMPORTS = fileURLToPath(new URL('../fixtures/src/compositions/prop-imports.mjs', import.meta.url));

// jco 1.35 transpiles these compositions only when both sides use utf8 (otherwise its
// transpiler traps): the other encoding pairs are checked against the arguments alone.
const PAIRS: [string, string][] = [
  ['utf8', 'utf8'], ['utf8', 'utf8'], ['utf8', 'utf8'], ['utf8', 'utf8'],
  ['utf16', 'utf8'], ['utf8', 'utf16'], ['latin1+utf16', 'utf16'], ['utf16', 'latin1+utf16'], ['latin1+utf16', 'utf8'], ['utf8', 'latin1+utf16'],
];
const CASES = PAIRS.map(([callerEnc, calleeEnc], i) => ({ seed: i + 1, callerEnc, calleeEnc, ...typesFor(i + 1, 12) }));

describe.each(CASES)('seed $seed: $callerEnc caller, $calleeEnc callee', ({ types, named, callerEnc, calleeEnc }) => {
  const viaJco = callerEnc === 'utf8' && calleeEnc === 'utf8';
  test(viaJco ? 'the down output returns what jco returns, which is the argument' : 'the down output returns the argument', async () => {
    const bytes = await wat(composition(types, named, callerEnc, calleeEnc));
    const { module, report } = lower(bytes);
    expect(report.modules.filter((m) => m.name.startsWith('fused adapter')).length).toBeGreaterThanOrEqual(types.length);
    const sigs: FuncSig[] = types.map((t) => ({ params: [{ name: 'x', type: t }], result: t }));
    const calls: CallSpec[] = [];
    const expected: unknown[] = [];
    types.forEach((t, i) => {
      for (let v = 0; v < 3; v++) {
        const value = valueFor(t, v);
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

// An adapter alone, called with flat values no component would pass (garbage in joined slots and
// past flags' labels, bad discriminants and chars): the callee (JS) receives what lift-then-lower
// makes of them.
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
