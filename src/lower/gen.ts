import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { MAX_FLAT_PARAMS } from '../component/abi.js';
import { handleWrapperBody } from './gen-handles.js';
import { bindConstsSig } from './p3-plan.js';
import { bindConstsBody, exportBody, newTaskBody, p3StartBody, postReturnBody, returnedBody, syncCallBody, taskReturnBody } from './p3-gen.js';
import type { GenFunc, Target } from './plan.js';

/** What generated code refers to in the output module. */
export interface GenContext {
  func(t: Target): number;
  sigOf(t: Target): FuncType;
  /** Bump allocator's next free byte and end of its current region. */
  bumpGlobals(): { next: number; end: number };
  /** Which realloc the polyfill's `cabi.realloc` forwards to (0 = the first). */
  selectorGlobal(): number;
  handleGlobals(): HandleGlobals;
  undoGlobals(): UndoGlobals;
  /** How many handles the host has lent the program and it has not dropped yet. */
  lentGlobal(): number;
}

/**
 * The undo log: (address, value) pairs of memory a wrapper rewrote for a call and puts back after
 * it, a stack at `base` (`top` bytes used of `cap`), so nested calls restore in order.
 */
export interface UndoGlobals {
  base: number;
  top: number;
  cap: number;
}

/** The component's handle table: 8-byte slots at `base` (tag, then rep / host handle / next free), `len` used, `free` list head. */
export interface HandleGlobals {
  base: number;
  cap: number;
  len: number;
  free: number;
}

const REALLOC_SIG: FuncType = { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };

export function genSig(g: GenFunc, ctx: GenContext): FuncType {
  switch (g.kind) {
    case 'run-wrapper':
    case 'p3-start':
      return { kind: 'func', params: [], results: [] };
    case 'bind-consts':
      return bindConstsSig(ctx.sigOf(g.callee), g.consts.length);
    case 'p3-returned':
      return { kind: 'func', params: ctx.sigOf(g.callee).params, results: ['i32'] };
    case 'p3-new-task':
      return ctx.sigOf(g.callee);
    case 'p3-sync-call':
    case 'p3-export':
    case 'p3-post-return':
      return g.sig;
    case 'p3-task-return':
      return { kind: 'func', params: g.params, results: [] };
    case 'bump-realloc':
    case 'realloc-dispatch':
      return REALLOC_SIG;
    case 'set-realloc':
      return ctx.sigOf(g.callee);
    case 'handle-new':
    case 'handle-get':
    case 'handle-take':
    case 'handle-check':
    case 'handle-lend':
    case 'handle-move':
    case 'chain':
    case 'wasi-loan':
      return { kind: 'func', params: ['i32'], results: ['i32'] };
    case 'lend-end':
      return { kind: 'func', params: ['i32', 'i32'], results: [] };
    case 'handle-drop':
    case 'wasi-loan-drop':
    case 'undo-restore':
      return { kind: 'func', params: ['i32'], results: [] };
    case 'undo-mark':
    case 'lent-count':
      return { kind: 'func', params: [], results: ['i32'] };
    case 'undo-push':
      return { kind: 'func', params: ['i32', 'i32'], results: [] };
    case 'stub':
      return g.sig;
    case 'handle-wrapper':
      return ctx.sigOf(g.callee);
  }
}

const op = {
  end: 0x0b,
  if: 0x04,
  void: 0x40,
  return: 0x0f,
  call: 0x10,
  unreachable: 0x00,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Load8u: 0x2d,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  drop: 0x1a,
  memoryGrow: 0x40,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Or: 0x72,
  else: 0x05,
  select: 0x1b,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32GtU: 0x4b,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
} as const;

/** One loan to another component in a slot's tag word (tags stay below it). */
const LEND = 0x10000;
/** Marks a WASI loan's entry in the undo log (its first word is the polyfill's handle, never this large). */
const LOAN = -0x80000000;

