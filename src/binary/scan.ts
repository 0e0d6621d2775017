import type { BinaryReader } from './reader.js';
import { isAbsHeapCode, isNumCode } from './types.js';
import { ATOMIC_FENCE, F, isAtomicMemarg, OP_FEATURE, RELAXED_SIMD_MIN, SHAPE, SIMD_MAX, SIMD_SHAPE, Shape, SimdShape, Space, SPACE_OF } from './opcodes.js';

/** How an index immediate is encoded, so a rewriter can re-encode it the same way. */
export const ENC_U32 = 0;
/** Type indices inside block types and heap types are s33. */
export const ENC_S33 = 1;
/** A memarg without an explicit memory index: memory 0, and `start..end` is the align LEB that would carry bit 6. */
export const ENC_IMPLICIT_MEMORY = 2;

/** Receives every index immediate whose space bit is in the scan mask; positions are relative to the reader's buffer. */
export type IndexSink = (space: number, value: number, start: number, end: number, encoding: number) => void;
/** Receives every instruction: first byte, sub-opcode of a prefixed one (or -1), and its span. */
export type InstrSink = (opcode: number, sub: number, start: number, end: number) => void;

/**
 * Decodes one expression from `r` up to and including the `end` that closes
 * it, reporting index immediates to `sink` (only spaces whose bit is set in
 * `mask`) and instructions to `onInstr`. Returns the feature mask of what it
 * saw. Nothing is allocated per instruction; nesting is a counter, so depth
 * costs nothing. The common shapes with one-byte immediates are decoded
 * inline on a local cursor; everything else goes through `r`.
 */
export function scanExpr(r: BinaryReader, sink: IndexSink | null, mask: number, onInstr: InstrSink | null): number {
  const buf = r.buf;
  const end = r.end;
  let p = r.pos;
  let depth = 1;
  let feats = 0;
  for (;;) {
    if (p >= end) {
      r.pos = p;
      r.fail('truncated', 'expression ends without its final end opcode');
    }
    const start = p;
    const op = buf[p++]!;
    feats |= OP_FEATURE[op]!;
    const shape = SHAPE[op]!;
    // Without an instruction visitor, the commonest cases (no immediate; a one-byte index of a
    // space nobody asked for, mostly locals) skip the switch: a quarter less time on 9 MB of code.
    if (onInstr === null) {
      if (shape === Shape.None) continue;
      if (shape === Shape.Index && (mask & (1 << SPACE_OF[op]!)) === 0 && p < end && buf[p]! < 0x80) {
        p++;
        continue;
      }
    }
    switch (shape) {
      case Shape.Index: {
        // Inline LEB of up to 4 bytes; `r.u32()` takes the rest (and reports errors).
        const space = SPACE_OF[op]!;
        let v = 0;
        let q = p;
        let b = 0x80;
        for (let shift = 0; b & 0x80 && shift < 28 && q < end; shift += 7) {
          b = buf[q++]!;
          v |= (b & 0x7f) << shift;
        }
        if (b & 0x80) {
          r.pos = p;
          v = r.u32();
          q = r.pos;
        }
        if (mask & (1 << space)) sink!(space, v, p, q, ENC_U32);
        p = q;
        break;
      }
      case Shape.None:
        break;
      case Shape.End:
        if (--depth === 0) {
          r.pos = p;
          onInstr?.(op, -1, start, p);
          return feats;
        }
        break;
      case Shape.I32: {
        // Up to 4 bytes can never be out of s32 range; 5-byte forms go through `r.s32()`.
        const q = skipShortLeb(buf, p, end);
        if (q > 0) p = q;
        else {
          r.pos = p;
          r.s32();
          p = r.pos;
        }
        break;
      }
      case Shape.Memarg: {
        // Fast path: one-byte alignment without a memory index, offset of up to 4 bytes.
        const align = p < end ? buf[p]! : 0x80;
        const q = align < 0x40 ? skipShortLeb(buf, p + 1, end) : -1;
        if (q > 0) {
          if (mask & (1 << Space.Memory)) sink!(Space.Memory, 0, p, p + 1, ENC_IMPLICIT_MEMORY);
          p = q;
        } else {
          r.pos = p;
          feats |= memarg(r, sink, mask);
          p = r.pos;
        }
        break;
      }
      case Shape.Block: {
        const b = p < end ? buf[p]! : 0;
        if (b === 0x40 || (b >= 0x7b && b <= 0x7f)) p++;
        else {
          r.pos = p;
          feats |= blockType(r, sink, mask);
          p = r.pos;
        }
        depth++;
        break;
      }
      default:
        r.pos = p;
        feats |= rareShape(r, op, start, sink, mask);
        p = r.pos;
        if (op === 0x1f) depth++; // try_table opens a block
        else if (op === 0x18 && --depth === 0) r.fail('bad-opcode', 'delegate outside of a try block', r.base + start);
    }
    if (onInstr) onInstr(op, op >= 0xfb ? subOpcode(buf, start + 1) : -1, start, p);
  }
}

