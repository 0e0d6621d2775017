import type { BinaryReader } from './reader.js';
import type { BinaryWriter } from './writer.js';

/** Abstract heap types, by name; a concrete heap type is a type index (number). */
export type AbsHeapType =
  | 'func'
  | 'extern'
  | 'any'
  | 'eq'
  | 'i31'
  | 'struct'
  | 'array'
  | 'exn'
  | 'none'
  | 'nofunc'
  | 'noextern'
  | 'noexn';
export type HeapType = AbsHeapType | number;
export interface RefType {
  nullable: boolean;
  heap: HeapType;
}
export type NumType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
export type ValType = NumType | RefType;
export type StorageType = ValType | 'i8' | 'i16';
export interface FieldType {
  type: StorageType;
  mutable: boolean;
}
export interface FuncType {
  kind: 'func';
  params: ValType[];
  results: ValType[];
}
export interface StructType {
  kind: 'struct';
  fields: FieldType[];
}
export interface ArrayType {
  kind: 'array';
  field: FieldType;
}
export type CompositeType = FuncType | StructType | ArrayType;
/** A GC sub type. `explicit` records that the 0x50/0x4f header was written even where the shorthand would do. */
export interface SubType {
  final: boolean;
  supertypes: number[];
  type: CompositeType;
  explicit?: boolean;
}
/** A recursion group; `explicit` records a 0x4e header around a single type. */
export interface RecGroup {
  types: SubType[];
  explicit?: boolean;
}
/** Memory and table limits; `index64` is memory64/table64, `pageSizeLog2` the custom-page-sizes proposal. */
export interface Limits {
  min: number;
  max?: number;
  shared?: boolean;
  index64?: boolean;
  pageSizeLog2?: number;
}
export interface TableType {
  element: RefType;
  limits: Limits;
}
export interface GlobalType {
  type: ValType;
  mutable: boolean;
}
export interface TagType {
  attribute: number;
  typeIndex: number;
}

export const FUNCREF: RefType = Object.freeze({ nullable: true, heap: 'func' });
export const EXTERNREF: RefType = Object.freeze({ nullable: true, heap: 'extern' });

const NUM_CODES: Record<number, NumType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
const NUM_BYTES: Record<NumType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };
const ABS_CODES: Record<number, AbsHeapType> = {
  0x74: 'noexn',
  0x73: 'nofunc',
  0x72: 'noextern',
  0x71: 'none',
  0x70: 'func',
  0x6f: 'extern',
  0x6e: 'any',
  0x6d: 'eq',
  0x6c: 'i31',
  0x6b: 'struct',
  0x6a: 'array',
  0x69: 'exn',
};
const ABS_BYTES = Object.fromEntries(Object.entries(ABS_CODES).map(([k, v]) => [v, Number(k)])) as Record<AbsHeapType, number>;

/** True for the one-byte codes of abstract heap types (also the short forms of nullable reference types). */
export function isAbsHeapCode(b: number): boolean {
  return b >= 0x69 && b <= 0x74;
}
export function isNumCode(b: number): boolean {
  return b >= 0x7b && b <= 0x7f;
}

/** Called for every type index found inside a type, with the LEB span (type indices in heap types are s33). */
export type TypeIndexSink = (value: number, start: number, end: number) => void;

export function readHeapType(r: BinaryReader, sink?: TypeIndexSink): HeapType {
  const b = r.peek();
  if (isAbsHeapCode(b)) {
    r.pos++;
    return ABS_CODES[b]!;
  }
  const at = r.pos;
  const x = r.s33();
  if (x < 0) r.fail('bad-value', `unknown heap type 0x${b.toString(16)}`, r.base + at);
  sink?.(x, at, r.pos);
  return x;
}

export function readValType(r: BinaryReader, sink?: TypeIndexSink): ValType {
  const at = r.offset;
  const b = r.u8();
  const num = NUM_CODES[b];
  if (num) return num;
  if (isAbsHeapCode(b)) return { nullable: true, heap: ABS_CODES[b]! };
  if (b === 0x63 || b === 0x64) return { nullable: b === 0x63, heap: readHeapType(r, sink) };
  return r.fail('bad-value', `unknown value type 0x${b.toString(16)}`, at);
}

export function readRefType(r: BinaryReader, sink?: TypeIndexSink): RefType {
  const at = r.offset;
  const t = readValType(r, sink);
  if (typeof t === 'string') r.fail('bad-value', `expected a reference type, found ${t}`, at);
  return t;
}

