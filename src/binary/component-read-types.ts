import type { BinaryReader } from './reader.js';
import { CORE_SORT_BY_CODE, PRIM_BY_CODE, SORT_BY_CODE } from './component-codes.js';
import type {
  Alias, ComponentDecl, CoreImportDesc, CoreSort, CoreType, CoreValType, DefValType, ExternDesc, ExternName,
  ExternNameOption, InstanceDecl, LabeledType, ModuleDecl, Sort, TypeDef, ValType, VariantCase,
} from './component-types.js';

/** Nesting limit for components and type declarators; checked before recursing. */
export const MAX_DEPTH = 100;

export function checkDepth(r: BinaryReader, depth: number): void {
  if (depth > MAX_DEPTH) r.fail('too-deep', `component nesting is deeper than ${MAX_DEPTH} levels`);
}

function bool(r: BinaryReader, what: string): boolean {
  const at = r.offset;
  const b = r.u8();
  if (b > 1) r.fail('bad-value', `${what} must be 0x00 or 0x01, found 0x${b.toString(16)}`, at);
  return b === 1;
}

/** `T?` ::= 0x00 | 0x01 T */
function optional<T>(r: BinaryReader, what: string, read: () => T): T | undefined {
  return bool(r, what) ? read() : undefined;
}

function vec<T>(r: BinaryReader, minItemBytes: number, read: () => T): T[] {
  const n = r.count(minItemBytes);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(read());
  return out;
}
export { bool, optional, vec };

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

export function readExternName(r: BinaryReader): ExternName {
  const at = r.offset;
  const form = r.u8();
  if (form > 2) r.fail('bad-value', `unknown import/export name form 0x${form.toString(16)}`, at);
  const name = r.name();
  if (form !== 2) return { name, form: form as 0 | 1 };
  const options = vec(r, 2, (): ExternNameOption => {
    const optAt = r.offset;
    const kind = r.u8();
    if (kind === 0x00) return { kind: 'implements', name: r.name() };
    if (kind === 0x01) return { kind: 'versionsuffix', suffix: r.name() };
    return r.fail('bad-value', `unknown import/export name option 0x${kind.toString(16)}`, optAt);
  });
  return { name, form: 2, options };
}

/** A type index: a non-negative s33 (the negative range is taken by type opcodes). */
function typeIndex(r: BinaryReader): number {
  const at = r.offset;
  const v = r.s33();
  if (v < 0 || v > 0xffffffff) r.fail('bad-value', `invalid value type code or type index ${v}`, at);
  return v;
}

export function readValType(r: BinaryReader): ValType {
  const prim = PRIM_BY_CODE.get(r.peek());
  if (prim !== undefined) {
    r.u8();
    return prim;
  }
  return typeIndex(r);
}

function labeled(r: BinaryReader): LabeledType {
  return { name: r.name(), type: readValType(r) };
}

export function readResultList(r: BinaryReader): ValType | LabeledType[] {
  const at = r.offset;
  const b = r.u8();
  if (b === 0x00) return readValType(r);
  if (b === 0x01) return vec(r, 2, () => labeled(r));
  return r.fail('bad-value', `unknown result list form 0x${b.toString(16)}`, at);
}

function readDefValType(r: BinaryReader): DefValType {
  const at = r.offset;
  const code = r.u8();
  const prim = PRIM_BY_CODE.get(code);
  if (prim !== undefined) return { kind: 'prim', type: prim };
  switch (code) {
    case 0x72:
      return { kind: 'record', fields: vec(r, 2, () => labeled(r)) };
    case 0x71:
      return {
        kind: 'variant',
        cases: vec(r, 3, (): VariantCase => {
          const name = r.name();
          const type = optional(r, 'case type flag', () => readValType(r));
          // Old binaries may carry `0x01 refines`; current ones always end with 0x00.
          const refines = optional(r, 'case refines flag', () => r.u32());
          return { name, ...(type === undefined ? {} : { type }), ...(refines === undefined ? {} : { refines }) };
        }),
      };
    case 0x70:
      return { kind: 'list', element: readValType(r) };
    case 0x67:
      return { kind: 'list', element: readValType(r), length: r.u32() };
    case 0x6f:
      return { kind: 'tuple', types: vec(r, 1, () => readValType(r)) };
    case 0x6e:
      return { kind: 'flags', names: vec(r, 1, () => r.name()) };
    case 0x6d:
      return { kind: 'enum', names: vec(r, 1, () => r.name()) };
    case 0x6b:
      return { kind: 'option', type: readValType(r) };
    case 0x6a: {
      const ok = optional(r, 'result ok flag', () => readValType(r));
      const err = optional(r, 'result error flag', () => readValType(r));
      return { kind: 'result', ...(ok === undefined ? {} : { ok }), ...(err === undefined ? {} : { err }) };
    }
    case 0x69:
      return { kind: 'own', resource: r.u32() };
    case 0x68:
      return { kind: 'borrow', resource: r.u32() };
    case 0x66:
    case 0x65: {
      const element = optional(r, 'element type flag', () => readValType(r));
      return { kind: code === 0x66 ? 'stream' : 'future', ...(element === undefined ? {} : { element }) };
    }
    default:
      return r.fail('bad-value', `unknown component type opcode 0x${code.toString(16)}`, at);
  }
}

