import type { BinaryReader } from './reader.js';
import { PRIM_BY_CODE } from './component-codes.js';
import { checkDepth, optional, readSort, vec } from './component-read-common.js';
import { readCoreType } from './component-read-core.js';
import type {
  Alias, ComponentDecl, DefValType, ExternDesc, ExternName, ExternNameOption, InstanceDecl, LabeledType, TypeDef,
  ValType, VariantCase,
} from './component-types.js';

/** Component-level types, extern names and descriptors, aliases. */

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
