// A Canonical ABI for the test side: an oracle written from CanonicalABI.md
// (sizes, alignment, flattening, load/store, lift/lower of flat values) that
// calls a down output's core exports and serves its core imports from JS.
// Values use the JS shapes jco's bindings use, so results compare with
// toEqual: records as camelCase objects, variants as {tag, val}, enums as
// strings, flags as objects of booleans, options as value|undefined (tagged
// when nested), u64/s64 as BigInt, tuples as arrays, lists of numbers as
// typed arrays, chars as one-code-point strings, handles as plain numbers.
// No imports: the child processes load this file transpiled on its own.

export type Prim = 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64' | 'f32' | 'f64' | 'char' | 'string';

export type CType =
  | { k: Prim }
  | { k: 'list'; elem: CType }
  | { k: 'record'; fields: { name: string; type: CType }[] }
  | { k: 'tuple'; types: CType[] }
  | { k: 'variant'; cases: { name: string; type?: CType }[] }
  | { k: 'enum'; names: string[] }
  | { k: 'option'; type: CType }
  | { k: 'result'; ok?: CType; err?: CType }
  | { k: 'flags'; names: string[] }
  /** `iface`: the import providing the resource, when the component imports it (undefined for its own resources). */
  | { k: 'own' | 'borrow'; resource: string; iface?: string };

export interface FuncSig {
  params: { name: string; type: CType }[];
  result?: CType;
}

export type Flat = 'i32' | 'i64' | 'f32' | 'f64';
export type CoreVal = number | bigint;

/** The guest's memory and allocator (the allocator is looked up lazily: numbers-only modules have none). */
export interface Mem {
  memory: () => WebAssembly.Memory;
  realloc: (oldPtr: number, oldSize: number, align: number, newSize: number) => number;
}

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

// ---- names ----

/** jco's camelCase for record fields, flags and functions: kebab words joined. */
export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// ---- variant-like types as variants (the spec's despecialisation) ----

type Case = { name: string; type?: CType };

function casesOf(t: CType): Case[] | undefined {
  switch (t.k) {
    case 'variant':
      return t.cases;
    case 'enum':
      return t.names.map((name) => ({ name }));
    case 'option':
      return [{ name: 'none' }, { name: 'some', type: t.type }];
    case 'result':
      return [
        { name: 'ok', ...(t.ok ? { type: t.ok } : {}) },
        { name: 'error', ...(t.err ? { type: t.err } : {}) },
      ];
    default:
      return undefined;
  }
}

function fieldTypes(t: CType): CType[] | undefined {
  if (t.k === 'record') return t.fields.map((f) => f.type);
  if (t.k === 'tuple') return t.types;
  return undefined;
}

function discSize(n: number): 1 | 2 | 4 {
  return n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
}

function flagBytes(n: number): 0 | 1 | 2 | 4 {
  if (n === 0) return 0;
  if (n <= 8) return 1;
  if (n <= 16) return 2;
  if (n <= 32) return 4;
  throw new Error('flags with more than 32 names are not supported');
}

const alignTo = (x: number, a: number): number => Math.ceil(x / a) * a;

// ---- size and alignment ----

export function alignment(t: CType): number {
  switch (t.k) {
    case 'bool': case 's8': case 'u8': return 1;
    case 's16': case 'u16': return 2;
    case 's32': case 'u32': case 'f32': case 'char': case 'own': case 'borrow': return 4;
    case 's64': case 'u64': case 'f64': return 8;
    case 'string': case 'list': return 4;
    case 'flags': return Math.max(1, flagBytes(t.names.length));
  }
  const fields = fieldTypes(t);
  if (fields) return fields.reduce((a, f) => Math.max(a, alignment(f)), 1);
  const cases = casesOf(t)!;
  return cases.reduce<number>((a, c) => (c.type ? Math.max(a, alignment(c.type)) : a), discSize(cases.length));
}

export function size(t: CType): number {
  switch (t.k) {
    case 'bool': case 's8': case 'u8': return 1;
    case 's16': case 'u16': return 2;
    case 's32': case 'u32': case 'f32': case 'char': case 'own': case 'borrow': return 4;
    case 's64': case 'u64': case 'f64': return 8;
    case 'string': case 'list': return 8;
    case 'flags': return flagBytes(t.names.length);
  }
  const fields = fieldTypes(t);
  if (fields) {
    let s = 0;
    for (const f of fields) s = alignTo(s, alignment(f)) + size(f);
    return alignTo(s, alignment(t));
  }
  const cases = casesOf(t)!;
  let s: number = discSize(cases.length);
  s = alignTo(s, maxCaseAlignment(cases));
  s += cases.reduce((m, c) => (c.type ? Math.max(m, size(c.type)) : m), 0);
  return alignTo(s, alignment(t));
}

