import type { StringEncoding } from '../component/evaluate.js';
import { Code, OP, type Mem } from './fuse-code.js';

/**
 * Strings between two sides of a fused call, as the Canonical ABI's `load_string_from_range` and
 * `store_string_into_range` define them: the source is decoded in full first (invalid UTF-8,
 * lone surrogates, misaligned or out-of-range strings trap before anything is allocated), then
 * the destination's `realloc` is called with exactly the sizes the specification names (the
 * first estimate, the growth to the worst case when the estimate is short, the shrink to the
 * final size) and the encoded string written. The one liberty: the bytes are written once, after
 * the allocation that holds them all, rather than in pieces across the reallocations; the string
 * the callee receives is the same.
 */

/** A source string's encoding after the latin1+utf16 tag has been read. */
type SimpleEncoding = 'utf8' | 'utf16' | 'latin1';

const UTF16_TAG = 0x8000_0000;
const MAX_STRING_BYTE_LENGTH = 0x7fff_ffff;

interface TranscodeSides {
  src: Mem;
  dst: Mem;
  /** The destination's realloc (function index). */
  realloc: number;
  /** Whether `memory.copy` may be used (the inputs use bulk memory). */
  bulk: boolean;
}

/**
 * The body of `(param ptr i32) (param tagged i32) (result i64)`: the source string (in the source
 * side's encoding `from`) copied to the destination encoded as `to`; the result packs the new
 * pointer (low 32 bits) and tagged code units (high 32 bits).
 */
export function transcodeBody(from: StringEncoding, to: StringEncoding, s: TranscodeSides): Uint8Array {
  const c = new Code(['i32', 'i32']);
  const [p, t] = [0, 1];
  if (from === 'latin1+utf16') {
    // The tag picks the source's simple encoding at run time: one path for each.
    const units = c.local('i32');
    c.get(t).i32(UTF16_TAG).op(OP.i32And).op(OP.if, 0x7e);
    c.get(t).i32(UTF16_TAG).op(OP.i32Xor).set(units);
    simplePath(c, 'utf16', true, to, s, p, units);
    c.op(OP.else);
    simplePath(c, 'latin1', true, to, s, p, t);
    c.op(OP.end);
  } else {
    c.op(OP.block, 0x7e);
    simplePath(c, from, false, to, s, p, t);
    c.op(OP.end);
  }
  return c.finish();
}

