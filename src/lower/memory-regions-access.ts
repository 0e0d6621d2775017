/**
 * Rewrites function bodies so their memory accesses go to a region of a
 * shared memory: each access's address is checked against the region's
 * current size (trap past it) and offset by the region's base; memory.size and
 * memory.grow become calls to the runtime; function and global indices move
 * past the added imports. One scan per body does both; unchanged spans are
 * copied as they are.
 */
import type { FunctionBody } from '../binary/code.js';
import { lebSize } from '../binary/encode.js';
import { Space } from '../binary/opcodes.js';
import { BinaryReader } from '../binary/reader.js';
import { scanExpr } from '../binary/scan.js';
import { readValType, writeValType, type FuncType, type NumType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';

/** Indices, in the rebased module, of what the runtime provides for the module's region, and how older indices move. */
export interface RegionRefs {
  /** Imported functions and globals of the input: indices from these on move up by two. */
  importedFuncs: number;
  importedGlobals: number;
  /** global (mut i32): the region's byte offset in the shared memory; -1 for region 0, which never moves from 0. */
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
const ATOMIC_SHAPES: readonly [number, NumType][] = [[4, 'i32'], [8, 'i64'], [1, 'i32'], [2, 'i32'], [1, 'i64'], [2, 'i64'], [4, 'i64']];

/** Threads (0xFE) sub-opcodes that access memory. */
function atomicAccess(sub: number): Access | undefined {
  if (sub === 0x00) return { width: 4, operands: ['i32'] }; // notify
  if (sub === 0x01) return { width: 4, operands: ['i32', 'i64'] }; // wait32
  if (sub === 0x02) return { width: 8, operands: ['i64', 'i64'] }; // wait64
  if (sub >= 0x10 && sub <= 0x16) return load([4, 8, 1, 2, 1, 2, 4][sub - 0x10]!);
  if (sub >= 0x17 && sub <= 0x1d) return store(...ATOMIC_SHAPES[sub - 0x17]!);
  if (sub >= 0x1e && sub <= 0x4e) {
    const [width, t] = ATOMIC_SHAPES[(sub - 0x1e) % 7]!;
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

const INIT = 8;
const COPY = 10;
const FILL = 11;
/** Function and global imports a rebased module adds after its own: two of each (base, bytes; size, grow). */
export const ADDED = 2;

const TYPE_SLOT: Record<NumType, number> = { i32: 0, i64: 1, f32: 2, f64: 3, v128: 4 };
const SLOT_TYPES: readonly NumType[] = ['i32', 'i64', 'f32', 'f64', 'v128'];

/**
 * The code section payload of the rebased module. `types` gives each
 * function's type (for its parameter count: scratch locals go after its
 * locals). Bodies with nothing to change are copied whole.
 */
export function rebaseCode(code: readonly FunctionBody[], types: readonly (FuncType | undefined)[], refs: RegionRefs): Uint8Array {
  const size = code.reduce((n, fb) => n + fb.body.length, 0);
  const w = new BinaryWriter(size * 2 + 16);
  w.u32(code.length);
  const rw = new BodyRewriter(refs);
  code.forEach((fb, i) => {
    const type = types[i];
    if (!type) throw new WasiAdaptError('bad-section', `function body ${i} has no function type`, { offset: fb.offset });
    rw.rewrite(fb, type.params.length, w);
  });
  return w.finish();
}

/**
 * One body at a time. Scratch locals, allocated on first use per function:
 * slot 0 of i32 is the address; slots 1 and 2 of each type hold the operands
 * above it (a store's value, cmpxchg's two, memory.copy/fill/init's two).
 */
class BodyRewriter {
  private body: Uint8Array = new Uint8Array(0);
  private base = 0;
  private out: BinaryWriter | null = null;
  private copied = 0;
  private firstScratch = 0;
  private readonly scratch = new Int32Array(15);
  private added: NumType[] = [];
  /** The last `local.get`: where it ends and its local, so a load right after it can use that local as its address. */
  private lastGetEnd = -1;
  private lastGetLocal = 0;

  constructor(private readonly refs: RegionRefs) {}

  /** Writes the rewritten body of `fb`, size first, to `w`. */
  rewrite(fb: FunctionBody, paramCount: number, w: BinaryWriter): void {
    const r = new BinaryReader(fb.body, fb.offset);
    const groups = r.count(2);
    const groupsEnd = r.pos;
    let locals = paramCount;
    for (let i = 0; i < groups; i++) {
      locals += r.u32();
      readValType(r);
    }
    const exprStart = r.pos;
    this.body = fb.body;
    this.base = fb.offset;
    this.out = null;
    this.copied = exprStart;
    this.firstScratch = locals;
    this.scratch.fill(-1);
    this.added = [];
    this.lastGetEnd = -1;
    scanExpr(r, this.sink, (1 << Space.Func) | (1 << Space.Global), this.instr);
    if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the function body`);
    if (this.out === null) {
      w.u32(fb.body.length).bytes(fb.body);
      return;
    }
    const expr: BinaryWriter = this.out;
    expr.span(fb.body, this.copied, fb.body.length);
    const exprBytes = expr.finish();
    const count = groups + this.added.length;
    // Each added group is two bytes: a count of 1 and a numeric type.
    w.u32(lebSize(count) + (exprStart - groupsEnd) + 2 * this.added.length + exprBytes.length);
    w.u32(count).span(fb.body, groupsEnd, exprStart);
    for (const t of this.added) writeValType(w.u32(1), t);
    w.bytes(exprBytes);
  }

  private local(type: NumType, slot: number): number {
    const key = TYPE_SLOT[type] * 3 + slot;
    let index = this.scratch[key]!;
    if (index < 0) {
      index = this.firstScratch + this.added.length;
      this.added.push(SLOT_TYPES[key / 3 | 0]!);
      this.scratch[key] = index;
    }
    return index;
  }

  /** Starts the rewrite of the bytes at `start`: copies what precedes them. */
  private begin(start: number): BinaryWriter {
    const w = (this.out ??= new BinaryWriter(this.body.length * 2 + 64));
    w.span(this.body, this.copied, start);
    return w;
  }

  // Function and global indices at or past the input's imports move up past the added ones.
  private readonly sink = (space: number, value: number, start: number, end: number): void => {
    const imported = space === Space.Func ? this.refs.importedFuncs : this.refs.importedGlobals;
    if (value < imported) return;
    this.begin(start).u32(value + ADDED);
    this.copied = end;
  };

  private readonly instr = (op: number, sub: number, start: number, end: number): void => {
    if (op === 0x20) {
      this.lastGetEnd = end;
      this.lastGetLocal = readLeb(this.body, start + 1);
    } else if (op >= 0x28 && op <= 0x3e) this.access(MVP[op - 0x28]!, start, end);
    else if (op === 0x3f) this.call(this.refs.size, start, end);
    else if (op === 0x40) this.call(this.refs.grow, start, end);
    else if (op === 0xfc && (sub === INIT || sub === COPY || sub === FILL)) this.bulk(sub, start, end);
    else if (op === 0xfd || op === 0xfe) {
      const a = op === 0xfd ? simdAccess(sub) : atomicAccess(sub);
      if (a) this.access(a, start, end);
    }
  };

  /**
   * Traps if `addr + extent > bytes`, in i64 so nothing wraps. The address is on the stack and
   * goes to local `addr` ('tee'), is already both there and on the stack ('stack'), or is in
   * local `addr` only ('get'). The extent is a constant, or local `n`.
   */
  private check(w: BinaryWriter, addr: number, from: 'tee' | 'stack' | 'get', extent: number, n: number): void {
    if (from !== 'stack') w.u8(from === 'tee' ? OP.localTee : OP.localGet).u32(addr);
    w.u8(OP.i64ExtendI32U);
    if (n < 0) w.u8(OP.i64Const).sleb(extent);
    else w.u8(OP.localGet).u32(n).u8(OP.i64ExtendI32U);
    w.u8(OP.i64Add).u8(OP.globalGet).u32(this.refs.bytes).u8(OP.i64GtU);
    w.u8(OP.if).u8(0x40).u8(OP.unreachable).u8(OP.end);
  }

  private rebased(w: BinaryWriter, addr: number): void {
    w.u8(OP.localGet).u32(addr);
    if (this.refs.base >= 0) w.u8(OP.globalGet).u32(this.refs.base).u8(OP.i32Add);
  }

  private access(a: Access, start: number, end: number): void {
    const w = this.begin(start);
    const ops = a.operands;
    // Operands above the address, saved top first, given back in order.
    for (let i = ops.length - 1; i >= 0; i--) w.u8(OP.localSet).u32(this.local(ops[i]!, i + 1));
    // A load whose address is the `local.get` just before it (three loads in four in LLVM's output) checks that local.
    const reuse = ops.length === 0 && this.lastGetEnd === start;
    const addr = reuse ? this.lastGetLocal : this.local('i32', 0);
    this.check(w, addr, reuse ? 'stack' : 'tee', memargOffset(this.body, this.base, start) + a.width, -1);
    this.rebased(w, addr);
    for (let i = 0; i < ops.length; i++) w.u8(OP.localGet).u32(this.local(ops[i]!, i + 1));
    w.span(this.body, start, end);
    this.copied = end;
  }

  // memory.fill (d, value, n), memory.copy (d, s, n), memory.init (d, s, n): every address range checked, then rebased.
  private bulk(sub: number, start: number, end: number): void {
    const w = this.begin(start);
    const [addr, second, n] = [this.local('i32', 0), this.local('i32', 1), this.local('i32', 2)];
    w.u8(OP.localSet).u32(n).u8(OP.localSet).u32(second);
    this.check(w, addr, 'tee', 0, n);
    if (sub === COPY) this.check(w, second, 'get', 0, n);
    this.rebased(w, addr);
    if (sub === COPY) this.rebased(w, second);
    else w.u8(OP.localGet).u32(second);
    w.u8(OP.localGet).u32(n);
    w.span(this.body, start, end);
    this.copied = end;
  }

  private call(func: number, start: number, end: number): void {
    this.begin(start).u8(OP.call).u32(func);
    this.copied = end;
  }
}

/** The static offset of the memarg of the instruction at `start` (opcode, sub-opcode if prefixed, align, memory index if flagged, offset). */
function memargOffset(body: Uint8Array, base: number, start: number): number {
  let p = start + 1;
  if (body[start]! >= 0xfb) p = skipLeb(body, p);
  // The commonest memarg: a one-byte alignment without a memory index, and an offset of up to 4 bytes.
  if (body[p]! < 0x40) {
    let v = 0;
    for (let q = p + 1, shift = 0; q < p + 5 && q < body.length; q++, shift += 7) {
      const b = body[q]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  }
  const r = new BinaryReader(body, base, p);
  if (r.u32() & 0x40) r.u32();
  const at = r.offset;
  const offset = r.u64();
  if (offset > 0xffffffffn) r.fail('bad-value', `memarg offset ${offset} exceeds 32 bits in a 32-bit memory`, at);
  return Number(offset);
}

/** The (already validated) u32 LEB at `p`. */
function readLeb(buf: Uint8Array, p: number): number {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[p++]!;
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
}

/** Position after the (already validated) LEB at `p`. */
function skipLeb(buf: Uint8Array, p: number): number {
  while (buf[p]! & 0x80) p++;
  return p + 1;
}