function maxCaseAlignment(cases: Case[]): number {
  return cases.reduce((a, c) => (c.type ? Math.max(a, alignment(c.type)) : a), 1);
}

// ---- flattening ----

export function flatten(t: CType): Flat[] {
  switch (t.k) {
    case 'bool': case 's8': case 'u8': case 's16': case 'u16': case 's32': case 'u32': case 'char':
    case 'own': case 'borrow': case 'enum':
      return ['i32'];
    case 's64': case 'u64': return ['i64'];
    case 'f32': return ['f32'];
    case 'f64': return ['f64'];
    case 'string': case 'list': return ['i32', 'i32'];
    case 'flags': return t.names.length === 0 ? [] : ['i32'];
  }
  const fields = fieldTypes(t);
  if (fields) return fields.flatMap(flatten);
  const cases = casesOf(t)!;
  const joined: Flat[] = [];
  for (const c of cases) {
    if (!c.type) continue;
    flatten(c.type).forEach((ft, i) => {
      joined[i] = i < joined.length ? join(joined[i]!, ft) : ft;
    });
  }
  return ['i32', ...joined];
}

function join(a: Flat, b: Flat): Flat {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

export function flatParams(sig: FuncSig): Flat[] {
  return sig.params.flatMap((p) => flatten(p.type));
}

export function flatResults(sig: FuncSig): Flat[] {
  return sig.result ? flatten(sig.result) : [];
}

/** The parameters as one tuple, for the by-pointer forms. */
function paramTuple(sig: FuncSig): CType {
  return { k: 'tuple', types: sig.params.map((p) => p.type) };
}

// ---- scalar bit conversions ----

const scratch = new DataView(new ArrayBuffer(8));
const f32ToBits = (f: number): number => (scratch.setFloat32(0, f, true), scratch.getInt32(0, true));
const bitsToF32 = (i: number): number => (scratch.setInt32(0, i, true), scratch.getFloat32(0, true));
const f64ToBits = (f: number): bigint => (scratch.setFloat64(0, f, true), scratch.getBigInt64(0, true));
const bitsToF64 = (i: bigint): number => (scratch.setBigInt64(0, i, true), scratch.getFloat64(0, true));

function charOf(code: number): string {
  if (code >= 0x110000 || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`invalid char ${code}`);
  return String.fromCodePoint(code);
}

function codeOf(v: unknown): number {
  const s = String(v);
  const c = s.codePointAt(0);
  if (c === undefined || String.fromCodePoint(c).length !== s.length) throw new Error(`not one char: ${JSON.stringify(s)}`);
  return c;
}

// ---- JS shapes ----

const TYPED: Partial<Record<Prim, { new (b: ArrayBuffer): ArrayLike<unknown> }>> = {
  u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array, s32: Int32Array,
  u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array,
};

/** jco uses the tagged form for an option whose payload is an option, so none and some(none) differ. */
const nestedOption = (t: CType): boolean => t.k === 'option' && t.type.k === 'option';

type Tagged = { tag: string; val?: unknown };

/** A variant-like JS value as (case index, payload). */
function caseOfValue(t: CType, v: unknown): [number, unknown] {
  switch (t.k) {
    case 'enum': {
      const i = t.names.indexOf(String(v));
      if (i < 0) throw new Error(`bad enum value ${String(v)}`);
      return [i, undefined];
    }
    case 'option':
      if (nestedOption(t)) {
        const o = v as Tagged;
        return o.tag === 'none' ? [0, undefined] : [1, o.val];
      }
      return v === undefined || v === null ? [0, undefined] : [1, v];
    case 'result': {
      const r = v as Tagged;
      if (r.tag !== 'ok' && r.tag !== 'err') throw new Error(`bad result ${JSON.stringify(r)}`);
      return [r.tag === 'ok' ? 0 : 1, r.val];
    }
    case 'variant': {
      const o = v as Tagged;
      const i = t.cases.findIndex((c) => c.name === o.tag);
      if (i < 0) throw new Error(`bad variant tag ${String(o.tag)}`);
      return [i, o.val];
    }
    default:
      throw new Error(`not a variant: ${t.k}`);
  }
}

function valueOfCase(t: CType, i: number, payload: unknown): unknown {
  switch (t.k) {
    case 'enum':
      return t.names[i];
    case 'option':
      if (nestedOption(t)) return i === 0 ? { tag: 'none' } : { tag: 'some', val: payload };
      return i === 0 ? undefined : payload;
    case 'result':
      return { tag: i === 0 ? 'ok' : 'err', val: payload };
    case 'variant':
      return { tag: t.cases[i]!.name, val: payload };
    default:
      throw new Error(`not a variant: ${t.k}`);
  }
}

function fieldValues(t: CType, v: unknown): unknown[] {
  if (t.k === 'record') return t.fields.map((f) => (v as Record<string, unknown>)[camel(f.name)]);
  return [...(v as unknown[])];
}

function fromFields(t: CType, vals: unknown[]): unknown {
  if (t.k === 'record') return Object.fromEntries(t.fields.map((f, i) => [camel(f.name), vals[i]]));
  return vals;
}

function flagsToBits(t: { names: string[] }, v: unknown): number {
  const o = (v ?? {}) as Record<string, unknown>;
  return t.names.reduce((bits, n, i) => (o[camel(n)] ? bits | (1 << i) : bits), 0) >>> 0;
}

function bitsToFlags(t: { names: string[] }, bits: number): Record<string, boolean> {
  return Object.fromEntries(t.names.map((n, i) => [camel(n), ((bits >>> i) & 1) === 1]));
}

// ---- load / store ----

const dv = (mem: Mem): DataView => new DataView(mem.memory().buffer);
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function checkBounds(mem: Mem, ptr: number, len: number): void {
  if (ptr < 0 || ptr + len > mem.memory().buffer.byteLength) throw new Error(`out of bounds: ${ptr}+${len}`);
}

export function load(mem: Mem, t: CType, ptr: number): unknown {
  checkBounds(mem, ptr, size(t));
  if (ptr % alignment(t) !== 0) throw new Error(`misaligned ${t.k} at ${ptr}`);
  const d = dv(mem);
  switch (t.k) {
    case 'bool': return d.getUint8(ptr) !== 0;
    case 's8': return d.getInt8(ptr);
    case 'u8': return d.getUint8(ptr);
    case 's16': return d.getInt16(ptr, true);
    case 'u16': return d.getUint16(ptr, true);
    case 's32': return d.getInt32(ptr, true);
    case 'u32': return d.getUint32(ptr, true);
    case 's64': return d.getBigInt64(ptr, true);
    case 'u64': return d.getBigUint64(ptr, true);
    case 'f32': return d.getFloat32(ptr, true);
    case 'f64': return d.getFloat64(ptr, true);
    case 'char': return charOf(d.getUint32(ptr, true));
    case 'own': case 'borrow': return d.getInt32(ptr, true);
    case 'string': return loadString(mem, d.getUint32(ptr, true), d.getUint32(ptr + 4, true));
    case 'list': return loadList(mem, t.elem, d.getUint32(ptr, true), d.getUint32(ptr + 4, true));
    case 'flags': {
      const n = flagBytes(t.names.length);
      return bitsToFlags(t, n === 0 ? 0 : n === 1 ? d.getUint8(ptr) : n === 2 ? d.getUint16(ptr, true) : d.getUint32(ptr, true));
    }
  }
  const fields = fieldTypes(t);
  if (fields) {
    let at = ptr;
    const vals = fields.map((f) => {
      at = alignTo(at, alignment(f));
      const v = load(mem, f, at);
      at += size(f);
      return v;
    });
    return fromFields(t, vals);
  }
  const cases = casesOf(t)!;
  const ds = discSize(cases.length);
  const i = ds === 1 ? d.getUint8(ptr) : ds === 2 ? d.getUint16(ptr, true) : d.getUint32(ptr, true);
  if (i >= cases.length) throw new Error(`case index ${i} out of range`);
  const c = cases[i]!;
  const payload = c.type ? load(mem, c.type, ptr + alignTo(ds, maxCaseAlignment(cases))) : undefined;
  return valueOfCase(t, i, payload);
}

function loadString(mem: Mem, ptr: number, len: number): string {
  checkBounds(mem, ptr, len);
  return dec.decode(new Uint8Array(mem.memory().buffer, ptr, len));
}

function loadList(mem: Mem, elem: CType, ptr: number, len: number): unknown {
  const es = size(elem);
  checkBounds(mem, ptr, es * len);
  if (ptr % alignment(elem) !== 0) throw new Error(`misaligned list at ${ptr}`);
  const Typed = TYPED[elem.k as Prim];
  if (Typed) return new Typed(mem.memory().buffer.slice(ptr, ptr + es * len));
  return Array.from({ length: len }, (_, i) => load(mem, elem, ptr + i * es));
}

export function store(mem: Mem, v: unknown, t: CType, ptr: number): void {
  checkBounds(mem, ptr, size(t));
  switch (t.k) {
    case 'bool': dv(mem).setUint8(ptr, v ? 1 : 0); return;
    case 's8': case 'u8': dv(mem).setUint8(ptr, Number(v) & 0xff); return;
    case 's16': case 'u16': dv(mem).setUint16(ptr, Number(v) & 0xffff, true); return;
    case 's32': case 'u32': case 'own': case 'borrow': dv(mem).setUint32(ptr, Number(v) >>> 0, true); return;
    case 's64': case 'u64': dv(mem).setBigUint64(ptr, BigInt.asUintN(64, BigInt(v as bigint)), true); return;
    case 'f32': dv(mem).setFloat32(ptr, Number(v), true); return;
    case 'f64': dv(mem).setFloat64(ptr, Number(v), true); return;
    case 'char': dv(mem).setUint32(ptr, codeOf(v), true); return;
    case 'string': case 'list': {
      const [p, len] = t.k === 'list' ? storeList(mem, v, t.elem) : storeString(mem, v);
      const d = dv(mem);
      d.setUint32(ptr, p, true);
      d.setUint32(ptr + 4, len, true);
      return;
    }
    case 'flags': {
      const n = flagBytes(t.names.length);
      const bits = flagsToBits(t, v);
      if (n === 1) dv(mem).setUint8(ptr, bits);
      else if (n === 2) dv(mem).setUint16(ptr, bits, true);
      else if (n === 4) dv(mem).setUint32(ptr, bits, true);
      return;
    }
  }
  const fields = fieldTypes(t);
  if (fields) {
    const vals = fieldValues(t, v);
    let at = ptr;
    fields.forEach((f, i) => {
      at = alignTo(at, alignment(f));
      store(mem, vals[i], f, at);
      at += size(f);
    });
    return;
  }
  const cases = casesOf(t)!;
  const [i, payload] = caseOfValue(t, v);
  const ds = discSize(cases.length);
  const d = dv(mem);
  if (ds === 1) d.setUint8(ptr, i);
  else if (ds === 2) d.setUint16(ptr, i, true);
  else d.setUint32(ptr, i, true);
  const c = cases[i]!;
  if (c.type) store(mem, payload, c.type, ptr + alignTo(ds, maxCaseAlignment(cases)));
}

function storeString(mem: Mem, v: unknown): [number, number] {
  const bytes = enc.encode(String(v));
  if (bytes.length === 0) return [1, 0];
  const p = mem.realloc(0, 0, 1, bytes.length);
  checkBounds(mem, p, bytes.length);
  new Uint8Array(mem.memory().buffer, p, bytes.length).set(bytes);
  return [p, bytes.length];
}

function storeList(mem: Mem, v: unknown, elem: CType): [number, number] {
  const items = Array.from(v as ArrayLike<unknown>);
  const es = size(elem);
  if (items.length === 0) return [alignment(elem), 0];
  const p = mem.realloc(0, 0, alignment(elem), es * items.length);
  items.forEach((x, i) => store(mem, x, elem, p + i * es));
  return [p, items.length];
}

// ---- flat lift / lower ----

/** Reads flat values in order, converting from the joined type a variant slot has (lift_flat's CoerceValueIter). */
class FlatReader {
  private i = 0;
  constructor(private readonly vals: CoreVal[], private readonly types: Flat[]) {}
  next(want: Flat): CoreVal {
    const have = this.types[this.i];
    const v = this.vals[this.i++];
    if (have === undefined || v === undefined) throw new Error('ran out of flat values');
    return coerceIn(v, have, want);
  }
  skip(n: number): void {
    this.i += n;
  }
}

function coerceIn(v: CoreVal, have: Flat, want: Flat): CoreVal {
  if (have === want) return v;
  if (have === 'i32' && want === 'f32') return bitsToF32(Number(v));
  if (have === 'i64' && want === 'i32') return Number(BigInt.asIntN(32, BigInt(v)));
  if (have === 'i64' && want === 'f32') return bitsToF32(Number(BigInt.asIntN(32, BigInt(v))));
  if (have === 'i64' && want === 'f64') return bitsToF64(BigInt(v));
  throw new Error(`cannot read ${want} from a ${have} slot`);
}

function coerceOut(v: CoreVal, have: Flat, want: Flat): CoreVal {
  if (have === want) return v;
  if (want === 'i32' && have === 'f32') return f32ToBits(Number(v));
  if (want === 'i64' && have === 'i32') return BigInt(Number(v) >>> 0);
  if (want === 'i64' && have === 'f32') return BigInt(f32ToBits(Number(v)) >>> 0);
  if (want === 'i64' && have === 'f64') return f64ToBits(Number(v));
  throw new Error(`cannot write ${have} into a ${want} slot`);
}

function liftFlatFrom(mem: Mem, r: FlatReader, t: CType): unknown {
  switch (t.k) {
    case 'bool': return Number(r.next('i32')) !== 0;
    case 's8': return (Number(r.next('i32')) << 24) >> 24;
    case 'u8': return Number(r.next('i32')) & 0xff;
    case 's16': return (Number(r.next('i32')) << 16) >> 16;
    case 'u16': return Number(r.next('i32')) & 0xffff;
    case 's32': case 'own': case 'borrow': return Number(r.next('i32')) | 0;
    case 'u32': return Number(r.next('i32')) >>> 0;
    case 's64': return BigInt.asIntN(64, BigInt(r.next('i64')));
    case 'u64': return BigInt.asUintN(64, BigInt(r.next('i64')));
    case 'f32': return Math.fround(Number(r.next('f32')));
    case 'f64': return Number(r.next('f64'));
    case 'char': return charOf(Number(r.next('i32')) >>> 0);
    case 'string': {
      const p = Number(r.next('i32')) >>> 0;
      return loadString(mem, p, Number(r.next('i32')) >>> 0);
    }
    case 'list': {
      const p = Number(r.next('i32')) >>> 0;
      return loadList(mem, t.elem, p, Number(r.next('i32')) >>> 0);
    }
    case 'flags': return t.names.length === 0 ? bitsToFlags(t, 0) : bitsToFlags(t, Number(r.next('i32')) >>> 0);
  }
  const fields = fieldTypes(t);
  if (fields) return fromFields(t, fields.map((f) => liftFlatFrom(mem, r, f)));
  const cases = casesOf(t)!;
  const i = Number(r.next('i32')) >>> 0;
  if (i >= cases.length) throw new Error(`case index ${i} out of range`);
  const c = cases[i]!;
  const width = flatten(t).length - 1;
  const payload = c.type ? liftFlatFrom(mem, r, c.type) : undefined;
  r.skip(width - (c.type ? flatten(c.type).length : 0));
  return valueOfCase(t, i, payload);
}

export function liftFlat(mem: Mem, vals: CoreVal[], t: CType): unknown {
  return liftFlatFrom(mem, new FlatReader(vals, flatten(t)), t);
}

export function lowerFlat(mem: Mem, v: unknown, t: CType): CoreVal[] {
  switch (t.k) {
    case 'bool': return [v ? 1 : 0];
    case 's8': case 'u8': case 's16': case 'u16': case 's32': case 'u32': case 'own': case 'borrow':
      return [Number(v) | 0];
    case 's64': case 'u64': return [BigInt.asIntN(64, BigInt(v as bigint))];
    case 'f32': return [Math.fround(Number(v))];
    case 'f64': return [Number(v)];
    case 'char': return [codeOf(v)];
    case 'string': return storeString(mem, v);
    case 'list': return storeList(mem, v, t.elem);
    case 'flags': return t.names.length === 0 ? [] : [flagsToBits(t, v) | 0];
  }
  const fields = fieldTypes(t);
  if (fields) {
    const vals = fieldValues(t, v);
    return fields.flatMap((f, i) => lowerFlat(mem, vals[i], f));
  }
  const cases = casesOf(t)!;
  const [i, payload] = caseOfValue(t, v);
  const slots = flatten(t).slice(1);
  const c = cases[i]!;
  const out: CoreVal[] = [i];
  const have = c.type ? flatten(c.type) : [];
  const vals = c.type ? lowerFlat(mem, payload, c.type) : [];
  slots.forEach((want, j) => {
    out.push(j < vals.length ? coerceOut(vals[j]!, have[j]!, want) : want === 'i64' ? 0n : 0);
  });
  return out;
}

// ---- whole calls ----

/** Host calling a lifted export: JS args to the core function's arguments (by pointer past 16 flat values). */
export function lowerArgs(mem: Mem, sig: FuncSig, args: unknown[]): CoreVal[] {
  if (flatParams(sig).length <= MAX_FLAT_PARAMS) return sig.params.flatMap((p, i) => lowerFlat(mem, args[i], p.type));
  const tuple = paramTuple(sig);
  const ptr = mem.realloc(0, 0, alignment(tuple), size(tuple));
  store(mem, args, tuple, ptr);
  return [ptr];
}

/** Host reading an export's core return value (a pointer to the result past one flat value). */
export function liftResult(mem: Mem, sig: FuncSig, ret: CoreVal | undefined): unknown {
  if (!sig.result) return undefined;
  if (ret === undefined) throw new Error('export returned nothing');
  if (flatResults(sig).length <= MAX_FLAT_RESULTS) return liftFlat(mem, [ret], sig.result);
  return load(mem, sig.result, Number(ret) >>> 0);
}

/** Host serving a lowered import: the core arguments to JS values (the last one is the return pointer when the result is returned by pointer). */
export function liftArgs(mem: Mem, sig: FuncSig, core: CoreVal[]): unknown[] {
  const flat = flatParams(sig);
  if (flat.length <= MAX_FLAT_PARAMS) {
    const r = new FlatReader(core, flat);
    return sig.params.map((p) => liftFlatFrom(mem, r, p.type));
  }
  return load(mem, paramTuple(sig), Number(core[0]) >>> 0) as unknown[];
}

/** Host returning from a lowered import: the flat result, or nothing after storing it at the return pointer. */
export function lowerResult(mem: Mem, sig: FuncSig, core: CoreVal[], value: unknown): CoreVal | undefined {
  if (!sig.result) return undefined;
  const flat = flatResults(sig);
  if (flat.length <= MAX_FLAT_RESULTS) return lowerFlat(mem, value, sig.result)[0];
  const retptr = Number(core[core.length - 1]) >>> 0;
  store(mem, value, sig.result, retptr);
  return undefined;
}

/** The core signature a lowered import has (for checking the module's import types). */
export function coreImportType(sig: FuncSig): { params: Flat[]; results: Flat[] } {
  const p = flatParams(sig);
  const r = flatResults(sig);
  return {
    params: [...(p.length <= MAX_FLAT_PARAMS ? p : ['i32' as const]), ...(r.length <= MAX_FLAT_RESULTS ? [] : ['i32' as const])],
    results: r.length <= MAX_FLAT_RESULTS ? r : [],
  };
}

// ---- handles inside values ----

/** `pascal('the-resource')` = 'TheResource': jco's class name for a resource. */
export function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** A copy of `v` (of type `t`, jco shapes) with every own/borrow handle replaced by `f(kind, handle)`. */
export function mapHandles(t: CType, v: unknown, f: (kind: 'own' | 'borrow', resource: string, h: unknown, iface?: string) => unknown): unknown {
  switch (t.k) {
    case 'own': case 'borrow': return f(t.k, t.resource, v, t.iface);
    case 'list': return hasHandles(t.elem) ? Array.from(v as ArrayLike<unknown>, (x) => mapHandles(t.elem, x, f)) : v;
    case 'record': case 'tuple': {
      const types = fieldTypes(t)!;
      const vals = fieldValues(t, v).map((x, i) => mapHandles(types[i]!, x, f));
      return fromFields(t, vals);
    }
    case 'variant': case 'option': case 'result': {
      if (!hasHandles(t)) return v;
      const [i, payload] = caseOfValue(t, v);
      const c = casesOf(t)![i]!;
      return valueOfCase(t, i, c.type ? mapHandles(c.type, payload, f) : undefined);
    }
    default: return v;
  }
}

export function hasHandles(t: CType): boolean {
  switch (t.k) {
    case 'own': case 'borrow': return true;
    case 'list': return hasHandles(t.elem);
    case 'record': case 'tuple': return fieldTypes(t)!.some(hasHandles);
    case 'variant': case 'option': case 'result': return casesOf(t)!.some((c) => c.type !== undefined && hasHandles(c.type));
    default: return false;
  }
}