/** Leaves the packed (ptr, tagged units) i64 on the stack. `tagged`: the source was latin1+utf16. */
function simplePath(c: Code, from: SimpleEncoding, tagged: boolean, to: StringEncoding, s: TranscodeSides, p: number, units: number): void {
  const unit = from === 'utf16' ? 2 : 1;
  c.checkAlign(p, from === 'utf8' ? 1 : 2);
  c.checkRange(s.src, p, (k) => k.get(units).op(OP.i64ExtendI32U).i64(BigInt(unit)).op(OP.i64Mul));
  const m = scan(c, from, s.src, p, units);
  const dst = c.local('i32');
  const realloc = (oldPtr: number | undefined, oldSize: (k: Code) => void, align: number, newSize: (k: Code) => void, checkAlign: boolean) => {
    if (oldPtr === undefined) c.i32(0);
    else c.get(oldPtr);
    oldSize(c);
    c.i32(align);
    newSize(c);
    c.call(s.realloc).set(dst);
    if (checkAlign) c.checkAlign(dst, align);
    c.checkRange(s.dst, dst, (k) => {
      newSize(k);
      k.op(OP.i64ExtendI32U);
    });
  };
  const zero = (k: Code) => k.i32(0);
  const get = (l: number) => (k: Code) => k.get(l);
  const times = (l: number, n: number) => (k: Code) => k.get(l).i32(n).op(OP.i32Mul);
  /** Traps if `n * units` passes MAX_STRING_BYTE_LENGTH (computed in i64: it may not fit in 32 bits). */
  const trapPastMax = (l: number, n: number) => {
    c.get(l).op(OP.i64ExtendI32U).i64(BigInt(n)).op(OP.i64Mul).i64(BigInt(MAX_STRING_BYTE_LENGTH)).op(OP.i64GtU).trapIf();
  };
  const result = (len: (k: Code) => void) => {
    c.get(dst).op(OP.i64ExtendI32U);
    len(c);
    c.op(OP.i64ExtendI32U).i64(32n).op(OP.i64Shl, OP.i64Or);
  };
  const simpleTo: SimpleEncoding | 'latin1+utf16' = to;

  if (simpleTo === 'utf8') {
    if (from === 'utf8') {
      trapPastMax(units, 1);
      realloc(undefined, zero, 1, get(units), false);
      copyBytes(c, s, p, dst, get(units));
      return result(get(units));
    }
    const worst = from === 'utf16' ? 3 : 2;
    realloc(undefined, zero, 1, get(units), false);
    // The estimate (one byte per code unit) is short exactly when a code point is not ASCII.
    c.get(m.len8).get(units).op(OP.i32GtU).op(OP.if, 0x40);
    trapPastMax(units, worst);
    realloc(dst, get(units), 1, times(units, worst), false);
    encode(c, from, 'utf8', s, p, units, dst);
    c.get(m.len8).get(units).i32(worst).op(OP.i32Mul).op(OP.i32LtU).op(OP.if, 0x40);
    realloc(dst, times(units, worst), 1, get(m.len8), false);
    c.op(OP.end);
    c.op(OP.else);
    encode(c, from, 'utf8', s, p, units, dst);
    c.op(OP.end);
    return result(get(m.len8));
  }
  if (simpleTo === 'utf16') {
    if (from !== 'utf8') {
      trapPastMax(units, 2);
      realloc(undefined, zero, 2, times(units, 2), true);
      encode(c, from, 'utf16', s, p, units, dst);
      return result(get(units));
    }
    trapPastMax(units, 2);
    realloc(undefined, zero, 2, times(units, 2), true);
    encode(c, from, 'utf16', s, p, units, dst);
    c.get(m.len16).get(units).op(OP.i32LtU).op(OP.if, 0x40);
    realloc(dst, times(units, 2), 2, times(m.len16, 2), true);
    c.op(OP.end);
    return result(get(m.len16));
  }
  // latin1+utf16
  if (from === 'latin1') {
    realloc(undefined, zero, 2, get(units), true);
    copyBytes(c, s, p, dst, get(units));
    return result(get(units));
  }
  if (tagged) {
    // store_probably_utf16_to_latin1_or_utf16: utf16 first, compacted to latin1 when it fits.
    trapPastMax(units, 2);
    realloc(undefined, zero, 2, times(units, 2), true);
    encode(c, 'utf16', 'utf16', s, p, units, dst);
    c.get(m.big16).op(OP.if, 0x40);
    c.op(OP.else);
    compactToLatin1(c, s.dst, dst, units);
    realloc(dst, times(units, 2), 1, get(units), false);
    c.op(OP.end);
    c.get(dst).op(OP.i64ExtendI32U);
    c.get(units).get(m.big16).op(OP.if, 0x7f).i32(UTF16_TAG).op(OP.else).i32(0).op(OP.end).op(OP.i32Or);
    c.op(OP.i64ExtendI32U).i64(32n).op(OP.i64Shl, OP.i64Or);
    return;
  }
  // store_string_to_latin1_or_utf16 from utf8 or utf16
  realloc(undefined, zero, 2, get(units), true);
  c.get(m.big16).op(OP.if, 0x7e);
  trapPastMax(units, 2);
  realloc(dst, get(units), 2, times(units, 2), true);
  encode(c, from, 'utf16', s, p, units, dst);
  c.get(m.len16).get(units).op(OP.i32LtU).op(OP.if, 0x40);
  realloc(dst, times(units, 2), 2, times(m.len16, 2), true);
  c.op(OP.end);
  result((k) => k.get(m.len16).i32(UTF16_TAG).op(OP.i32Or));
  c.op(OP.else);
  encode(c, from, 'latin1', s, p, units, dst);
  // Every code point is below 256: as many latin1 bytes as utf16 code units.
  c.get(m.len16).get(units).op(OP.i32LtU).op(OP.if, 0x40);
  realloc(dst, get(units), 2, get(m.len16), true);
  c.op(OP.end);
  result(get(m.len16));
  c.op(OP.end);
}

