/**
 * Encodes the lifted component. Its shape is fixed, so it is written
 * directly: WASI imports; the main module, the adapter, shim and fixup; core
 * instances wired shim -> main -> adapter -> fixup; and for commands the
 * `run` export (the adapter's, or main's own) lifted and exported as
 * wasi:cli/run.
 */
import type { FuncType } from '../binary/module.js';
import { BinaryWriter } from '../binary/writer.js';
import { fixupModule, shimModule, SHIM, type Slot } from './glue.js';
import { funcOf, instanceType, planInterfaces, resolveIn } from './itype.js';
import { isWasi02, type DirectImport } from './mixed.js';
import { WASI } from './wasi.js';
import { lowerNeeds } from './wit.js';
import type { StrippedImport } from './strip.js';

export interface ComponentParts {
  main: Uint8Array;
  /**
   * The import modules main uses (preview1's name, WASI 0.2 interfaces it imports directly,
   * and their repeats: see imports.ts): preview1 ones are bound to the shim.
   */
  mainImports: readonly string[];
  /** Main's own WASI 0.2 imports (mixed modules). */
  direct: readonly DirectImport[];
  adapter: Uint8Array;
  /** The adapter's function imports (WASI ones and `__main_module__` ones). */
  adapterImports: readonly StrippedImport[];
  /** p1 functions main imports: name, and the adapter export and core type that implement it. */
  p1: readonly Slot[];
  version: string;
  /** A command's core export lifted as wasi:cli/run.run, and which instance exports it. */
  run?: { from: 'adapter' | 'main'; name: string };
  /** Main's _initialize to run once wired. */
  initialize: boolean;
}

const MAIN = '__main_module__';
const DROP = '[resource-drop]';

// Section ids and sorts of the component binary format.
const S = { coreModule: 1, coreInstance: 2, instance: 5, alias: 6, type: 7, canon: 8, import: 10, export: 11 } as const;
const CORE_FUNC = [0x00, 0x00];
const CORE_MEMORY = [0x00, 0x02];
const FUNC = 0x01;
const TYPE = 0x03;
const INSTANCE = 0x05;

class Builder {
  private w = new BinaryWriter(2048);
  // Finished parts; modules are kept by reference so big inputs are copied once, at the end.
  private readonly chunks: Uint8Array[] = [];
  counts = { type: 0, instance: 0, func: 0, coreFunc: 0, coreInstance: 0, coreModule: 0, coreTable: 0, coreMemory: 0 };

  constructor() {
    this.w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  }

  /** One section holding a single item. */
  section(id: number, item: (w: BinaryWriter) => void): void {
    this.w.u8(id).fork().u32(1);
    item(this.w);
    this.w.join();
  }

  coreModule(bytes: Uint8Array): number {
    this.w.u8(S.coreModule).u32(bytes.length);
    this.chunks.push(this.w.finish(), bytes);
    this.w = new BinaryWriter(2048);
    return this.counts.coreModule++;
  }

