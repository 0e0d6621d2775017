import type { BinaryReader } from './reader.js';
import { CORE_SORT_BY_CODE, SORT_BY_CODE } from './component-codes.js';
import type { CoreSort, Sort } from './component-types.js';

/** Small productions shared by the component section readers. */

/** Nesting limit for components and type declarators; checked before recursing. */
export const MAX_DEPTH = 100;

export function checkDepth(r: BinaryReader, depth: number): void {
  if (depth > MAX_DEPTH) r.fail('too-deep', `component nesting is deeper than ${MAX_DEPTH} levels`);
}

export function bool(r: BinaryReader, what: string): boolean {
  const at = r.offset;
  const b = r.u8();
  if (b > 1) r.fail('bad-value', `${what} must be 0x00 or 0x01, found 0x${b.toString(16)}`, at);
  return b === 1;
}

/** `T?` ::= 0x00 | 0x01 T */
export function optional<T>(r: BinaryReader, what: string, read: () => T): T | undefined {
  return bool(r, what) ? read() : undefined;
}

export function vec<T>(r: BinaryReader, minItemBytes: number, read: () => T): T[] {
  const n = r.count(minItemBytes);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(read());
  return out;
}

export function readSort(r: BinaryReader): Sort {
  const at = r.offset;
  const b = r.u8();
  if (b === 0x00) return readCoreSort(r);
  return SORT_BY_CODE.get(b) ?? r.fail('bad-value', `unknown sort 0x${b.toString(16)}`, at);
}

export function readCoreSort(r: BinaryReader): CoreSort {
  const at = r.offset;
  const b = r.u8();
  return CORE_SORT_BY_CODE.get(b) ?? r.fail('bad-value', `unknown core sort 0x${b.toString(16)}`, at);
}
