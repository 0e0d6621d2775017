/**
 * One memory out of several: each component memory becomes a region of one
 * output memory. A module is rebased onto its region (every access offset by
 * the region's base and bounds-checked against its current size); a generated
 * runtime module owns the output memory and moves regions when one grows.
 * See docs/memory-regions.md.
 */
import type { Feature } from '../binary/features.js';
import { rewriteIndices, type Expr, type IndexMaps } from '../binary/instructions.js';
import {
  encodeCustomSection,
  encodeDataSection,
  encodeElementSection,
  encodeExportSection,
  encodeGlobalSection,
  encodeImportSection,
  encodeStartSection,
  encodeTableSection,
  parseModule,
  SECTION_RANK,
  SectionId,
  writeModule,
  writeRecGroup,
  type CoreModule,
  type DataSegment,
  type Import,
  type Limits,
} from '../binary/module.js';
import { encodeNameSection, parseNameSection, type IndirectNameMap, type NameMap } from '../binary/names.js';
import { BinaryReader } from '../binary/reader.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';
import { ADDED, rebaseCode, type RegionRefs } from './memory-regions-access.js';
import { checkMergeable, REGIONS_MODULE, regionNames, type RegionLayout } from './memory-regions-layout.js';
import { evaluateConst, foldGlobalReads, globalValues, type ImportedGlobals, type LinkTimeValue } from './memory-regions-offsets.js';
import { buildRegionRuntime } from './memory-regions-runtime.js';

export { layoutRegions, REGIONS_MODULE, regionNames, type Region, type RegionLayout } from './memory-regions-layout.js';
export { componentGlobals, type ImportedGlobals } from './memory-regions-offsets.js';

/**
 * A copy of `module` whose one memory is region `k`: it imports the output
 * memory as (import "env" "memory"), and from "wasi-adapt:regions" the
 * globals "base<k>" (mut i32) and "bytes<k>" (mut i64) and the functions
 * "size<k>" (result i32) and "grow<k>" (param i32) (result i32), appended
 * after its own imports (defined functions and globals shift up by two; every
 * reference is renumbered, the name section too). Every load/store/memory.*
 * is rebased by base<k> and bounds-checked against region k (trap outside
 * it); active data segments land in region k at its initial base (an offset
 * that reads globals is evaluated first: `imported` answers for imported ones,
 * memory-regions-offsets.ts). Callers that
 * hold an address across a call that may grow any region must re-read
 * base<k>: regions above a growing one move. A module without a memory is
 * returned as it is.
 */
export function rebaseModule(module: Uint8Array, k: number, layout: RegionLayout, imported?: ImportedGlobals): Uint8Array {
  const m = parseModule(module);
  if (m.memoryCount === 0) return module;
  if (m.memoryCount > 1) {
    throw new WasiAdaptError('unsupported', `the module has ${m.memoryCount} memories; only one-memory modules can be rebased onto a region`);
  }
  const region = layout.regions[k];
  if (!region) throw new WasiAdaptError('invalid-argument', `region ${k} is not in the layout (it has ${layout.regions.length})`);
  const own = m.memories[0] ?? importedMemory(m);
  checkMergeable(own, 'the module memory');
  if (own.min > region.initial) {
    throw new WasiAdaptError('invalid-argument', `the module memory starts at ${own.min} pages but region ${k} at ${region.initial}; lay regions out from the memories' limits`);
  }
  return new Rebaser(m, k, layout, globalValues(m, imported)).module();
}

/**
 * The core module that owns the output memory and exports "memory", and
 * "base<k>", "bytes<k>", "size<k>", "grow<k>" for every region (grow moves the
 * regions above, keeping each one's contents, and zeroes the new pages).
 * `features` are those the inputs use: bulk memory instructions are emitted
 * only if they include 'bulk-memory'.
 */
export function regionRuntime(layout: RegionLayout, features: ReadonlySet<Feature>): Uint8Array {
  return buildRegionRuntime(layout, features);
}

class Rebaser {
  private readonly maps: IndexMaps;
  private readonly refs: RegionRefs;

