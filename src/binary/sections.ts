import type { FunctionBody } from './code.js';
import { readExpr, type Expr } from './instructions.js';
import type { BinaryReader } from './reader.js';
import {
  FUNCREF,
  readGlobalType,
  readLimits,
  readRecGroup,
  readRefType,
  readTableType,
  readTagType,
  type GlobalType,
  type Limits,
  type RecGroup,
  type RefType,
  type TableType,
  type TagType,
} from './types.js';

/** Section ids of core modules. */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Position of each known section id in the required order (tag sits between memory and global; data count before code). */
export const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
export const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

export type ImportDesc =
  | { kind: 'func'; typeIndex: number }
  | { kind: 'table'; type: TableType }
  | { kind: 'memory'; type: Limits }
  | { kind: 'global'; type: GlobalType }
  | { kind: 'tag'; typeIndex: number };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/** A table definition; `init` is present for the `0x40 0x00` form with an initializer expression. */
export interface Table {
  type: TableType;
  init?: Expr;
}

export interface Global {
  type: GlobalType;
  init: Expr;
}

/**
 * An element segment. `funcs` (function indices) for forms 0..3, `exprs` for
 * forms 4..7. `flags` is the form read from the input; encoders derive it
 * when absent.
 */
export interface ElementSegment {
  mode: 'active' | 'passive' | 'declarative';
  table: number;
  offset?: Expr;
  type: RefType;
  funcs?: number[];
  exprs?: Expr[];
  flags?: number;
}

export interface DataSegment {
  mode: 'active' | 'passive';
  memory: number;
  offset?: Expr;
  init: Uint8Array;
  /** Absolute offset of `init[0]`. */
  initOffset: number;
  flags?: number;
}

export interface CustomSection {
  name: string;
  /** The section's content after its name, as a view. */
  data: Uint8Array;
  /** Absolute offset of `data[0]`. */
  offset: number;
}

export function decodeTypes(r: BinaryReader): RecGroup[] {
  const n = r.count(2);
  const groups: RecGroup[] = new Array(n);
  for (let i = 0; i < n; i++) groups[i] = readRecGroup(r);
  return groups;
}

function externKind(r: BinaryReader): ExternKind {
  const at = r.offset;
  const b = r.u8();
  const kind = EXTERN_KINDS[b];
  if (!kind) r.fail('bad-value', `unknown external kind 0x${b.toString(16)}`, at);
  return kind;
}

export function decodeImports(r: BinaryReader): Import[] {
  const n = r.count(4);
  const out: Import[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const module = r.name();
    const name = r.name();
    const kind = externKind(r);
    let desc: ImportDesc;
    switch (kind) {
      case 'func':
        desc = { kind, typeIndex: r.u32() };
        break;
      case 'table':
        desc = { kind, type: readTableType(r) };
        break;
      case 'memory':
        desc = { kind, type: readLimits(r) };
        break;
      case 'global':
        desc = { kind, type: readGlobalType(r) };
        break;
      case 'tag':
        desc = { kind, typeIndex: readTagType(r).typeIndex };
        break;
    }
    out[i] = { module, name, desc };
  }
  return out;
}

export function decodeU32s(r: BinaryReader): number[] {
  const n = r.count(1);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = r.u32();
  return out;
}

export function decodeTables(r: BinaryReader): Table[] {
  const n = r.count(3);
  const out: Table[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (r.peek() === 0x40) {
      const at = r.offset;
      r.pos++;
      if (r.u8() !== 0x00) r.fail('bad-value', 'table with initializer must be 0x40 0x00', at);
      const type = readTableType(r);
      out[i] = { type, init: readExpr(r) };
    } else {
      out[i] = { type: readTableType(r) };
    }
  }
  return out;
}

export function decodeMemories(r: BinaryReader): Limits[] {
  const n = r.count(2);
  const out: Limits[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readLimits(r);
  return out;
}

export function decodeTags(r: BinaryReader): TagType[] {
  const n = r.count(2);
  const out: TagType[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readTagType(r);
  return out;
}

export function decodeGlobals(r: BinaryReader): Global[] {
  const n = r.count(3);
  const out: Global[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const type = readGlobalType(r);
    out[i] = { type, init: readExpr(r) };
  }
  return out;
}

export function decodeExports(r: BinaryReader): Export[] {
  const n = r.count(3);
  const out: Export[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.name();
    const kind = externKind(r);
    out[i] = { name, kind, index: r.u32() };
  }
  return out;
}

export function decodeElements(r: BinaryReader): ElementSegment[] {
  const n = r.count(2);
  const out: ElementSegment[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = decodeElement(r);
  return out;
}

function decodeElement(r: BinaryReader): ElementSegment {
  const at = r.offset;
  const flags = r.u32();
  if (flags > 7) r.fail('bad-value', `unknown element segment form ${flags}`, at);
  const active = (flags & 1) === 0;
  const seg: ElementSegment = {
    mode: active ? 'active' : flags & 2 ? 'declarative' : 'passive',
    table: 0,
    type: FUNCREF,
    flags,
  };
  if (active) {
    if (flags & 2) seg.table = r.u32();
    seg.offset = readExpr(r);
  }
  const usesExprs = (flags & 4) !== 0;
  // Forms 0 and 4 imply funcref; the others name an element kind (0..3) or a reference type (5..7).
  if (flags & 3) {
    if (usesExprs) {
      seg.type = readRefType(r);
    } else {
      const kindAt = r.offset;
      if (r.u8() !== 0x00) r.fail('bad-value', 'unknown element kind (only 0x00, funcref, exists)', kindAt);
    }
  }
  if (usesExprs) {
    const count = r.count(1);
    const exprs: Expr[] = new Array(count);
    for (let i = 0; i < count; i++) exprs[i] = readExpr(r);
    seg.exprs = exprs;
  } else {
    seg.funcs = decodeU32s(r);
  }
  return seg;
}

export function decodeCode(r: BinaryReader): FunctionBody[] {
  const n = r.count(2);
  const out: FunctionBody[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const offset = r.offset;
    out[i] = { offset, body: r.bytes(size) };
  }
  return out;
}

export function decodeData(r: BinaryReader): DataSegment[] {
  const n = r.count(2);
  const out: DataSegment[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const flags = r.u32();
    if (flags > 2) r.fail('bad-value', `unknown data segment form ${flags}`, at);
    const memory = flags === 2 ? r.u32() : 0;
    const offset = flags === 1 ? undefined : readExpr(r);
    const len = r.u32();
    const initOffset = r.offset;
    const seg: DataSegment = { mode: flags === 1 ? 'passive' : 'active', memory, init: r.bytes(len), initOffset, flags };
    if (offset) seg.offset = offset;
    out[i] = seg;
  }
  return out;
}
