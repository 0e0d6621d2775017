import { alignTo, alignment, discriminantSize, flatten, payloadOffset, size, type CoreType, type Shape } from '../component/abi.js';
import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';

/**
 * The body of an export wrapper that turns the p1 caller's handles of the
 * component's own resources into their reps wherever the parameters borrow
 * one (CanonicalABI.md `lower_borrow`: a lift hands the implementing component
 * the rep), then calls the export. Borrows are found through records,
 * variants (by discriminant) and lists (a loop over the elements), in flat
 * parameters or, past 16 flat values, in the parameter record in memory.
 * Rewriting in memory is safe: lists and spilled parameters belong to the
 * callee once the call starts.
 */

export function hasLocalBorrow(s: Shape): boolean {
  switch (s.k) {
    case 'handle':
      return s.localBorrow === true;
    case 'list':
      return hasLocalBorrow(s.element);
    case 'record':
      return s.fields.some(hasLocalBorrow);
    case 'variant':
      return s.cases.some((c) => c !== undefined && hasLocalBorrow(c));
    default:
      return false;
  }
}

const op = {
  if: 0x04, void: 0x40, end: 0x0b, block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Load8u: 0x2d, i32Load16u: 0x2f, i32Store: 0x36,
  i32Const: 0x41, i32Eq: 0x46, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c,
  i32WrapI64: 0xa7, i64ExtendI32U: 0xad,
} as const;

/** `params`: the export's parameter shapes; `sig`: its core type; `rep`, `callee`: output function indices. */
export function borrowWrapperBody(params: Shape[], sig: FuncType, rep: number, callee: number, maxFlat: number): Uint8Array {
  const body = new BinaryWriter(128);
  let locals = 0;
  const local = () => sig.params.length + locals++;

  /** The value at `addr + offset` in memory. */
  const inMemory = (s: Shape, addr: number, offset: number): void => {
    if (!hasLocalBorrow(s)) return;
    switch (s.k) {
      case 'handle':
        body.u8(op.localGet).u32(addr);
        body.u8(op.localGet).u32(addr).u8(op.i32Load).u32(0).u32(offset);
        body.u8(op.call).u32(rep).u8(op.i32Store).u32(0).u32(offset);
        return;
      case 'record': {
        let at = offset;
        for (const f of s.fields) {
          at = alignTo(at, alignment(f));
          inMemory(f, addr, at);
          at += size(f);
        }
        return;
      }
      case 'variant': {
        const load = [op.i32Load8u, op.i32Load16u, op.i32Load, op.i32Load][discriminantSize(s.cases.length) >> 1]!;
        const payload = offset + payloadOffset(s);
        s.cases.forEach((c, value) => {
          if (!c || !hasLocalBorrow(c)) return;
          body.u8(op.localGet).u32(addr).u8(load).u32(0).u32(offset).u8(op.i32Const).sleb(value).u8(op.i32Eq).u8(op.if).u8(op.void);
          inMemory(c, addr, payload);
          body.u8(op.end);
        });
        return;
      }
      case 'list': {
        if (s.length !== undefined) {
          for (let i = 0; i < s.length; i++) inMemory(s.element, addr, offset + i * size(s.element));
          return;
        }
        const ptr = local();
        const len = local();
        body.u8(op.localGet).u32(addr).u8(op.i32Load).u32(0).u32(offset).u8(op.localSet).u32(ptr);
        body.u8(op.localGet).u32(addr).u8(op.i32Load).u32(0).u32(offset + 4).u8(op.localSet).u32(len);
        eachElement(s.element, ptr, len);
        return;
      }
      default:
        return;
    }
  };

  /** Walks `len` elements from `ptr`; `ptr` advances. */
  const eachElement = (element: Shape, ptr: number, len: number): void => {
    const end = local();
    body.u8(op.localGet).u32(ptr).u8(op.localGet).u32(len).u8(op.i32Const).sleb(size(element)).u8(op.i32Mul).u8(op.i32Add).u8(op.localSet).u32(end);
    body.u8(op.block).u8(op.void).u8(op.loop).u8(op.void);
    body.u8(op.localGet).u32(ptr).u8(op.localGet).u32(end).u8(op.i32GeU).u8(op.brIf).u32(1);
    inMemory(element, ptr, 0);
    body.u8(op.localGet).u32(ptr).u8(op.i32Const).sleb(size(element)).u8(op.i32Add).u8(op.localSet).u32(ptr);
    body.u8(op.br).u32(0).u8(op.end).u8(op.end);
  };

  /** The value in flat parameters from `slot`, typed `types` (a variant's payload slots are the joined types). */
  const inFlat = (s: Shape, slot: number, types: CoreType[]): void => {
    if (!hasLocalBorrow(s)) return;
    switch (s.k) {
      case 'handle': {
        const wide = types[0] === 'i64';
        body.u8(op.localGet).u32(slot);
        if (wide) body.u8(op.i32WrapI64);
        body.u8(op.call).u32(rep);
        if (wide) body.u8(op.i64ExtendI32U);
        body.u8(op.localSet).u32(slot);
        return;
      }
      case 'record': {
        let i = 0;
        for (const f of s.fields) {
          const n = flatten(f).length;
          inFlat(f, slot + i, types.slice(i, i + n));
          i += n;
        }
        return;
      }
      case 'variant':
        s.cases.forEach((c, value) => {
          if (!c || !hasLocalBorrow(c)) return;
          body.u8(op.localGet).u32(slot).u8(op.i32Const).sleb(value).u8(op.i32Eq).u8(op.if).u8(op.void);
          inFlat(c, slot + 1, types.slice(1));
          body.u8(op.end);
        });
        return;
      case 'list': {
        // A list's (ptr, len) in flat slots: walk a copy of ptr (slot types are i32 unless a variant widened them).
        const ptr = local();
        const len = local();
        body.u8(op.localGet).u32(slot);
        if (types[0] === 'i64') body.u8(op.i32WrapI64);
        body.u8(op.localSet).u32(ptr).u8(op.localGet).u32(slot + 1);
        if (types[1] === 'i64') body.u8(op.i32WrapI64);
        body.u8(op.localSet).u32(len);
        eachElement(s.element, ptr, len);
        return;
      }
      default:
        return;
    }
  };

  const flat = params.flatMap(flatten);
  if (flat.length > maxFlat) {
    inMemory({ k: 'record', fields: params }, 0, 0);
  } else {
    let slot = 0;
    for (const p of params) {
      const n = flatten(p).length;
      inFlat(p, slot, flat.slice(slot, slot + n));
      slot += n;
    }
  }
  for (let i = 0; i < sig.params.length; i++) body.u8(op.localGet).u32(i);
  body.u8(op.call).u32(callee).u8(op.end);
  const code = body.finish();
  const w = new BinaryWriter(code.length + 8);
  if (locals) w.u32(1).u32(locals).u8(0x7f);
  else w.u32(0);
  return w.bytes(code).finish();
}