interface Measures {
  /** UTF-8 bytes. */
  len8: number;
  /** UTF-16 code units. */
  len16: number;
  /** 1 when a code point is 256 or above. */
  big16: number;
}

/** Decodes the whole source (trapping where it is invalid) and measures it. */
function scan(c: Code, from: SimpleEncoding, mem: Mem, p: number, units: number): Measures {
  const m: Measures = { len8: c.local('i32'), len16: c.local('i32'), big16: c.local('i32') };
  forEachCodePoint(c, from, mem, p, units, (cp) => {
    // len8 += 1 + (cp >= 0x80) + (cp >= 0x800) + (cp >= 0x10000)
    c.get(m.len8).i32(1).op(OP.i32Add);
    c.get(cp).i32(0x80).op(OP.i32GeU, OP.i32Add);
    c.get(cp).i32(0x800).op(OP.i32GeU, OP.i32Add);
    c.get(cp).i32(0x10000).op(OP.i32GeU, OP.i32Add).set(m.len8);
    c.get(m.len16).i32(1).op(OP.i32Add).get(cp).i32(0x10000).op(OP.i32GeU, OP.i32Add).set(m.len16);
    c.get(m.big16).get(cp).i32(0x100).op(OP.i32GeU, OP.i32Or).set(m.big16);
  });
  return m;
}

/** Writes the (already validated) source at `dst` in `to`. */
function encode(c: Code, from: SimpleEncoding, to: SimpleEncoding, s: TranscodeSides, p: number, units: number, dst: number): void {
  if (from === to) {
    copyBytes(c, s, p, dst, (k) => k.get(units).i32(from === 'utf16' ? 2 : 1).op(OP.i32Mul));
    return;
  }
  const j = c.local('i32');
  c.i32(0).set(j);
  forEachCodePoint(c, from, s.src, p, units, (cp) => {
    const at = c.local('i32');
    c.get(dst).get(j).op(OP.i32Add).set(at);
    if (to === 'latin1') {
      c.addr(s.dst, at).get(cp).mem(OP.i32Store8, 0);
      c.get(j).i32(1).op(OP.i32Add).set(j);
    } else if (to === 'utf16') {
      c.get(cp).i32(0x10000).op(OP.i32LtU).op(OP.if, 0x40);
      c.addr(s.dst, at).get(cp).mem(OP.i32Store16, 0);
      c.get(j).i32(2).op(OP.i32Add).set(j);
      c.op(OP.else);
      c.addr(s.dst, at).get(cp).i32(0x10000).op(OP.i32Sub).i32(10).op(OP.i32ShrU).i32(0xd800).op(OP.i32Or).mem(OP.i32Store16, 0);
      c.addr(s.dst, at).get(cp).i32(0x3ff).op(OP.i32And).i32(0xdc00).op(OP.i32Or).mem(OP.i32Store16, 2);
      c.get(j).i32(4).op(OP.i32Add).set(j);
      c.op(OP.end);
    } else {
      const byte = (shift: number, mask: number, tag: number, offset: number) => {
        c.addr(s.dst, at).get(cp);
        if (shift) c.i32(shift).op(OP.i32ShrU);
        c.i32(mask).op(OP.i32And).i32(tag).op(OP.i32Or).mem(OP.i32Store8, offset);
      };
      c.get(cp).i32(0x80).op(OP.i32LtU).op(OP.if, 0x40);
      c.addr(s.dst, at).get(cp).mem(OP.i32Store8, 0);
      c.get(j).i32(1).op(OP.i32Add).set(j);
      c.op(OP.else).get(cp).i32(0x800).op(OP.i32LtU).op(OP.if, 0x40);
      byte(6, 0x1f, 0xc0, 0);
      byte(0, 0x3f, 0x80, 1);
      c.get(j).i32(2).op(OP.i32Add).set(j);
      c.op(OP.else).get(cp).i32(0x10000).op(OP.i32LtU).op(OP.if, 0x40);
      byte(12, 0x0f, 0xe0, 0);
      byte(6, 0x3f, 0x80, 1);
      byte(0, 0x3f, 0x80, 2);
      c.get(j).i32(3).op(OP.i32Add).set(j);
      c.op(OP.else);
      byte(18, 0x07, 0xf0, 0);
      byte(12, 0x3f, 0x80, 1);
      byte(6, 0x3f, 0x80, 2);
      byte(0, 0x3f, 0x80, 3);
      c.get(j).i32(4).op(OP.i32Add).set(j);
      c.op(OP.end, OP.end, OP.end);
    }
  });
}