/** Position after a LEB of at most 4 bytes starting at `p`, or -1 if it is longer or runs past `end`. */
function skipShortLeb(buf: Uint8Array, p: number, end: number): number {
  const limit = Math.min(p + 4, end);
  for (let q = p; q < limit; q++) if (buf[q]! < 0x80) return q + 1;
  return -1;
}

/** The sub-opcode of an already decoded prefixed instruction (only for instruction visitors). */
function subOpcode(buf: Uint8Array, p: number): number {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[p++]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
}

/** Shapes outside the hot path; `r.pos` is just past the opcode. Returns features seen. */
function rareShape(r: BinaryReader, op: number, start: number, sink: IndexSink | null, mask: number): number {
  switch (SHAPE[op]) {
    case Shape.I64:
      skipS64(r);
      return 0;
    case Shape.F32:
      r.skip(4);
      return 0;
    case Shape.F64:
      r.skip(8);
      return 0;
    case Shape.BrTable: {
      const n = r.count(1);
      for (let i = 0; i <= n; i++) index(r, Space.Label, sink, mask);
      return 0;
    }
    case Shape.CallIndirect:
      index(r, Space.Type, sink, mask);
      return index(r, Space.Table, sink, mask) === 0 ? 0 : F['reference-types'];
    case Shape.Memidx:
      return index(r, Space.Memory, sink, mask) === 0 ? 0 : F['multi-memory'];
    case Shape.Heap:
      return heapType(r, sink, mask);
    case Shape.Delegate:
      index(r, Space.Label, sink, mask);
      return 0;
    case Shape.SelectT: {
      const n = r.count(1);
      let feats = 0;
      for (let i = 0; i < n; i++) feats |= valType(r, sink, mask);
      return feats;
    }
    case Shape.TryTable: {
      const feats = blockType(r, sink, mask);
      tryTableCatches(r, sink, mask);
      return feats;
    }
    case Shape.PrefixFc:
      return prefixFC(r, r.u32(), start, sink, mask);
    case Shape.PrefixFd:
      return prefixFD(r, r.u32(), start, sink, mask);
    case Shape.PrefixFb:
      return prefixFB(r, r.u32(), start, sink, mask);
    case Shape.PrefixFe:
      return prefixFE(r, r.u32(), start, sink, mask);
    default:
      return unknown(r, op, -1, start);
  }
}

function unknown(r: BinaryReader, op: number, sub: number, start: number): never {
  const name = sub < 0 ? `0x${op.toString(16)}` : `0x${op.toString(16)} ${sub}`;
  return r.fail('bad-opcode', `unknown opcode ${name}`, r.base + start);
}

/** Reads a u32 index immediate and reports it; returns its value. */
function index(r: BinaryReader, space: number, sink: IndexSink | null, mask: number): number {
  const start = r.pos;
  let v: number;
  if (start < r.end && r.buf[start]! < 0x80) {
    v = r.buf[start]!;
    r.pos = start + 1;
  } else {
    v = r.u32();
  }
  if (mask & (1 << space)) sink!(space, v, start, r.pos, ENC_U32);
  return v;
}

