import type { PrimValType, ValType } from '../binary/component-types.js';
import { WasiAdaptError } from '../errors.js';
import type { FuncTypeRef, TypeScope, TypeVal } from './evaluate.js';

/**
 * Canonical ABI layout of component value types (CanonicalABI.md: `despecialize`,
 * `alignment`, `elem_size`, `flatten_type`): what the linker needs to write
 * code that produces a value of a WIT type in memory or on the stack.
 */

/** A value type with its type indices resolved and WIT's specialisations (tuple, enum, option, result) despecialised. */
export type Shape =
  | { k: 'prim'; type: Exclude<PrimValType, 'string' | 'error-context'> }
  | { k: 'string' }
  | { k: 'list'; element: Shape; length: number | undefined }
  | { k: 'record'; fields: Shape[] }
  /** `cases[i]` undefined: a case without payload; `of` keeps what WIT type it was, for choosing values. */
  | { k: 'variant'; cases: (Shape | undefined)[]; of?: 'option' | 'result' }
  | { k: 'flags'; count: number }
  /** own, borrow, stream, future, error-context: an i32 index into a table. */
  | HandleShape;

/** A handle; `resource` is the resource type of an own or borrow (undefined for streams, futures, error contexts). */
export interface HandleShape {
  k: 'handle';
  borrow?: boolean;
  resource?: TypeVal;
}

export type CoreType = 'i32' | 'i64' | 'f32' | 'f64';

/** Past this many flat values, parameters travel in memory (one pointer), results through a return pointer. */
export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_RESULTS = 1;

const MAX_DEPTH = 100;

/** Resolves `t` in `scope`; throws WasiAdaptError for an index that names no value type. */
export function shapeOf(scope: TypeScope, t: ValType, depth = 0): Shape {
  if (depth > MAX_DEPTH) throw new WasiAdaptError('too-deep', `a value type nests more than ${MAX_DEPTH} levels`);
  if (typeof t === 'string') {
    if (t === 'string') return { k: 'string' };
    if (t === 'error-context') return { k: 'handle' };
    return { k: 'prim', type: t };
  }
  const v = scope.types[t];
  if (v?.kind !== 'def') throw new WasiAdaptError('bad-value', `type ${t} is not a value type`);
  const sub = (x: ValType) => shapeOf(v.scope, x, depth + 1);
  const d = v.def;
  switch (d.kind) {
    case 'prim':
      return shapeOf(v.scope, d.type, depth + 1);
    case 'record':
      return { k: 'record', fields: d.fields.map((f) => sub(f.type)) };
    case 'tuple':
      return { k: 'record', fields: d.types.map(sub) };
    case 'variant':
      return { k: 'variant', cases: d.cases.map((c) => (c.type === undefined ? undefined : sub(c.type))) };
    case 'enum':
      return { k: 'variant', cases: d.names.map(() => undefined) };
    case 'option':
      return { k: 'variant', cases: [undefined, sub(d.type)], of: 'option' };
    case 'result':
      return { k: 'variant', cases: [d.ok === undefined ? undefined : sub(d.ok), d.err === undefined ? undefined : sub(d.err)], of: 'result' };
    case 'list':
      return { k: 'list', element: sub(d.element), length: d.length };
    case 'flags':
      return { k: 'flags', count: d.names.length };
    case 'borrow':
    case 'own': {
      const resource = v.scope.types[d.resource];
      if (!resource) throw new WasiAdaptError('bad-value', `type ${t} names resource type ${d.resource}, which does not exist`);
      return { k: 'handle', borrow: d.kind === 'borrow', resource };
    }
    case 'stream':
    case 'future':
      return { k: 'handle' };
    default:
      throw new WasiAdaptError('bad-value', `type ${t} is a ${d.kind}, not a value type`);
  }
}

const PRIM_SIZE: Record<Extract<Shape, { k: 'prim' }>['type'], number> = {
  bool: 1, s8: 1, u8: 1, s16: 2, u16: 2, s32: 4, u32: 4, s64: 8, u64: 8, f32: 4, f64: 8, char: 4,
};

export function discriminantSize(cases: number): 1 | 2 | 4 {
  return cases <= 0x100 ? 1 : cases <= 0x10000 ? 2 : 4;
}

export function alignment(s: Shape): number {
  switch (s.k) {
    case 'prim':
      return PRIM_SIZE[s.type];
    case 'string':
    case 'handle':
      return 4;
    case 'list':
      return s.length === undefined ? 4 : alignment(s.element);
    case 'record':
      return s.fields.reduce((a, f) => Math.max(a, alignment(f)), 1);
    case 'variant':
      return Math.max(discriminantSize(s.cases.length), maxCaseAlignment(s));
    case 'flags':
      return s.count <= 8 ? 1 : s.count <= 16 ? 2 : 4;
  }
}