/**
 * Loops over the code points of the source (`units` code units at `p`), trapping on invalid UTF-8
 * (overlong forms, surrogates, past U+10FFFF, truncated) and on lone UTF-16 surrogates.
 */
function forEachCodePoint(c: Code, from: SimpleEncoding, mem: Mem, p: number, units: number, body: (cp: number) => void): void {
  const i = c.local('i32');
  const cp = c.local('i32');
  const at = c.local('i32');
  c.i32(0).set(i);
  c.op(OP.block, 0x40, OP.loop, 0x40);
  c.get(i).get(units).op(OP.i32GeU, OP.brIf).u(1);
  if (from === 'latin1') {
    c.get(p).get(i).op(OP.i32Add).set(at);
    c.addr(mem, at).mem(OP.i32Load8u, 0).set(cp);
    c.get(i).i32(1).op(OP.i32Add).set(i);
  } else if (from === 'utf16') {
    const lo = c.local('i32');
    c.get(p).get(i).i32(1).op(OP.i32Shl, OP.i32Add).set(at);
    c.addr(mem, at).mem(OP.i32Load16u, 0).set(cp);
    c.get(i).i32(1).op(OP.i32Add).set(i);
    c.get(cp).i32(0xf800).op(OP.i32And).i32(0xd800).op(OP.i32Eq).op(OP.if, 0x40);
    // A high surrogate followed by a low one; anything else traps.
    c.get(cp).i32(0xdc00).op(OP.i32GeU).trapIf();
    c.get(i).get(units).op(OP.i32GeU).trapIf();
    c.addr(mem, at).mem(OP.i32Load16u, 2).set(lo);
    c.get(lo).i32(0xfc00).op(OP.i32And).i32(0xdc00).op(OP.i32Ne).trapIf();
    c.get(cp).i32(0xd800).op(OP.i32Sub).i32(10).op(OP.i32Shl).get(lo).i32(0xdc00).op(OP.i32Sub).op(OP.i32Or).i32(0x10000).op(OP.i32Add).set(cp);
    c.get(i).i32(1).op(OP.i32Add).set(i);
    c.op(OP.end);
  } else {
    utf8Decode(c, mem, p, units, i, cp, at);
  }
  body(cp);
  c.op(OP.br).u(0);
  c.op(OP.end, OP.end);
}

