import { BinaryWriter } from '../binary/writer.js';
import { alignTo, alignment, discriminantSize, flatten, hasPointers, size, type CoreType, type Shape } from '../component/abi.js';
import { Code, OP, coerce } from './fuse-code.js';
import type { GenContext } from './gen.js';
import type { GenFunc, Target } from './plan.js';

// Bodies of the WASI 0.3 generated functions (their plan: p3-plan.ts).

const CALL = 0x10, LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_CONST = 0x41, I32_EQZ = 0x45;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, IF = 0x04, VOID = 0x40, END = 0x0b;

/**
 * `_start` of a callback-lifted run: code = run(); while next(code) has an event,
 * code = callback(event code, p1, p2); then run's result (task.return's discriminant) err -> exit 1.
 */
export function p3StartBody(g: Extract<GenFunc, { kind: 'p3-start' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(64);
  w.u32(1).u32(1).u8(0x7f); // code
  w.u8(CALL).u32(ctx.func(g.entry)).u8(LOCAL_SET).u32(0);
  w.u8(BLOCK).u8(VOID).u8(LOOP).u8(VOID);
  w.u8(LOCAL_GET).u32(0).u8(CALL).u32(ctx.func(g.next)).u8(I32_EQZ).u8(BR_IF).u32(1);
  for (const t of [g.code, g.p1, g.p2]) w.u8(CALL).u32(ctx.func(t));
  w.u8(CALL).u32(ctx.func(g.callback)).u8(LOCAL_SET).u32(0);
  w.u8(BR).u32(0).u8(END).u8(END);
  w.u8(CALL).u32(ctx.func(g.finish)).u8(IF).u8(VOID);
  w.u8(I32_CONST).sleb(1).u8(CALL).u32(ctx.func(g.procExit));
  w.u8(END).u8(END);
  return w.finish();
}

/** Forwards its params to the callee, then the constants (an element type's id and layout). */
export function bindConstsBody(g: Extract<GenFunc, { kind: 'bind-consts' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(32);
  const forwarded = ctx.sigOf(g.callee).params.length - g.consts.length;
  w.u32(0);
  for (let i = 0; i < forwarded; i++) w.u8(LOCAL_GET).u32(i);
  for (const c of g.consts) w.u8(I32_CONST).sleb(c | 0);
  w.u8(CALL).u32(ctx.func(g.callee)).u8(END);
  return w.finish();
}

/** An async lowering that finished during the call: the callee stored the result; the subtask state is RETURNED. */
export function returnedBody(g: Extract<GenFunc, { kind: 'p3-returned' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(32);
  w.u32(0);
  for (let i = 0; i < ctx.sigOf(g.callee).params.length; i++) w.u8(LOCAL_GET).u32(i);
  w.u8(CALL).u32(ctx.func(g.callee)).u8(I32_CONST).sleb(2).u8(END);
  return w.finish();
}

/** A synchronous export as a new task: `begin` (fresh task state), then the export with the same arguments. */
export function newTaskBody(g: Extract<GenFunc, { kind: 'p3-new-task' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(32);
  w.u32(0);
  w.u8(CALL).u32(ctx.func(g.begin));
  for (let i = 0; i < ctx.sigOf(g.callee).params.length; i++) w.u8(LOCAL_GET).u32(i);
  w.u8(CALL).u32(ctx.func(g.callee)).u8(END);
  return w.finish();
}

/**
 * An async lowering served by the host's synchronous function: forward the arguments (loaded
 * from the tuple the async ABI passes in memory past 4 flat values, as a synchronous lift would
 * read them), and the return pointer when the synchronous ABI has one too; store a single flat
 * result at the return pointer; return RETURNED.
 */
export function syncCallBody(g: Extract<GenFunc, { kind: 'p3-sync-call' }>, ctx: GenContext): Uint8Array {
  const c = new Code(g.sig.params as CoreType[]);
  const sync = ctx.sigOf(g.callee);
  const pushArgs = () => {
    if (!g.inMemory) {
      for (let i = 0; i < sync.params.length; i++) c.get(i);
      return;
    }
    loadFlat(c, g.inMemory, 0, 0);
    if (sync.params.length > flatten(g.inMemory).length) c.get(1);
  };
  if (g.store) {
    c.get(g.sig.params.length - 1);
    pushArgs();
    c.call(ctx.func(g.callee));
    const { type, bytes } = g.store;
    const op = type === 'i64' ? (bytes === 8 ? 0x37 : 0x3e) : type === 'f32' ? 0x38 : type === 'f64' ? 0x39 : bytes === 1 ? 0x3a : bytes === 2 ? 0x3b : 0x36;
    c.mem(op, 0);
  } else {
    pushArgs();
    c.call(ctx.func(g.callee));
  }
  c.i32(2);
  return c.finish();
}

const LOAD_PRIM: Record<string, number> = {
  bool: OP.i32Load8u, u8: OP.i32Load8u, s8: OP.i32Load8s, u16: OP.i32Load16u, s16: OP.i32Load16s,
  u32: OP.i32Load, s32: OP.i32Load, char: OP.i32Load, u64: OP.i64Load, s64: OP.i64Load, f32: OP.f32Load, f64: OP.f64Load,
};

/**
 * Pushes the flat values of the value of shape `s` at `base + off` (a local), as the Canonical
 * ABI lifts it from memory and lowers it flat: bools as 0/1, chars checked (a surrogate or a
 * value past 0x10FFFF traps), a variant's discriminant checked and its payload coerced to the
 * joined flat types (zeros for the slots its case does not use).
 */
function loadFlat(c: Code, s: Shape, base: number, off: number): void {
  switch (s.k) {
    case 'prim': {
      const t = s.type;
      c.get(base).mem(LOAD_PRIM[t]!, off);
      if (t === 'bool') c.i32(0).op(OP.i32Ne);
      if (t === 'char') {
        const v = c.local('i32');
        c.tee(v).i32(0x110000).op(OP.i32GeU).trapIf();
        c.get(v).i32(0xd800).op(OP.i32Sub).i32(0x800).op(OP.i32LtU).trapIf();
        c.get(v);
      }
      return;
    }
    case 'string':
    case 'handle':
      c.get(base).mem(OP.i32Load, off);
      if (s.k === 'string') c.get(base).mem(OP.i32Load, off + 4);
      return;
    case 'list':
      if (s.length === undefined) c.get(base).mem(OP.i32Load, off).get(base).mem(OP.i32Load, off + 4);
      else for (let k = 0; k < s.length; k++) loadFlat(c, s.element, base, off + k * size(s.element));
      return;
    case 'flags': {
      const words = flatten(s).length;
      if (words === 1) c.get(base).mem(size(s) === 1 ? OP.i32Load8u : size(s) === 2 ? OP.i32Load16u : OP.i32Load, off);
      else for (let k = 0; k < words; k++) c.get(base).mem(OP.i32Load, off + 4 * k);
      return;
    }
    case 'record': {
      let o = off;
      for (const f of s.fields) {
        o = alignTo(o, alignment(f));
        loadFlat(c, f, base, o);
        o += size(f);
      }
      return;
    }
    case 'variant': {
      const joined = flatten(s).slice(1);
      const disc = discriminantSize(s.cases.length);
      const d = c.local('i32');
      c.get(base).mem(discLoad(s.cases.length), off).tee(d).i32(s.cases.length).op(OP.i32GeU).trapIf();
      const slots = joined.map((t) => c.local(t));
      const payload = off + alignTo(disc, Math.max(1, ...s.cases.map((k) => (k ? alignment(k) : 1))));
      s.cases.forEach((k, i) => {
        if (!k) return;
        const have = flatten(k);
        c.get(d).i32(i).op(OP.i32Eq, OP.if, 0x40);
        loadFlat(c, k, base, payload);
        for (let j = have.length - 1; j >= 0; j--) {
          coerce(c, have[j]!, joined[j]!);
          c.set(slots[j]!);
        }
        c.op(OP.end);
      });
      c.get(d);
      for (const l of slots) c.get(l);
      return;
    }
  }
}

const LOAD: Record<string, number> = { i32: 0x28, i64: 0x29, f32: 0x2a, f64: 0x2b };

/**
 * task.return of a result with several flat values: stored in the result area in its memory
 * layout (variant payloads coerced from their joined flat types), or past 16, the pointer it was
 * given to a copy of the record; then what the result points to is copied out of the guest's
 * memory (`keep`: the guest may free it once task.return returns, as a 0.3 host has lifted it by
 * then); then the task has returned.
 */
export function taskReturnBody(g: Extract<GenFunc, { kind: 'p3-task-return' }>, ctx: GenContext): Uint8Array {
  const c = new Code(g.params);
  const area = c.local('i32');
  c.i32(g.size).i32(g.align).call(ctx.func(g.areaOf)).set(area);
  if (g.viaPointer) {
    // The record itself is the guest's too: the area holds a pointer to a kept copy.
    const record = c.local('i32');
    c.get(area).get(0).i32(1).i32(size(g.value)).i32(alignment(g.value)).call(ctx.func(g.keep!)).tee(record).mem(OP.i32Store, 0);
    keepPointees(c, g.value, record, 0, ctx.func(g.keep!));
  } else {
    storeFlat(c, g.value, g.params, { i: 0 }, area, 0);
    if (g.keep) keepPointees(c, g.value, area, 0, ctx.func(g.keep));
  }
  c.call(ctx.func(g.done));
  return c.finish();
}

const STORE_OF: Record<string, number> = { 'i32:1': OP.i32Store8, 'i32:2': OP.i32Store16, 'i32:4': OP.i32Store, 'i64:8': OP.i64Store, 'f32:4': OP.f32Store, 'f64:8': OP.f64Store };

/**
 * Stores the flat values of shape `s` (parameters from `at.i` on, of core types `have`) at
 * `base + off` in its memory layout, as the Canonical ABI's store of a lifted value would: each
 * value coerced from its (joined) flat type, a variant's payload by its case.
 */
function storeFlat(c: Code, s: Shape, have: readonly CoreType[], at: { i: number }, base: number, off: number): void {
  const put = (want: CoreType, bytes: number, to: number) => {
    c.get(base).get(at.i);
    coerce(c, have[at.i]!, want);
    at.i++;
    c.mem(STORE_OF[`${want}:${bytes}`]!, to);
  };
  switch (s.k) {
    case 'prim':
      put(flatten(s)[0]!, size(s), off);
      return;
    case 'handle':
      put('i32', 4, off);
      return;
    case 'string':
      put('i32', 4, off);
      put('i32', 4, off + 4);
      return;
    case 'list':
      if (s.length === undefined) {
        put('i32', 4, off);
        put('i32', 4, off + 4);
      } else for (let k = 0; k < s.length; k++) storeFlat(c, s.element, have, at, base, off + k * size(s.element));
      return;
    case 'flags': {
      const words = flatten(s).length;
      if (words === 1) put('i32', size(s), off);
      else for (let k = 0; k < words; k++) put('i32', 4, off + 4 * k);
      return;
    }
    case 'record': {
      let o = off;
      for (const f of s.fields) {
        o = alignTo(o, alignment(f));
        storeFlat(c, f, have, at, base, o);
        o += size(f);
      }
      return;
    }
    case 'variant': {
      const start = at.i;
      const disc = discriminantSize(s.cases.length);
      put('i32', disc, off);
      const payload = off + alignTo(disc, Math.max(1, ...s.cases.map((k) => (k ? alignment(k) : 1))));
      s.cases.forEach((k, i) => {
        if (!k) return;
        c.get(start);
        coerce(c, have[start]!, 'i32');
        c.i32(i).op(OP.i32Eq, OP.if, 0x40);
        storeFlat(c, k, have, { i: start + 1 }, base, payload);
        c.op(OP.end);
      });
      at.i = start + flatten(s).length;
      return;
    }
  }
}

/** A discriminant's load for a variant of `n` cases. */
const discLoad = (n: number): number => [OP.i32Load8u, OP.i32Load16u, 0, OP.i32Load][discriminantSize(n) - 1]!;

/**
 * Code replacing every pointer in the value of shape `s` at `base + off` (memory the polyfill
 * owns: the result area or a kept copy) with a pointer to a kept copy of what it points to,
 * recursively: strings and lists (their elements walked in the copy), records field by field,
 * variants by their case.
 */
function keepPointees(c: Code, s: Shape, base: number, off: number, keep: number): void {
  if (!hasPointers(s)) return;
  switch (s.k) {
    case 'string':
    case 'list': {
      if (s.k === 'list' && s.length !== undefined) {
        // Elements inline: walk them in place.
        const at = c.local('i32'), n = c.local('i32');
        c.get(base).i32(off).op(OP.i32Add).set(at).i32(s.length).set(n);
        elementLoop(c, s.element, at, n, keep);
        return;
      }
      const elem: Shape | undefined = s.k === 'list' ? s.element : undefined;
      const copy = c.local('i32');
      c.get(base).get(base).mem(OP.i32Load, off).get(base).mem(OP.i32Load, off + 4);
      c.i32(elem ? size(elem) : 1).i32(elem ? alignment(elem) : 1).call(keep).tee(copy).mem(OP.i32Store, off);
      if (elem && hasPointers(elem)) {
        const n = c.local('i32');
        c.get(base).mem(OP.i32Load, off + 4).set(n);
        elementLoop(c, elem, copy, n, keep);
      }
      return;
    }
    case 'record': {
      let at = off;
      for (const f of s.fields) {
        at = alignTo(at, alignment(f));
        keepPointees(c, f, base, at, keep);
        at += size(f);
      }
      return;
    }
    case 'variant': {
      const payload = off + alignTo(discriminantSize(s.cases.length), Math.max(1, ...s.cases.map((k) => (k ? alignment(k) : 1))));
      const d = c.local('i32');
      c.get(base).mem(discLoad(s.cases.length), off).set(d);
      s.cases.forEach((k, i) => {
        if (!k || !hasPointers(k)) return;
        c.get(d).i32(i).op(OP.i32Eq, OP.if, 0x40);
        keepPointees(c, k, base, payload, keep);
        c.op(OP.end);
      });
      return;
    }
    default:
      return;
  }
}

/** `n` elements of shape `elem` from `at` on (both locals, consumed): each one's pointees kept. */
function elementLoop(c: Code, elem: Shape, at: number, n: number, keep: number): void {
  c.op(OP.block, 0x40, OP.loop, 0x40).get(n).op(OP.i32Eqz, OP.brIf).u(1);
  keepPointees(c, elem, at, 0, keep);
  c.get(at).i32(size(elem)).op(OP.i32Add).set(at);
  c.get(n).i32(1).op(OP.i32Sub).set(n);
  c.op(OP.br).u(0).op(OP.end, OP.end);
}

/**
 * An async export as a synchronous one: a new task, the event loop until task.return (or exit),
 * the code it stopped at parked for the post-return, then the result.
 */
export function exportBody(g: Extract<GenFunc, { kind: 'p3-export' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(96);
  const code = g.sig.params.length;
  w.u32(1).u32(1).u8(0x7f);
  w.u8(CALL).u32(ctx.func(g.begin));
  for (let i = 0; i < code; i++) w.u8(LOCAL_GET).u32(i);
  w.u8(CALL).u32(ctx.func(g.entry)).u8(LOCAL_SET).u32(code);
  w.u8(BLOCK).u8(VOID).u8(LOOP).u8(VOID);
  w.u8(CALL).u32(ctx.func(g.returned)).u8(BR_IF).u32(1);
  eventStep(w, g, code, ctx);
  w.u8(LOCAL_GET).u32(code).u8(CALL).u32(ctx.func(g.park));
  const r = g.result;
  if (r.kind === 'finish') w.u8(CALL).u32(ctx.func(r.finish));
  else if (r.kind === 'area') {
    w.u8(I32_CONST).sleb(r.area.size).u8(I32_CONST).sleb(r.area.align).u8(CALL).u32(ctx.func(r.areaOf));
    // One flat value (not an i32) is loaded; several are returned in memory; past 16, the kept record's pointer is.
    const flat = flatten(r.area.value);
    if (r.area.viaPointer) w.u8(LOAD.i32!).u32(2).u32(0);
    else if (flat.length === 1) w.u8(LOAD[flat[0]!]!).u32(0).u32(0);
  }
  w.u8(END);
  return w.finish();
}

/** The post-return of an async export: the rest of its task, from the parked code until it exits. */
export function postReturnBody(g: Extract<GenFunc, { kind: 'p3-post-return' }>, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(64);
  const code = g.sig.params.length;
  w.u32(1).u32(1).u8(0x7f);
  w.u8(CALL).u32(ctx.func(g.parked)).u8(LOCAL_SET).u32(code);
  w.u8(BLOCK).u8(VOID).u8(LOOP).u8(VOID);
  eventStep(w, g, code, ctx);
  w.u8(END);
  return w.finish();
}

/** Inside `block loop`: exit the block when next(code) has no event, else code = callback(event); closes both. */
function eventStep(w: BinaryWriter, g: { next: Target; code: Target; p1: Target; p2: Target; callback: Target }, code: number, ctx: GenContext): void {
  w.u8(LOCAL_GET).u32(code).u8(CALL).u32(ctx.func(g.next)).u8(I32_EQZ).u8(BR_IF).u32(1);
  for (const t of [g.code, g.p1, g.p2]) w.u8(CALL).u32(ctx.func(t));
  w.u8(CALL).u32(ctx.func(g.callback)).u8(LOCAL_SET).u32(code);
  w.u8(BR).u32(0).u8(END).u8(END);
}

/** Everything a p3-export or p3-post-return wrapper calls (for the linker's reachability). */
export function p3ExportTargets(g: Extract<GenFunc, { kind: 'p3-export' | 'p3-post-return' }>): Target[] {
  const loop = [g.callback, g.next, g.code, g.p1, g.p2];
  if (g.kind === 'p3-post-return') return [g.parked, ...loop];
  const r = g.result;
  return [g.begin, g.entry, g.returned, g.park, ...loop, ...(r.kind === 'finish' ? [r.finish] : r.kind === 'area' ? [r.areaOf] : [])];
}