export function readTypeDef(r: BinaryReader, depth: number): TypeDef {
  const code = r.peek();
  switch (code) {
    case 0x40:
    case 0x43:
      r.u8();
      return { kind: 'func', async: code === 0x43, params: vec(r, 2, () => labeled(r)), results: readResultList(r) };
    case 0x41:
      r.u8();
      checkDepth(r, depth + 1);
      return { kind: 'component', decls: vec(r, 2, () => readComponentDecl(r, depth + 1)) };
    case 0x42:
      r.u8();
      checkDepth(r, depth + 1);
      return { kind: 'instance', decls: vec(r, 2, () => readInstanceDecl(r, depth + 1)) };
    case 0x3f: {
      r.u8();
      expectI32Rep(r);
      const dtor = optional(r, 'destructor flag', () => r.u32());
      return { kind: 'resource', async: false, ...(dtor === undefined ? {} : { dtor }) };
    }
    case 0x3e: {
      r.u8();
      expectI32Rep(r);
      const dtor = r.u32();
      const callback = optional(r, 'callback flag', () => r.u32());
      return { kind: 'resource', async: true, dtor, ...(callback === undefined ? {} : { callback }) };
    }
    default:
      return readDefValType(r);
  }
}

function expectI32Rep(r: BinaryReader): void {
  const at = r.offset;
  if (r.u8() !== 0x7f) r.fail('bad-value', 'resource representation must be i32 (0x7f)', at);
}

function readInstanceDecl(r: BinaryReader, depth: number): InstanceDecl {
  const at = r.offset;
  const tag = r.u8();
  switch (tag) {
    case 0x00:
      return { kind: 'core type', type: readCoreType(r, depth) };
    case 0x01:
      return { kind: 'type', type: readTypeDef(r, depth) };
    case 0x02:
      return { kind: 'alias', alias: readAlias(r) };
    case 0x04:
      return { kind: 'export', name: readExternName(r), desc: readExternDesc(r) };
    default:
      return r.fail('bad-value', `unknown instance type declarator 0x${tag.toString(16)}`, at);
  }
}

function readComponentDecl(r: BinaryReader, depth: number): ComponentDecl {
  if (r.peek() === 0x03) {
    r.u8();
    return { kind: 'import', name: readExternName(r), desc: readExternDesc(r) };
  }
  return readInstanceDecl(r, depth);
}

export function readExternDesc(r: BinaryReader): ExternDesc {
  const at = r.offset;
  const tag = r.u8();
  switch (tag) {
    case 0x00: {
      const sortAt = r.offset;
      if (r.u8() !== 0x11) r.fail('bad-value', 'core extern descriptor must be a core module (0x11)', sortAt);
      return { kind: 'core module', type: r.u32() };
    }
    case 0x01:
      return { kind: 'func', type: r.u32() };
    case 0x02:
      return { kind: 'value', type: readValType(r) };
    case 0x03: {
      const boundAt = r.offset;
      const b = r.u8();
      if (b === 0x00) return { kind: 'type', bound: { kind: 'eq', type: r.u32() } };
      if (b === 0x01) return { kind: 'type', bound: { kind: 'sub resource' } };
      return r.fail('bad-value', `unknown type bound 0x${b.toString(16)}`, boundAt);
    }
    case 0x04:
      return { kind: 'component', type: r.u32() };
    case 0x05:
      return { kind: 'instance', type: r.u32() };
    default:
      return r.fail('bad-value', `unknown extern descriptor 0x${tag.toString(16)}`, at);
  }
}

export function readAlias(r: BinaryReader): Alias {
  const sort = readSort(r);
  const at = r.offset;
  const tag = r.u8();
  switch (tag) {
    case 0x00:
      return { sort, target: { kind: 'export', instance: r.u32(), name: r.name() } };
    case 0x01:
      return { sort, target: { kind: 'core export', instance: r.u32(), name: r.name() } };
    case 0x02:
      return { sort, target: { kind: 'outer', count: r.u32(), index: r.u32() } };
    default:
      return r.fail('bad-value', `unknown alias target 0x${tag.toString(16)}`, at);
  }
}

