import type { Canon, CanonFlagOpt, CanonIndexOpt, CanonOpt, CoreSort, PrimValType, Sort } from './component-types.js';

/** Byte <-> name tables shared by the component reader and writer (Binary.md). */

function invert<K extends string | number, V extends string | number>(m: ReadonlyMap<K, V>): Map<V, K> {
  return new Map([...m].map(([k, v]) => [v, k]));
}

export const PRIM_BY_CODE: ReadonlyMap<number, PrimValType> = new Map<number, PrimValType>([
  [0x7f, 'bool'], [0x7e, 's8'], [0x7d, 'u8'], [0x7c, 's16'], [0x7b, 'u16'], [0x7a, 's32'],
  [0x79, 'u32'], [0x78, 's64'], [0x77, 'u64'], [0x76, 'f32'], [0x75, 'f64'], [0x74, 'char'],
  [0x73, 'string'], [0x64, 'error-context'],
]);
export const PRIM_CODE = invert(PRIM_BY_CODE);

export const CORE_SORT_BY_CODE: ReadonlyMap<number, CoreSort> = new Map<number, CoreSort>([
  [0x00, 'core func'], [0x01, 'core table'], [0x02, 'core memory'], [0x03, 'core global'],
  [0x10, 'core type'], [0x11, 'core module'], [0x12, 'core instance'],
]);
export const CORE_SORT_CODE = invert(CORE_SORT_BY_CODE);

export const SORT_BY_CODE: ReadonlyMap<number, Exclude<Sort, CoreSort>> = new Map<number, Exclude<Sort, CoreSort>>([
  [0x01, 'func'], [0x02, 'value'], [0x03, 'type'], [0x04, 'component'], [0x05, 'instance'],
]);
export const SORT_CODE = invert(SORT_BY_CODE);

export const OPT_FLAG_BY_CODE: ReadonlyMap<number, CanonFlagOpt> = new Map<number, CanonFlagOpt>([
  [0x00, 'utf8'], [0x01, 'utf16'], [0x02, 'latin1+utf16'], [0x06, 'async'],
  // Binary.md's 0x08; jco 1.35's wasm-tools still reads 0x08 as its GC-only `core-type` option.
  [0x08, 'always-task-return'],
]);
export const OPT_INDEX_BY_CODE: ReadonlyMap<number, CanonIndexOpt> = new Map<number, CanonIndexOpt>([
  [0x03, 'memory'], [0x04, 'realloc'], [0x05, 'post-return'], [0x07, 'callback'],
]);
export const OPT_CODE: ReadonlyMap<CanonOpt['kind'], number> = new Map<CanonOpt['kind'], number>([
  ...invert(OPT_FLAG_BY_CODE),
  ...invert(OPT_INDEX_BY_CODE),
]);

/**
 * Immediates of a canon built-in, in encoding order:
 * t = type index (u32), o = canonopts, f = flag byte, m = memory index, b = table index,
 * v = core valtype byte, s = slot (u32), r = result list, h = shared flag byte.
 * lift/lower (two-byte opcodes) are handled separately.
 */
export const CANON_OPS: ReadonlyMap<number, { kind: Exclude<Canon['kind'], 'lift' | 'lower'>; imm: string }> = new Map([
  [0x02, { kind: 'resource.new', imm: 't' }],
  [0x03, { kind: 'resource.drop', imm: 't' }],
  [0x04, { kind: 'resource.rep', imm: 't' }],
  [0x05, { kind: 'task.cancel', imm: '' }],
  [0x06, { kind: 'subtask.cancel', imm: 'f' }],
  [0x07, { kind: 'resource.drop async', imm: 't' }],
  [0x08, { kind: 'backpressure.set', imm: '' }],
  [0x09, { kind: 'task.return', imm: 'ro' }],
  [0x0a, { kind: 'context.get', imm: 'vs' }],
  [0x0b, { kind: 'context.set', imm: 'vs' }],
  [0x0c, { kind: 'thread.yield', imm: 'f' }],
  [0x0d, { kind: 'subtask.drop', imm: '' }],
  [0x0e, { kind: 'stream.new', imm: 't' }],
  [0x0f, { kind: 'stream.read', imm: 'to' }],
  [0x10, { kind: 'stream.write', imm: 'to' }],
  [0x11, { kind: 'stream.cancel-read', imm: 'tf' }],
  [0x12, { kind: 'stream.cancel-write', imm: 'tf' }],
  [0x13, { kind: 'stream.drop-readable', imm: 't' }],
  [0x14, { kind: 'stream.drop-writable', imm: 't' }],
  [0x15, { kind: 'future.new', imm: 't' }],
  [0x16, { kind: 'future.read', imm: 'to' }],
  [0x17, { kind: 'future.write', imm: 'to' }],
  [0x18, { kind: 'future.cancel-read', imm: 'tf' }],
  [0x19, { kind: 'future.cancel-write', imm: 'tf' }],
  [0x1a, { kind: 'future.drop-readable', imm: 't' }],
  [0x1b, { kind: 'future.drop-writable', imm: 't' }],
  [0x1c, { kind: 'error-context.new', imm: 'o' }],
  [0x1d, { kind: 'error-context.debug-message', imm: 'o' }],
  [0x1e, { kind: 'error-context.drop', imm: '' }],
  [0x1f, { kind: 'waitable-set.new', imm: '' }],
  [0x20, { kind: 'waitable-set.wait', imm: 'fm' }],
  [0x21, { kind: 'waitable-set.poll', imm: 'fm' }],
  [0x22, { kind: 'waitable-set.drop', imm: '' }],
  [0x23, { kind: 'waitable.join', imm: '' }],
  [0x24, { kind: 'backpressure.inc', imm: '' }],
  [0x25, { kind: 'backpressure.dec', imm: '' }],
  [0x26, { kind: 'thread.index', imm: '' }],
  [0x27, { kind: 'thread.new-indirect', imm: 'tb' }],
  [0x28, { kind: 'thread.resume-later', imm: '' }],
  [0x29, { kind: 'thread.suspend', imm: 'f' }],
  [0x2a, { kind: 'thread.suspend-then-resume', imm: 'f' }],
  [0x2b, { kind: 'thread.yield-then-resume', imm: 'f' }],
  [0x2c, { kind: 'thread.suspend-then-promote', imm: 'f' }],
  [0x2d, { kind: 'thread.yield-then-promote', imm: 'f' }],
  [0x40, { kind: 'thread.spawn-ref', imm: 'ht' }],
  [0x41, { kind: 'thread.spawn-indirect', imm: 'htb' }],
  [0x42, { kind: 'thread.available-parallelism', imm: 'h' }],
] as const);

export const CANON_CODE: ReadonlyMap<Canon['kind'], { code: number; imm: string }> = new Map(
  [...CANON_OPS].map(([code, { kind, imm }]) => [kind, { code, imm }]),
);

/** Field of a canon item each immediate letter lands in. */
export const IMM_FIELD = {
  t: 'type',
  o: 'options',
  f: 'flag',
  m: 'memory',
  b: 'table',
  v: 'valType',
  s: 'slot',
  r: 'results',
  h: 'shared',
} as const;