/** A function body (locals + expression), ready for the code section. */
export function genBody(g: GenFunc, ctx: GenContext): Uint8Array {
  const w = new BinaryWriter(64);
  switch (g.kind) {
    case 'run-wrapper':
      // `run` returns result<_, _> as an i32 discriminant: err means exit code 1, as wasmtime does.
      w.u32(0);
      w.u8(op.call).u32(ctx.func(g.run));
      w.u8(op.if).u8(op.void);
      w.u8(op.i32Const).sleb(1).u8(op.call).u32(ctx.func(g.procExit));
      w.u8(op.end).u8(op.end);
      break;
    case 'set-realloc': {
      const sel = ctx.selectorGlobal();
      const params = ctx.sigOf(g.callee).params.length;
      w.u32(0);
      w.u8(op.i32Const).sleb(g.slot).u8(op.globalSet).u32(sel);
      for (let i = 0; i < params; i++) w.u8(op.localGet).u32(i);
      w.u8(op.call).u32(ctx.func(g.callee));
      w.u8(op.i32Const).sleb(0).u8(op.globalSet).u32(sel);
      w.u8(op.end);
      break;
    }
    case 'realloc-dispatch': {
      const sel = ctx.selectorGlobal();
      const forward = (t: Target) => {
        for (let i = 0; i < 4; i++) w.u8(op.localGet).u32(i);
        w.u8(op.call).u32(ctx.func(t));
      };
      w.u32(0);
      g.reallocs.forEach((t, k) => {
        if (k === 0) return;
        w.u8(op.globalGet).u32(sel).u8(op.i32Const).sleb(k).u8(op.i32Eq).u8(op.if).u8(op.void);
        forward(t);
        w.u8(op.return).u8(op.end);
      });
      forward(g.reallocs[0]!);
      w.u8(op.end);
      break;
    }
    case 'bump-realloc':
      bumpRealloc(w, ctx.bumpGlobals());
      break;
    case 'handle-new':
      resourceNew(w, ctx.handleGlobals(), ctx.func(g.alloc), g.tag, g.lent ? ctx.lentGlobal() : undefined);
      break;
    case 'handle-get':
      w.u32(1).u32(2).u8(0x7f); // locals p, tag
      liveSlot(w, ctx.handleGlobals(), g.tags, true);
      w.u8(op.localGet).u32(1).u8(op.i32Load).u32(2).u32(4);
      w.u8(op.end);
      break;
    case 'handle-check':
      w.u32(1).u32(2).u8(0x7f); // locals p, tag
      liveSlot(w, ctx.handleGlobals(), g.tags, false);
      w.u8(op.localGet).u32(0).u8(op.end);
      break;
    case 'chain':
      w.u32(0).u8(op.localGet).u32(0).u8(op.call).u32(ctx.func(g.first)).u8(op.call).u32(ctx.func(g.then)).u8(op.end);
      break;
    case 'handle-move':
      // Another instance's table now: the whole tag word (type, hold, holder) is the new one.
      w.u32(1).u32(2).u8(0x7f); // locals p, tag
      liveSlot(w, ctx.handleGlobals(), [g.tag], false);
      w.u8(op.localGet).u32(1).u8(op.i32Const).sleb(g.to).u8(op.i32Store).u32(2).u32(0);
      w.u8(op.localGet).u32(0).u8(op.end);
      break;
    case 'handle-lend': {
      const [P, TAG] = [1, 2];
      w.u32(1).u32(2).u8(0x7f); // locals p, tag
      liveSlot(w, ctx.handleGlobals(), g.tags, true);
      // An own slot counts the loan in its tag word's upper bits (logged, so lend-end restores it).
      w.u8(op.localGet).u32(TAG).u8(op.i32Const).sleb(LEND - 1).u8(op.i32And).u8(op.i32Const).sleb(g.ownTag).u8(op.i32Eq).u8(op.if).u8(op.void);
      w.u8(op.localGet).u32(0).u8(op.localGet).u32(TAG).u8(op.call).u32(ctx.func(g.push));
      w.u8(op.localGet).u32(P).u8(op.localGet).u32(TAG).u8(op.i32Const).sleb(LEND).u8(op.i32Add).u8(op.i32Store).u32(2).u32(0);
      w.u8(op.end);
      w.u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(4);
      w.u8(op.end);
      break;
    }
    case 'lend-end':
      lendEnd(w, ctx.undoGlobals(), ctx.handleGlobals(), ctx.lentGlobal());
      break;
    case 'wasi-loan': {
      const lent = ctx.lentGlobal();
      w.u32(0);
      w.u8(op.localGet).u32(0).u8(op.i32Const).sleb(LOAN).u8(op.i32Or).u8(op.i32Const).sleb(g.tag).u8(op.call).u32(ctx.func(g.push));
      w.u8(op.globalGet).u32(lent).u8(op.i32Const).sleb(1).u8(op.i32Add).u8(op.globalSet).u32(lent);
      w.u8(op.localGet).u32(0).u8(op.end);
      break;
    }
    case 'wasi-loan-drop':
      loanDrop(w, ctx.undoGlobals(), ctx.lentGlobal(), g.tag, ctx.func(g.dtor));
      break;
    case 'handle-take':
    case 'handle-drop': {
      const h = ctx.handleGlobals();
      const [P, TAG, VALUE] = [1, 2, 3];
      w.u32(1).u32(3).u8(0x7f); // locals p, tag, value
      liveSlot(w, h, g.kind === 'handle-take' ? g.tags : [g.tag, ...(g.borrowTag === undefined ? [] : [g.borrowTag])], false);
      w.u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(4).u8(op.localSet).u32(VALUE);
      // the slot joins the free list
      w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(0).u8(op.i32Store).u32(2).u32(0);
      w.u8(op.localGet).u32(P).u8(op.globalGet).u32(h.free).u8(op.i32Store).u32(2).u32(4);
      w.u8(op.localGet).u32(0).u8(op.globalSet).u32(h.free);
      if (g.kind === 'handle-take') w.u8(op.localGet).u32(VALUE);
      else if (g.borrowTag !== undefined) {
        // A borrowed handle only ends the loan; an owned one runs the host's drop.
        const lent = ctx.lentGlobal();
        w.u8(op.localGet).u32(TAG).u8(op.i32Const).sleb(g.tag).u8(op.i32Eq).u8(op.if).u8(op.void);
        if (g.dtor) w.u8(op.localGet).u32(VALUE).u8(op.call).u32(ctx.func(g.dtor));
        w.u8(op.else).u8(op.globalGet).u32(lent).u8(op.i32Const).sleb(1).u8(op.i32Sub).u8(op.globalSet).u32(lent).u8(op.end);
      } else if (g.dtor) w.u8(op.localGet).u32(VALUE).u8(op.call).u32(ctx.func(g.dtor));
      w.u8(op.end);
      break;
    }
    case 'stub':
      stub(w, g, ctx);
      break;
    case 'undo-mark':
      w.u32(0).u8(op.globalGet).u32(ctx.undoGlobals().top).u8(op.end);
      break;
    case 'undo-push':
      undoPush(w, ctx.undoGlobals(), ctx.func(g.alloc));
      break;
    case 'undo-restore':
      undoRestore(w, ctx.undoGlobals());
      break;
    case 'lent-count':
      w.u32(0).u8(op.globalGet).u32(ctx.lentGlobal()).u8(op.end);
      break;
    case 'handle-wrapper':
      return handleWrapperBody(g, ctx.sigOf(g.callee), ctx.func(g.callee), (t) => ctx.func(t), MAX_FLAT_PARAMS);
    case 'p3-start':
      return p3StartBody(g, ctx);
    case 'bind-consts':
      return bindConstsBody(g, ctx);
    case 'p3-returned':
      return returnedBody(g, ctx);
    case 'p3-sync-call':
      return syncCallBody(g, ctx);
    case 'p3-task-return':
      return taskReturnBody(g, ctx);
    case 'p3-export':
      return exportBody(g, ctx);
    case 'p3-post-return':
      return postReturnBody(g, ctx);
    case 'p3-new-task':
      return newTaskBody(g, ctx);
  }
  return w.finish();
}