// ---- core types ----

export function readCoreValType(r: BinaryReader): CoreValType {
  const at = r.offset;
  const b = r.u8();
  if (b === 0x63 || b === 0x64) return { nullable: b === 0x63, heap: r.s33() };
  // Numeric, vector, packed and abbreviated reference types all live in 0x69..0x7f.
  if (b < 0x69 || b > 0x7f) r.fail('bad-value', `unknown core value type 0x${b.toString(16)}`, at);
  return b;
}

/** Skips a GC composite/sub/rec type, checking its structure. */
function skipGcType(r: BinaryReader, inRec: boolean): void {
  const at = r.offset;
  const b = r.u8();
  switch (b) {
    case 0x4e:
      if (inRec) r.fail('bad-value', 'nested rec group', at);
      for (let i = r.count(1); i > 0; i--) skipGcType(r, true);
      return;
    case 0x50:
    case 0x4f:
      for (let i = r.count(1); i > 0; i--) r.u32();
      skipComposite(r);
      return;
    default:
      r.pos--;
      skipComposite(r);
  }
}

function skipComposite(r: BinaryReader): void {
  const at = r.offset;
  const b = r.u8();
  const field = (): void => {
    readCoreValType(r);
    bool(r, 'field mutability');
  };
  if (b === 0x60) {
    for (let i = r.count(1); i > 0; i--) readCoreValType(r);
    for (let i = r.count(1); i > 0; i--) readCoreValType(r);
  } else if (b === 0x5f) {
    for (let i = r.count(2); i > 0; i--) field();
  } else if (b === 0x5e) {
    field();
  } else {
    r.fail('bad-value', `unknown core type form 0x${b.toString(16)}`, at);
  }
}

export function readCoreType(r: BinaryReader, depth: number): CoreType {
  const b = r.peek();
  if (b === 0x60) {
    r.u8();
    return { kind: 'func', params: vec(r, 1, () => readCoreValType(r)), results: vec(r, 1, () => readCoreValType(r)) };
  }
  if (b === 0x50) {
    r.u8();
    checkDepth(r, depth + 1);
    return { kind: 'module', decls: vec(r, 2, () => readModuleDecl(r, depth + 1)) };
  }
  const start = r.pos;
  skipGcType(r, false);
  return { kind: 'gc', raw: r.buf.subarray(start, r.pos) };
}

function readModuleDecl(r: BinaryReader, depth: number): ModuleDecl {
  const at = r.offset;
  const tag = r.u8();
  switch (tag) {
    case 0x00:
      return { kind: 'import', module: r.name(), name: r.name(), desc: readCoreImportDesc(r) };
    case 0x01:
      return { kind: 'type', type: readCoreType(r, depth) };
    case 0x02: {
      const sort = readCoreSort(r);
      const targetAt = r.offset;
      if (r.u8() !== 0x01) r.fail('bad-value', 'core alias in a module type must be an outer alias (0x01)', targetAt);
      return { kind: 'alias', sort, count: r.u32(), index: r.u32() };
    }
    case 0x03:
      return { kind: 'export', name: r.name(), desc: readCoreImportDesc(r) };
    default:
      return r.fail('bad-value', `unknown module type declarator 0x${tag.toString(16)}`, at);
  }
}

function skipLimits(r: BinaryReader): void {
  const at = r.offset;
  const flags = r.u8();
  if (flags & ~0x0f) r.fail('bad-value', `unknown limits flags 0x${flags.toString(16)}`, at);
  const lebBytes = flags & 0x04 ? 10 : 5;
  r.skipLeb(lebBytes);
  if (flags & 0x01) r.skipLeb(lebBytes);
  if (flags & 0x08) r.u32();
}

export function readCoreImportDesc(r: BinaryReader): CoreImportDesc {
  const at = r.offset;
  const tag = r.u8();
  const start = r.pos;
  switch (tag) {
    case 0x00:
      return { kind: 'func', type: r.u32() };
    case 0x01:
      readCoreValType(r);
      skipLimits(r);
      return { kind: 'table', raw: r.buf.subarray(start, r.pos) };
    case 0x02:
      skipLimits(r);
      return { kind: 'memory', raw: r.buf.subarray(start, r.pos) };
    case 0x03:
      readCoreValType(r);
      bool(r, 'global mutability');
      return { kind: 'global', raw: r.buf.subarray(start, r.pos) };
    case 0x04: {
      const attrAt = r.offset;
      if (r.u8() !== 0x00) r.fail('bad-value', 'tag attribute must be 0x00', attrAt);
      return { kind: 'tag', type: r.u32() };
    }
    default:
      return r.fail('bad-value', `unknown core import kind 0x${tag.toString(16)}`, at);
  }
}