function readStorageType(r: BinaryReader): StorageType {
  const b = r.peek();
  if (b === 0x78 || b === 0x77) {
    r.pos++;
    return b === 0x78 ? 'i8' : 'i16';
  }
  return readValType(r);
}

function readFieldType(r: BinaryReader): FieldType {
  const type = readStorageType(r);
  return { type, mutable: readMut(r) };
}

function readMut(r: BinaryReader): boolean {
  const at = r.offset;
  const m = r.u8();
  if (m > 1) r.fail('bad-value', `mutability flag must be 0 or 1, found ${m}`, at);
  return m === 1;
}

function readValTypes(r: BinaryReader): ValType[] {
  const n = r.count(1);
  const out: ValType[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r);
  return out;
}

function readCompositeType(r: BinaryReader): CompositeType {
  const at = r.offset;
  const form = r.u8();
  switch (form) {
    case 0x60: {
      const params = readValTypes(r);
      return { kind: 'func', params, results: readValTypes(r) };
    }
    case 0x5f: {
      const n = r.count(2);
      const fields: FieldType[] = new Array(n);
      for (let i = 0; i < n; i++) fields[i] = readFieldType(r);
      return { kind: 'struct', fields };
    }
    case 0x5e:
      return { kind: 'array', field: readFieldType(r) };
    default:
      return r.fail('bad-value', `unknown type form 0x${form.toString(16)}`, at);
  }
}

function readSubType(r: BinaryReader): SubType {
  const b = r.peek();
  if (b !== 0x50 && b !== 0x4f) return { final: true, supertypes: [], type: readCompositeType(r) };
  r.pos++;
  const n = r.count(1);
  const supertypes: number[] = new Array(n);
  for (let i = 0; i < n; i++) supertypes[i] = r.u32();
  return { final: b === 0x4f, supertypes, type: readCompositeType(r), explicit: true };
}

export function readRecGroup(r: BinaryReader): RecGroup {
  if (r.peek() !== 0x4e) return { types: [readSubType(r)] };
  r.pos++;
  const n = r.count(1);
  const types: SubType[] = new Array(n);
  for (let i = 0; i < n; i++) types[i] = readSubType(r);
  return { types, explicit: true };
}

/** Largest limit we keep as a JS number; larger 64-bit limits are refused rather than rounded. */
function limitValue(r: BinaryReader, wide: boolean): number {
  if (!wide) return r.u32();
  const at = r.offset;
  const v = r.u64();
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) r.fail('unsupported', 'a 64-bit limit above 2^53 is not supported', at);
  return Number(v);
}

export function readLimits(r: BinaryReader): Limits {
  const at = r.offset;
  const flags = r.u8();
  if (flags > 0x0f) r.fail('bad-value', `unknown limits flags 0x${flags.toString(16)}`, at);
  const wide = (flags & 4) !== 0;
  const limits: Limits = { min: limitValue(r, wide) };
  if (flags & 1) limits.max = limitValue(r, wide);
  if (flags & 2) limits.shared = true;
  if (wide) limits.index64 = true;
  if (flags & 8) limits.pageSizeLog2 = r.u32();
  return limits;
}

export function readTableType(r: BinaryReader): TableType {
  const element = readRefType(r);
  return { element, limits: readLimits(r) };
}

export function readGlobalType(r: BinaryReader): GlobalType {
  const type = readValType(r);
  return { type, mutable: readMut(r) };
}

export function readTagType(r: BinaryReader): TagType {
  const at = r.offset;
  const attribute = r.u8();
  if (attribute !== 0) r.fail('bad-value', `unknown tag attribute ${attribute}`, at);
  return { attribute, typeIndex: r.u32() };
}

// ---- encoding ----

export function writeHeapType(w: BinaryWriter, h: HeapType): void {
  if (typeof h === 'number') w.sleb(h);
  else w.u8(ABS_BYTES[h]);
}

/** Writes the shortest form: nullable abstract references use their one-byte shorthand. */
export function writeValType(w: BinaryWriter, t: ValType): void {
  if (typeof t === 'string') {
    w.u8(NUM_BYTES[t]);
    return;
  }
  if (t.nullable && typeof t.heap === 'string') {
    w.u8(ABS_BYTES[t.heap]);
    return;
  }
  w.u8(t.nullable ? 0x63 : 0x64);
  writeHeapType(w, t.heap);
}