/** undo-push(addr, value): appends a pair, growing the log through `alloc` (which copies it). */
function undoPush(w: BinaryWriter, l: UndoGlobals, alloc: number): void {
  const [ADDR, VALUE, P] = [0, 1, 2];
  w.u32(1).u32(1).u8(0x7f); // local p
  w.u8(op.globalGet).u32(l.top).u8(op.i32Const).sleb(8).u8(op.i32Add).u8(op.globalGet).u32(l.cap).u8(op.i32GtU).u8(op.if).u8(op.void);
  // cap = cap ? cap * 2 : 64
  w.u8(op.globalGet).u32(l.cap).u8(op.i32Const).sleb(1).u8(op.i32Shl).u8(op.i32Const).sleb(64).u8(op.globalGet).u32(l.cap).u8(op.select).u8(op.localSet).u32(P);
  w.u8(op.globalGet).u32(l.base).u8(op.globalGet).u32(l.cap).u8(op.i32Const).sleb(4).u8(op.localGet).u32(P).u8(op.call).u32(alloc).u8(op.globalSet).u32(l.base);
  w.u8(op.localGet).u32(P).u8(op.globalSet).u32(l.cap);
  w.u8(op.end);
  w.u8(op.globalGet).u32(l.base).u8(op.globalGet).u32(l.top).u8(op.i32Add).u8(op.localTee).u32(P);
  w.u8(op.localGet).u32(ADDR).u8(op.i32Store).u32(2).u32(0);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(VALUE).u8(op.i32Store).u32(2).u32(4);
  w.u8(op.globalGet).u32(l.top).u8(op.i32Const).sleb(8).u8(op.i32Add).u8(op.globalSet).u32(l.top);
  w.u8(op.end);
}

