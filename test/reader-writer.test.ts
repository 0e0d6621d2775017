import { describe, expect, it } from 'vitest';
import { BinaryReader } from '../src/binary/reader.js';
import { BinaryWriter } from '../src/binary/writer.js';
import { expectError } from './binary-helpers.js';

const r = (...bytes: number[]) => new BinaryReader(Uint8Array.from(bytes), 100);

describe('BinaryReader u32', () => {
  it('reads one- to five-byte values, up to 0xffffffff', () => {
    expect(r(0x00).u32()).toBe(0);
    expect(r(0x7f).u32()).toBe(127);
    expect(r(0x80, 0x01).u32()).toBe(128);
    expect(r(0xe5, 0x8e, 0x26).u32()).toBe(624485);
    expect(r(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
  });

  it('accepts non-minimal encodings within five bytes', () => {
    expect(r(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0);
  });

  it('rejects a sixth byte and overflowing high bits, at the LEB start', () => {
    expectError(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), 'bad-leb', 100);
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0x1f).u32(), 'bad-leb', 100);
  });

  it('reports truncation at the LEB start', () => {
    const rd = r(0x01, 0x80, 0x80);
    rd.u8();
    expectError(() => rd.u32(), 'truncated', 101);
  });
});

describe('BinaryReader signed', () => {
  it('reads s32 bounds', () => {
    expect(r(0x7f).s32()).toBe(-1);
    expect(r(0xff, 0xff, 0xff, 0xff, 0x07).s32()).toBe(0x7fffffff);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-0x80000000);
  });

  it('rejects s32 out of range or too long', () => {
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0x0f).s32(), 'bad-leb', 100); // 2^32-1
    expectError(() => r(0x80, 0x80, 0x80, 0x80, 0x70).s32(), 'bad-leb', 100); // below -2^31
    expectError(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s32(), 'bad-leb', 100);
  });

  it('reads s33 (block types) beyond 32 bits', () => {
    expect(r(0xff, 0xff, 0xff, 0xff, 0x0f).s33()).toBe(0xffffffff);
    expect(r(0x40).s33()).toBe(-64);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x70).s33()).toBe(-(2 ** 32));
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0x1f).s33(), 'bad-leb', 100);
  });

  it('reads s64 bounds and rejects a bad tenth byte', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
    const min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
    expect(r(...max).s64()).toBe(2n ** 63n - 1n);
    expect(r(...min).s64()).toBe(-(2n ** 63n));
    expect(r(0x7f).s64()).toBe(-1n);
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).s64(), 'bad-leb', 100);
    expectError(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s64(), 'bad-leb', 100);
  });

  it('reads u64 up to 2^64-1 and rejects overflow', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(r(...max).u64()).toBe(2n ** 64n - 1n);
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02).u64(), 'bad-leb', 100);
  });
});

describe('BinaryReader guards', () => {
  it('count() refuses more items than bytes left, before anything is allocated', () => {
    expectError(() => r(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00).count(1), 'too-large', 100);
    expect(r(0x02, 0x00, 0x00).count(1)).toBe(2);
    expectError(() => r(0x02, 0x00, 0x00).count(2), 'too-large', 100);
  });

  it('fork() of a 2 GB part fails as truncated without allocating', () => {
    const rd = r(0x80, 0x80, 0x80, 0x80, 0x08, 0x00);
    const len = rd.u32();
    expect(len).toBe(2 ** 31);
    expectError(() => rd.fork(len), 'truncated', 105);
  });

  it('name() rejects invalid UTF-8 at the name start', () => {
    expectError(() => r(0x02, 0xc3, 0x28).name(), 'bad-utf8', 100);
    expect(r(0x02, 0xc3, 0xa9).name()).toBe('é');
  });

  it('views are zero-copy', () => {
    const buf = Uint8Array.from([1, 2, 3, 4]);
    const view = new BinaryReader(buf).bytes(3);
    buf[0] = 9;
    expect(view[0]).toBe(9);
  });
});

describe('BinaryWriter', () => {
  const roundU32 = (v: number) => new BinaryReader(new BinaryWriter().u32(v).finish()).u32();
  const roundS = (v: number) => new BinaryReader(new BinaryWriter().sleb(v).finish()).s33();
  const roundS64 = (v: bigint) => new BinaryReader(new BinaryWriter().s64(v).finish()).s64();
  const roundU64 = (v: bigint) => new BinaryReader(new BinaryWriter().u64(v).finish()).u64();

  it('round-trips u32 edge values with minimal length', () => {
    for (const v of [0, 1, 63, 64, 127, 128, 16383, 16384, 2 ** 31, 0xffffffff]) expect(roundU32(v)).toBe(v);
    expect(new BinaryWriter().u32(0xffffffff).length).toBe(5);
    expect(new BinaryWriter().u32(127).length).toBe(1);
  });

  it('round-trips signed values (s33 range)', () => {
    for (const v of [0, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 0xffffffff, -(2 ** 32)]) expect(roundS(v)).toBe(v);
    expect(Array.from(new BinaryWriter().sleb(64).finish())).toEqual([0xc0, 0x00]);
  });

  it('round-trips s64 and u64', () => {
    for (const v of [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n]) expect(roundS64(v)).toBe(v);
    for (const v of [0n, 2n ** 64n - 1n, 2n ** 48n]) expect(roundU64(v)).toBe(v);
  });

  it('pads u32 to a fixed width', () => {
    const b = new BinaryWriter().u32Padded(3, 5).finish();
    expect(Array.from(b)).toEqual([0x83, 0x80, 0x80, 0x80, 0x00]);
    expect(new BinaryReader(b).u32()).toBe(3);
  });

  it('fork/join writes a length prefix, and span copies ranges', () => {
    const src = Uint8Array.from({ length: 100 }, (_, i) => i);
    const w = new BinaryWriter(4).u8(0xaa).fork().span(src, 10, 13).span(src, 0, 40).join();
    const out = w.finish();
    expect(out[0]).toBe(0xaa);
    expect(out[1]).toBe(43);
    expect(Array.from(out.subarray(2, 5))).toEqual([10, 11, 12]);
    expect(Array.from(out.subarray(5))).toEqual(Array.from(src.subarray(0, 40)));
  });
});
