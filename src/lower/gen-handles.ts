import { alignTo, alignment, discriminantSize, flatten, handlesOf, payloadOffset, size, someShape, type CoreType, type HandleShape, type Shape } from '../component/abi.js';
import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import type { Target } from './plan.js';

/**
 * The body of a wrapper that moves handles across the boundary between the
 * program and the p1 host, as a component instance's handle table would
 * (CanonicalABI.md `lower_own`/`lift_own`/`lower_borrow`/`lift_borrow`): each
 * handle in the parameters goes through `paramOp` before the call, each handle
 * in the results through `resultOp` after it. Handles are found through
 * records, variants (by discriminant) and lists (a loop over the elements), in
 * flat values or in memory (parameters past 16 flat values, results past one).
 * An export's parameters in memory belong to the program once the call starts,
 * so they are rewritten in place; an import's are the program's before and
 * after, so they are put back (the undo log). Results belong to the caller.
 */
export interface HandleWrapper {
  callee: Target;
  params: Shape[];
  result: Shape | undefined;
  /** `export`: the host calls the program (results come back as a pointer past one flat value); `import`: the program calls the host (through a return pointer). */
  direction: 'export' | 'import';
  paramOp: (h: HandleShape) => Target | undefined;
  resultOp: (h: HandleShape) => Target | undefined;
  /** Imports whose handles sit in the program's memory: each is logged before it is rewritten and put back after the call. */
  undo: { mark: Target; push: Target; restore: Target } | undefined;
  /** Exports the host lends handles to: the count of open loans must be back where it was when the program returns. */
  lentCount: Target | undefined;
  /** Exports lending the host's handles of a component's resource to another component: `end` (lend-end) checks the count and ends the loans. */
  lendEnd: { mark: Target; lent: Target; end: Target } | undefined;
}

/** Everything a wrapper calls: the callee and each handle operation its values use. */
export function handleTargets(g: HandleWrapper): Target[] {
  const out: Target[] = [g.callee];
  const collect = (s: Shape, opOf: (h: HandleShape) => Target | undefined): void => {
    for (const h of handlesOf(s)) {
      const t = opOf(h);
      if (t) out.push(t);
    }
  };
  g.params.forEach((p) => collect(p, g.paramOp));
  if (g.result) collect(g.result, g.resultOp);
  if (g.undo) out.push(g.undo.mark, g.undo.push, g.undo.restore);
  if (g.lentCount) out.push(g.lentCount);
  if (g.lendEnd) out.push(g.lendEnd.mark, g.lendEnd.lent, g.lendEnd.end);
  return out;
}

/** Whether some handle in `s` is one `pick` selects. */
export function hasHandle(s: Shape, pick: (h: HandleShape) => boolean): boolean {
  return someShape(s, (x) => x.k === 'handle' && pick(x));
}

/** Whether some handle `pick` selects sits in memory (a list, or values past `maxFlat`). */
export function handleInMemory(params: Shape[], pick: (h: HandleShape) => boolean, maxFlat: number): boolean {
  const any = (s: Shape): boolean => hasHandle(s, pick);
  const inList = (s: Shape): boolean => someShape(s, (x) => x.k === 'list' && any(x.element));
  return params.some(inList) || (params.flatMap(flatten).length > maxFlat && params.some(any));
}

const op = {
  if: 0x04, void: 0x40, end: 0x0b, block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Load8u: 0x2d, i32Load16u: 0x2f, i32Store: 0x36,
  i32Const: 0x41, i32Eq: 0x46, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c,
  i32WrapI64: 0xa7, i64ExtendI32U: 0xad, i32Ne: 0x47, unreachable: 0x00,
} as const;

