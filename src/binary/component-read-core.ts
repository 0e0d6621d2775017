import type { BinaryReader } from './reader.js';
import { bool, checkDepth, readCoreSort, vec } from './component-read-common.js';
import type { CoreImportDesc, CoreType, CoreValType, ModuleDecl } from './component-types.js';

/** Core types in a component's core type section (3) and in module types. */

function readCoreValType(r: BinaryReader): CoreValType {
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

function readCoreImportDesc(r: BinaryReader): CoreImportDesc {
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
