import { BinaryWriter } from './writer.js';
import { CANON_CODE, IMM_FIELD, OPT_CODE } from './component-codes.js';
import { COMPONENT_VERSION } from './component-sniff.js';
import { writeCoreSort, writeCoreType } from './component-write-core.js';
import { vec } from './component-write-common.js';
import {
  writeAlias, writeExternDesc, writeExternName, writeResultList, writeSort, writeTypeDef, writeValType,
} from './component-write-types.js';
import { SECTION_ID, type Canon, type CanonOpt, type Component, type ComponentSection, type SectionItems } from './component-types.js';

export interface WriteOptions {
  /** Encode every section from its items, ignoring `payload` (tests use this to check the encoders). */
  reencode?: boolean;
}

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, COMPONENT_VERSION, 0x00, 0x01, 0x00];

/** Writes a component: sections with a `payload` verbatim, others encoded from their items. */
export function writeComponent(c: Component, options: WriteOptions = {}): Uint8Array {
  const w = new BinaryWriter(estimateSize(c));
  for (const b of PREAMBLE) w.u8(b);
  for (const s of c.sections) {
    w.u8(SECTION_ID[s.kind]);
    if (s.payload !== undefined && !options.reencode) {
      writePaddedU32(w, s.payload.length, s.sizeBytes ?? 0).bytes(s.payload);
    } else {
      w.fork();
      encodeItems(w, s, options);
      w.join();
    }
  }
  return w.finish();
}

/** A u32 LEB of at least `width` bytes (continuation bits on the padding). */
function writePaddedU32(w: BinaryWriter, v: number, width: number): BinaryWriter {
  if (width <= 1) return w.u32(v);
  for (let i = 0; i < width - 1; i++) {
    w.u8((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  return w.u8(v & 0x7f);
}

function estimateSize(c: Component): number {
  let n = 64;
  for (const s of c.sections) n += (s.payload?.length ?? 256) + 6;
  return n;
}

/** The payload bytes of a section built from items (for callers assembling sections by hand). */
export function encodeSectionPayload(items: SectionItems, options: WriteOptions = {}): Uint8Array {
  const w = new BinaryWriter();
  encodeItems(w, items, options);
  return w.finish();
}

function encodeItems(w: BinaryWriter, s: SectionItems | ComponentSection, options: WriteOptions): void {
  switch (s.kind) {
    case 'custom':
      w.name(s.name).bytes(s.data);
      return;
    case 'coreModule':
      w.bytes(s.module);
      return;
    case 'coreInstances':
      return vec(w, s.items, (i) => {
        if (i.kind === 'instantiate') {
          w.u8(0x00).u32(i.module);
          vec(w, i.args, (a) => w.name(a.name).u8(0x12).u32(a.instance));
        } else {
          w.u8(0x01);
          vec(w, i.exports, (e) => {
            w.name(e.name);
            writeCoreSort(w, e.sort);
            w.u32(e.index);
          });
        }
      });
    case 'coreTypes':
      return vec(w, s.items, (t) => writeCoreType(w, t));
    case 'component':
      w.bytes(writeComponent(s.component, options));
      return;
    case 'instances':
      return vec(w, s.items, (i) => {
        if (i.kind === 'instantiate') {
          w.u8(0x00).u32(i.component);
          vec(w, i.args, (a) => {
            w.name(a.name);
            writeSort(w, a.sort);
            w.u32(a.index);
          });
        } else {
          w.u8(0x01);
          vec(w, i.exports, (e) => {
            writeExternName(w, e.name);
            writeSort(w, e.sort);
            w.u32(e.index);
          });
        }
      });
    case 'aliases':
      return vec(w, s.items, (a) => writeAlias(w, a));
    case 'types':
      return vec(w, s.items, (t) => writeTypeDef(w, t));
    case 'canon':
      return vec(w, s.items, (c) => writeCanon(w, c));
    case 'start':
      w.u32(s.start.func);
      vec(w, s.start.args, (a) => w.u32(a));
      w.u32(s.start.results);
      return;
    case 'imports':
      return vec(w, s.items, (i) => {
        writeExternName(w, i.name);
        writeExternDesc(w, i.desc);
      });
    case 'exports':
      return vec(w, s.items, (e) => {
        writeExternName(w, e.name);
        writeSort(w, e.sort);
        w.u32(e.index);
        if (e.desc === undefined) {
          w.u8(0x00);
        } else {
          w.u8(0x01);
          writeExternDesc(w, e.desc);
        }
      });
    case 'values':
      return vec(w, s.items, (v) => {
        writeValType(w, v.type);
        w.u32(v.data.length).bytes(v.data);
      });
  }
}

function writeCanonOpts(w: BinaryWriter, opts: readonly CanonOpt[]): void {
  vec(w, opts, (o) => {
    w.u8(OPT_CODE.get(o.kind)!);
    if ('index' in o) w.u32(o.index);
  });
}

export function writeCanon(w: BinaryWriter, c: Canon): void {
  if (c.kind === 'lift') {
    w.u8(0x00).u8(0x00).u32(c.coreFunc);
    writeCanonOpts(w, c.options);
    w.u32(c.type);
    return;
  }
  if (c.kind === 'lower') {
    w.u8(0x01).u8(0x00).u32(c.func);
    writeCanonOpts(w, c.options);
    return;
  }
  const op = CANON_CODE.get(c.kind)!;
  w.u8(op.code);
  const fields = c as unknown as Record<string, unknown>;
  for (const imm of op.imm) {
    const value = fields[IMM_FIELD[imm as keyof typeof IMM_FIELD]];
    switch (imm) {
      case 'o':
        writeCanonOpts(w, value as CanonOpt[]);
        break;
      case 'f':
      case 'h':
        w.u8(value ? 1 : 0);
        break;
      case 'v':
        w.u8(value as number);
        break;
      case 'r':
        writeResultList(w, value as Parameters<typeof writeResultList>[1]);
        break;
      default:
        w.u32(value as number);
    }
  }
}
