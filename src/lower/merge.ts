import { forEachBodyIndex } from '../binary/code.js';
import { forEachIndex, rewriteIndices, type Expr, type IndexMaps } from '../binary/instructions.js';
import {
  encodeCustomSection,
  dataSectionSize,
  encodeModule,
  lebSize,
  SectionId,
  type DataSegment,
  type Section,
  type ElementSegment,
  type Export,
  type Global,
  type Import,
  type Table,
  writeDataSection,
} from '../binary/module.js';
import { encodeNameSection } from '../binary/names.js';
import type { FuncType, Limits, TagType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';
import { VERSION } from '../version.js';
import { assemble, CodeLayout, encodedSection, type CodeEntry, type TailSection } from './emit.js';
import { handleTargets } from './gen-handles.js';
import { genBody, genSig, type GenContext, type HandleGlobals, type UndoGlobals } from './gen.js';
import type { LowerReport } from './index.js';
import { funcType, type LinkModule } from './link-module.js';
import { boundGlobals, foldGlobalReads } from './memory-regions-offsets.js';
import type { Plan, PlannedInstance, Target } from './plan.js';
import { p3ExportTargets } from './p3-gen.js';

export interface MergeResult {
  bytes: Uint8Array;
  functions: number;
  hostImports: string[];
  /** The output's export names (the plan's, less `_initialize` where `_start` runs it). */
  exports: string[];
  debugInfo: LowerReport['debugInfo'];
}

/**
 * Writes the planned instances as one module: each instance's defined items
 * are appended to the output's index spaces (funcs nothing reaches are left
 * out), its imports become the indices of what they were resolved to, and
 * every body is copied with its index immediates rewritten.
 */
export function merge(plan: Plan, source: (inst: PlannedInstance) => LinkModule): MergeResult {
  return new Merger(plan, source).run();
}

type ItemSort = 'table' | 'memory' | 'global' | 'tag';

/** Output index of each module-local index (-1: left out). */
interface Space {
  func: Int32Array;
  table: Int32Array;
  memory: Int32Array;
  global: Int32Array;
  type: Int32Array;
  elem: Int32Array;
  data: Int32Array;
  tag: Int32Array;
}

class Merger {
  private readonly mods = new Map<number, LinkModule>();
  private readonly insts = new Map<number, PlannedInstance>();
  private readonly spaces = new Map<number, Space>();
  /** Index in `code` of each instance's first body. */
  private readonly firstBody = new Map<number, number>();
  private readonly reached = new Map<number, Uint8Array>();
  private readonly genReached = new Set<number>();
  private readonly genIndex = new Map<number, number>();
  private readonly hostReached = new Map<string, Extract<Target, { kind: 'host' }>>();
  private readonly hostIndex = new Map<string, number>();
  private readonly typeKeys = new Map<string, number>();
  /** Link-time values of each instance's globals: constant expressions reading one another instance provides are folded (memory-regions-offsets.ts). */
  private readonly globalValues = boundGlobals((k) => this.mods.get(k)?.core, (k) => this.insts.get(k)?.imports);
  private readonly extra: { bump?: { next: number; end: number }; selector?: number; handles?: HandleGlobals; undo?: UndoGlobals; lent?: number } = {};

  // The output, in section order.
  private readonly types: FuncType[] = [];
  private readonly imports: Import[] = [];
  private readonly functions: number[] = [];
  private readonly code: CodeEntry[] = [];
  private readonly tables: Table[] = [];
  private readonly memories: Limits[] = [];
  private readonly tags: TagType[] = [];
  private readonly globals: Global[] = [];
  private readonly exports: Export[] = [];
  private readonly elements: ElementSegment[] = [];
  private readonly data: DataSegment[] = [];
  private readonly names = new Map<number, string>();
  private dataCount = false;
  private start: number | undefined;
  /** The instances' start functions (the plan's start calls among them), in instantiation order (placeStarts decides where they run). */
  private starts: number[] = [];
  private nextFunc = 0;

  constructor(
    private readonly plan: Plan,
    source: (inst: PlannedInstance) => LinkModule,
  ) {
    for (const inst of plan.instances) {
      this.mods.set(inst.key, inst.link ?? source(inst));
      this.insts.set(inst.key, inst);
    }
  }

  run(): MergeResult {
    this.reach();
    this.place();
    this.bindImports();
    this.copyBodies();
    this.copySegments();
    for (const e of this.plan.exports) {
      const index = e.sort === 'func' ? this.funcIndex(e.target) : this.itemIndex(e.target, e.sort as ItemSort);
      this.exports.push({ name: e.name, kind: e.sort, index });
    }
    this.placeStarts();
    const head = encodeModule({
      types: this.types,
      imports: this.imports,
      functions: this.functions,
      tables: this.tables,
      memories: this.memories,
      tags: this.tags,
      globals: this.globals,
      exports: this.exports,
      start: this.start,
      elements: this.elements,
      dataCount: this.dataCount ? this.data.length : undefined,
    });
    const code = new CodeLayout(this.code);
    const debug = this.debugInfo(code);
    const tail: TailSection[] = [];
    const data = this.data;
    if (data.length) tail.push({ id: SectionId.data, size: dataSectionSize(data), write: (out) => writeDataSection(out, data) });
    // Where wasm-ld puts them: after the data, before the name section.
    for (const s of debug.keep) tail.push(encodedSection(SectionId.custom, s.payload));
    if (this.names.size) tail.push(encodedSection(SectionId.custom, encodeCustomSection('name', encodeNameSection({ raw: [], functions: this.names }))));
    tail.push(encodedSection(SectionId.custom, encodeCustomSection('producers', this.producersSection())));
    const bytes = assemble(head, code, tail);
    return {
      bytes,
      functions: this.functions.length,
      hostImports: this.imports.map((i) => `${i.module}.${i.name}`),
      exports: this.exports.map((e) => e.name),
      debugInfo: debug.report,
    };
  }

  // ---- reachability ------------------------------------------------------

  /**
   * Marks the funcs reachable from exports, starts, element segments and
   * global initializers. Only pruned instances' bodies are scanned for calls;
   * the others are kept whole (scanning a 12 MB program twice costs more
   * than the few dead functions it would find).
   */
  private reach(): void {
    const work: number[] = []; // pairs: instance key, func
    const target = (t: Target): void => {
      if (t.kind === 'local') work.push(t.instance, t.index);
      else if (t.kind === 'host') {
        const key = `${t.module}\0${t.name}`;
        if (!this.hostReached.get(key)?.sig) this.hostReached.set(key, t);
      }
      else if (!this.genReached.has(t.index)) {
        this.genReached.add(t.index);
        const g = this.plan.gens[t.index]!;
        if (g.kind === 'run-wrapper') [g.run, g.procExit].forEach(target);
        else if (g.kind === 'set-realloc') target(g.callee);
        else if (g.kind === 'realloc-dispatch') g.reallocs.forEach(target);
        else if (g.kind === 'handle-new' || g.kind === 'undo-push') target(g.alloc);
        else if (g.kind === 'handle-drop' && g.dtor) target(g.dtor);
        else if (g.kind === 'handle-lend' || g.kind === 'wasi-loan') target(g.push);
        else if (g.kind === 'wasi-loan-drop') target(g.dtor);
        else if (g.kind === 'chain') [g.first, g.then].forEach(target);
        else if (g.kind === 'stub') [g.fdWrite, g.alloc].forEach((t) => t && target(t));
        else if (g.kind === 'handle-wrapper') handleTargets(g).forEach(target);
        else if (g.kind === 'p3-start') [g.entry, g.callback, g.next, g.code, g.p1, g.p2, g.finish, g.procExit].forEach(target);
        else if (g.kind === 'bind-consts' || g.kind === 'p3-returned' || g.kind === 'p3-sync-call') target(g.callee);
        else if (g.kind === 'p3-task-return') [g.areaOf, g.done, ...(g.keep ? [g.keep] : [])].forEach(target);
        else if (g.kind === 'p3-new-task') [g.begin, g.callee].forEach(target);
        else if (g.kind === 'p3-export' || g.kind === 'p3-post-return') p3ExportTargets(g).forEach(target);
      }
    };
    for (const [key, lm] of this.mods) {
      const m = lm.core;
      this.reached.set(key, new Uint8Array(lm.funcTypes.length));
      if (!this.insts.get(key)!.prune) {
        // Whole: every func is kept, and its imports are bound in their own order (so the
        // output's imports follow the program's).
        this.reached.get(key)!.fill(1);
        for (let f = 0; f < m.importedFuncCount; f++) target(this.importTarget(key, 'func', f));
        continue;
      }
      if (m.start !== undefined) work.push(key, m.start);
      for (const seg of m.elements) {
        for (const f of seg.funcs ?? []) work.push(key, f);
        for (const e of seg.exprs ?? []) for (const f of funcRefs(e)) work.push(key, f);
      }
      for (const g of m.globals) for (const f of funcRefs(g.init)) work.push(key, f);
    }
    for (const e of this.plan.exports) if (e.sort === 'func') target(e.target);
    for (const s of this.plan.startCalls) target(s.target);
    while (work.length) {
      const f = work.pop()!;
      const key = work.pop()!;
      const seen = this.reached.get(key)!;
      if (f >= seen.length) throw new WasiAdaptError('bad-value', `function index ${f} is out of range`);
      if (seen[f]) continue;
      seen[f] = 1;
      const m = this.mods.get(key)!.core;
      if (f < m.importedFuncCount) {
        target(this.importTarget(key, 'func', f));
        continue;
      }
      forEachBodyIndex(m.code[f - m.importedFuncCount]!, (space, value) => {
        if (space === 'func') work.push(key, value);
      });
    }
  }

  /** What the `index`-th import of `sort` of an instance was bound to. */
  private importTarget(key: number, sort: 'func' | ItemSort, index: number): Target {
    const inst = this.insts.get(key)!;
    const at = inst.module.importPosition(sort, index);
    if (at < 0) throw new WasiAdaptError('bad-value', `import ${sort} ${index} of module ${inst.module.name} does not exist`);
    return inst.imports[at]!;
  }

  // ---- index spaces ------------------------------------------------------

  /** Gives every kept item an output index: host imports first, then each instance's own items, then generated funcs. */
  private place(): void {
    // Types first, in instance order: the program's own type indices then stay as they were.
    const typeMaps = new Map<number, Int32Array>();
    for (const inst of this.plan.instances) {
      const types = this.mods.get(inst.key)!.core.types;
      typeMaps.set(inst.key, Int32Array.from(types, (t) => this.typeIndex(t as FuncType)));
    }
    for (const [key, h] of this.hostReached) {
      if (!h.sig) throw new WasiAdaptError('bad-value', `no core type is known for the import ${h.module}.${h.name}`);
      this.hostIndex.set(key, this.imports.length);
      this.imports.push({ module: h.module, name: h.name, desc: { kind: 'func', typeIndex: this.typeIndex(h.sig) } });
    }
    this.nextFunc = this.imports.length;
    let memoryOwner: string | undefined;
    for (const inst of this.plan.instances) {
      const lm = this.mods.get(inst.key)!;
      const m = lm.core;
      const seen = this.reached.get(inst.key)!;
      const space: Space = {
        func: new Int32Array(lm.funcTypes.length).fill(-1),
        table: new Int32Array(m.importedTableCount + m.tables.length).fill(-1),
        memory: new Int32Array(m.importedMemoryCount + m.memories.length).fill(-1),
        global: new Int32Array(m.importedGlobalCount + m.globals.length).fill(-1),
        type: typeMaps.get(inst.key)!,
        elem: new Int32Array(m.elements.length),
        data: new Int32Array(m.data.length),
        tag: new Int32Array(m.importedTagCount + m.tags.length).fill(-1),
      };
      for (let f = m.importedFuncCount; f < seen.length; f++) if (seen[f]) space.func[f] = this.nextFunc++;
      m.tables.forEach((t, i) => (space.table[m.importedTableCount + i] = this.tables.push(t) - 1));
      m.tags.forEach((t, i) => (space.tag[m.importedTagCount + i] = this.tags.push(t) - 1));
      m.globals.forEach((_, i) => (space.global[m.importedGlobalCount + i] = this.globals.length + i));
      this.globals.length += m.globals.length;
      if (m.memories.length) {
        if (memoryOwner !== undefined || m.memories.length > 1) {
          throw new WasiAdaptError(
            'unsupported',
            `the component has more than one memory (${memoryOwner ?? inst.module.name} and ${inst.module.name}); ` +
              'a p1 module has exactly one: run it on a WASI 0.2 host (wasmtime, jco)',
            { offset: m.base },
          );
        }
        memoryOwner = inst.module.name;
        space.memory[m.importedMemoryCount] = this.memories.push(m.memories[0]!) - 1;
      }
      m.elements.forEach((_, i) => (space.elem[i] = this.elements.length + i));
      this.elements.length += m.elements.length;
      m.data.forEach((_, i) => (space.data[i] = this.data.length + i));
      this.data.length += m.data.length;
      if (m.dataCount !== undefined) this.dataCount = true;
      this.spaces.set(inst.key, space);
    }
    for (const g of this.plan.gens.keys()) if (this.genReached.has(g)) this.genIndex.set(g, this.nextFunc++);
  }

  /** Imports point at items of other instances, so they are bound once everything is placed. */
  private bindImports(): void {
    for (const inst of this.plan.instances) {
      const space = this.spaces.get(inst.key)!;
      const seen = this.reached.get(inst.key)!;
      inst.module.imports.forEach((imp, i) => {
        const t = inst.imports[i]!;
        if (imp.sort === 'func') {
          if (seen[imp.index]) space.func[imp.index] = this.funcIndex(t);
        } else space[imp.sort][imp.index] = this.itemIndex(t, imp.sort);
      });
    }
  }

  private typeIndex(t: FuncType): number {
    if (t.kind !== 'func') throw new WasiAdaptError('unsupported', 'down links function types only');
    const key = sigKey(t);
    let index = this.typeKeys.get(key);
    if (index === undefined) {
      index = this.types.push(t) - 1;
      this.typeKeys.set(key, index);
    }
    return index;
  }

  private funcIndex(t: Target): number {
    let index: number | undefined;
    if (t.kind === 'host') index = this.hostIndex.get(`${t.module}\0${t.name}`);
    else if (t.kind === 'gen') index = this.genIndex.get(t.index);
    else index = this.spaces.get(t.instance)?.func[t.index];
    if (index === undefined || index < 0) throw new WasiAdaptError('bad-value', `internal: a function target was not placed (${JSON.stringify(t)})`);
    return index;
  }

  private itemIndex(t: Target, sort: ItemSort): number {
    if (t.kind !== 'local' || t.sort !== sort) {
      const what = t.kind === 'host' ? `the host's ${t.module}.${t.name}` : 'a function';
      throw new WasiAdaptError('unsupported', `a ${sort} import resolves to ${what}; down links only ${sort}s defined inside the component`);
    }
    const index = this.spaces.get(t.instance)![sort][t.index];
    if (index === undefined || index < 0) throw new WasiAdaptError('bad-value', `${sort} ${t.index} of instance ${t.instance} does not exist`);
    return index;
  }

  private sigOf(t: Target): FuncType {
    if (t.kind === 'host') return t.sig!;
    if (t.kind === 'gen') return genSig(this.plan.gens[t.index]!, this.genContext());
    return funcType(this.mods.get(t.instance)!, t.index);
  }

  // ---- contents ----------------------------------------------------------

  private maps(key: number): IndexMaps {
    const s = this.spaces.get(key)!;
    const at = (arr: Int32Array) => (i: number) => {
      const v = arr[i];
      if (v === undefined || v < 0) throw new WasiAdaptError('bad-value', `index ${i} is out of range or refers to something left out`);
      return v;
    };
    return { func: at(s.func), table: at(s.table), memory: at(s.memory), global: at(s.global), type: at(s.type), elem: at(s.elem), data: at(s.data), tag: at(s.tag) };
  }

  private copyBodies(): void {
    const starts: { key: number; func: number }[] = [];
    for (const inst of this.plan.instances) {
      const lm = this.mods.get(inst.key)!;
      const m = lm.core;
      const space = this.spaces.get(inst.key)!;
      const maps = this.maps(inst.key);
      // Only the index spaces that moved are scanned for; where none did (often the program
      // itself), bodies are copied unscanned.
      const spaces = [space.func, space.table, space.memory, space.global, space.type, space.data, space.elem, space.tag];
      const mask = spaces.reduce((bits, arr, i) => (isIdentity(arr) ? bits : bits | (1 << i)), 0);
      const bodyMaps = mask ? spaces : null;
      this.firstBody.set(inst.key, this.code.length);
      for (let i = 0; i < m.code.length; i++) {
        const f = m.importedFuncCount + i;
        const out = space.func[f]!;
        if (out < 0) continue;
        this.functions.push(space.type[lm.funcTypes[f]!]!);
        this.code.push({ body: m.code[i]!, maps: bodyMaps, mask });
        const name = lm.funcNames.get(f);
        if (name !== undefined) this.names.set(out, name);
      }
      m.globals.forEach((g, i) => {
        this.globals[space.global[m.importedGlobalCount + i]!] = { type: g.type, init: (g.type.type === 'i32' && this.folded(inst.key, g.init)) || rewritten(g.init, maps) };
      });
      if (m.start !== undefined) starts.push({ key: inst.key, func: space.func[m.start]! });
    }
    for (const s of this.plan.startCalls) starts.push({ key: s.key, func: this.funcIndex(s.target) });
    this.starts = starts.sort((a, b) => a.key - b.key).map((s) => s.func);
    const ctx = this.genContext();
    for (const [g, index] of this.genIndex) {
      const gen = this.plan.gens[g]!;
      this.functions.push(this.typeIndex(genSig(gen, ctx)));
      this.code.push(genBody(gen, ctx));
      this.names.set(index, `wasi-adapt:${gen.kind}`);
    }
  }

  /**
   * Where the instances' start functions run. A p1 host serves WASI only from `_start` or
   * `_initialize` on (node:wasi has no memory to read before), and a component's starts may reach
   * it: wit-component starts main's `_initialize`, whose constructors call WASI. A command runs
   * them first in `_start`, as a component host runs them at instantiation, before `run` (and
   * main's `_initialize` is then not exported too when a start calls it). In a reactor, the starts
   * from the one calling main's exported `_initialize` on run when the host calls `_initialize`
   * (once, not also at instantiation); the others stay the module's start.
   */
  private placeStarts(): void {
    let starts = this.starts;
    const func = (name: string) => this.exports.findIndex((e) => e.name === name && e.kind === 'func');
    const start = func('_start');
    const init = func('_initialize');
    if (start >= 0 && starts.length) {
      if (init >= 0 && starts.includes(this.exports[init]!.index)) this.exports.splice(init, 1);
      const entry = this.exports[func('_start')]!;
      entry.index = this.sequence([...starts, entry.index]);
      return;
    }
    const from = init >= 0 ? starts.indexOf(this.exports[init]!.index) : -1;
    if (from >= 0) {
      const rest = starts.slice(from);
      this.exports[init]!.index = rest.length === 1 ? rest[0]! : this.sequence(rest);
      starts = starts.slice(0, from);
    }
    this.start = starts.length <= 1 ? starts[0] : this.sequence(starts);
  }

  /** A function calling `funcs` in order (a module has one start function; `_start` runs the starts first). */
  private sequence(funcs: number[]): number {
    const w = new BinaryWriter(16).u32(0);
    for (const s of funcs) w.u8(0x10).u32(s);
    w.u8(0x0b);
    const index = this.nextFunc++;
    this.functions.push(this.typeIndex({ kind: 'func', params: [], results: [] }));
    this.code.push(w.finish());
    this.names.set(index, 'wasi-adapt:start');
    return index;
  }

  private genContext(): GenContext {
    return {
      func: (t) => this.funcIndex(t),
      sigOf: (t) => this.sigOf(t),
      bumpGlobals: () => (this.extra.bump ??= { next: this.addGlobal(), end: this.addGlobal() }),
      selectorGlobal: () => (this.extra.selector ??= this.addGlobal()),
      handleGlobals: () => (this.extra.handles ??= { base: this.addGlobal(), cap: this.addGlobal(), len: this.addGlobal(), free: this.addGlobal() }),
      undoGlobals: () => (this.extra.undo ??= { base: this.addGlobal(), top: this.addGlobal(), cap: this.addGlobal() }),
      lentGlobal: () => (this.extra.lent ??= this.addGlobal()),
    };
  }

  private addGlobal(): number {
    const init = Uint8Array.of(0x41, 0x00, 0x0b);
    return this.globals.push({ type: { type: 'i32', mutable: true }, init: { bytes: init, offset: 0 } }) - 1;
  }

  private folded(key: number, e: Expr): Expr | undefined {
    const bytes = foldGlobalReads(e, this.globalValues(key));
    return bytes && { bytes, offset: e.offset };
  }

  private copySegments(): void {
    for (const inst of this.plan.instances) {
      const m = this.mods.get(inst.key)!.core;
      const space = this.spaces.get(inst.key)!;
      const maps = this.maps(inst.key);
      // Constant expressions name only globals and funcs; skip rewriting them where neither moved.
      const sameGlobalsAndFuncs = isIdentity(space.global) && isIdentity(space.func);
      const exprs = (e: Expr) => (sameGlobalsAndFuncs || isPlainConst(e.bytes) ? e : rewritten(e, maps));
      m.elements.forEach((seg, i) => {
        const table = seg.mode === 'active' ? maps.table!(seg.table) : 0;
        const out: ElementSegment = {
          mode: seg.mode,
          table,
          type: seg.type,
          // The form read may imply table 0; let the encoder pick one that can name the new table.
          flags: table === seg.table ? seg.flags : undefined,
        };
        if (seg.offset) out.offset = this.folded(inst.key, seg.offset) ?? exprs(seg.offset);
        if (seg.funcs) out.funcs = seg.funcs.map(maps.func!);
        if (seg.exprs) out.exprs = seg.exprs.map(exprs);
        this.elements[space.elem[i]!] = out;
      });
      m.data.forEach((seg, i) => {
        const memory = seg.mode === 'active' ? maps.memory!(seg.memory) : 0;
        const out: DataSegment = { mode: seg.mode, memory, init: seg.init, initOffset: seg.initOffset };
        if (seg.offset) out.offset = this.folded(inst.key, seg.offset) ?? exprs(seg.offset);
        this.data[space.data[i]!] = out;
      });
    }
  }

  // ---- custom sections ---------------------------------------------------

  /**
   * DWARF addresses code by offsets from the start of the code section's
   * payload, so main's `.debug_*` sections stay true only if every body of
   * main lands at its input offset, written as read. That is checked on the
   * layout the code section is then written from; any other linked module's
   * DWARF is dropped (its code moved, and a module has one `.debug_info`).
   */
  private debugInfo(code: CodeLayout): { keep: Section[]; report: LowerReport['debugInfo'] } {
    const report: LowerReport['debugInfo'] = { kept: [], keptBytes: 0, dropped: [] };
    let keep: Section[] = [];
    let main = false;
    for (const inst of this.plan.instances) {
      const sections = this.mods.get(inst.key)!.core.sections.filter((s) => s.name?.startsWith('.debug_'));
      const names = sections.map((s) => s.name!);
      const bytes = sections.reduce((n, s) => n + s.payload.length, 0);
      const first = inst.module.role === 'main' && !main;
      main ||= inst.module.role === 'main';
      if (!sections.length) continue;
      const reason =
        inst.module.role !== 'main'
          ? `${inst.module.name} is not the main module`
          : first
            ? this.bodiesMoved(inst.key, code)
            : `a second instance of ${inst.module.name}`;
      if (reason === undefined) {
        keep = sections;
        report.kept = names;
        report.keptBytes = bytes;
      } else report.dropped.push({ module: inst.module.name, sections: names, bytes, reason });
    }
    return { keep, report };
  }

  /** Why main's DWARF would be wrong in the output, or undefined if every body sits where it did, unchanged. */
  private bodiesMoved(key: number, code: CodeLayout): string | undefined {
    const m = this.mods.get(key)!.core;
    const space = this.spaces.get(key)!;
    const first = this.firstBody.get(key)!;
    for (let f = m.importedFuncCount; f < space.func.length; f++) {
      if (space.func[f]! < 0) return "some of main's functions were left out";
    }
    for (let i = 0; i < m.code.length; i++) {
      if (!code.rewritten[first + i]) continue;
      const moved = Object.entries(space).flatMap(([sort, map]) => (isIdentity(map) ? [] : [sort]));
      return `main's code was rewritten: ${moved.join(', ')} indices moved`;
    }
    const section = m.sections.find((s) => s.id === SectionId.code);
    for (let i = 0; i < m.code.length; i++) {
      const shift = code.at[first + i]! - (m.code[i]!.offset - section!.offset);
      if (shift === 0) continue;
      if (first > 0) return `main's code no longer starts the code section (${first} ${first === 1 ? 'body' : 'bodies'} of other modules come first)`;
      const before = lebLength(section!.payload);
      const after = lebSize(code.entries.length);
      if (before !== after) return `the function count takes ${after} bytes, not ${before} as in main: every offset moves by ${after - before} B`;
      return `main's bodies move by ${shift} B from its body ${i} on (their sizes were padded in the input)`;
    }
    return undefined;
  }

  /** The linked modules' producers, plus wasi-adapt under processed-by. */
  private producersSection(): Uint8Array {
    const fields = new Map<string, Map<string, string>>();
    for (const lm of this.mods.values()) {
      for (const [field, values] of lm.producers) {
        const into = fields.get(field) ?? new Map<string, string>();
        fields.set(field, into);
        for (const [name, version] of values) into.set(name, version);
      }
    }
    const processed = fields.get('processed-by') ?? new Map<string, string>();
    fields.set('processed-by', processed);
    processed.set('wasi-adapt', VERSION);
    const w = new BinaryWriter(256).u32(fields.size);
    for (const [field, values] of fields) {
      w.name(field).u32(values.size);
      for (const [name, version] of values) w.name(name).name(version);
    }
    return w.finish();
  }
}

/** Bytes of the LEB128 at the start of `b`. */
function lebLength(b: Uint8Array): number {
  let n = 0;
  while (b[n]! & 0x80) n++;
  return n + 1;
}

function isIdentity(map: Int32Array): boolean {
  return map.every((v, i) => v === i);
}

/** `i32.const k; end` or `i64.const k; end`: names no index (the offset of nearly every segment, 10,000 in a JS runtime). */
function isPlainConst(b: Uint8Array): boolean {
  if (b[0] !== 0x41 && b[0] !== 0x42) return false;
  let p = 1;
  while (p < b.length && b[p]! & 0x80) p++;
  return p + 2 === b.length && b[p + 1] === 0x0b;
}

function rewritten(e: Expr, maps: IndexMaps): Expr {
  return { bytes: rewriteIndices(e.bytes, e.offset, maps), offset: e.offset };
}

function funcRefs(e: Expr): number[] {
  const out: number[] = [];
  forEachIndex(e.bytes, e.offset, (space, value) => {
    if (space === 'func') out.push(value);
  });
  return out;
}

function sigKey(t: FuncType): string {
  const v = (x: FuncType['params']) => x.map((y) => (typeof y === 'string' ? y : `${y.nullable ? 'null ' : ''}${String(y.heap)}`)).join(',');
  return `${v(t.params)}->${v(t.results)}`;
}
