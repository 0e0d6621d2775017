import { BinaryWriter } from '../binary/writer.js';
import type { CoreType } from '../component/abi.js';

/**
 * A function body being written for a fused adapter: instructions by name, locals allocated on
 * demand, and how one side of a call reaches its memory (`Mem`). Only MVP instructions (plus
 * `memory.copy` where the caller allows bulk memory), so an adapter adds no feature the inputs lack.
 */

const VALTYPE: Record<CoreType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, brTable: 0x0e,
  return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b, localGet: 0x20, localSet: 0x21, localTee: 0x22, globalGet: 0x23, globalSet: 0x24,
  i32Load: 0x28, i64Load: 0x29, f32Load: 0x2a, f64Load: 0x2b, i32Load8s: 0x2c, i32Load8u: 0x2d, i32Load16s: 0x2e, i32Load16u: 0x2f,
  i32Store: 0x36, i64Store: 0x37, f32Store: 0x38, f64Store: 0x39, i32Store8: 0x3a, i32Store16: 0x3b,
  memorySize: 0x3f, memoryGrow: 0x40, i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtU: 0x49, i32GtU: 0x4b, i32LeU: 0x4d, i32GeU: 0x4f, i64GtU: 0x56, i64LeU: 0x58, i64GeU: 0x5a,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  i64Add: 0x7c, i64Mul: 0x7e, i64Shl: 0x86, i64Or: 0x84, i64ShrU: 0x88,
  i32WrapI64: 0xa7, i64ExtendI32U: 0xad, i32ReinterpretF32: 0xbc, i64ReinterpretF64: 0xbd, f32ReinterpretI32: 0xbe, f64ReinterpretI64: 0xbf,
} as const;

/** How generated code reaches one side's memory: the memory itself, or a region of the output's one memory. */
export interface Mem {
  /** Global holding the region's base (it moves when a region below grows); undefined: base 0. */
  base: number | undefined;
  /** Function returning the region's size in pages; undefined: `memory.size`. */
  size: number | undefined;
}

export class Code {
  readonly w = new BinaryWriter(256);
  private readonly locals: CoreType[] = [];

  constructor(private readonly params: readonly CoreType[]) {}

  local(t: CoreType): number {
    return this.params.length + this.locals.push(t) - 1;
  }

  op(...bytes: number[]): this {
    for (const b of bytes) this.w.u8(b);
    return this;
  }

  get(l: number): this {
    return this.op(OP.localGet).u(l);
  }

  set(l: number): this {
    return this.op(OP.localSet).u(l);
  }

  tee(l: number): this {
    return this.op(OP.localTee).u(l);
  }

  i32(v: number): this {
    this.w.u8(OP.i32Const).sleb(v | 0);
    return this;
  }

  i64(v: bigint): this {
    this.w.u8(OP.i64Const).s64(v);
    return this;
  }

  u(v: number): this {
    this.w.u32(v);
    return this;
  }

  call(f: number): this {
    return this.op(OP.call).u(f);
  }

  /** `if <cond on the stack> unreachable end`. */
  trapIf(): this {
    return this.op(OP.if, 0x40, OP.unreachable, OP.end);
  }

  /** A memory access: `op align offset` (alignment hint 0: the adapter checks alignment itself where the ABI asks). */
  mem(opcode: number, offset: number): this {
    return this.op(opcode, 0).u(offset);
  }

  /** Pushes the absolute address of `ptr` (a local) in memory `m` (offsets go in the access's immediate). */
  addr(m: Mem, ptr: number): this {
    this.get(ptr);
    if (m.base !== undefined) this.op(OP.globalGet).u(m.base).op(OP.i32Add);
    return this;
  }

  /** Pushes the size in bytes of memory `m`, as i64. */
  sizeBytes(m: Mem): this {
    if (m.size === undefined) this.op(OP.memorySize, 0);
    else this.call(m.size);
    return this.op(OP.i64ExtendI32U).i64(16n).op(OP.i64Shl);
  }

  /** Traps unless `ptr` (a local) is a multiple of `align`. */
  checkAlign(ptr: number, align: number): this {
    if (align <= 1) return this;
    return this.get(ptr).i32(align - 1).op(OP.i32And).trapIf();
  }

  /** Traps if `ptr + length` passes the end of `m`; `length` (i64) is pushed by `pushLength`. */
  checkRange(m: Mem, ptr: number, pushLength: (c: Code) => void): this {
    this.get(ptr).op(OP.i64ExtendI32U);
    pushLength(this);
    this.op(OP.i64Add);
    this.sizeBytes(m);
    return this.op(OP.i64GtU).trapIf();
  }

  /** The code entry: locals (one group per run of a type) and the expression. */
  finish(): Uint8Array {
    this.op(OP.end);
    const out = new BinaryWriter(this.w.length + 16);
    const groups: [number, CoreType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    out.u32(groups.length);
    for (const [n, t] of groups) out.u32(n).u8(VALTYPE[t]);
    out.bytes(this.w.finish());
    return out.finish();
  }
}

/** Converts the top of the stack from core type `from` to `to`, as the Canonical ABI's variant join coercions do. */
export function coerce(c: Code, from: CoreType, to: CoreType): void {
  if (from === to) return;
  const key = `${from}>${to}`;
  switch (key) {
    case 'f32>i32': c.op(OP.i32ReinterpretF32); return;
    case 'i32>f32': c.op(OP.f32ReinterpretI32); return;
    case 'i32>i64': c.op(OP.i64ExtendI32U); return;
    case 'i64>i32': c.op(OP.i32WrapI64); return;
    case 'f32>i64': c.op(OP.i32ReinterpretF32, OP.i64ExtendI32U); return;
    case 'i64>f32': c.op(OP.i32WrapI64, OP.f32ReinterpretI32); return;
    case 'f64>i64': c.op(OP.i64ReinterpretF64); return;
    case 'i64>f64': c.op(OP.f64ReinterpretI64); return;
    default: throw new Error(`no coercion ${key}`);
  }
}

export { VALTYPE };