  constructor(
    private readonly m: CoreModule,
    private readonly k: number,
    private readonly layout: RegionLayout,
    private readonly globalValue: (g: number) => LinkTimeValue,
  ) {
    const funcs = m.importedFuncCount;
    const globals = m.importedGlobalCount;
    this.maps = { func: (f) => (f < funcs ? f : f + ADDED), global: (g) => (g < globals ? g : g + ADDED) };
    // Region 0 has no region below it to grow, so its base stays 0 and its code adds none.
    const base = k === 0 ? -1 : globals;
    this.refs = { importedFuncs: funcs, importedGlobals: globals, base, bytes: globals + 1, size: funcs, grow: funcs + 1 };
  }

  module(): Uint8Array {
    const out: { id: number; payload: Uint8Array; sizeBytes?: number }[] = [];
    let importsDone = false;
    let typesDone = false;
    const emitImports = () => {
      if (!typesDone) out.push({ id: SectionId.type, payload: this.types(undefined) });
      out.push({ id: SectionId.import, payload: this.imports() });
      typesDone = importsDone = true;
    };
    for (const s of this.m.sections) {
      if (s.id !== SectionId.custom && !importsDone && SECTION_RANK[s.id]! > SECTION_RANK[SectionId.import]!) emitImports();
      switch (s.id) {
        case SectionId.type:
          out.push({ id: s.id, payload: this.types(s.payload) });
          typesDone = true;
          break;
        case SectionId.import:
          emitImports();
          break;
        case SectionId.memory:
          break; // the memory is imported now
        case SectionId.table:
          out.push({ id: s.id, payload: this.tables() ?? s.payload });
          break;
        case SectionId.global:
          out.push({ id: s.id, payload: encodeGlobalSection(this.m.globals.map((g) => ({ type: g.type, init: g.type.type === 'i32' ? this.folded(g.init) : this.expr(g.init) }))) });
          break;
        case SectionId.export:
          out.push({ id: s.id, payload: encodeExportSection(this.m.exports.map((e) => ({ ...e, index: this.mapExport(e.kind, e.index) }))) });
          break;
        case SectionId.start:
          out.push({ id: s.id, payload: encodeStartSection(this.maps.func!(this.m.start!)) });
          break;
        case SectionId.element:
          out.push({ id: s.id, payload: this.elements() });
          break;
        case SectionId.code:
          out.push({ id: s.id, payload: this.code() });
          break;
        case SectionId.data:
          out.push({ id: s.id, payload: encodeDataSection(this.m.data.map((d, i) => this.data(d, i))) });
          break;
        case SectionId.custom:
          out.push(s.name === 'name' ? { id: s.id, payload: this.names(s.payload, s.offset) } : s);
          break;
        default:
          out.push(s);
      }
    }
    if (!importsDone) emitImports();
    return writeModule({ sections: out });
  }

  /** The type section with the two runtime function types appended (new rec groups, so no index moves). */
  private types(payload: Uint8Array | undefined): Uint8Array {
    const w = new BinaryWriter((payload?.length ?? 0) + 16);
    let rest: Uint8Array = new Uint8Array(0);
    let groups = 0;
    if (payload) {
      const r = new BinaryReader(payload);
      groups = r.u32();
      rest = payload.subarray(r.pos);
    }
    w.u32(groups + 2).bytes(rest);
    writeRecGroup(w, { types: [{ final: true, supertypes: [], type: { kind: 'func', params: [], results: ['i32'] } }] });
    writeRecGroup(w, { types: [{ final: true, supertypes: [], type: { kind: 'func', params: ['i32'], results: ['i32'] } }] });
    return w.finish();
  }

  private imports(): Uint8Array {
    const names = regionNames(this.k);
    const shared: Import = { module: 'env', name: 'memory', desc: { kind: 'memory', type: this.layout.memory } };
    const imports = this.m.imports.map((im) => (im.desc.kind === 'memory' ? shared : im));
    if (this.m.importedMemoryCount === 0) imports.push(shared);
    const sizeType = this.m.types.length;
    imports.push(
      { module: REGIONS_MODULE, name: names.base, desc: { kind: 'global', type: { type: 'i32', mutable: true } } },
      { module: REGIONS_MODULE, name: names.bytes, desc: { kind: 'global', type: { type: 'i64', mutable: true } } },
      { module: REGIONS_MODULE, name: names.size, desc: { kind: 'func', typeIndex: sizeType } },
      { module: REGIONS_MODULE, name: names.grow, desc: { kind: 'func', typeIndex: sizeType + 1 } },
    );
    return encodeImportSection(imports);
  }

