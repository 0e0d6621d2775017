/**
 * Encodes the lifted component. Its shape is fixed, so it is written
 * directly: WASI imports (one per interface, for the adapter and main's own
 * WASI 0.2 imports); the main module, the adapter, shim and fixup; core
 * instances wired shim -> main -> adapter -> fixup, or, when main's start
 * function calls WASI, memory -> shim -> adapter -> fixup -> main -> fixup;
 * and for commands the `run` export (the adapter's, or main's own) lifted and
 * exported as wasi:cli/run.
 */
import type { FuncType } from '../binary/module.js';
import { BinaryWriter } from '../binary/writer.js';
import { fixupModule, shimModule, SHIM, type Slot } from './glue.js';
import type { DirectImport } from './mixed.js';
import type { StrippedImport } from './strip.js';
import { planWasiImports, wasiSignature, type WasiImport } from './wasi.js';
import { abiOf, ROOT, type Iface, type Named } from './world.js';
import type { WorldImport, WorldPlan } from './world-plan.js';
import { dependencyOrder, exportShim, instanceType, TypeEncoder } from './world-types.js';

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
  /**
   * Main's memory hoisted into this module (see memory.ts), which main then imports as
   * `env.memory`: the adapter and every lowering then exist before main, whose start function
   * may call them.
   */
  memory?: Uint8Array;
  /** Main's _initialize to run once wired. */
  initialize: boolean;
  /** The world main implements (embedded component types or --wit): its own imports and exports. */
  world?: WorldPlan;
}

const MAIN = '__main_module__';
const DROP = '[resource-drop]';

// Section ids and sorts of the component binary format.
const S = { coreModule: 1, coreInstance: 2, component: 4, instance: 5, alias: 6, type: 7, canon: 8, import: 10, export: 11 } as const;
const CORE_FUNC = [0x00, 0x00];
const CORE_MEMORY = [0x00, 0x02];
const FUNC = 0x01;
const TYPE = 0x03;
const INSTANCE = 0x05;

class Builder {
  private w = new BinaryWriter(2048);
  // Finished parts; modules are kept by reference so big inputs are copied once, at the end.
  private readonly chunks: Uint8Array[] = [];
  counts = { type: 0, instance: 0, func: 0, component: 0, coreFunc: 0, coreInstance: 0, coreModule: 0, coreTable: 0, coreMemory: 0 };

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