/**
 * A loop popping the undo log down to local `mark`, newest pair first: each pair's address is
 * in local `p` and on the stack when `pair` writes what to do with it.
 */
function popUndo(w: BinaryWriter, l: UndoGlobals, mark: number, p: number, pair: () => void): void {
  w.u8(op.block).u8(op.void).u8(op.loop).u8(op.void);
  w.u8(op.globalGet).u32(l.top).u8(op.localGet).u32(mark).u8(op.i32GtU).u8(op.i32Eqz).u8(op.brIf).u32(1);
  w.u8(op.globalGet).u32(l.top).u8(op.i32Const).sleb(8).u8(op.i32Sub).u8(op.globalSet).u32(l.top);
  w.u8(op.globalGet).u32(l.base).u8(op.globalGet).u32(l.top).u8(op.i32Add).u8(op.localTee).u32(p);
  pair();
  w.u8(op.br).u32(0).u8(op.end).u8(op.end);
}

/** undo-restore(mark): puts back every pair logged since `mark`, newest first. */
function undoRestore(w: BinaryWriter, l: UndoGlobals): void {
  const [MARK, P] = [0, 1];
  w.u32(1).u32(1).u8(0x7f); // local p
  popUndo(w, l, MARK, P, () => {
    w.u8(op.i32Load).u32(2).u32(0).u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(4).u8(op.i32Store).u32(2).u32(0);
  });
  w.u8(op.end);
}

/**
 * lend-end(mark, lent): traps unless the open borrows number `lent` again (the callee dropped each it
 * received), then puts back the tag word of every own slot lent since `mark`, newest first.
 */
function lendEnd(w: BinaryWriter, l: UndoGlobals, h: HandleGlobals, lent: number): void {
  const [MARK, LENT, P] = [0, 1, 2];
  w.u32(1).u32(1).u8(0x7f); // local p
  w.u8(op.globalGet).u32(lent).u8(op.localGet).u32(LENT).u8(op.i32Ne).u8(op.if).u8(op.void).u8(op.unreachable).u8(op.end);
  // the pair is (handle, tag word): the table may have moved since, so its slot is found again;
  // a WASI loan's pair (marked handle, tag) has nothing to put back
  popUndo(w, l, MARK, P, () => {
    w.u8(op.i32Load).u32(2).u32(0).u8(op.i32Const).sleb(LOAN).u8(op.i32And).u8(op.i32Eqz).u8(op.if).u8(op.void);
    w.u8(op.globalGet).u32(h.base).u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(0).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.i32Add);
    w.u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(4).u8(op.i32Store).u32(2).u32(0);
    w.u8(op.end);
  });
  w.u8(op.end);
}

