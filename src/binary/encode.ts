import { WasiAdaptError } from '../errors.js';
import type { FunctionBody } from './code.js';
import { EXTERN_KINDS, type DataSegment, type ElementSegment, type Export, type Global, type Import, type Table } from './sections.js';
import {
  valTypeEquals,
  writeGlobalType,
  writeLimits,
  writeRecGroup,
  writeTableType,
  writeTagType,
  writeValType,
  FUNCREF,
  type CompositeType,
  type Limits,
  type RecGroup,
  type TagType,
} from './types.js';
import { BinaryWriter } from './writer.js';

/*
 * Section encoders. Each returns a section payload (no id, no size); pass it
 * to `writeModule` as `{ id, payload }`. Output uses the shortest encodings,
 * so re-encoding what a canonical producer wrote gives the same bytes.
 */

function vec<T>(items: readonly T[], each: (w: BinaryWriter, item: T) => void, sizeHint = items.length * 4): Uint8Array {
  const w = new BinaryWriter(sizeHint + 8);
  w.u32(items.length);
  for (const item of items) each(w, item);
  return w.finish();
}

/** Accepts rec groups or bare composite types (each becomes its own implicit group). */
export function encodeTypeSection(types: readonly (RecGroup | CompositeType)[]): Uint8Array {
  return vec(types, (w, t) => writeRecGroup(w, 'kind' in t ? { types: [{ final: true, supertypes: [], type: t }] } : t), types.length * 8);
}

export function encodeImportSection(imports: readonly Import[]): Uint8Array {
  return vec(
    imports,
    (w, im) => {
      w.name(im.module).name(im.name).u8(EXTERN_KINDS.indexOf(im.desc.kind));
      const d = im.desc;
      switch (d.kind) {
        case 'func':
          w.u32(d.typeIndex);
          break;
        case 'table':
          writeTableType(w, d.type);
          break;
        case 'memory':
          writeLimits(w, d.type);
          break;
        case 'global':
          writeGlobalType(w, d.type);
          break;
        case 'tag':
          writeTagType(w, { attribute: 0, typeIndex: d.typeIndex });
          break;
      }
    },
    imports.length * 32,
  );
}

export function encodeFunctionSection(typeIndices: readonly number[]): Uint8Array {
  return vec(typeIndices, (w, x) => w.u32(x), typeIndices.length * 2);
}

export function encodeTableSection(tables: readonly Table[]): Uint8Array {
  return vec(tables, (w, t) => {
    if (t.init) {
      w.u8(0x40).u8(0x00);
      writeTableType(w, t.type);
      w.bytes(t.init.bytes);
    } else {
      writeTableType(w, t.type);
    }
  });
}

export function encodeMemorySection(memories: readonly Limits[]): Uint8Array {
  return vec(memories, writeLimits);
}

export function encodeTagSection(tags: readonly TagType[]): Uint8Array {
  return vec(tags, writeTagType);
}

export function encodeGlobalSection(globals: readonly Global[]): Uint8Array {
  return vec(
    globals,
    (w, g) => {
      writeGlobalType(w, g.type);
      w.bytes(g.init.bytes);
    },
    globals.length * 8,
  );
}

export function encodeExportSection(exports: readonly Export[]): Uint8Array {
  return vec(exports, (w, e) => w.name(e.name).u8(EXTERN_KINDS.indexOf(e.kind)).u32(e.index), exports.length * 16);
}

export function encodeStartSection(func: number): Uint8Array {
  return new BinaryWriter(8).u32(func).finish();
}

/** The form (0..7) an element segment is written in: the one it was read in, else the most compact that fits. */
function elementFlags(seg: ElementSegment): number {
  if (seg.flags !== undefined) return seg.flags;
  const exprs = seg.funcs === undefined ? 4 : 0;
  if (seg.mode === 'passive') return exprs | 1;
  if (seg.mode === 'declarative') return exprs | 3;
  return seg.table === 0 && valTypeEquals(seg.type, FUNCREF) ? exprs : exprs | 2;
}

export function encodeElementSection(elements: readonly ElementSegment[]): Uint8Array {
  return vec(
    elements,
    (w, seg) => {
      const flags = elementFlags(seg);
      const usesExprs = (flags & 4) !== 0;
      if (usesExprs !== (seg.exprs !== undefined) || usesExprs === (seg.funcs !== undefined)) {
        throw new WasiAdaptError('invalid-argument', `element segment form ${flags} needs ${usesExprs ? 'exprs' : 'funcs'} (and not the other)`);
      }
      w.u32(flags);
      if ((flags & 1) === 0) {
        if (flags & 2) w.u32(seg.table);
        if (!seg.offset) throw new WasiAdaptError('invalid-argument', 'active element segment without an offset');
        w.bytes(seg.offset.bytes);
      }
      if (flags & 3) {
        if (usesExprs) writeValType(w, seg.type);
        else w.u8(0x00);
      }
      if (seg.exprs) {
        w.u32(seg.exprs.length);
        for (const e of seg.exprs) w.bytes(e.bytes);
      } else {
        w.u32(seg.funcs!.length);
        for (const f of seg.funcs!) w.u32(f);
      }
    },
    elements.length * 64,
  );
}

export function encodeDataCountSection(count: number): Uint8Array {
  return new BinaryWriter(8).u32(count).finish();
}

/** Bodies are whole code entries (locals and expression) without their size; sized exactly in one pass. */
export function encodeCodeSection(bodies: readonly (FunctionBody | Uint8Array)[]): Uint8Array {
  let size = lebSize(bodies.length);
  for (const b of bodies) {
    const len = (b instanceof Uint8Array ? b : b.body).length;
    size += lebSize(len) + len;
  }
  const w = new BinaryWriter(size);
  w.u32(bodies.length);
  for (const b of bodies) {
    const body = b instanceof Uint8Array ? b : b.body;
    w.u32(body.length).bytes(body);
  }
  return w.finish();
}

export function encodeDataSection(data: readonly DataSegment[]): Uint8Array {
  const w = new BinaryWriter(dataSectionSize(data));
  writeDataSection(w, data);
  return w.finish();
}

/** Exact payload size of the data section, so a caller can write it in place with `writeDataSection`. */
export function dataSectionSize(data: readonly DataSegment[]): number {
  let size = lebSize(data.length);
  for (const d of data) {
    const flags = dataFlags(d);
    size += lebSize(flags) + (flags === 2 ? lebSize(d.memory) : 0) + (flags !== 1 ? (d.offset?.bytes.length ?? 0) : 0);
    size += lebSize(d.init.length) + d.init.length;
  }
  return size;
}

/** Writes the data section payload (no id, no size). */
export function writeDataSection(w: BinaryWriter, data: readonly DataSegment[]): void {
  w.u32(data.length);
  for (const d of data) {
    const flags = dataFlags(d);
    w.u32(flags);
    if (flags === 2) w.u32(d.memory);
    if (flags !== 1) {
      if (!d.offset) throw new WasiAdaptError('invalid-argument', 'active data segment without an offset');
      w.bytes(d.offset.bytes);
    }
    w.u32(d.init.length).bytes(d.init);
  }
}

function dataFlags(d: DataSegment): number {
  return d.flags ?? (d.mode === 'passive' ? 1 : d.memory === 0 ? 0 : 2);
}

/** A custom section payload: the name, then the data. */
export function encodeCustomSection(name: string, data: Uint8Array): Uint8Array {
  return new BinaryWriter(data.length + name.length * 3 + 8).name(name).bytes(data).finish();
}

export function lebSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