  private expr(e: Expr): Expr {
    return { bytes: rewriteIndices(e.bytes, e.offset, this.maps), offset: e.offset };
  }

  /**
   * An i32 constant expression that reads globals, as the constant it evaluates to when that is
   * known (else renumbered like any other): the linker makes every global that came from another
   * instance a defined one, which engines without GC do not let constant expressions read.
   */
  private folded(e: Expr): Expr {
    const bytes = foldGlobalReads(e, this.globalValue);
    return bytes ? { bytes, offset: e.offset } : this.expr(e);
  }

  private mapExport(kind: string, index: number): number {
    if (kind === 'func') return this.maps.func!(index);
    if (kind === 'global') return this.maps.global!(index);
    return index;
  }

  /** Table initializers may name functions (ref.func) or globals; undefined when none has one. */
  private tables(): Uint8Array | undefined {
    if (!this.m.tables.some((t) => t.init)) return undefined;
    return encodeTableSection(this.m.tables.map((t) => (t.init ? { type: t.type, init: this.expr(t.init) } : t)));
  }

  private elements(): Uint8Array {
    return encodeElementSection(
      this.m.elements.map((seg) => ({
        ...seg,
        offset: seg.offset && this.folded(seg.offset),
        funcs: seg.funcs?.map(this.maps.func!),
        exprs: seg.exprs?.map((e) => this.expr(e)),
      })),
    );
  }

  private code(): Uint8Array {
    const m = this.m;
    return rebaseCode(
      m.code,
      m.functions.map((t) => {
        const type = m.types[t];
        return type?.kind === 'func' ? type : undefined;
      }),
      this.refs,
    );
  }

  /**
   * Active segments move into the region, at a constant: the region's base is static only at
   * instantiation, so an offset that reads globals is evaluated here (memory-regions-offsets.ts).
   */
  private data(d: DataSegment, i: number): DataSegment {
    if (d.mode !== 'active') return d;
    const at = d.offset!.offset;
    const v = evaluateConst(d.offset!, this.globalValue);
    if ('why' in v) {
      throw new WasiAdaptError(
        'unsupported',
        `data segment ${i} has a computed offset the linker cannot know: ${v.why}; only offsets made of i32.const and immutable globals with constant values (and i32.add/sub/mul) can be moved into a region`,
        { offset: at },
      );
    }
    const offset = v.value;
    const region = this.layout.regions[this.k]!;
    if (offset + d.init.length > region.initial * 65536) {
      throw new WasiAdaptError('bad-value', `data segment ${i} (${d.init.length} bytes at ${offset}) does not fit in the memory's ${region.initial} initial pages; the module cannot be instantiated`, { offset: at });
    }
    const bytes = new BinaryWriter(8).u8(0x41).sleb((region.base + offset) | 0).u8(0x0b).finish();
    return { ...d, offset: { bytes, offset: at } };
  }

  /** The name section with function and global indices moved like the module's. */
  private names(payload: Uint8Array, offset: number): Uint8Array {
    const r = new BinaryReader(payload, offset);
    const nameLen = r.u32();
    r.skip(nameLen);
    const names = parseNameSection(payload.subarray(r.pos), r.offset);
    const remap = (map: NameMap | undefined, f: (i: number) => number) => map && new Map([...map].map(([i, n]) => [f(i), n]));
    const remapOuter = (map: IndirectNameMap | undefined) => map && new Map([...map].map(([i, inner]) => [this.maps.func!(i), inner]));
    names.functions = remap(names.functions, this.maps.func!);
    names.globals = remap(names.globals, this.maps.global!);
    names.locals = remapOuter(names.locals);
    names.labels = remapOuter(names.labels);
    return encodeCustomSection('name', encodeNameSection(names));
  }
}

function importedMemory(m: CoreModule): Limits {
  for (const im of m.imports) if (im.desc.kind === 'memory') return im.desc.type;
  throw new WasiAdaptError('bad-section', 'the module counts an imported memory but has none');
}