/**
 * wasi-loan-drop(handle): the newest open loan of `handle` (undo-log pair (handle | LOAN, tag)) ends
 * (its tag zeroed, the open count down) when there is one; otherwise the polyfill's drop runs.
 */
function loanDrop(w: BinaryWriter, l: UndoGlobals, lent: number, tag: number, dtor: number): void {
  const [H, AT, P] = [0, 1, 2];
  w.u32(1).u32(2).u8(0x7f); // locals at, p
  w.u8(op.globalGet).u32(l.top).u8(op.localSet).u32(AT);
  w.u8(op.block).u8(op.void).u8(op.loop).u8(op.void);
  w.u8(op.localGet).u32(AT).u8(op.i32Eqz).u8(op.brIf).u32(1);
  w.u8(op.localGet).u32(AT).u8(op.i32Const).sleb(8).u8(op.i32Sub).u8(op.localSet).u32(AT);
  w.u8(op.globalGet).u32(l.base).u8(op.localGet).u32(AT).u8(op.i32Add).u8(op.localTee).u32(P);
  w.u8(op.i32Load).u32(2).u32(0).u8(op.localGet).u32(H).u8(op.i32Const).sleb(LOAN).u8(op.i32Or).u8(op.i32Eq);
  w.u8(op.localGet).u32(P).u8(op.i32Load).u32(2).u32(4).u8(op.i32Const).sleb(tag).u8(op.i32Eq).u8(op.i32And);
  w.u8(op.if).u8(op.void);
  w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(0).u8(op.i32Store).u32(2).u32(4);
  w.u8(op.globalGet).u32(lent).u8(op.i32Const).sleb(1).u8(op.i32Sub).u8(op.globalSet).u32(lent);
  w.u8(op.return).u8(op.end);
  w.u8(op.br).u32(0).u8(op.end).u8(op.end);
  w.u8(op.localGet).u32(H).u8(op.call).u32(dtor);
  w.u8(op.end);
}

/** A stand-in's body (see lower/stubs.ts): plain stores and constants, no feature beyond wasm 1.0. */
function stub(w: BinaryWriter, g: Extract<GenFunc, { kind: 'stub' }>, ctx: GenContext): void {
  const b = g.behaviour;
  if (b.kind === 'return') {
    w.u32(0).u8(op.i32Const).sleb(b.value).u8(op.end);
    return;
  }
  if (b.kind === 'store') {
    const ret = g.sig.params.length - 1;
    w.u32(0);
    // Zero the whole value, 4 bytes at a time (alignment hint 0: the return area may be byte-aligned), then the discriminants.
    for (let at = 0; at < b.size; at += at + 4 <= b.size ? 4 : 1) {
      w.u8(op.localGet).u32(ret).u8(op.i32Const).sleb(0).u8(at + 4 <= b.size ? op.i32Store : op.i32Store8).u32(0).u32(at);
    }
    for (const st of b.stores) {
      const store = st.bytes === 1 ? op.i32Store8 : st.bytes === 2 ? op.i32Store16 : op.i32Store;
      w.u8(op.localGet).u32(ret).u8(op.i32Const).sleb(st.value).u8(store).u32(0).u32(st.offset);
    }
    w.u8(op.end);
    return;
  }
  if (!g.fdWrite || !g.alloc) {
    w.u32(0).u8(op.unreachable).u8(op.end);
    return;
  }
  // p = alloc(12 + n): an iovec {p + 12, n} at p, the written count at p + 8, the message at p + 12
  const message = new TextEncoder().encode(b.message);
  const P = g.sig.params.length;
  w.u32(1).u32(1).u8(0x7f);
  w.u8(op.i32Const).sleb(0).u8(op.i32Const).sleb(0).u8(op.i32Const).sleb(4).u8(op.i32Const).sleb(12 + message.length);
  w.u8(op.call).u32(ctx.func(g.alloc)).u8(op.localSet).u32(P);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(P).u8(op.i32Const).sleb(12).u8(op.i32Add).u8(op.i32Store).u32(2).u32(0);
  w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(message.length).u8(op.i32Store).u32(2).u32(4);
  message.forEach((byte, i) => w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(byte).u8(op.i32Store8).u32(0).u32(12 + i));
  w.u8(op.i32Const).sleb(2).u8(op.localGet).u32(P).u8(op.i32Const).sleb(1).u8(op.localGet).u32(P).u8(op.i32Const).sleb(8).u8(op.i32Add);
  w.u8(op.call).u32(ctx.func(g.fdWrite)).u8(op.drop);
  w.u8(op.unreachable).u8(op.end);
}