function utf8Decode(c: Code, mem: Mem, p: number, units: number, i: number, cp: number, at: number): void {
  const b = c.local('i32');
  const n = c.local('i32');
  c.get(p).get(i).op(OP.i32Add).set(at);
  c.addr(mem, at).mem(OP.i32Load8u, 0).set(cp);
  c.get(cp).i32(0x80).op(OP.i32LtU).op(OP.if, 0x40);
  c.get(i).i32(1).op(OP.i32Add).set(i);
  c.op(OP.else);
  // Lead byte: C2-DF one continuation, E0-EF two, F0-F4 three; 80-C1 and F5-FF are never valid.
  c.get(cp).i32(0xc2).op(OP.i32LtU).get(cp).i32(0xf4).op(OP.i32GtU).op(OP.i32Or).trapIf();
  c.get(cp).i32(0xe0).op(OP.i32GeU).get(cp).i32(0xf0).op(OP.i32GeU).op(OP.i32Add).i32(1).op(OP.i32Add).set(n);
  c.get(i).get(n).op(OP.i32Add).get(units).op(OP.i32GeU).trapIf();
  // Payload bits of the lead byte: 0x1f, 0x0f or 0x07.
  c.get(cp).i32(0x7f).get(n).op(OP.i32ShrU).op(OP.i32And).set(cp);
  for (let k = 1; k <= 3; k++) {
    const cond = k === 1 ? undefined : k;
    if (cond) c.get(n).i32(cond).op(OP.i32GeU).op(OP.if, 0x40);
    c.addr(mem, at).mem(OP.i32Load8u, k).set(b);
    c.get(b).i32(0xc0).op(OP.i32And).i32(0x80).op(OP.i32Ne).trapIf();
    c.get(cp).i32(6).op(OP.i32Shl).get(b).i32(0x3f).op(OP.i32And).op(OP.i32Or).set(cp);
    if (cond) c.op(OP.end);
  }
  // Overlong forms and surrogates: the smallest code point each length may carry, and D800-DFFF.
  c.get(n).i32(2).op(OP.i32Eq).get(cp).i32(0x800).op(OP.i32LtU).op(OP.i32And).trapIf();
  c.get(n).i32(3).op(OP.i32Eq).get(cp).i32(0x10000).op(OP.i32LtU).op(OP.i32And).trapIf();
  c.get(cp).i32(0x10ffff).op(OP.i32GtU).trapIf();
  c.get(cp).i32(0xfffff800).op(OP.i32And).i32(0xd800).op(OP.i32Eq).trapIf();
  c.get(i).get(n).op(OP.i32Add).i32(1).op(OP.i32Add).set(i);
  c.op(OP.end);
}

/** Copies `len` bytes from `p` (source side) to `dst` (destination side). */
export function copyBytes(c: Code, s: { src: Mem; dst: Mem; bulk: boolean }, p: number, dst: number, len: (k: Code) => void): void {
  if (s.bulk) {
    c.addr(s.dst, dst).addr(s.src, p);
    len(c);
    c.op(0xfc).u(10).op(0, 0);
    return;
  }
  const n = c.local('i32');
  const a = c.local('i32');
  const b = c.local('i32');
  len(c);
  c.set(n);
  c.get(p).set(a).get(dst).set(b);
  c.op(OP.block, 0x40, OP.loop, 0x40);
  c.get(n).op(OP.i32Eqz, OP.brIf).u(1);
  c.addr(s.dst, b).addr(s.src, a).mem(OP.i32Load8u, 0).mem(OP.i32Store8, 0);
  c.get(a).i32(1).op(OP.i32Add).set(a);
  c.get(b).i32(1).op(OP.i32Add).set(b);
  c.get(n).i32(1).op(OP.i32Sub).set(n);
  c.op(OP.br).u(0, ).op(OP.end, OP.end);
}

/** latin1 in place: byte i = low byte of utf16 unit i (every unit is below 256). */
function compactToLatin1(c: Code, mem: Mem, dst: number, units: number): void {
  const i = c.local('i32');
  const a = c.local('i32');
  c.i32(0).set(i);
  c.op(OP.block, 0x40, OP.loop, 0x40);
  c.get(i).get(units).op(OP.i32GeU, OP.brIf).u(1);
  c.get(dst).get(i).op(OP.i32Add).set(a);
  c.addr(mem, a);
  c.get(a).get(i).op(OP.i32Add).set(a);
  c.addr(mem, a).mem(OP.i32Load8u, 0).mem(OP.i32Store8, 0);
  c.get(i).i32(1).op(OP.i32Add).set(i);
  c.op(OP.br).u(0).op(OP.end, OP.end);
}