function skipS64(r: BinaryReader): void {
  const start = r.pos;
  r.skipLeb(10);
  // A 10-byte s64 carries only bit 63 in its last byte, sign-extended.
  if (r.pos - start === 10) {
    const last = r.buf[r.pos - 1]!;
    if (last !== 0x00 && last !== 0x7f) r.fail('bad-leb', 'LEB128 s64 is too long or out of range', r.base + start);
  }
}

function memarg(r: BinaryReader, sink: IndexSink | null, mask: number): number {
  const start = r.pos;
  const align = r.u32();
  let feats = 0;
  if (align & 0x40) {
    // Multi-memory: bit 6 of the alignment says a memory index follows.
    index(r, Space.Memory, sink, mask);
    feats = F['multi-memory'];
  } else if (mask & (1 << Space.Memory)) {
    sink!(Space.Memory, 0, start, r.pos, ENC_IMPLICIT_MEMORY);
  }
  r.skipLeb(10); // offset is u64 under memory64
  return feats;
}

function heapType(r: BinaryReader, sink: IndexSink | null, mask: number): number {
  const start = r.pos;
  if (start >= r.end) r.fail('truncated', 'unexpected end of input reading a heap type');
  const b = r.buf[start]!;
  if (isAbsHeapCode(b)) {
    r.pos++;
    return absHeapFeature(b);
  }
  const x = r.s33();
  if (x < 0) r.fail('bad-value', `unknown heap type 0x${b.toString(16)}`, r.base + start);
  if (mask & (1 << Space.Type)) sink!(Space.Type, x, start, r.pos, ENC_S33);
  return F['function-references'];
}

function absHeapFeature(b: number): number {
  if (b === 0x70 || b === 0x6f) return 0; // func, extern
  if (b === 0x69 || b === 0x74) return F.exnref;
  return F.gc;
}

function valType(r: BinaryReader, sink: IndexSink | null, mask: number): number {
  const start = r.pos;
  const b = r.u8();
  if (isNumCode(b)) return b === 0x7b ? F.simd : 0;
  if (isAbsHeapCode(b)) return F['reference-types'] | absHeapFeature(b);
  if (b === 0x63 || b === 0x64) return F['function-references'] | heapType(r, sink, mask);
  return r.fail('bad-value', `unknown value type 0x${b.toString(16)}`, r.base + start);
}

/** Block types: 0x40 (empty), one value type, or an s33 type index (multi-value). */
function blockType(r: BinaryReader, sink: IndexSink | null, mask: number): number {
  const start = r.pos;
  if (start >= r.end) r.fail('truncated', 'unexpected end of input reading a block type');
  const b = r.buf[start]!;
  if (b === 0x40) {
    r.pos++;
    return 0;
  }
  if (isNumCode(b) || isAbsHeapCode(b) || b === 0x63 || b === 0x64) return valType(r, sink, mask);
  const x = r.s33();
  if (x < 0) r.fail('bad-value', `unknown block type 0x${b.toString(16)}`, r.base + start);
  if (mask & (1 << Space.Type)) sink!(Space.Type, x, start, r.pos, ENC_S33);
  return F['multi-value'];
}

function tryTableCatches(r: BinaryReader, sink: IndexSink | null, mask: number): void {
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const kind = r.u8();
    if (kind > 3) r.fail('bad-value', `unknown try_table catch kind ${kind}`, at);
    if (kind < 2) index(r, Space.Tag, sink, mask); // catch, catch_ref
    index(r, Space.Label, sink, mask);
  }
}

function prefixFC(r: BinaryReader, sub: number, start: number, sink: IndexSink | null, mask: number): number {
  if (sub <= 7) return F['sat-float-to-int'];
  switch (sub) {
    case 8: // memory.init data mem
      index(r, Space.Data, sink, mask);
      return F['bulk-memory'] | memFeature(index(r, Space.Memory, sink, mask));
    case 9: // data.drop
      index(r, Space.Data, sink, mask);
      return F['bulk-memory'];
    case 10: // memory.copy dst src
      return F['bulk-memory'] | memFeature(index(r, Space.Memory, sink, mask) | index(r, Space.Memory, sink, mask));
    case 11: // memory.fill
      return F['bulk-memory'] | memFeature(index(r, Space.Memory, sink, mask));
    case 12: // table.init elem table
      index(r, Space.Elem, sink, mask);
      return F['bulk-memory'] | tableFeature(index(r, Space.Table, sink, mask));
    case 13: // elem.drop
      index(r, Space.Elem, sink, mask);
      return F['bulk-memory'];
    case 14: // table.copy dst src
      return F['bulk-memory'] | tableFeature(index(r, Space.Table, sink, mask) | index(r, Space.Table, sink, mask));
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      index(r, Space.Table, sink, mask);
      return F['reference-types'];
    default:
      return unknown(r, 0xfc, sub, start);
  }
}