/**
 * p (local 1) = the slot of handle (param 0), its tag in local 2; traps unless the handle is live
 * with one of `tags` (its resource type and how it is held), as a component's table would.
 */
function liveSlot(w: BinaryWriter, h: HandleGlobals, tags: readonly number[], lentOk: boolean): void {
  w.u8(op.localGet).u32(0).u8(op.i32Eqz).u8(op.localGet).u32(0).u8(op.globalGet).u32(h.len).u8(op.i32GeU).u8(op.i32Or);
  w.u8(op.if).u8(op.void).u8(op.unreachable).u8(op.end);
  w.u8(op.globalGet).u32(h.base).u8(op.localGet).u32(0).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.i32Add).u8(op.localTee).u32(1);
  w.u8(op.i32Load).u32(2).u32(0).u8(op.localSet).u32(2);
  tags.forEach((tag, i) => {
    // A slot's loans to other components are counted above its tag: reading it is fine, freeing or moving it is not.
    w.u8(op.localGet).u32(2);
    if (lentOk) w.u8(op.i32Const).sleb(LEND - 1).u8(op.i32And);
    w.u8(op.i32Const).sleb(tag).u8(op.i32Ne);
    if (i) w.u8(op.i32And);
  });
  w.u8(op.if).u8(op.void).u8(op.unreachable).u8(op.end);
}

/** handle.new(value) -> handle: a slot from the free list, else the next one (growing the table through `alloc`). */
function resourceNew(w: BinaryWriter, h: HandleGlobals, alloc: number, tag: number, lent: number | undefined): void {
  const [REP, H, P] = [0, 1, 2];
  w.u32(1).u32(2).u8(0x7f); // locals h, p
  if (lent !== undefined) w.u8(op.globalGet).u32(lent).u8(op.i32Const).sleb(1).u8(op.i32Add).u8(op.globalSet).u32(lent);
  // handle 0 is never valid: the first slot stays unused
  w.u8(op.globalGet).u32(h.len).u8(op.i32Eqz).u8(op.if).u8(op.void).u8(op.i32Const).sleb(1).u8(op.globalSet).u32(h.len).u8(op.end);
  w.u8(op.globalGet).u32(h.free).u8(op.localTee).u32(H).u8(op.if).u8(op.void);
  {
    w.u8(op.globalGet).u32(h.base).u8(op.localGet).u32(H).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.i32Add).u8(op.localTee).u32(P);
    w.u8(op.i32Load).u32(2).u32(4).u8(op.globalSet).u32(h.free);
  }
  w.u8(op.else);
  {
    w.u8(op.globalGet).u32(h.len).u8(op.globalGet).u32(h.cap).u8(op.i32GeU).u8(op.if).u8(op.void);
    // cap = cap ? cap * 2 : 16; the allocator copies the old slots
    w.u8(op.globalGet).u32(h.cap).u8(op.i32Const).sleb(1).u8(op.i32Shl).u8(op.i32Const).sleb(16).u8(op.globalGet).u32(h.cap).u8(op.select).u8(op.localSet).u32(P);
    w.u8(op.globalGet).u32(h.base).u8(op.globalGet).u32(h.cap).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.i32Const).sleb(8);
    w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.call).u32(alloc).u8(op.globalSet).u32(h.base);
    w.u8(op.localGet).u32(P).u8(op.globalSet).u32(h.cap);
    w.u8(op.end);
    w.u8(op.globalGet).u32(h.len).u8(op.localTee).u32(H).u8(op.i32Const).sleb(1).u8(op.i32Add).u8(op.globalSet).u32(h.len);
    w.u8(op.globalGet).u32(h.base).u8(op.localGet).u32(H).u8(op.i32Const).sleb(3).u8(op.i32Shl).u8(op.i32Add).u8(op.localSet).u32(P);
  }
  w.u8(op.end);
  w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(tag).u8(op.i32Store).u32(2).u32(0);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(REP).u8(op.i32Store).u32(2).u32(4);
  w.u8(op.localGet).u32(H);
  w.u8(op.end);
}

