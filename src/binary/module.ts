import { WasiAdaptError } from '../errors.js';
import type { FunctionBody } from './code.js';
import {
  encodeCodeSection,
  encodeCustomSection,
  encodeDataCountSection,
  encodeDataSection,
  encodeElementSection,
  encodeExportSection,
  encodeFunctionSection,
  encodeGlobalSection,
  encodeImportSection,
  encodeMemorySection,
  encodeStartSection,
  encodeTableSection,
  encodeTagSection,
  encodeTypeSection,
  lebSize,
} from './encode.js';
import { BinaryReader } from './reader.js';
import {
  decodeCode,
  decodeData,
  decodeElements,
  decodeExports,
  decodeGlobals,
  decodeImports,
  decodeMemories,
  decodeTables,
  decodeTags,
  decodeTypes,
  decodeU32s,
  SECTION_RANK,
  SectionId,
  type CustomSection,
  type DataSegment,
  type ElementSegment,
  type Export,
  type Global,
  type Import,
  type Table,
} from './sections.js';
import type { CompositeType, Limits, RecGroup, TagType } from './types.js';

/** One section as found: `offset` is the absolute offset of `payload[0]`; `name` is set for custom sections. */
export interface Section {
  id: number;
  offset: number;
  payload: Uint8Array;
  name?: string;
  /** Width of the size LEB in the input, so a padded size is re-emitted as it was. */
  sizeBytes?: number;
}

export interface CoreModule {
  /** The input, and the absolute offset of its first byte. */
  bytes: Uint8Array;
  base: number;
  /** Every section in input order, payloads as views. */
  sections: Section[];
  recGroups: RecGroup[];
  /** The type index space: rec groups flattened. */
  types: CompositeType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  tables: Table[];
  memories: Limits[];
  tags: TagType[];
  globals: Global[];
  exports: Export[];
  start?: number;
  elements: ElementSegment[];
  dataCount?: number;
  code: FunctionBody[];
  data: DataSegment[];
  customs: CustomSection[];
  importedFuncCount: number;
  importedTableCount: number;
  importedMemoryCount: number;
  importedGlobalCount: number;
  importedTagCount: number;
  /** Sizes of the index spaces (imported + defined). */
  funcCount: number;
  tableCount: number;
  memoryCount: number;
  globalCount: number;
  tagCount: number;
}