export function size(s: Shape): number {
  switch (s.k) {
    case 'prim':
      return PRIM_SIZE[s.type];
    case 'string':
      return 8;
    case 'handle':
      return 4;
    case 'list':
      return s.length === undefined ? 8 : s.length * size(s.element);
    case 'record': {
      let at = 0;
      for (const f of s.fields) at = alignTo(at, alignment(f)) + size(f);
      return alignTo(at, alignment(s));
    }
    case 'variant': {
      const payload = Math.max(0, ...s.cases.map((c) => (c ? size(c) : 0)));
      return alignTo(payloadOffset(s) + payload, alignment(s));
    }
    case 'flags':
      return s.count === 0 ? 0 : s.count <= 8 ? 1 : s.count <= 16 ? 2 : 4 * Math.ceil(s.count / 32);
  }
}

/** Where a variant's payload starts, after its discriminant. */
export function payloadOffset(s: Extract<Shape, { k: 'variant' }>): number {
  return alignTo(discriminantSize(s.cases.length), maxCaseAlignment(s));
}

function maxCaseAlignment(s: Extract<Shape, { k: 'variant' }>): number {
  return s.cases.reduce((a, c) => Math.max(a, c ? alignment(c) : 1), 1);
}

export function alignTo(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function flatten(s: Shape): CoreType[] {
  switch (s.k) {
    case 'prim':
      return s.type === 's64' || s.type === 'u64' ? ['i64'] : s.type === 'f32' ? ['f32'] : s.type === 'f64' ? ['f64'] : ['i32'];
    case 'string':
      return ['i32', 'i32'];
    case 'handle':
      return ['i32'];
    case 'list':
      return s.length === undefined ? ['i32', 'i32'] : Array.from({ length: s.length }, () => flatten(s.element)).flat();
    case 'record':
      return s.fields.flatMap(flatten);
    case 'variant': {
      const joined: CoreType[] = [];
      for (const c of s.cases) {
        if (!c) continue;
        flatten(c).forEach((t, i) => {
          const have = joined[i];
          joined[i] = have === undefined || have === t ? t : (have === 'i32' && t === 'f32') || (have === 'f32' && t === 'i32') ? 'i32' : 'i64';
        });
      }
      return ['i32', ...joined];
    }
    case 'flags':
      return Array.from({ length: Math.ceil(s.count / 32) }, () => 'i32' as const);
  }
}

/** Whether all-zero bytes (and all-zero flat values) are a valid value of `s`: false where a handle must be live. */
export function zeroIsValid(s: Shape): boolean {
  switch (s.k) {
    case 'handle':
      return false;
    case 'list':
      return s.length === undefined || s.length === 0 || zeroIsValid(s.element);
    case 'record':
      return s.fields.every(zeroIsValid);
    case 'variant':
      return s.cases[0] === undefined || zeroIsValid(s.cases[0]);
    default:
      return true;
  }
}

/** Whether `s` or a shape inside it (a list's element, a record's fields, a variant's payloads) satisfies `pred`. */
export function someShape(s: Shape, pred: (x: Shape) => boolean): boolean {
  if (pred(s)) return true;
  switch (s.k) {
    case 'list':
      return someShape(s.element, pred);
    case 'record':
      return s.fields.some((f) => someShape(f, pred));
    case 'variant':
      return s.cases.some((c) => c !== undefined && someShape(c, pred));
    default:
      return false;
  }
}

/** Every handle in `s`, in the order its values lay them out (a list's element once). */
export function handlesOf(s: Shape): HandleShape[] {
  const out: HandleShape[] = [];
  someShape(s, (x) => {
    if (x.k === 'handle') out.push(x);
    return false;
  });
  return out;
}

/** Whether a value of `s` can hold a string (whose bytes then follow the canon's string-encoding). */
export function holdsString(s: Shape): boolean {
  return someShape(s, (x) => x.k === 'string');
}

/** Does a value point into memory (a string or a variable-length list somewhere in it)? Then a copy must follow the pointers. */
export function hasPointers(s: Shape): boolean {
  return someShape(s, (x) => x.k === 'string' || (x.k === 'list' && x.length === undefined));
}

/** The parameter and result shapes of a function type (several results only in pre-0.2 binaries). */
export function signatureOf(t: FuncTypeRef): { params: Shape[]; results: Shape[] } {
  const r = t.def.results;
  const results = Array.isArray(r) ? r.map((x) => x.type) : [r as ValType];
  return { params: t.def.params.map((p) => shapeOf(t.scope, p.type)), results: results.map((v) => shapeOf(t.scope, v)) };
}