/**
 * cabi_realloc(old, oldSize, align, newSize) for a component that has none:
 * allocations are never freed (a p1 program's WASI results are small), taken
 * from pages obtained with memory.grow so nothing the program owns is touched.
 */
function bumpRealloc(w: BinaryWriter, g: { next: number; end: number }): void {
  const [OLD, OLD_SIZE, ALIGN, SIZE, P, I] = [0, 1, 2, 3, 4, 5];
  w.u32(1).u32(2).u8(0x7f); // locals p, i: i32
  // p = (next + align - 1) & -align
  w.u8(op.globalGet).u32(g.next).u8(op.localGet).u32(ALIGN).u8(op.i32Add).u8(op.i32Const).sleb(1).u8(op.i32Sub);
  w.u8(op.i32Const).sleb(0).u8(op.localGet).u32(ALIGN).u8(op.i32Sub).u8(op.i32And).u8(op.localSet).u32(P);
  // if p + size > end: grow by enough pages and allocate at the start of the new pages
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(SIZE).u8(op.i32Add).u8(op.globalGet).u32(g.end).u8(op.i32GtU);
  w.u8(op.if).u8(op.void);
  w.u8(op.localGet).u32(SIZE).u8(op.localGet).u32(ALIGN).u8(op.i32Add).u8(op.i32Const).sleb(0xffff).u8(op.i32Add);
  w.u8(op.i32Const).sleb(16).u8(op.i32ShrU).u8(op.localTee).u32(I);
  w.u8(op.memoryGrow).u8(0).u8(op.localTee).u32(P);
  w.u8(op.i32Const).sleb(-1).u8(op.i32Eq).u8(op.if).u8(op.void).u8(op.unreachable).u8(op.end);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(I).u8(op.i32Add).u8(op.i32Const).sleb(16).u8(op.i32Shl).u8(op.globalSet).u32(g.end);
  w.u8(op.localGet).u32(P).u8(op.i32Const).sleb(16).u8(op.i32Shl).u8(op.localSet).u32(P);
  w.u8(op.end);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(SIZE).u8(op.i32Add).u8(op.globalSet).u32(g.next);
  // copy min(oldSize, size) bytes when reallocating (a byte loop: no bulk-memory feature needed)
  w.u8(op.localGet).u32(OLD_SIZE).u8(op.localGet).u32(SIZE).u8(op.i32GtU);
  w.u8(op.if).u8(op.void).u8(op.localGet).u32(SIZE).u8(op.localSet).u32(OLD_SIZE).u8(op.end);
  w.u8(op.i32Const).sleb(0).u8(op.localSet).u32(I);
  w.u8(op.block).u8(op.void).u8(op.loop).u8(op.void);
  w.u8(op.localGet).u32(I).u8(op.localGet).u32(OLD_SIZE).u8(op.i32Eq).u8(op.brIf).u32(1);
  w.u8(op.localGet).u32(P).u8(op.localGet).u32(I).u8(op.i32Add);
  w.u8(op.localGet).u32(OLD).u8(op.localGet).u32(I).u8(op.i32Add).u8(op.i32Load8u).u32(0).u32(0);
  w.u8(op.i32Store8).u32(0).u32(0);
  w.u8(op.localGet).u32(I).u8(op.i32Const).sleb(1).u8(op.i32Add).u8(op.localSet).u32(I);
  w.u8(op.br).u32(0);
  w.u8(op.end).u8(op.end);
  w.u8(op.localGet).u32(P);
  w.u8(op.end);
}