/** What `writeModule` needs: sections in order, each a raw payload (custom payloads start with their name). */
export interface ModuleForWrite {
  sections: readonly { id: number; payload: Uint8Array; sizeBytes?: number }[];
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Parses a core module. Sections are split and decoded eagerly; function
 * bodies are only split (decode them with the instruction API). Everything
 * returned is a view into `bytes`; `base` is the absolute offset of
 * `bytes[0]` in the user's file, used in error offsets.
 */
export function parseModule(bytes: Uint8Array, base = 0): CoreModule {
  const r = new BinaryReader(bytes, base);
  readHeader(r);
  const m: CoreModule = {
    bytes,
    base,
    sections: [],
    recGroups: [],
    types: [],
    imports: [],
    functions: [],
    tables: [],
    memories: [],
    tags: [],
    globals: [],
    exports: [],
    elements: [],
    code: [],
    data: [],
    customs: [],
    importedFuncCount: 0,
    importedTableCount: 0,
    importedMemoryCount: 0,
    importedGlobalCount: 0,
    importedTagCount: 0,
    funcCount: 0,
    tableCount: 0,
    memoryCount: 0,
    globalCount: 0,
    tagCount: 0,
  };
  let lastRank = 0;
  let functionSection = false;
  while (!r.eof()) {
    const idAt = r.offset;
    const id = r.u8();
    const sizeAt = r.pos;
    const size = r.u32();
    const sizeBytes = r.pos - sizeAt;
    if (size > r.remaining) {
      r.fail('truncated', `section ${id} declares ${size} bytes but only ${r.remaining} remain`, r.base + sizeAt);
    }
    const s = r.fork(size);
    const section: Section = { id, offset: s.offset, payload: bytes.subarray(s.pos, s.end), sizeBytes };
    m.sections.push(section);
    if (id === SectionId.custom) {
      const name = s.name();
      section.name = name;
      m.customs.push({ name, data: bytes.subarray(s.pos, s.end), offset: s.offset });
      continue;
    }
    const rank = SECTION_RANK[id];
    if (rank === undefined) r.fail('bad-section', `unknown section id ${id}`, idAt);
    if (rank <= lastRank) r.fail('bad-section', `section ${id} is out of order or repeated`, idAt);
    lastRank = rank;
    decodeSection(m, id, s);
    if (id === SectionId.function) functionSection = true;
    s.expectEnd(`section ${id}`);
  }
  if (m.code.length !== m.functions.length) {
    const what = functionSection ? `${m.functions.length} functions` : 'no function section';
    r.fail('bad-section', `code section has ${m.code.length} bodies but module declares ${what}`, base);
  }
  if (m.dataCount !== undefined && m.dataCount !== m.data.length) {
    r.fail('bad-section', `data count section says ${m.dataCount} but data section has ${m.data.length}`, base);
  }
  m.funcCount = m.importedFuncCount + m.functions.length;
  m.tableCount = m.importedTableCount + m.tables.length;
  m.memoryCount = m.importedMemoryCount + m.memories.length;
  m.globalCount = m.importedGlobalCount + m.globals.length;
  m.tagCount = m.importedTagCount + m.tags.length;
  return m;
}

function readHeader(r: BinaryReader): void {
  if (r.remaining < 4 || MAGIC.some((b, i) => r.buf[i] !== b)) r.fail('not-wasm', 'not a WebAssembly binary (bad magic)', r.base);
  if (r.remaining < 8) r.fail('truncated', 'input ends inside the 8-byte WebAssembly header', r.base);
  r.skip(4);
  const version = r.u8() | (r.u8() << 8);
  const layer = r.u8() | (r.u8() << 8);
  if (layer === 1) r.fail('unsupported', 'this is a WebAssembly component, not a core module', r.base + 4);
  if (layer !== 0 || version !== 1) r.fail('unsupported', `unsupported core module version ${version}`, r.base + 4);
}

function decodeSection(m: CoreModule, id: number, s: BinaryReader): void {
  switch (id) {
    case SectionId.type:
      m.recGroups = decodeTypes(s);
      m.types = m.recGroups.flatMap((g) => g.types.map((t) => t.type));
      return;
    case SectionId.import:
      m.imports = decodeImports(s);
      for (const im of m.imports) countImport(m, im);
      return;
    case SectionId.function:
      m.functions = decodeU32s(s);
      return;
    case SectionId.table:
      m.tables = decodeTables(s);
      return;
    case SectionId.memory:
      m.memories = decodeMemories(s);
      return;
    case SectionId.tag:
      m.tags = decodeTags(s);
      return;
    case SectionId.global:
      m.globals = decodeGlobals(s);
      return;
    case SectionId.export:
      m.exports = decodeExports(s);
      return;
    case SectionId.start:
      m.start = s.u32();
      return;
    case SectionId.element:
      m.elements = decodeElements(s);
      return;
    case SectionId.dataCount:
      m.dataCount = s.u32();
      return;
    case SectionId.code:
      m.code = decodeCode(s);
      return;
    case SectionId.data:
      m.data = decodeData(s);
      return;
  }
}

function countImport(m: CoreModule, im: Import): void {
  switch (im.desc.kind) {
    case 'func':
      m.importedFuncCount++;
      return;
    case 'table':
      m.importedTableCount++;
      return;
    case 'memory':
      m.importedMemoryCount++;
      return;
    case 'global':
      m.importedGlobalCount++;
      return;
    case 'tag':
      m.importedTagCount++;
  }
}

/**
 * Writes a module from raw section payloads, in the order given (checked).
 * Payloads are copied verbatim, so `writeModule(parseModule(x))` is `x`.
 */
export function writeModule(m: ModuleForWrite): Uint8Array {
  let size = 8;
  let lastRank = 0;
  const widths: number[] = [];
  for (const s of m.sections) {
    if (s.id !== SectionId.custom) {
      const rank = SECTION_RANK[s.id];
      if (rank === undefined) throw new WasiAdaptError('invalid-argument', `unknown section id ${s.id}`);
      if (rank <= lastRank) throw new WasiAdaptError('invalid-argument', `section ${s.id} is out of order or repeated`);
      lastRank = rank;
    }
    const minimal = lebSize(s.payload.length);
    const width = s.sizeBytes !== undefined && s.sizeBytes >= minimal && s.sizeBytes <= 5 ? s.sizeBytes : minimal;
    widths.push(width);
    size += 1 + width + s.payload.length;
  }
  const out = new Uint8Array(size);
  out.set([...MAGIC, 0x01, 0x00, 0x00, 0x00]);
  let pos = 8;
  m.sections.forEach((s, i) => {
    out[pos++] = s.id;
    let v = s.payload.length;
    const width = widths[i]!;
    for (let k = 0; k < width; k++, v = Math.floor(v / 128)) out[pos++] = (v & 0x7f) | (k < width - 1 ? 0x80 : 0);
    out.set(s.payload, pos);
    pos += s.payload.length;
  });
  return out;
}

/** Typed contents of a module to build from scratch; empty or absent parts get no section. */
export interface ModuleParts {
  types?: readonly (RecGroup | CompositeType)[];
  imports?: readonly Import[];
  functions?: readonly number[];
  tables?: readonly Table[];
  memories?: readonly Limits[];
  tags?: readonly TagType[];
  globals?: readonly Global[];
  exports?: readonly Export[];
  start?: number;
  elements?: readonly ElementSegment[];
  dataCount?: number;
  code?: readonly (FunctionBody | Uint8Array)[];
  data?: readonly DataSegment[];
  /** Custom sections, written after everything else. */
  customs?: readonly { name: string; data: Uint8Array }[];
}

/** Encodes a whole module from typed parts, in spec order. */
export function encodeModule(p: ModuleParts): Uint8Array {
  const sections: { id: number; payload: Uint8Array }[] = [];
  const add = <T>(id: number, items: readonly T[] | undefined, encode: (items: readonly T[]) => Uint8Array) => {
    if (items && items.length) sections.push({ id, payload: encode(items) });
  };
  add(SectionId.type, p.types, encodeTypeSection);
  add(SectionId.import, p.imports, encodeImportSection);
  add(SectionId.function, p.functions, encodeFunctionSection);
  add(SectionId.table, p.tables, encodeTableSection);
  add(SectionId.memory, p.memories, encodeMemorySection);
  add(SectionId.tag, p.tags, encodeTagSection);
  add(SectionId.global, p.globals, encodeGlobalSection);
  add(SectionId.export, p.exports, encodeExportSection);
  if (p.start !== undefined) sections.push({ id: SectionId.start, payload: encodeStartSection(p.start) });
  add(SectionId.element, p.elements, encodeElementSection);
  if (p.dataCount !== undefined) sections.push({ id: SectionId.dataCount, payload: encodeDataCountSection(p.dataCount) });
  add(SectionId.code, p.code, encodeCodeSection);
  add(SectionId.data, p.data, encodeDataSection);
  for (const c of p.customs ?? []) sections.push({ id: SectionId.custom, payload: encodeCustomSection(c.name, c.data) });
  return writeModule({ sections });
}

export * from './code.js';
export * from './encode.js';
export * from './sections.js';
export * from './types.js';
