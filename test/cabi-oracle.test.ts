// The test-side Canonical ABI (harness/cabi.ts) against layouts worked out by
// hand from CanonicalABI.md, so the corpus test's oracle is checked on its own.
import { describe, expect, test } from 'vitest';
import { alignment, flatten, lowerFlat, liftFlat, load, size, store, type CType, type Mem } from './harness/cabi.js';

const u8: CType = { k: 'u8' };
const u32: CType = { k: 'u32' };
const f32: CType = { k: 'f32' };
const f64: CType = { k: 'f64' };
const u64: CType = { k: 'u64' };
const str: CType = { k: 'string' };

function memory(): Mem & { next: number } {
  const m = new WebAssembly.Memory({ initial: 1 });
  const mem = {
    next: 1024,
    memory: () => m,
    realloc: (_o: number, _os: number, align: number, n: number): number => {
      mem.next = Math.ceil(mem.next / align) * align;
      const p = mem.next;
      mem.next += n;
      return p;
    },
  };
  return mem;
}

describe('layout', () => {
  test.each([
    [{ k: 'record', fields: [{ name: 'a', type: u8 }, { name: 'b', type: u32 }] }, 8, 4],
    [{ k: 'tuple', types: [u8, u64, u8] }, 24, 8],
    [{ k: 'option', type: u8 }, 2, 1],
    [{ k: 'option', type: f64 }, 16, 8],
    [{ k: 'result', ok: u32, err: str }, 12, 4],
    [{ k: 'result' }, 1, 1],
    [{ k: 'enum', names: Array.from({ length: 257 }, (_, i) => `e${i}`) }, 2, 2],
    [{ k: 'flags', names: Array.from({ length: 9 }, (_, i) => `b${i}`) }, 2, 2],
    [{ k: 'list', elem: u64 }, 8, 4],
    [{ k: 'char' }, 4, 4],
  ] as [CType, number, number][])('%j: size %i, alignment %i', (t, s, a) => {
    expect(size(t)).toBe(s);
    expect(alignment(t)).toBe(a);
  });
});

describe('flattening joins variant payloads', () => {
  test.each([
    [{ k: 'variant', cases: [{ name: 'a', type: u32 }, { name: 'b', type: f32 }] }, ['i32', 'i32']],
    [{ k: 'variant', cases: [{ name: 'a', type: f32 }, { name: 'b', type: f64 }] }, ['i32', 'i64']],
    [{ k: 'result', ok: str, err: u64 }, ['i32', 'i64', 'i32']],
    [{ k: 'option', type: { k: 'tuple', types: [f32, u8] } }, ['i32', 'f32', 'i32']],
    [{ k: 'flags', names: [] }, []],
  ] as [CType, string[]][])('%j', (t, flat) => {
    expect(flatten(t)).toEqual(flat);
  });
});

describe('round trips through memory and through flat values', () => {
  const cases: [CType, unknown][] = [
    [{ k: 'variant', cases: [{ name: 'a', type: u32 }, { name: 'b', type: f32 }] }, { tag: 'b', val: 1.5 }],
    [{ k: 'variant', cases: [{ name: 'a', type: f32 }, { name: 'b', type: f64 }] }, { tag: 'a', val: -2.5 }],
    [{ k: 'option', type: { k: 'option', type: u32 } }, { tag: 'some', val: undefined }],
    [{ k: 'result', ok: str, err: u64 }, { tag: 'err', val: 2n ** 64n - 1n }],
    [{ k: 'list', elem: { k: 'tuple', types: [u8, u32, u8] } }, [[1, 4294967295, 3]]],
    [{ k: 'list', elem: { k: 's16' } }, Int16Array.from([-32768, 7])],
    [{ k: 'record', fields: [{ name: 'line-no', type: u32 }, { name: 'text', type: str }] }, { lineNo: 3, text: '🚀 ⚑' }],
    [{ k: 'flags', names: ['a', 'b-c', 'd'] }, { a: true, bC: false, d: true }],
    [{ k: 'char' }, '𠈄'],
  ];
  test.each(cases)('%j', (t, v) => {
    const mem = memory();
    const ptr = mem.realloc(0, 0, alignment(t), size(t));
    store(mem, v, t, ptr);
    expect(load(mem, t, ptr)).toEqual(v);
    expect(liftFlat(mem, lowerFlat(mem, v, t), t)).toEqual(v);
  });

  test('a payload is stored after the discriminant, at the largest case alignment', () => {
    const mem = memory();
    const t: CType = { k: 'option', type: f64 };
    store(mem, 1.25, t, 2048);
    const view = new DataView(mem.memory().buffer);
    expect(view.getUint8(2048)).toBe(1);
    expect(view.getFloat64(2056, true)).toBe(1.25);
  });
});
