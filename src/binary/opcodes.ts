/**
 * Opcode tables for the expression scanner: what immediates follow each
 * opcode (its "shape") and which feature family it belongs to. Tables, not
 * switch-per-opcode, keep the hot loop to one lookup per instruction.
 */

/** Feature families, in bit order (bit i of a feature mask is FEATURES[i]). */
export const FEATURES = [
  'sign-ext',
  'sat-float-to-int',
  'bulk-memory',
  'reference-types',
  'multi-value',
  'simd',
  'relaxed-simd',
  'threads',
  'tail-call',
  'exceptions',
  'legacy-exceptions',
  'exnref',
  'gc',
  'function-references',
  'multi-memory',
  'memory64',
  'extended-const',
  'mutable-globals',
  'custom-page-sizes',
] as const;
export type Feature = (typeof FEATURES)[number];

export const F = Object.fromEntries(FEATURES.map((name, i) => [name, 1 << i])) as Record<Feature, number>;

/** Index spaces named by immediates, in bit order. */
export const INDEX_SPACES = ['func', 'table', 'memory', 'global', 'type', 'data', 'elem', 'tag', 'local', 'label'] as const;
export type IndexSpace = (typeof INDEX_SPACES)[number];

/** Index spaces as numbers (bit positions), for the scanner's hot path. */
export const enum Space {
  Func = 0,
  Table = 1,
  Memory = 2,
  Global = 3,
  Type = 4,
  Data = 5,
  Elem = 6,
  Tag = 7,
  Local = 8,
  Label = 9,
}

// Shapes of one-byte opcodes: which immediates follow. A const enum, so the scanner's switch compares literals.
export const enum Shape {
  Invalid = 0,
  None = 1,
  Block = 2,
  End = 3,
  /** One u32 index; its space is in SPACE_OF. */
  Index = 4,
  BrTable = 5,
  CallIndirect = 6,
  Delegate = 7,
  SelectT = 8,
  TryTable = 9,
  Memarg = 10,
  Memidx = 11,
  I32 = 12,
  I64 = 13,
  F32 = 14,
  F64 = 15,
  Heap = 16,
  PrefixFb = 17,
  PrefixFc = 18,
  PrefixFd = 19,
  PrefixFe = 20,
}

export const SHAPE = new Uint8Array(256);
export const OP_FEATURE = new Uint32Array(256);
/** Index space of the immediate of each Shape.Index opcode. */
export const SPACE_OF = new Uint8Array(256);

function op(code: number, shape: number, feature = 0): void {
  SHAPE[code] = shape;
  OP_FEATURE[code] = feature;
}
function index(code: number, space: Space, feature = 0): void {
  op(code, Shape.Index, feature);
  SPACE_OF[code] = space;
}
function range(from: number, to: number, shape: number, feature = 0): void {
  for (let c = from; c <= to; c++) op(c, shape, feature);
}
function indexRange(from: number, to: number, space: Space, feature = 0): void {
  for (let c = from; c <= to; c++) index(c, space, feature);
}

