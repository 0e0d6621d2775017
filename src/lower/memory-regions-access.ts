/**
 * Rewrites one function body so its memory accesses go to a region of a
 * shared memory: each access's address is checked against the region's
 * current size (trap past it) and offset by the region's base; memory.size and
 * memory.grow become calls to the runtime. Unchanged spans are copied as they
 * are; only memory instructions get code around them.
 */
import { decodeFunctionBody, encodeFunctionBody, type LocalGroup } from '../binary/code.js';
import { forEachInstruction } from '../binary/instructions.js';
import { BinaryReader } from '../binary/reader.js';
import type { NumType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';

/** Indices, in the rebased module, of what the runtime provides for the module's region. */
export interface RegionRefs {
  /** global (mut i32): the region's byte offset in the shared memory. */
  base: number;
  /** global (mut i64): the region's size in bytes. */
  bytes: number;
  size: number;
  grow: number;
}

/** A load or store: bytes it touches, and the types of the operands above its address (saved while the address is checked). */
interface Access {
  width: number;
  operands: readonly NumType[];
}

const load = (width: number): Access => ({ width, operands: [] });
const store = (width: number, t: NumType): Access => ({ width, operands: [t] });

// 0x28..0x3e: the MVP loads and stores.
const MVP: readonly Access[] = [
  load(4), load(8), load(4), load(8), load(1), load(1), load(2), load(2), load(1), load(1), load(2), load(2), load(4), load(4),
  store(4, 'i32'), store(8, 'i64'), store(4, 'f32'), store(8, 'f64'), store(1, 'i32'), store(2, 'i32'), store(1, 'i64'), store(2, 'i64'), store(4, 'i64'),
];

/** SIMD (0xFD) sub-opcodes that access memory. */
function simdAccess(sub: number): Access | undefined {
  if (sub <= 0x0a) return load([16, 8, 8, 8, 8, 8, 8, 1, 2, 4, 8][sub]!);
  if (sub === 0x0b) return store(16, 'v128');
  if (sub >= 0x54 && sub <= 0x5b) return { width: 1 << (sub & 3), operands: ['v128'] }; // load/store lane
  if (sub === 0x5c) return load(4);
  if (sub === 0x5d) return load(8);
  return undefined;
}

// Atomic loads (0x10), stores (0x17) and each read-modify-write (0x1e + 7i, cmpxchg last) come in this order of (width, type).
const RMW: readonly [number, NumType][] = [[4, 'i32'], [8, 'i64'], [1, 'i32'], [2, 'i32'], [1, 'i64'], [2, 'i64'], [4, 'i64']];

/** Threads (0xFE) sub-opcodes that access memory. */
function atomicAccess(sub: number): Access | undefined {
  if (sub === 0x00) return { width: 4, operands: ['i32'] }; // notify
  if (sub === 0x01) return { width: 4, operands: ['i32', 'i64'] }; // wait32
  if (sub === 0x02) return { width: 8, operands: ['i64', 'i64'] }; // wait64
  if (sub >= 0x10 && sub <= 0x16) return load([4, 8, 1, 2, 1, 2, 4][sub - 0x10]!);
  if (sub >= 0x17 && sub <= 0x1d) return store(...RMW[sub - 0x17]!);
  if (sub >= 0x1e && sub <= 0x4e) {
    const [width, t] = RMW[(sub - 0x1e) % 7]!;
    return { width, operands: sub >= 0x48 ? [t, t] : [t] };
  }
  return undefined;
}

const OP = {
  unreachable: 0x00,
  if: 0x04,
  end: 0x0b,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  i64Const: 0x42,
  i64GtU: 0x56,
  i32Add: 0x6a,
  i64Add: 0x7c,
  i64ExtendI32U: 0xad,
} as const;

/**
 * Scratch locals appended to one function, allocated on first use: slot 0
 * of i32 is the address; slots 1 and 2 of each type hold the operands above
 * it (a store's value, cmpxchg's two, memory.copy/fill/init's two).
 */
class Scratch {
  readonly added: NumType[] = [];
  private readonly slots = new Map<string, number>();
  constructor(private readonly first: number) {}

  get(type: NumType, slot: number): number {
    const key = `${type}${slot}`;
    let index = this.slots.get(key);
    if (index === undefined) {
      index = this.first + this.added.length;
      this.added.push(type);
      this.slots.set(key, index);
    }
    return index;
  }
}

/**
 * The body with every memory access rebased onto the region `refs` names, or
 * `body` itself if it has none. `paramCount` is the function's parameter count
 * (scratch locals go after its locals). The body must have been scanned once
 * already (its structure is trusted; errors still throw WasiAdaptError).
 */
export function rebaseBody(body: Uint8Array, offset: number, paramCount: number, refs: RegionRefs): Uint8Array {
  const { locals, expr, exprOffset } = decodeFunctionBody({ body, offset });
  const scratch = new Scratch(locals.reduce((n, l) => n + l.count, paramCount));
  let out: BinaryWriter | null = null;
  let copied = 0;

  /** Starts the rewrite of the instruction at `start`: copies what precedes it. */
  const begin = (start: number): BinaryWriter => {
    out ??= new BinaryWriter(expr.length + (expr.length >> 1) + 64);
    out.span(expr, copied, start);
    return out;
  };

  // Pushes `addr + extent > bytes` (i64, no wrap) and traps if so.
  const check = (w: BinaryWriter, addr: number, extent: (w: BinaryWriter) => void) => {
    w.u8(OP.localGet).u32(addr).u8(OP.i64ExtendI32U);
    extent(w);
    w.u8(OP.i64Add).u8(OP.globalGet).u32(refs.bytes).u8(OP.i64GtU);
    w.u8(OP.if).u8(0x40).u8(OP.unreachable).u8(OP.end);
  };
  const rebased = (w: BinaryWriter, addr: number) => w.u8(OP.localGet).u32(addr).u8(OP.globalGet).u32(refs.base).u8(OP.i32Add);
  const constExtent = (n: number) => (w: BinaryWriter) => w.u8(OP.i64Const).sleb(n);
  const localExtent = (local: number) => (w: BinaryWriter) => w.u8(OP.localGet).u32(local).u8(OP.i64ExtendI32U);

  const access = (a: Access, start: number, end: number) => {
    const w = begin(start);
    const saved = a.operands.map((t, i) => scratch.get(t, i + 1)); // slot 0 of i32 is the address
    for (let i = saved.length - 1; i >= 0; i--) w.u8(OP.localSet).u32(saved[i]!);
    const addr = scratch.get('i32', 0);
    w.u8(OP.localSet).u32(addr);
    check(w, addr, constExtent(memargOffset(expr, exprOffset, start) + a.width));
    rebased(w, addr);
    for (const s of saved) w.u8(OP.localGet).u32(s);
    w.span(expr, start, end);
    copied = end;
  };

  // memory.fill (d, value, n), memory.copy (d, s, n), memory.init (d, s, n): every address range checked, then rebased.
  const bulk = (sub: number, start: number, end: number) => {
    const w = begin(start);
    const [addr, second, n] = [scratch.get('i32', 0), scratch.get('i32', 1), scratch.get('i32', 2)];
    w.u8(OP.localSet).u32(n).u8(OP.localSet).u32(second).u8(OP.localSet).u32(addr);
    check(w, addr, localExtent(n));
    if (sub === COPY) check(w, second, localExtent(n));
    rebased(w, addr);
    if (sub === COPY) rebased(w, second);
    else w.u8(OP.localGet).u32(second);
    w.u8(OP.localGet).u32(n);
    w.span(expr, start, end);
    copied = end;
  };

  const call = (func: number, start: number, end: number) => {
    begin(start).u8(OP.call).u32(func);
    copied = end;
  };

  forEachInstruction(expr, exprOffset, (op, sub, start, end) => {
    if (op >= 0x28 && op <= 0x3e) access(MVP[op - 0x28]!, start, end);
    else if (op === 0x3f) call(refs.size, start, end);
    else if (op === 0x40) call(refs.grow, start, end);
    else if (op === 0xfc && (sub === INIT || sub === COPY || sub === FILL)) bulk(sub, start, end);
    else if (op === 0xfd || op === 0xfe) {
      const a = op === 0xfd ? simdAccess(sub) : atomicAccess(sub);
      if (a) access(a, start, end);
    }
  });
  if (out === null) return body;
  const w: BinaryWriter = out;
  w.span(expr, copied, expr.length);
  const added: LocalGroup[] = scratch.added.map((type) => ({ count: 1, type }));
  return encodeFunctionBody([...locals, ...added], w.finish());
}

const INIT = 8;
const COPY = 10;
const FILL = 11;

/** The static offset of the memarg of the instruction at `start` (opcode, sub-opcode if prefixed, align, memory index if flagged, offset). */
function memargOffset(expr: Uint8Array, exprOffset: number, start: number): number {
  const r = new BinaryReader(expr, exprOffset, start);
  if (r.u8() >= 0xfb) r.u32();
  if (r.u32() & 0x40) r.u32();
  const at = r.offset;
  const offset = r.u64();
  if (offset > 0xffffffffn) r.fail('bad-value', `memarg offset ${offset} exceeds 32 bits in a 32-bit memory`, at);
  return Number(offset);
}