/** `sig`: the callee's core type; `func` gives the output index of a target. */
export function handleWrapperBody(g: HandleWrapper, sig: FuncType, callee: number, func: (t: Target) => number, maxFlat: number): Uint8Array {
  const body = new BinaryWriter(128);
  let locals = 0;
  const local = () => sig.params.length + locals++;
  let opOf = g.paramOp;
  const translated = (h: HandleShape): boolean => opOf(h) !== undefined;
  /** Logging rewrites: on while the parameters are rewritten. */
  let undo = g.undo;
  const mark = g.undo || g.lentCount ? local() : 0;
  if (g.undo) body.u8(op.call).u32(func(g.undo.mark)).u8(op.localSet).u32(mark);
  if (g.lentCount) body.u8(op.call).u32(func(g.lentCount)).u8(op.localSet).u32(mark);
  const ends = g.lendEnd && { undo: local(), lent: local() };
  if (g.lendEnd) body.u8(op.call).u32(func(g.lendEnd.mark)).u8(op.localSet).u32(ends!.undo).u8(op.call).u32(func(g.lendEnd.lent)).u8(op.localSet).u32(ends!.lent);

  /** The value at `addr + offset` in memory. */
  const inMemory = (s: Shape, addr: number, offset: number): void => {
    if (!hasHandle(s, translated)) return;
    switch (s.k) {
      case 'handle':
        if (undo) {
          body.u8(op.localGet).u32(addr).u8(op.i32Const).sleb(offset).u8(op.i32Add);
          body.u8(op.localGet).u32(addr).u8(op.i32Load).u32(0).u32(offset).u8(op.call).u32(func(undo.push));
        }
        body.u8(op.localGet).u32(addr);
        body.u8(op.localGet).u32(addr).u8(op.i32Load).u32(0).u32(offset);
        body.u8(op.call).u32(func(opOf(s)!)).u8(op.i32Store).u32(0).u32(offset);
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
          if (!c || !hasHandle(c, translated)) return;
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
    if (!hasHandle(s, translated)) return;
    switch (s.k) {
      case 'handle': {
        const wide = types[0] === 'i64';
        body.u8(op.localGet).u32(slot);
        if (wide) body.u8(op.i32WrapI64);
        body.u8(op.call).u32(func(opOf(s)!));
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
          if (!c || !hasHandle(c, translated)) return;
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

  const flat = g.params.flatMap(flatten);
  const spilled = flat.length > maxFlat;
  if (spilled) {
    inMemory({ k: 'record', fields: g.params }, 0, 0);
  } else {
    let slot = 0;
    for (const p of g.params) {
      const n = flatten(p).length;
      inFlat(p, slot, flat.slice(slot, slot + n));
      slot += n;
    }
  }
  for (let i = 0; i < sig.params.length; i++) body.u8(op.localGet).u32(i);
  body.u8(op.call).u32(callee);
  if (g.undo) body.u8(op.localGet).u32(mark).u8(op.call).u32(func(g.undo.restore));
  if (g.lentCount) {
    body.u8(op.call).u32(func(g.lentCount)).u8(op.localGet).u32(mark).u8(op.i32Ne);
    body.u8(op.if).u8(op.void).u8(op.unreachable).u8(op.end);
  }
  if (g.lendEnd) body.u8(op.localGet).u32(ends!.undo).u8(op.localGet).u32(ends!.lent).u8(op.call).u32(func(g.lendEnd.end));
  undo = undefined;
  opOf = g.resultOp;
  if (g.result && hasHandle(g.result, translated)) {
    const results = flatten(g.result);
    if (results.length <= 1) {
      // One flat result: the value is on the stack.
      const r = local();
      body.u8(op.localSet).u32(r);
      inFlat(g.result, r, results);
      body.u8(op.localGet).u32(r);
    } else if (g.direction === 'export') {
      const r = local();
      body.u8(op.localSet).u32(r);
      inMemory(g.result, r, 0);
      body.u8(op.localGet).u32(r);
    } else {
      inMemory(g.result, sig.params.length - 1, 0);
    }
  }
  body.u8(op.end);
  const code = body.finish();
  const w = new BinaryWriter(code.length + 8);
  if (locals) w.u32(1).u32(locals).u8(0x7f);
  else w.u32(0);
  return w.bytes(code).finish();
}
