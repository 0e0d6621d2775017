import type { BinaryWriter } from './writer.js';
import { CORE_SORT_CODE } from './component-codes.js';
import { vec } from './component-write-common.js';
import type { CoreImportDesc, CoreSort, CoreType, CoreValType, ModuleDecl } from './component-types.js';

/** Encoders for core types, mirroring component-read-core.ts. */

export function writeCoreSort(w: BinaryWriter, sort: CoreSort): void {
  w.u8(CORE_SORT_CODE.get(sort)!);
}

function writeCoreValType(w: BinaryWriter, t: CoreValType): void {
  if (typeof t === 'number') w.u8(t);
  else w.u8(t.nullable ? 0x63 : 0x64).sleb(t.heap);
}

export function writeCoreType(w: BinaryWriter, t: CoreType): void {
  switch (t.kind) {
    case 'func':
      w.u8(0x60);
      vec(w, t.params, (v) => writeCoreValType(w, v));
      return vec(w, t.results, (v) => writeCoreValType(w, v));
    case 'module':
      w.u8(0x50);
      return vec(w, t.decls, (d) => writeModuleDecl(w, d));
    case 'gc':
      w.bytes(t.raw);
      return;
  }
}

function writeModuleDecl(w: BinaryWriter, d: ModuleDecl): void {
  switch (d.kind) {
    case 'import':
      w.u8(0x00).name(d.module).name(d.name);
      return writeCoreImportDesc(w, d.desc);
    case 'type':
      w.u8(0x01);
      return writeCoreType(w, d.type);
    case 'alias':
      w.u8(0x02);
      writeCoreSort(w, d.sort);
      w.u8(0x01).u32(d.count).u32(d.index);
      return;
    case 'export':
      w.u8(0x03).name(d.name);
      return writeCoreImportDesc(w, d.desc);
  }
}

const IMPORT_KIND = { func: 0x00, table: 0x01, memory: 0x02, global: 0x03, tag: 0x04 } as const;

function writeCoreImportDesc(w: BinaryWriter, d: CoreImportDesc): void {
  w.u8(IMPORT_KIND[d.kind]);
  if (d.kind === 'func') w.u32(d.type);
  else if (d.kind === 'tag') w.u8(0x00).u32(d.type);
  else w.bytes(d.raw);
}