function writeFieldType(w: BinaryWriter, f: FieldType): void {
  if (f.type === 'i8') w.u8(0x78);
  else if (f.type === 'i16') w.u8(0x77);
  else writeValType(w, f.type);
  w.u8(f.mutable ? 1 : 0);
}

export function writeCompositeType(w: BinaryWriter, t: CompositeType): void {
  switch (t.kind) {
    case 'func':
      w.u8(0x60).u32(t.params.length);
      for (const p of t.params) writeValType(w, p);
      w.u32(t.results.length);
      for (const p of t.results) writeValType(w, p);
      return;
    case 'struct':
      w.u8(0x5f).u32(t.fields.length);
      for (const f of t.fields) writeFieldType(w, f);
      return;
    case 'array':
      w.u8(0x5e);
      writeFieldType(w, t.field);
  }
}

function writeSubType(w: BinaryWriter, s: SubType): void {
  if (s.final && s.supertypes.length === 0 && !s.explicit) {
    writeCompositeType(w, s.type);
    return;
  }
  w.u8(s.final ? 0x4f : 0x50).u32(s.supertypes.length);
  for (const x of s.supertypes) w.u32(x);
  writeCompositeType(w, s.type);
}

export function writeRecGroup(w: BinaryWriter, g: RecGroup): void {
  if (g.types.length === 1 && !g.explicit) {
    writeSubType(w, g.types[0]!);
    return;
  }
  w.u8(0x4e).u32(g.types.length);
  for (const s of g.types) writeSubType(w, s);
}

export function writeLimits(w: BinaryWriter, l: Limits): void {
  const wide = l.index64 === true;
  const flags = (l.max !== undefined ? 1 : 0) | (l.shared ? 2 : 0) | (wide ? 4 : 0) | (l.pageSizeLog2 !== undefined ? 8 : 0);
  w.u8(flags);
  const put = (v: number) => (wide ? w.u64(BigInt(v)) : w.u32(v));
  put(l.min);
  if (l.max !== undefined) put(l.max);
  if (l.pageSizeLog2 !== undefined) w.u32(l.pageSizeLog2);
}

export function writeTableType(w: BinaryWriter, t: TableType): void {
  writeValType(w, t.element);
  writeLimits(w, t.limits);
}

export function writeGlobalType(w: BinaryWriter, g: GlobalType): void {
  writeValType(w, g.type);
  w.u8(g.mutable ? 1 : 0);
}

export function writeTagType(w: BinaryWriter, t: TagType): void {
  w.u8(t.attribute).u32(t.typeIndex);
}

// ---- comparison (the linker matches import types against export types) ----

export function valTypeEquals(a: ValType, b: ValType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.nullable === b.nullable && a.heap === b.heap;
}

export function funcTypeEquals(a: FuncType, b: FuncType): boolean {
  const same = (x: ValType[], y: ValType[]) => x.length === y.length && x.every((t, i) => valTypeEquals(t, y[i]!));
  return same(a.params, b.params) && same(a.results, b.results);
}

// ---- type index remapping (merging type sections) ----

/** `t` with its concrete heap type index passed through `map`. */
export function mapValType(t: ValType, map: (index: number) => number): ValType {
  return typeof t === 'object' && typeof t.heap === 'number' ? { nullable: t.nullable, heap: map(t.heap) } : t;
}

function mapField(f: FieldType, map: (index: number) => number): FieldType {
  return { type: f.type === 'i8' || f.type === 'i16' ? f.type : mapValType(f.type, map), mutable: f.mutable };
}

/** A copy of `t` with every type index inside it (references to other types) passed through `map`. */
export function mapCompositeType(t: CompositeType, map: (index: number) => number): CompositeType {
  switch (t.kind) {
    case 'func':
      return { kind: 'func', params: t.params.map((p) => mapValType(p, map)), results: t.results.map((r) => mapValType(r, map)) };
    case 'struct':
      return { kind: 'struct', fields: t.fields.map((f) => mapField(f, map)) };
    case 'array':
      return { kind: 'array', field: mapField(t.field, map) };
  }
}

/** A copy of `s` with its supertypes and inner type indices passed through `map`. */
export function mapSubType(s: SubType, map: (index: number) => number): SubType {
  const out: SubType = { final: s.final, supertypes: s.supertypes.map(map), type: mapCompositeType(s.type, map) };
  if (s.explicit) out.explicit = true;
  return out;
}