  /** A nested component (its section holds the binary itself, not a vector). */
  component(bytes: Uint8Array): number {
    this.w.u8(S.component).u32(bytes.length).bytes(bytes);
    return this.counts.component++;
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
  const plans = planWasiImports(used);
  const instances = new Map<string, number>();
  for (const p of plans) {
    // Each `use`d type aliased from its provider's import.
    const outer = new Map(p.uses.map(([n, from]) => [n, b.aliasExport(TYPE, instances.get(from)!, n.name)]));
    b.section(S.type, (w) => w.bytes(wasiInstanceType(p, outer)));
    const type = b.counts.type++;
    b.section(S.import, (w) => w.u8(0x00).name(at(p.name)).u8(INSTANCE).u32(type));
    instances.set(p.name, b.counts.instance++);
  }
  const world = parts.world;
  const worldFuncs = new Map<string, number>();
  /** The component-level index of a named type of an imported world interface. */
  const importedTypes = new Map<Named, number>();
  const importedType = (n: Named): number => {
    let idx = importedTypes.get(n);
    if (idx === undefined) importedTypes.set(n, (idx = b.aliasExport(TYPE, instances.get(n.owner)!, n.name)));
    return idx;
  };
  // The component's own type section: export signatures and the types of exported interfaces.
  const topTypes = new Map<string, number>();
  const topDefine = (body: Uint8Array): number => {
    const key = body.join(',');
    let idx = topTypes.get(key);
    if (idx === undefined) {
      b.section(S.type, (w) => w.bytes(body));
      topTypes.set(key, (idx = b.counts.type++));
    }
    return idx;
  };
  /** Named types the component defines (those of its exports), once each. */
  const topDefined = new Map<Named, number>();
  /** World-level types, as the component imports them. */
  const rootTypes = new Map<Named, number>();
  const topNamed = (n: Named): number => {
    const root = rootTypes.get(n);
    if (root !== undefined) return root;
    if (!n.exported) return importedType(n);
    let idx = topDefined.get(n);
    if (idx === undefined) {
      // The body first: it may define (or alias) the types it mentions.
      const body = top.def(n);
      b.section(S.type, (w) => w.bytes(body));
      topDefined.set(n, (idx = b.counts.type++));
    }
    return idx;
  };
  const top = new TypeEncoder(topDefine, topNamed);
  // Interfaces, then world-level types (which may `use` theirs), then bare functions (which may name both).
  for (const d of world?.declared ?? []) {
    if ('fn' in d) continue;
    // The body first: the types it `use`s are aliased from earlier imports as it is built.
    const body = instanceType(d.name, d.iface, d.funcs, dependencyOrder(d.name, false, d.iface, d.needed), importedType);
    b.section(S.type, (w) => w.bytes(body));
    const type = b.counts.type++;
    b.section(S.import, (w) => w.u8(0x00).name(d.name).u8(INSTANCE).u32(type));
    instances.set(d.name, b.counts.instance++);
  }
  // As wit-component imports them: a resource `sub resource`, any other type `eq` its
  // definition (or the interface's type it `use`s), so functions name it by the world's name.
  for (const [name, n] of world?.rootTypes ?? []) {
    const bound = n.def.k === 'resource' && n.owner === ROOT ? undefined : n.owner === ROOT ? topDefine(top.def(n)) : importedType(n);
    b.section(S.import, (w) => {
      w.u8(0x00).name(name).u8(TYPE);
      if (bound === undefined) w.u8(0x01);
      else w.u8(0x00).u32(bound);
    });
    rootTypes.set(n, b.counts.type++);
  }
  for (const d of world?.declared ?? []) {
    if (!('fn' in d)) continue;
    const type = topDefine(top.func(d.fn));
    b.section(S.import, (w) => w.u8(0x00).name(d.name).u8(FUNC).u32(type));
    worldFuncs.set(`\0${d.name}`, b.counts.func++);
  }
  const encodingOpt = world && world.model.encoding !== 'utf8' ? [[world.model.encoding === 'utf16' ? 0x01 : 0x02]] : [];

  // Functions that cannot exist when their importer is instantiated are slots of the shim's
  // table, filled by a fixup once they can. A lowering that uses the guest's memory waits for
  // it (main's, unless hoisted into its own module); one with a realloc waits for the instance
  // exporting it (the adapter's cabi_import_realloc for its imports: lists land in its arena;
  // main's cabi_realloc for main's); main's p1 imports wait for the adapter unless main comes
  // after it, and the adapter's imports from main wait for main when it comes first.
  const early = parts.memory !== undefined;
  const late: Late[] = [];
  const slotOf = new Map<string, number>();
  const defer = (key: string, l: Late) => slotOf.set(key, late.push(l) - 1);
  if (!early) parts.p1.forEach((s) => defer(`p1\0${s.name}`, { type: s.type, stage: 'adapter', what: { k: 'p1', name: s.name } }));
  const plan = (owner: Lowering['owner'], iface: string, name: string, type: FuncType) => {
    if (name.startsWith(DROP)) return;
    const needs = abiOf(wasiSignature(iface, name)).lowerNeeds;
    if (!needs.memory || (early && !needs.realloc)) return;
    const stage = needs.realloc ? owner : 'adapter';
    defer(keyOf(owner, iface, name), { type, stage, what: { k: 'lower', l: { owner, iface, name, realloc: needs.realloc } } });
  };
  for (const im of parts.adapterImports) if (im.module !== MAIN) plan('adapter', im.module, im.name, im.type);
  for (const d of parts.direct) plan('main', d.iface, d.name, d.type);
  for (const im of world?.imports ?? []) {
    if (im.what.k !== 'func' || !im.what.abi.lowerNeeds.memory || (early && !im.what.abi.lowerNeeds.realloc)) continue;
    defer(`world\0${im.module}\0${im.name}`, { type: im.type, stage: im.what.abi.lowerNeeds.realloc ? 'main' : 'adapter', what: { k: 'world', im } });
  }
  // A resource's destructor is main's export, but main imports the resource's intrinsics, which
  // need the resource type: its destructor is a slot filled once main exists.
  for (const r of world?.resources ?? []) {
    if (r.dtor) defer(`dtor\0${r.dtor}`, { type: { kind: 'func', params: ['i32'], results: [] }, stage: 'main', what: { k: 'export', name: r.dtor } });
  }
  const fromMain = parts.adapterImports.filter((i) => i.module === MAIN);
  if (early) fromMain.forEach((im) => defer(`main\0${im.name}`, { type: im.type, stage: 'main', what: { k: 'export', name: im.name } }));
  const slots: Slot[] = late.map((l, i) => ({ name: l.what.k === 'p1' ? l.what.name : String(i), type: l.type }));

  const mainMod = b.coreModule(parts.main);
  const adapterMod = b.coreModule(parts.adapter);
  const shimMod = b.coreModule(shimModule(slots));
  const memoryMod = early ? b.coreModule(parts.memory!) : undefined;
  // Early, the adapter's slots are filled before main and main's after it; otherwise all at once.
  const fixups: ({ fill: number[]; init: boolean; module: number } | undefined)[] = [];
  const fixup = (fill: number[], init: boolean) =>
    fixups.push(fill.length || init || !early ? { fill, init, module: b.coreModule(fixupModule(slots, fill, init)) } : undefined);
  const indices = (stage?: Late['stage']) => late.flatMap((l, i) => (stage === undefined || l.stage === stage ? [i] : []));
  if (early) {
    fixup(indices('adapter'), false);
    fixup(indices('main'), parts.initialize);
  } else {
    fixup(indices(), parts.initialize);
  }

  const shim = b.instantiate(shimMod, []);
  /** A WASI function as a core function for `owner`'s instantiation. */
  const wasiFunc = (owner: Lowering['owner'], iface: string, name: string): number => {
    if (name.startsWith(DROP)) return b.resourceDrop(b.aliasExport(TYPE, instances.get(iface)!, name.slice(DROP.length)));
    const slot = slotOf.get(keyOf(owner, iface, name));
    if (slot !== undefined) return b.aliasCoreExport(CORE_FUNC, shim, slots[slot]!.name);
    const memoryOpt = abiOf(wasiSignature(iface, name)).lowerNeeds.memory ? [[0x03, ...uleb(memory!)]] : [];
    return b.lower(b.aliasExport(FUNC, instances.get(iface)!, name), memoryOpt);
  };
  let memory: number | undefined;
  let env: number | undefined;
  let adapter: number | undefined;
  let main: number | undefined;
  /** Instantiates the next fixup with what its slots hold, now that it exists. */
  const runFixup = () => {
    const next = fixups.shift();
    if (!next) return;
    const { fill, init, module } = next;
    const items: [string, number[], number][] = fill.map((i) => [String(i), CORE_FUNC, materialize(late[i]!.what)]);
    if (init) items.push(['init', CORE_FUNC, b.aliasCoreExport(CORE_FUNC, main!, '_initialize')]);
    // The shim instance itself, not an alias of its table: the table then provably has no
    // writer but the fixups, so `down` can fold every trampoline into a direct call.
    b.instantiate(module, [['a', b.coreExports(items)], [SHIM, shim]]);
  };
  const reallocs = new Map<Lowering['owner'], number>();
  const reallocOf = (owner: Lowering['owner']): number => {
    let f = reallocs.get(owner);
    if (f === undefined) {
      f = owner === 'adapter' ? b.aliasCoreExport(CORE_FUNC, adapter!, 'cabi_import_realloc') : b.aliasCoreExport(CORE_FUNC, main!, 'cabi_realloc');
      reallocs.set(owner, f);
    }
    return f;
  };
  const materialize = (what: Late['what']): number => {
    if (what.k === 'p1') return b.aliasCoreExport(CORE_FUNC, adapter!, what.name);
    if (what.k === 'export') return b.aliasCoreExport(CORE_FUNC, main!, what.name);
    if (what.k === 'world') return lowerWorld(what.im, true);
    const { l } = what;
    const opts = [[0x03, ...uleb(memory!)]];
    if (l.realloc) opts.push([0x04, ...uleb(reallocOf(l.owner))]);
    return b.lower(b.aliasExport(FUNC, instances.get(l.iface)!, l.name), opts);
  };
  /** The component function a world import of main names. */
  const worldFunc = (iface: string | undefined, func: string): number => {
    if (iface === undefined) return worldFuncs.get(`\0${func}`)!;
    const key = `${iface}\0${func}`;
    let f = worldFuncs.get(key);
    if (f === undefined) worldFuncs.set(key, (f = b.aliasExport(FUNC, instances.get(iface)!, func)));
    return f;
  };
  const lowerWorld = (im: WorldImport, late: boolean): number => {
    const w = im.what as Extract<WorldImport['what'], { k: 'func' }>;
    const opts = [...encodingOpt];
    if (late) opts.push([0x03, ...uleb(memory!)]);
    if (late && w.abi.lowerNeeds.realloc) opts.push([0x04, ...uleb(reallocOf('main'))]);
    return b.lower(worldFunc(w.iface, w.func), opts);
  };
  /** Resource types the component defines, each with its destructor (a shim slot). */
  const ownResources = new Map<Named, number>();
  for (const r of world?.resources ?? []) {
    const dtor = r.dtor === undefined ? undefined : b.aliasCoreExport(CORE_FUNC, shim, slots[slotOf.get(`dtor\0${r.dtor}`)!]!.name);
    b.section(S.type, (w) => {
      w.u8(0x3f).u8(0x7f);
      if (dtor === undefined) w.u8(0x00);
      else w.u8(0x01).u32(dtor);
    });
    ownResources.set(r.res, b.counts.type);
    topDefined.set(r.res, b.counts.type++);
  }
  const worldImportFunc = (im: WorldImport): number => {
    const w = im.what;
    switch (w.k) {
      case 'func': {
        const slot = slotOf.get(`world\0${im.module}\0${im.name}`);
        return slot !== undefined ? b.aliasCoreExport(CORE_FUNC, shim, slots[slot]!.name) : lowerWorld(im, false);
      }
      case 'drop':
        return b.resourceDrop(topNamed(w.res));
      default: {
        const code = w.k === 'resource.new' ? 0x02 : w.k === 'resource.drop' ? 0x03 : 0x04;
        b.section(S.canon, (x) => x.u8(code).u32(ownResources.get(w.res)!));
        return b.counts.coreFunc++;
      }
    }
  };

  const instantiateMain = () => {
    const directModules = new Map<string, number>();
    for (const module of new Set(parts.direct.map((d) => d.module))) {
      const items = parts.direct.filter((d) => d.module === module).map((d): [string, number[], number] => [d.name, CORE_FUNC, wasiFunc('main', d.iface, d.name)]);
      directModules.set(module, b.coreExports(items));
    }
    for (const module of new Set((world?.imports ?? []).map((i) => i.module))) {
      const items = world!.imports.filter((i) => i.module === module).map((i): [string, number[], number] => [i.name, CORE_FUNC, worldImportFunc(i)]);
      directModules.set(module, b.coreExports(items));
    }
    const args = parts.mainImports.map((name): [string, number] => {
      const base = name.replace(/#\d+$/, '');
      return [name, directModules.get(base) ?? (early ? adapter! : shim)];
    });
    main = b.instantiate(mainMod, early ? [...args, ['env', env!]] : args);
  };
  const instantiateAdapter = () => {
    const named: [string, number][] = [['env', env!]];
    for (const [module, ims] of byModule) {
      named.push([module, b.coreExports(ims.map((im): [string, number[], number] => [im.name, CORE_FUNC, wasiFunc('adapter', module, im.name)]))]);
    }
    if (fromMain.length) {
      const item = (im: StrippedImport): number => (early ? b.aliasCoreExport(CORE_FUNC, shim, slots[slotOf.get(`main\0${im.name}`)!]!.name) : b.aliasCoreExport(CORE_FUNC, main!, im.name));
      named.push([MAIN, b.coreExports(fromMain.map((im): [string, number[], number] => [im.name, CORE_FUNC, item(im)]))]);
    }
    adapter = b.instantiate(adapterMod, named);
  };

  if (early) {
    // Main's memory in its own module: everything main imports can exist before main, so its
    // start function may call WASI.
    memory = b.aliasCoreExport(CORE_MEMORY, b.instantiate(memoryMod!, []), 'memory');
    env = b.coreExports([['memory', CORE_MEMORY, memory]]);
    instantiateAdapter();
    runFixup();
    instantiateMain();
    runFixup();
  } else {
    instantiateMain();
    memory = b.aliasCoreExport(CORE_MEMORY, main!, 'memory');
    env = b.coreExports([['memory', CORE_MEMORY, memory]]);
    instantiateAdapter();
    runFixup();
  }

  if (parts.run) {
    b.section(S.type, (w) => w.u8(0x6a).u8(0x00).u8(0x00));
    const result = b.counts.type++;
    b.section(S.type, (w) => w.u8(0x40).u32(0).u8(0x00).sleb(result));
    const fnType = b.counts.type++;
    const run = b.aliasCoreExport(CORE_FUNC, parts.run.from === 'adapter' ? adapter! : main!, parts.run.name);
    b.section(S.canon, (w) => w.u8(0x00).u8(0x00).u32(run).u32(0).u32(fnType));
    const lifted = b.counts.func++;
    b.section(S.instance, (w) => w.u8(0x01).u32(1).u8(0x00).name('run').u8(FUNC).u32(lifted));
    const inst = b.counts.instance++;
    b.section(S.export, (w) => w.u8(0x00).name(at('wasi:cli/run')).u8(INSTANCE).u32(inst).u8(0x00));
  }
  if (world) {
    const post = new Map<string, number>();
    const lifted = new Map<string, number>();
    for (const e of world.exports) {
      const opts = [...encodingOpt];
      if (e.abi.liftNeeds.memory) opts.push([0x03, ...uleb(memory!)]);
      if (e.abi.liftNeeds.realloc) opts.push([0x04, ...uleb(reallocOf('main'))]);
      if (e.postReturn) {
        let p = post.get(e.postReturn);
        if (p === undefined) post.set(e.postReturn, (p = b.aliasCoreExport(CORE_FUNC, main!, e.postReturn)));
        opts.push([0x05, ...uleb(p)]);
      }
      const type = topDefine(top.func(e.fn));
      const core = b.aliasCoreExport(CORE_FUNC, main!, e.core);
      b.section(S.canon, (w) => {
        w.u8(0x00).u8(0x00).u32(core).u32(opts.length);
        for (const o of opts) w.bytes(new Uint8Array(o));
        w.u32(type);
      });
      const f = b.counts.func++;
      lifted.set(`${e.iface ?? ''}\0${e.func}`, f);
      if (e.iface === undefined) {
        b.section(S.export, (w) => w.u8(0x00).name(e.func).u8(FUNC).u32(f).u8(0x00));
        b.counts.func++; // an export is a new index of its sort
      }
    }
    // Each interface through its re-export shim (world-types.ts), which names its types. A type
    // it uses from another exported interface comes from that one's exported instance, where it
    // has a name (the component's own definition has none).
    const exportedInstances = new Map<string, number>();
    const shimType = (n: Named, owner: string): number => {
      const from = n.exported && n.owner !== owner ? exportedInstances.get(n.owner) : undefined;
      return from === undefined ? topNamed(n) : b.aliasExport(TYPE, from, n.name);
    };
    for (const x of world.exportedInstances) {
      const shim = exportShim(x.name, world.model.exports.get(x.name) as Iface, x.needed);
      const component = b.component(shim.bytes);
      const args: [string, number, number][] = [
        ...shim.types.map(([arg, n]): [string, number, number] => [arg, TYPE, shimType(n, x.name)]),
        ...shim.funcs.map(([arg, f]): [string, number, number] => [arg, FUNC, lifted.get(`${x.name}\0${f}`)!]),
      ];
      b.section(S.instance, (w) => {
        w.u8(0x00).u32(component).u32(args.length);
        for (const [name, sort, idx] of args) w.name(name).u8(sort).u32(idx);
      });
      const inst = b.counts.instance++;
      b.section(S.export, (w) => w.u8(0x00).name(x.name).u8(INSTANCE).u32(inst).u8(0x00));
      exportedInstances.set(x.name, b.counts.instance++);
    }
  }
  return { bytes: b.finish(), interfaces: [...plans.map((p) => at(p.name)), ...(world?.declared ?? []).map((d) => d.name)] };
}

const wasiTypes = new Map<string, Uint8Array>();

/** A WASI import's instance type, encoded once per process for each plan and aliases. */
function wasiInstanceType(p: WasiImport, outer: ReadonlyMap<Named, number>): Uint8Array {
  const key = `${p.name}|${p.types.map(([n]) => n)}|${p.funcs}|${[...outer.values()]}`;
  let bytes = wasiTypes.get(key);
  if (!bytes) wasiTypes.set(key, (bytes = instanceType(p.id, p.iface, p.funcs, p.types, (n) => outer.get(n)!)));
  return bytes;
}

interface Lowering {
  /** Whose import it is: the realloc it takes is that instance's. */
  owner: 'adapter' | 'main';
  iface: string;
  name: string;
  realloc: boolean;
}

/** A shim slot: its type, which instance must exist before it can be filled, and with what. */
interface Late {
  type: FuncType;
  stage: 'adapter' | 'main';
  what: { k: 'p1'; name: string } | { k: 'lower'; l: Lowering } | { k: 'export'; name: string } | { k: 'world'; im: WorldImport };
}

const keyOf = (owner: Lowering['owner'], iface: string, name: string) => `${owner}\0${iface}\0${name}`;

/** The adapter's export lifted as `wasi:cli/run`, under its canonical core name (`iface#func`). */
export function runCoreName(version: string): string {
  return `wasi:cli/run@${version}#run`;
}