function memFeature(index: number): number {
  return index === 0 ? 0 : F['multi-memory'];
}
function tableFeature(index: number): number {
  return index === 0 ? 0 : F['reference-types'];
}

function prefixFD(r: BinaryReader, sub: number, start: number, sink: IndexSink | null, mask: number): number {
  const shape = sub <= SIMD_MAX ? SIMD_SHAPE[sub]! : 0;
  let feats = sub >= RELAXED_SIMD_MIN ? F['relaxed-simd'] : 0;
  switch (shape) {
    case SimdShape.None:
      break;
    case SimdShape.Memarg:
      feats |= memarg(r, sink, mask);
      break;
    case SimdShape.MemargLane:
      feats |= memarg(r, sink, mask);
      r.skip(1);
      break;
    case SimdShape.Lane:
      r.skip(1);
      break;
    case SimdShape.Bytes16:
      r.skip(16);
      break;
    default:
      unknown(r, 0xfd, sub, start);
  }
  return feats;
}

function prefixFE(r: BinaryReader, sub: number, start: number, sink: IndexSink | null, mask: number): number {
  if (isAtomicMemarg(sub)) return memarg(r, sink, mask);
  if (sub === ATOMIC_FENCE) {
    const at = r.offset;
    if (r.u8() !== 0) r.fail('bad-value', 'atomic.fence takes a single 0x00 byte', at);
    return 0;
  }
  return unknown(r, 0xfe, sub, start);
}

function prefixFB(r: BinaryReader, sub: number, start: number, sink: IndexSink | null, mask: number): number {
  switch (sub) {
    case 0: // struct.new
    case 1: // struct.new_default
    case 6: // array.new
    case 7: // array.new_default
    case 11: // array.get
    case 12: // array.get_s
    case 13: // array.get_u
    case 14: // array.set
    case 16: // array.fill
      index(r, Space.Type, sink, mask);
      return 0;
    case 2: // struct.get
    case 3: // struct.get_s
    case 4: // struct.get_u
    case 5: // struct.set
      index(r, Space.Type, sink, mask);
      r.u32(); // field index: local to the struct type, not an index space
      return 0;
    case 8: // array.new_fixed type n
      index(r, Space.Type, sink, mask);
      r.u32();
      return 0;
    case 9: // array.new_data
    case 18: // array.init_data
      index(r, Space.Type, sink, mask);
      index(r, Space.Data, sink, mask);
      return 0;
    case 10: // array.new_elem
    case 19: // array.init_elem
      index(r, Space.Type, sink, mask);
      index(r, Space.Elem, sink, mask);
      return 0;
    case 17: // array.copy
      index(r, Space.Type, sink, mask);
      index(r, Space.Type, sink, mask);
      return 0;
    case 15: // array.len
    case 26: // any.convert_extern
    case 27: // extern.convert_any
    case 28: // ref.i31
    case 29: // i31.get_s
    case 30: // i31.get_u
      return 0;
    case 20: // ref.test
    case 21: // ref.test null
    case 22: // ref.cast
    case 23: // ref.cast null
      return heapType(r, sink, mask);
    case 24: // br_on_cast flags label ht1 ht2
    case 25: {
      // br_on_cast_fail
      const at = r.offset;
      if (r.u8() > 3) r.fail('bad-value', 'br_on_cast flags must be 0..3', at);
      index(r, Space.Label, sink, mask);
      return heapType(r, sink, mask) | heapType(r, sink, mask);
    }
    default:
      return unknown(r, 0xfb, sub, start);
  }
}
