import type { BinaryWriter } from './writer.js';
import { CORE_SORT_CODE, PRIM_CODE, SORT_CODE } from './component-codes.js';
import { vec } from './component-write-common.js';
import { writeCoreType } from './component-write-core.js';
import type {
  Alias, ComponentDecl, CoreSort, DefValType, ExternDesc, ExternName, LabeledType, Sort, TypeDef, ValType,
} from './component-types.js';

/** Encoders mirroring component-read-types.ts, one per grammar production. */

function optional<T>(w: BinaryWriter, value: T | undefined, write: (v: T) => void): void {
  if (value === undefined) {
    w.u8(0x00);
  } else {
    w.u8(0x01);
    write(value);
  }
}

export function writeSort(w: BinaryWriter, sort: Sort): void {
  const core = CORE_SORT_CODE.get(sort as CoreSort);
  if (core !== undefined) {
    w.u8(0x00).u8(core);
  } else {
    w.u8(SORT_CODE.get(sort as Exclude<Sort, CoreSort>)!);
  }
}

export function writeExternName(w: BinaryWriter, n: ExternName): void {
  w.u8(n.form).name(n.name);
  if (n.form !== 2) return;
  vec(w, n.options ?? [], (o) => {
    if (o.kind === 'implements') w.u8(0x00).name(o.name);
    else w.u8(0x01).name(o.suffix);
  });
}

export function writeValType(w: BinaryWriter, t: ValType): void {
  if (typeof t === 'number') w.sleb(t);
  else w.u8(PRIM_CODE.get(t)!);
}

function writeLabeled(w: BinaryWriter, l: LabeledType): void {
  w.name(l.name);
  writeValType(w, l.type);
}

export function writeResultList(w: BinaryWriter, results: ValType | LabeledType[]): void {
  if (Array.isArray(results)) {
    w.u8(0x01);
    vec(w, results, (l) => writeLabeled(w, l));
  } else {
    w.u8(0x00);
    writeValType(w, results);
  }
}

function writeDefValType(w: BinaryWriter, t: DefValType): void {
  const vt = (v: ValType): void => writeValType(w, v);
  switch (t.kind) {
    case 'prim':
      return vt(t.type);
    case 'record':
      w.u8(0x72);
      return vec(w, t.fields, (f) => writeLabeled(w, f));
    case 'variant':
      w.u8(0x71);
      return vec(w, t.cases, (c) => {
        w.name(c.name);
        optional(w, c.type, vt);
        optional(w, c.refines, (i) => w.u32(i));
      });
    case 'list':
      if (t.length === undefined) {
        w.u8(0x70);
        return vt(t.element);
      }
      w.u8(0x67);
      vt(t.element);
      w.u32(t.length);
      return;
    case 'tuple':
      w.u8(0x6f);
      return vec(w, t.types, vt);
    case 'flags':
    case 'enum':
      w.u8(t.kind === 'flags' ? 0x6e : 0x6d);
      return vec(w, t.names, (n) => w.name(n));
    case 'option':
      w.u8(0x6b);
      return vt(t.type);
    case 'result':
      w.u8(0x6a);
      optional(w, t.ok, vt);
      return optional(w, t.err, vt);
    case 'own':
    case 'borrow':
      w.u8(t.kind === 'own' ? 0x69 : 0x68).u32(t.resource);
      return;
    case 'stream':
    case 'future':
      w.u8(t.kind === 'stream' ? 0x66 : 0x65);
      return optional(w, t.element, vt);
  }
}

export function writeTypeDef(w: BinaryWriter, t: TypeDef): void {
  switch (t.kind) {
    case 'func':
      w.u8(t.async ? 0x43 : 0x40);
      vec(w, t.params, (p) => writeLabeled(w, p));
      return writeResultList(w, t.results);
    case 'component':
      w.u8(0x41);
      return vec(w, t.decls, (d) => writeComponentDecl(w, d));
    case 'instance':
      w.u8(0x42);
      return vec(w, t.decls, (d) => writeComponentDecl(w, d));
    case 'resource':
      if (t.async) {
        w.u8(0x3e).u8(0x7f).u32(t.dtor ?? 0);
        return optional(w, t.callback, (i) => w.u32(i));
      }
      w.u8(0x3f).u8(0x7f);
      return optional(w, t.dtor, (i) => w.u32(i));
    default:
      return writeDefValType(w, t);
  }
}

/** Instance declarators are the component declarators minus `import`. */
function writeComponentDecl(w: BinaryWriter, d: ComponentDecl): void {
  switch (d.kind) {
    case 'core type':
      w.u8(0x00);
      return writeCoreType(w, d.type);
    case 'type':
      w.u8(0x01);
      return writeTypeDef(w, d.type);
    case 'alias':
      w.u8(0x02);
      return writeAlias(w, d.alias);
    case 'import':
    case 'export':
      w.u8(d.kind === 'import' ? 0x03 : 0x04);
      writeExternName(w, d.name);
      return writeExternDesc(w, d.desc);
  }
}

export function writeExternDesc(w: BinaryWriter, d: ExternDesc): void {
  switch (d.kind) {
    case 'core module':
      w.u8(0x00).u8(0x11).u32(d.type);
      return;
    case 'func':
      w.u8(0x01).u32(d.type);
      return;
    case 'value':
      w.u8(0x02);
      return writeValType(w, d.type);
    case 'type':
      w.u8(0x03);
      if (d.bound.kind === 'eq') w.u8(0x00).u32(d.bound.type);
      else w.u8(0x01);
      return;
    case 'component':
      w.u8(0x04).u32(d.type);
      return;
    case 'instance':
      w.u8(0x05).u32(d.type);
      return;
  }
}

export function writeAlias(w: BinaryWriter, a: Alias): void {
  writeSort(w, a.sort);
  const t = a.target;
  switch (t.kind) {
    case 'export':
      w.u8(0x00).u32(t.instance).name(t.name);
      return;
    case 'core export':
      w.u8(0x01).u32(t.instance).name(t.name);
      return;
    case 'outer':
      w.u8(0x02).u32(t.count).u32(t.index);
      return;
  }
}