  finish(): Uint8Array {
    this.chunks.push(this.w.finish());
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  aliasCoreExport(sort: number[], instance: number, name: string): number {
    this.section(S.alias, (w) => w.bytes(new Uint8Array(sort)).u8(0x01).u32(instance).name(name));
    if (sort[1] === 0x00) return this.counts.coreFunc++;
    if (sort[1] === 0x01) return this.counts.coreTable++;
    return this.counts.coreMemory++;
  }

  aliasExport(sort: number, instance: number, name: string): number {
    this.section(S.alias, (w) => w.u8(sort).u8(0x00).u32(instance).name(name));
    return sort === TYPE ? this.counts.type++ : this.counts.func++;
  }

  instantiate(module: number, args: [string, number][]): number {
    this.section(S.coreInstance, (w) => {
      w.u8(0x00).u32(module).u32(args.length);
      for (const [name, inst] of args) w.name(name).u8(0x12).u32(inst);
    });
    return this.counts.coreInstance++;
  }

  /** A core instance made of exports: [name, core sort, index]. */
  coreExports(items: [string, number[], number][]): number {
    this.section(S.coreInstance, (w) => {
      w.u8(0x01).u32(items.length);
      for (const [name, sort, idx] of items) w.name(name).u8(sort[1]!).u32(idx);
    });
    return this.counts.coreInstance++;
  }

  /** canon lower of a component function; options as raw canonopt bytes. */
  lower(func: number, opts: number[][]): number {
    this.section(S.canon, (w) => {
      w.u8(0x01).u8(0x00).u32(func).u32(opts.length);
      for (const o of opts) w.bytes(new Uint8Array(o));
    });
    return this.counts.coreFunc++;
  }

  resourceDrop(type: number): number {
    this.section(S.canon, (w) => w.u8(0x03).u32(type));
    return this.counts.coreFunc++;
  }
}

function uleb(v: number): number[] {
  return Array.from(new BinaryWriter(5).u32(v).finish());
}

export function encodeComponent(parts: ComponentParts): { bytes: Uint8Array; interfaces: string[] } {
  const b = new Builder();
  const at = (iface: string) => `${iface}@${parts.version}`;

  // WASI imports, providers first, each `use`d type aliased from its provider: one import per
  // interface, declaring what the adapter and main use of it.
  const byModule = new Map<string, StrippedImport[]>();
  for (const im of parts.adapterImports) {
    if (im.module === MAIN) continue;
    byModule.set(im.module, [...(byModule.get(im.module) ?? []), im]);
  }
  const used = new Map<string, Set<string>>();
  const use = (iface: string, name: string) => used.set(iface, (used.get(iface) ?? new Set()).add(name));
  for (const [module, ims] of byModule) ims.forEach((im) => use(module, im.name));
  parts.direct.forEach((d) => use(d.iface, d.name));
  const plans = planInterfaces(used);
  const instances = new Map<string, number>();
  for (const p of plans) {
    const outer = new Map<string, number>();
    for (const [name, from] of Object.entries(WASI[p.name]!.uses ?? {})) {
      if (p.types.has(name)) outer.set(name, b.aliasExport(TYPE, instances.get(from)!, name));
    }
    b.section(S.type, (w) => w.bytes(instanceType(p, outer)));
    const type = b.counts.type++;
    b.section(S.import, (w) => w.u8(0x00).name(at(p.name)).u8(INSTANCE).u32(type));
    instances.set(p.name, b.counts.instance++);
  }

  // Lowerings that need the guest's memory cannot exist before main does: they go through
  // the shim table. A realloc, when needed, is the adapter's for its own imports (lists land
  // in its arena) and main's cabi_realloc for main's.
  const indirect: Lowering[] = [];
  const slotOf = new Map<string, number>();
  const plan = (owner: Lowering['owner'], iface: string, name: string, type: FuncType) => {
    if (name.startsWith(DROP)) return;
    const needs = lowerNeeds(funcOf(iface, name), resolveIn(iface));
    if (!needs.memory) return;
    slotOf.set(keyOf(owner, iface, name), parts.p1.length + indirect.length);
    indirect.push({ owner, iface, name, type, realloc: needs.realloc });
  };
  for (const im of parts.adapterImports) if (im.module !== MAIN) plan('adapter', im.module, im.name, im.type);
  for (const d of parts.direct) plan('main', d.iface, d.name, d.type);
  const slots: Slot[] = [...parts.p1, ...indirect.map((l, i) => ({ name: String(parts.p1.length + i), type: l.type }))];

  const mainMod = b.coreModule(parts.main);
  const adapterMod = b.coreModule(parts.adapter);
  const shimMod = b.coreModule(shimModule(slots));
  const fixupMod = b.coreModule(fixupModule(slots, parts.initialize));

  const shim = b.instantiate(shimMod, []);
  /** A WASI function as a core function for `owner`, available before main is instantiated. */
  const wasiFunc = (owner: Lowering['owner'], iface: string, name: string): number => {
    if (name.startsWith(DROP)) return b.resourceDrop(b.aliasExport(TYPE, instances.get(iface)!, name.slice(DROP.length)));
    const slot = slotOf.get(keyOf(owner, iface, name));
    if (slot !== undefined) return b.aliasCoreExport(CORE_FUNC, shim, String(slot));
    return b.lower(b.aliasExport(FUNC, instances.get(iface)!, name), []);
  };
  const directModules = new Map<string, number>();
  for (const module of new Set(parts.direct.map((d) => d.module))) {
    const items = parts.direct.filter((d) => d.module === module).map((d): [string, number[], number] => [d.name, CORE_FUNC, wasiFunc('main', d.iface, d.name)]);
    directModules.set(module, b.coreExports(items));
  }
  const main = b.instantiate(
    mainMod,
    parts.mainImports.map((name) => {
      const base = name.replace(/#\d+$/, '');
      return [name, isWasi02(base) ? directModules.get(base)! : shim];
    }),
  );
  const memory = b.aliasCoreExport(CORE_MEMORY, main, 'memory');
  const env = b.coreExports([['memory', CORE_MEMORY, memory]]);

  const named: [string, number][] = [['env', env]];
  for (const [module, ims] of byModule) {
    const items = ims.map((im): [string, number[], number] => [im.name, CORE_FUNC, wasiFunc('adapter', module, im.name)]);
    named.push([module, b.coreExports(items)]);
  }
  const fromMain = parts.adapterImports.filter((i) => i.module === MAIN);
  if (fromMain.length) {
    const items = fromMain.map((im): [string, number[], number] => [im.name, CORE_FUNC, b.aliasCoreExport(CORE_FUNC, main, im.name)]);
    named.push([MAIN, b.coreExports(items)]);
  }
  const adapter = b.instantiate(adapterMod, named);

  // Fill the table: p1 functions from the adapter, then the memory-using lowerings.
  const fill: [string, number[], number][] = parts.p1.map((s, i) => [String(i), CORE_FUNC, b.aliasCoreExport(CORE_FUNC, adapter, s.name)]);
  const reallocs = new Map<Lowering['owner'], number>();
  const reallocOf = (owner: Lowering['owner']): number => {
    let f = reallocs.get(owner);
    if (f === undefined) {
      f = owner === 'adapter' ? b.aliasCoreExport(CORE_FUNC, adapter, 'cabi_import_realloc') : b.aliasCoreExport(CORE_FUNC, main, 'cabi_realloc');
      reallocs.set(owner, f);
    }
    return f;
  };
  for (const l of indirect) {
    const opts = [[0x03, ...uleb(memory)]];
    if (l.realloc) opts.push([0x04, ...uleb(reallocOf(l.owner))]);
    const f = b.lower(b.aliasExport(FUNC, instances.get(l.iface)!, l.name), opts);
    fill.push([String(slotOf.get(keyOf(l.owner, l.iface, l.name))), CORE_FUNC, f]);
  }
  if (parts.initialize) fill.push(['init', CORE_FUNC, b.aliasCoreExport(CORE_FUNC, main, '_initialize')]);
  // The shim instance itself, not an alias of its table: the table then provably has no
  // writer but the fixup, so `down` can fold every trampoline into a direct call.
  b.instantiate(fixupMod, [['a', b.coreExports(fill)], [SHIM, shim]]);

  if (parts.run) {
    b.section(S.type, (w) => w.u8(0x6a).u8(0x00).u8(0x00));
    const result = b.counts.type++;
    b.section(S.type, (w) => w.u8(0x40).u32(0).u8(0x00).sleb(result));
    const fnType = b.counts.type++;
    const run = b.aliasCoreExport(CORE_FUNC, parts.run.from === 'adapter' ? adapter : main, parts.run.name);
    b.section(S.canon, (w) => w.u8(0x00).u8(0x00).u32(run).u32(0).u32(fnType));
    const lifted = b.counts.func++;
    b.section(S.instance, (w) => w.u8(0x01).u32(1).u8(0x00).name('run').u8(FUNC).u32(lifted));
    const inst = b.counts.instance++;
    b.section(S.export, (w) => w.u8(0x00).name(at('wasi:cli/run')).u8(INSTANCE).u32(inst).u8(0x00));
  }
  return { bytes: b.finish(), interfaces: plans.map((p) => at(p.name)) };
}

interface Lowering {
  /** Whose import it is: the realloc it takes is that instance's. */
  owner: 'adapter' | 'main';
  iface: string;
  name: string;
  type: FuncType;
  realloc: boolean;
}

const keyOf = (owner: Lowering['owner'], iface: string, name: string) => `${owner}\0${iface}\0${name}`;

/** The adapter's export lifted as `wasi:cli/run`, under its canonical core name (`iface#func`). */
export function runCoreName(version: string): string {
  return `wasi:cli/run@${version}#run`;
}