op(0x00, Shape.None); // unreachable
op(0x01, Shape.None); // nop
range(0x02, 0x04, Shape.Block); // block loop if
op(0x05, Shape.None); // else
op(0x06, Shape.Block, F['legacy-exceptions'] | F.exceptions); // try
index(0x07, Space.Tag, F['legacy-exceptions'] | F.exceptions); // catch
index(0x08, Space.Tag, F.exceptions); // throw
index(0x09, Space.Label, F['legacy-exceptions'] | F.exceptions); // rethrow
op(0x0a, Shape.None, F.exnref | F.exceptions); // throw_ref
op(0x0b, Shape.End);
index(0x0c, Space.Label); // br
index(0x0d, Space.Label); // br_if
op(0x0e, Shape.BrTable);
op(0x0f, Shape.None); // return
index(0x10, Space.Func); // call
op(0x11, Shape.CallIndirect);
index(0x12, Space.Func, F['tail-call']); // return_call
op(0x13, Shape.CallIndirect, F['tail-call']); // return_call_indirect
index(0x14, Space.Type, F['function-references']); // call_ref
index(0x15, Space.Type, F['function-references'] | F['tail-call']); // return_call_ref
op(0x18, Shape.Delegate, F['legacy-exceptions'] | F.exceptions);
op(0x19, Shape.None, F['legacy-exceptions'] | F.exceptions); // catch_all
op(0x1a, Shape.None); // drop
op(0x1b, Shape.None); // select
op(0x1c, Shape.SelectT, F['reference-types']);
op(0x1f, Shape.TryTable, F.exnref | F.exceptions);
indexRange(0x20, 0x22, Space.Local);
indexRange(0x23, 0x24, Space.Global);
indexRange(0x25, 0x26, Space.Table, F['reference-types']); // table.get table.set
range(0x28, 0x3e, Shape.Memarg);
range(0x3f, 0x40, Shape.Memidx); // memory.size memory.grow
op(0x41, Shape.I32);
op(0x42, Shape.I64);
op(0x43, Shape.F32);
op(0x44, Shape.F64);
range(0x45, 0xbf, Shape.None);
range(0xc0, 0xc4, Shape.None, F['sign-ext']);
op(0xd0, Shape.Heap, F['reference-types']); // ref.null
op(0xd1, Shape.None, F['reference-types']); // ref.is_null
index(0xd2, Space.Func, F['reference-types']); // ref.func
op(0xd3, Shape.None, F.gc); // ref.eq
op(0xd4, Shape.None, F['function-references']); // ref.as_non_null
index(0xd5, Space.Label, F['function-references']); // br_on_null
index(0xd6, Space.Label, F['function-references']); // br_on_non_null
op(0xfb, Shape.PrefixFb, F.gc);
op(0xfc, Shape.PrefixFc);
op(0xfd, Shape.PrefixFd, F.simd);
op(0xfe, Shape.PrefixFe, F.threads);

// 0xFD sub-opcode shapes.
export const enum SimdShape {
  Invalid = 0,
  None = 1,
  Memarg = 2,
  MemargLane = 3,
  Bytes16 = 4,
  Lane = 5,
}
/** Highest SIMD sub-opcode (relaxed SIMD ends at 0x113). */
export const SIMD_MAX = 0x113;
export const RELAXED_SIMD_MIN = 0x100;
export const SIMD_SHAPE = new Uint8Array(SIMD_MAX + 1);
{
  SIMD_SHAPE.fill(SimdShape.None, 0x0e, 0x15); // swizzle, splats
  SIMD_SHAPE.fill(SimdShape.Memarg, 0x00, 0x0c); // loads, load splats, store
  SIMD_SHAPE[0x0c] = SimdShape.Bytes16; // v128.const
  SIMD_SHAPE[0x0d] = SimdShape.Bytes16; // i8x16.shuffle
  SIMD_SHAPE.fill(SimdShape.Lane, 0x15, 0x23); // extract/replace lane
  SIMD_SHAPE.fill(SimdShape.None, 0x23, 0x54); // compares, bitwise, any_true
  SIMD_SHAPE.fill(SimdShape.MemargLane, 0x54, 0x5c); // load/store lane
  SIMD_SHAPE.fill(SimdShape.Memarg, 0x5c, 0x5e); // load32_zero load64_zero
  SIMD_SHAPE.fill(SimdShape.None, 0x5e, 0x100); // arithmetic
  // Gaps the SIMD proposal left reserved.
  for (const gap of [0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]) {
    SIMD_SHAPE[gap] = SimdShape.Invalid;
  }
  SIMD_SHAPE.fill(SimdShape.None, RELAXED_SIMD_MIN, SIMD_MAX + 1);
}

/** 0xFE sub-opcodes with a memarg: notify, wait32, wait64, then the atomic loads, stores and read-modify-writes. */
export function isAtomicMemarg(sub: number): boolean {
  return sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e);
}
export const ATOMIC_FENCE = 0x03;
