import { funcTypeEquals as sigEqual, type FuncType, type ValType } from '../binary/types.js';
import { WasiAdaptError } from '../errors.js';
import { withoutVersion } from '../interface-name.js';
import { P1_FUNCTIONS } from '../component/roles.js';
import type { FuncTypeRef, TypeVal } from '../component/evaluate.js';
import { flatten, hasPointers, holdsString, MAX_FLAT_PARAMS, signatureOf, type Shape } from '../component/abi.js';
import type { HandleWrapper } from './gen-handles.js';
import { HandlePlanner, HOST, hostResource, wasiResourcesLent, type Holder } from './plan-handles.js';
import { featuresOf, Generator, Regions, RegionsNeeded, type PlannedSide, type RegionPlan, type Scratch } from './fuse-plan.js';
import type { FuseSpec } from './fuse.js';
import { REGIONS_MODULE } from './memory-regions.js';
import { p1Bridged, p1Type } from './p1-bridge.js';
import type { LinkModule } from './link-module.js';
import { STAND_IN_INTERFACES, stubFor, type StubBehaviour } from './stubs.js';
import { asyncBuiltin, asyncHostCall, p3CoreNames, p3Export, p3Start, p3SyncExport, refuseAsyncImport, type P3Linker, type ResultArea, type ResultStore } from './p3-plan.js';
import type { ItemOrigin } from '../component/instance-roles.js';
import type { CanonOptions, ComponentView, CoreFunc, CoreInstance, CoreRef, LiftedExport, ModuleImport, ModuleView, Sort } from './view.js';

/** What an import of a linked instance, or an export of the output, is bound to. */
export type Target =
  | { kind: 'local'; instance: number; sort: Sort; index: number }
  | { kind: 'host'; module: string; name: string; sig: FuncType | undefined }
  | { kind: 'gen'; index: number };

/** Functions the linker writes itself. */
export type GenFunc =
  | { kind: 'run-wrapper'; run: Target; procExit: Target }
  | { kind: 'bump-realloc' }
  | { kind: 'realloc-dispatch'; reallocs: Target[] }
  | { kind: 'set-realloc'; callee: Target; slot: number }
  /**
   * The component's handle table (one, as a component instance has): a slot holds a tag (resource
   * type and hold, see `HOLD`) and a value (the rep of the component's own resource, or the host's
   * handle of an imported one). new: value -> handle; get: handle -> value (traps unless tagged one
   * of `tags`); take: get and free; drop: free, then `dtor` on the value unless the slot was a loan.
   */
  /** `lent`: the slot is a loan from the host, counted until the program drops it. */
  | { kind: 'handle-new'; alloc: Target; tag: number; lent: boolean }
  | { kind: 'handle-get'; tags: number[] }
  | { kind: 'handle-take'; tags: number[] }
  | { kind: 'handle-drop'; tag: number; borrowTag: number | undefined; dtor: Target | undefined }
  /**
   * Lending between components: check(handle) -> handle traps unless it is live with one of `tags` and
   * not lent (an own handle moving); lend(handle) -> rep counts a loan on an own slot tagged `ownTag` (its
   * old tag word logged with `push`); lend-end(undo mark, lent count) traps unless the callee dropped
   * every borrow it received, then ends the loans logged since the mark.
   */
  | { kind: 'handle-check'; tags: number[] }
  /** move(handle) -> handle: an own handle tagged `tag` (live, not lent) retagged `to` (another instance's table). */
  | { kind: 'handle-move'; tag: number; to: number }
  /** chain(x) -> then(first(x)). */
  | { kind: 'chain'; first: Target; then: Target }
  | { kind: 'handle-lend'; tags: number[]; ownTag: number; push: Target }
  | { kind: 'lend-end' }
  /**
   * A WASI resource lent between components stays the polyfill's handle: loan(handle) -> handle logs
   * it in the undo log (marked, with `tag`) and counts it open; loan-drop(handle) ends the newest
   * open loan of that handle, or else is the polyfill's drop `dtor` (lend-end skips loans).
   */
  | { kind: 'wasi-loan'; tag: number; push: Target }
  | { kind: 'wasi-loan-drop'; tag: number; dtor: Target }
  /** The undo log (gen.ts UndoGlobals): mark () -> top, push (addr, value), restore (mark). */
  | { kind: 'undo-mark' }
  | { kind: 'undo-push'; alloc: Target }
  | { kind: 'undo-restore' }
  /** How many loans from the host are open. */
  | { kind: 'lent-count' }
  /** Handles crossing between the program and the host, through the handle table (gen-handles.ts). */
  | ({ kind: 'handle-wrapper' } & HandleWrapper)
  /** A stand-in for a WASI function p1 cannot serve; a trap's message is written with `fdWrite` into memory from `alloc`. */
  | { kind: 'stub'; sig: FuncType; behaviour: StubBehaviour; fdWrite: Target | undefined; alloc: Target | undefined }
  /** WASI 0.3 `_start`: the callback-lifted run driven by the polyfill's event loop (p3-plan.ts); err exits 1. */
  | { kind: 'p3-start'; entry: Target; callback: Target; next: Target; code: Target; p1: Target; p2: Target; finish: Target; procExit: Target }
  /** Calls `callee` with the wrapper's params followed by these i32 constants. */
  | { kind: 'bind-consts'; callee: Target; consts: number[] }
  /** Calls `callee` (an async lowering's stand-in that stores its result), then returns RETURNED (2). */
  | { kind: 'p3-returned'; callee: Target }
  /** An async lowering (core type `sig`) served by the host's synchronous `callee`: see p3-gen.ts. */
  | { kind: 'p3-sync-call'; callee: Target; store: ResultStore | undefined; inMemory: Shape | undefined; sig: FuncType }
  /** task.return of a result with several flat values: stored in the result area in its memory layout, then `done`. */
  | ({ kind: 'p3-task-return'; areaOf: Target; done: Target; keep: Target | undefined } & ResultArea)
  /** An async export as a synchronous p1 export, running its task until task.return (p3-plan.ts p3Export). */
  | {
      kind: 'p3-export';
      sig: FuncType;
      begin: Target;
      entry: Target;
      returned: Target;
      park: Target;
      callback: Target;
      next: Target;
      code: Target;
      p1: Target;
      p2: Target;
      result: { kind: 'none' } | { kind: 'finish'; finish: Target } | { kind: 'area'; area: ResultArea; areaOf: Target };
    }
  /** A synchronous export of a component with task state: a new task (`begin`), then `callee`. */
  | { kind: 'p3-new-task'; begin: Target; callee: Target }
  /** Its post-return: the rest of the task. */
  | { kind: 'p3-post-return'; sig: FuncType; parked: Target; callback: Target; next: Target; code: Target; p1: Target; p2: Target };

export interface PlannedInstance {
  key: number;
  module: ModuleView;
  imports: Target[];
  /** Keep only the funcs reachable from what is used (the polyfill); others are kept whole. */
  prune: boolean;
  /** The module the linker generated or rewrote for it (fused adapter, region runtime, rebased module). */
  link?: LinkModule;
}

export interface PlannedExport {
  name: string;
  sort: Sort;
  target: Target;
  wit: string | undefined;
}

export interface Plan {
  /** In instantiation order (the polyfill, when used, last). */
  instances: PlannedInstance[];
  gens: GenFunc[];
  exports: PlannedExport[];
  polyfillFunctions: string[];
  customImports: string[];
  unresolvedKept: string[];
  /** What stands in for functions p1 cannot serve, `iface#func: behaviour`. */
  stubbed: string[];
  /** The interfaces (with version) those stand-ins belong to. */
  standIns: string[];
  /**
   * Starts of instances left out (a fixup or init module whose start calls an import:
   * wit-component's call of main's `_initialize`): what each calls, by instance key.
   */
  startCalls: { key: number; target: Target }[];
}

export interface PlanOptions {
  dropAdapter: boolean;
  /**
   * WASI interfaces p1 cannot serve: linked to stand-ins that fail ('stand-in', the default),
   * kept as imports of the output ('keep', --allow-unresolved), or refused ('refuse', --strict).
   */
  unresolved: 'stand-in' | 'keep' | 'refuse';
  loadPolyfill: () => ModuleView;
  /** The component's parsed modules, for rebasing them onto regions when a composition has several memories. */
  linkModule?: (index: number) => LinkModule;
  /** The memories that become regions and who uses them (set by `plan` for its second pass). */
  regions?: RegionPlan;
}

/** Thrown when dropping the adapter is impossible because something other than p1 calls uses it. */
export class AdapterNeeded extends Error {}

const RUN_IFACE = /^wasi:cli\/run@/;
const P1_MODULE = 'wasi_snapshot_preview1';
const MAX_CHAIN = 1000;
const PROC_EXIT: Target = { kind: 'host', module: P1_MODULE, name: 'proc_exit', sig: { kind: 'func', params: ['i32'], results: [] } };

/**
 * Decides which core instances go into the output and what each of their
 * imports becomes: another instance's item, a host import, or a generated
 * function. Starts from the component's exports, so instances nothing reaches
 * (a dropped adapter, the shim and fixup once their trampolines are folded)
 * are left out.
 */
export function plan(c: ComponentView, options: PlanOptions): Plan {
  try {
    return new Planner(c, options).run();
  } catch (err) {
    // A composition with several memories: plan again with them merged into regions of one.
    if (!(err instanceof RegionsNeeded) || options.regions) throw err;
    return new Planner(c, { ...options, regions: err.plan }).run();
  }
}

interface TableImporter {
  key: number;
  module: ModuleView;
  /** Its table imports, each with the name the defining instance exports that table under. */
  imports: { imp: ModuleImport; exportName: string }[];
}

class Planner {
  private readonly resolved = new Map<number, Target[] | undefined>();
  private readonly queue: number[] = [];
  private readonly gens: GenFunc[] = [];
  private readonly polyKey: number;
  private poly: ModuleView | undefined;
  private readonly polyUsed = new Set<string>();
  private readonly reallocs: Target[] = [];
  private readonly custom = new Set<string>();
  private readonly handles = new HandlePlanner({
    gen: (g) => this.gen(g),
    bump: () => this.bump(),
    composition: () => (this.isComposition ??= this.c.coreFuncs.some((f) => f.kind === 'lower-lifted')),
  });
  private isComposition: boolean | undefined;
  /** The realloc of the custom imports' lowerings (exported as cabi_realloc), with the first import that uses it. */
  private importRealloc: { target: Target; name: string; offset: number | undefined } | undefined;
  private depth = 0;
  /** WASI interfaces the polyfill lacks, with the first lowering of each. */
  private readonly unresolved = new Map<string, number | undefined>();
  /** Stand-ins linked: generated stubs and the polyfill's stand-in interfaces, with what they do. */
  private readonly stubbed = new Map<string, string>();
  private importersOf: Map<number, TableImporter[]> | undefined;
  /** Trampolines (instance:func) that an import is bound to, with who imports them, for `checkTrampolines`. */
  private readonly trampolineUses = new Map<string, string>();
  /** Instances the linker generates (fused adapters, the region runtime), keyed after the polyfill. */
  private readonly generator: Generator;
  /** The composition's memories as regions of one (second pass); the first pass only notes that they differ. */
  private readonly regions: Regions | undefined;
  private severalMemories = false;
  /** The memory of the first WASI lowering or export at the host boundary: another one means several memories (regions). */
  private hostMemory: Target | undefined;
  /** The realloc of an export over the host's memory: what the host allocates with (cabi_realloc). */
  private hostAlloc: Target | undefined;
  /** A refusal of the first pass, thrown unless a second pass with regions follows. */
  private deferred: WasiAdaptError | undefined;
  /** Whether an import adapter calls the host (its results then come from the scratch: fuse-scratch.ts). */
  /** Whether what the host allocates goes to the scratch (see `hostScratch`). */
  private hostInScratch: boolean | undefined;
  private bulkMemory: boolean | undefined;
  /** What the starts of instances not linked call (includeInitializers). */
  private readonly startCalls: { key: number; target: Target }[] = [];
  /** WASI resources some component may lend another (`iface#resource`, unversioned). */
  private wasiLent: Set<string> | undefined;

  constructor(
    private readonly c: ComponentView,
    private readonly options: PlanOptions,
  ) {
    this.polyKey = c.coreInstances.length;
    this.generator = new Generator(this.polyKey + 1);
    this.regions = options.regions && this.layoutRegions(options.regions);
  }

  run(): Plan {
    if (this.c.starts.length) {
      throw new WasiAdaptError('unsupported', 'component start functions are not supported by down', { offset: this.c.starts[0] });
    }
    const exports = this.planExports();
    this.drain();
    this.includeInitializers();
    this.checkTrampolines();
    if (this.unresolved.size && this.options.unresolved === 'refuse') {
      const names = [...this.unresolved.keys()].sort().join(', ');
      throw new WasiAdaptError(
        'unresolved',
        `imports ${names} have no WASI preview 1 equivalent (a p1 runtime cannot provide them); ` +
          'without --strict they are linked to stand-ins that report failure, or --allow-unresolved keeps them as imports of the output',
        { offset: [...this.unresolved.values()].find((o) => o !== undefined) },
      );
    }
    // Without a memory a stand-in cannot write its message; it only traps.
    if (!this.theMemory()) for (const g of this.gens) if (g.kind === 'stub') [g.fdWrite, g.alloc] = [undefined, undefined];
    // The handle table lives in linear memory: a component without one gets a memory for it.
    if (!this.theMemory() && this.gens.some((g) => g.kind === 'handle-new')) this.resolved.set(this.generator.handleMemory(), []);
    if (this.poly) this.resolved.set(this.polyKey, this.polyfillImports(this.poly));
    this.checkMemories();
    if (this.deferred) throw this.deferred;
    for (const [key, g] of this.generator.generated) this.resolved.set(key, g.imports);
    const instances = [...this.resolved.keys()]
      // The polyfill goes last: it has no state to initialize, and the program's own
      // index spaces then start at 0 as in its module, often leaving its code unchanged.
      .sort((a, b) => a - b)
      .map((key) => ({ key, module: this.moduleOf(key), imports: this.resolved.get(key)!, prune: key === this.polyKey, ...this.linkOf(key) }));
    return {
      instances,
      gens: this.gens,
      exports,
      polyfillFunctions: [...this.polyUsed].sort(),
      customImports: [...this.custom].sort(),
      unresolvedKept: this.options.unresolved === 'keep' ? [...this.unresolved.keys()].sort() : [],
      stubbed: [...this.stubbed].map(([name, behaviour]) => `${name}: ${behaviour}`).sort(),
      standIns: this.options.unresolved === 'stand-in' ? [...this.unresolved.keys()].sort() : [],
      // An instance linked after all runs its own start.
      startCalls: this.startCalls.filter((s) => !this.resolved.has(s.key)).sort((a, b) => a.key - b.key),
    };
  }

  // ---- exports -----------------------------------------------------------

  private planExports(): PlannedExport[] {
    const out: PlannedExport[] = [];
    const seen = new Set<string>();
    const add = (name: string, sort: Sort, target: Target, wit?: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      out.push({ name, sort, target, wit });
    };
    // What the host allocates is an adapter's to free (see hostScratch), whatever else exports a realloc.
    if (this.hostScratch()) add('cabi_realloc', 'func', this.scratch()!.host);
    for (const e of this.c.exports) {
      if (e.options.async) {
        if (RUN_IFACE.test(e.iface) && e.func === 'run') add('_start', 'func', p3Start(e, this.p3(), PROC_EXIT), `${e.iface}#run ${e.witType ?? 'func() -> result'}`);
        else {
          const name = e.iface ? `${e.iface}#${e.func}` : e.func;
          checkUtf8(`export ${name}`, e.options, e.type, e.offset, P1_CALLER_UTF8);
          const { call, post } = p3Export(e, this.p3());
          add(name, 'func', call, e.witType);
          add(`cabi_post_${name}`, 'func', post);
          if (e.options.realloc !== undefined) add('cabi_realloc', 'func', this.func(e.options.realloc));
        }
        continue;
      }
      const target = this.func(e.coreFunc);
      if (RUN_IFACE.test(e.iface) && e.func === 'run') add('_start', 'func', this.startOf(target), `${e.iface}#run ${e.witType ?? 'func() -> result'}`);
      else this.reactorExport(e, p3SyncExport(this.c, target, this.p3(), e.offset) ?? target, add);
    }
    // The caller owns handles of the exported resources: it drops them through these, which run the destructor.
    for (const r of this.c.resources) {
      const name = r.iface ? `${r.iface}#[resource-drop]${r.name}` : `[resource-drop]${r.name}`;
      add(name, 'func', this.handles.own('drop', r.type, r.dtor === undefined ? undefined : this.func(r.dtor), HOST), `func(self: own<${r.name}>)`);
    }
    this.drain();
    // The host returns strings and lists from the program's own imports in memory from this allocator.
    if (this.importRealloc) add('cabi_realloc', 'func', this.importRealloc.target);
    if (this.importRealloc && !sameTarget(out.find((e) => e.name === 'cabi_realloc')!.target, this.importRealloc.target)) {
      this.refuseUnlessRegions(new WasiAdaptError(
        'unsupported',
        `the exports and the import ${this.importRealloc.name} use different reallocs; a p1 host has one cabi_realloc for both`,
        { offset: this.importRealloc.offset },
      ));
    }
    const memory = this.theMemory();
    if (memory) add('memory', 'memory', memory);
    const init = this.mainExport('_initialize');
    if (init) add('_initialize', 'func', init);
    return out;
  }

  private reactorExport(e: LiftedExport, target: Target, add: (n: string, s: Sort, t: Target, w?: string) => void): void {
    const name = e.iface ? `${e.iface}#${e.func}` : e.func;
    const hosted = this.hostExport(e, target);
    if (hosted) {
      // The callee's post-return ran inside the adapter; the adapter's releases the results (in the
      // scratch). The host allocates arguments with the host-side realloc.
      add(name, 'func', hosted.target, e.witType);
      if (hosted.post) add(`cabi_post_${name}`, 'func', hosted.post);
      if (hosted.realloc) add('cabi_realloc', 'func', hosted.realloc);
      return;
    }
    checkUtf8(`export ${name}`, e.options, e.type, e.offset, P1_CALLER_UTF8);
    add(name, 'func', this.handles.exportWrapper(e.type, target, e.owner), e.witType);
    if (e.options.postReturn !== undefined) add(`cabi_post_${name}`, 'func', this.func(e.options.postReturn));
    if (e.options.realloc !== undefined) add('cabi_realloc', 'func', this.func(e.options.realloc));
  }

  /** `wasi:cli/run` becomes `_start`: directly when it is a p1 `_start`, else through a wrapper that maps `err` to exit 1. */
  private startOf(run: Target): Target {
    const sig = this.sigOf(run);
    if (sig && sig.params.length === 0 && sig.results.length === 0) return run;
    if (!sig || sig.params.length !== 0 || sig.results.length !== 1 || sig.results[0] !== 'i32') {
      throw new WasiAdaptError('unsupported', 'wasi:cli/run#run does not have the core type () -> i32');
    }
    return this.gen({ kind: 'run-wrapper', run, procExit: PROC_EXIT });
  }

  private mainExport(name: string): Target | undefined {
    for (const key of this.resolved.keys()) {
      const m = this.moduleOf(key);
      if (m.role !== 'main') continue;
      if (m.exportNamed(name, 'func')) return this.instanceExport(key, name, 'func');
    }
    return undefined;
  }

  /** The one memory of the output: the first included instance that defines one. */
  private theMemory(): Target | undefined {
    if (this.regions) return this.regions.memory();
    for (const key of [...this.resolved.keys()].sort((a, b) => a - b)) {
      const m = this.moduleOf(key);
      const imported = m.imports.filter((i) => i.sort === 'memory').length;
      const exp = m.exports.find((e) => e.sort === 'memory' && e.index >= imported);
      if (exp) return { kind: 'local', instance: key, sort: 'memory', index: exp.index };
    }
    // A memory no instance exports (no canon option names it) is still the output's one memory:
    // the polyfill shares it, as it shares an exported one.
    for (const key of [...this.resolved.keys()].sort((a, b) => a - b)) {
      const m = this.moduleOf(key);
      if (m.definedMemories) return { kind: 'local', instance: key, sort: 'memory', index: m.imports.filter((i) => i.sort === 'memory').length };
    }
    return undefined;
  }

  // ---- instances ---------------------------------------------------------

  private moduleOf(key: number): ModuleView {
    if (key === this.polyKey) return this.poly!;
    const generated = this.generator.generated.get(key) ?? this.regions?.rebasedOf(key);
    if (generated) return generated.view;
    const def = this.c.coreInstances[key];
    if (def?.kind !== 'instantiate') throw new WasiAdaptError('bad-value', `core instance ${key} is not a module instance`);
    return this.c.modules[def.module]!;
  }

  private include(key: number): void {
    if (this.resolved.has(key)) return;
    if (this.options.dropAdapter && key !== this.polyKey && this.moduleOf(key).role === 'adapter') {
      throw new AdapterNeeded(`the adapter instance ${key} is needed`);
    }
    this.resolved.set(key, undefined);
    if (key !== this.polyKey) this.queue.push(key);
  }

  private drain(): void {
    for (let key = this.queue.pop(); key !== undefined; key = this.queue.pop()) {
      const m = this.moduleOf(key);
      this.resolved.set(key, m.imports.map((imp) => this.importOf(key, imp)));
    }
  }

  /**
   * Instances nothing calls but that fill a table (or memory) of an included instance must run
   * too, and so must every start: a start that only calls an import (wit-component starts main's
   * `_initialize` from its fixup, or from an init module) is that call, without the instance
   * (whose other imports, the adapter's functions for the shim, may not be needed).
   */
  private includeInitializers(): void {
    for (let changed = true; changed; ) {
      changed = false;
      this.c.coreInstances.forEach((def, key) => {
        if (def.kind !== 'instantiate' || this.resolved.has(key)) return;
        const m = this.c.modules[def.module]!;
        if (!m.initializes || (this.options.dropAdapter && m.role === 'adapter')) return;
        const touches = m.imports.some((imp) => {
          if (imp.sort === 'func') return false;
          const origin = this.importOrigin(def, imp);
          return origin !== undefined && this.resolved.has(origin.instance);
        });
        if (touches) {
          this.include(key);
          this.drain();
          changed = true;
          return;
        }
        if (m.start === undefined || this.startCalls.some((s) => s.key === key)) return;
        const at = m.importPosition('func', m.start);
        if (at >= 0) this.startCalls.push({ key, target: this.importOf(key, m.imports[at]!) });
        else this.include(key);
        this.drain();
        changed = true;
      });
    }
  }

  private importOf(key: number, imp: ModuleImport): Target {
    // A module rebased onto a region imports the output memory and its region's runtime.
    if (this.regions?.rebasedOf(key) && (imp.sort === 'memory' || imp.module === REGIONS_MODULE)) return this.regions.regionImport(imp);
    const def = this.c.coreInstances[key]!;
    if (def.kind !== 'instantiate') throw new WasiAdaptError('bad-value', `core instance ${key} is not a module instance`);
    const arg = def.args.get(imp.module);
    if (arg === undefined) {
      throw new WasiAdaptError('unresolved', `core instance ${key} imports ${imp.module}.${imp.name} but no instance is given for '${imp.module}'`);
    }
    const target = this.instanceExport(arg, imp.name, imp.sort, imp.sort === 'func' ? this.moduleOf(key).funcType(imp.index) : undefined);
    if (target.kind === 'local' && target.sort === 'func' && this.moduleOf(target.instance).trampolines.has(target.index)) {
      this.trampolineUses.set(`${target.instance}:${target.index}`, `${this.moduleOf(key).name}'s import ${imp.module}.${imp.name}`);
    }
    return target;
  }

  /**
   * The self-check that keeps a module that traps at its first host call from
   * being written: every shim trampoline an import is bound to (not folded
   * into a direct call) reads a table slot that an included instance fills,
   * with a function of the trampoline's type.
   */
  private checkTrampolines(): void {
    for (const [id, user] of this.trampolineUses) {
      const [key, func] = id.split(':').map(Number) as [number, number];
      const m = this.moduleOf(key);
      const tramp = m.trampolines.get(func)!;
      const filled = this.tableImporters(key).some(({ key: j, module: w, imports }) => {
        if (!this.resolved.has(j) || !w.tableFills) return false;
        return imports.some(({ imp, exportName }) => {
          if (m.exportNamed(exportName, 'table')?.index !== tramp.table) return false;
          return w.fillsAt(imp.index, tramp.slot).some((f) => sigEqual(w.funcType(f.func), m.funcType(func)));
        });
      });
      if (!filled) {
        throw new WasiAdaptError(
          'unresolved',
          `${user} is bound to a trampoline of ${m.name} that calls slot ${tramp.slot} of its table, but nothing linked fills that slot ` +
            'with a function of its type: the output would trap at that call. The component does not fill its shim table the way down can ' +
            'prove; please report it with this file',
        );
      }
    }
  }

  /**
   * An export of a core instance, followed through re-exports, aliases,
   * trampolines and a dropped adapter. `sig` is the core type the importer
   * expects, for exports that become host imports.
   */
  private instanceExport(key: number, name: string, sort: Sort, sig?: FuncType): Target {
    // Chains of re-exports are short in real components; a hostile one must not overflow the stack.
    if (++this.depth > MAX_CHAIN) throw new WasiAdaptError('too-deep', `an import is re-exported through more than ${MAX_CHAIN} instances`);
    try {
      return this.followExport(key, name, sort, sig);
    } finally {
      this.depth--;
    }
  }

  private followExport(key: number, name: string, sort: Sort, sig?: FuncType): Target {
    const def = this.c.coreInstances[key];
    if (!def) throw new WasiAdaptError('bad-value', `core instance ${key} does not exist`);
    if (def.kind === 'exports') {
      const ref = def.exports.get(name);
      if (!ref || ref.sort !== sort) throw new WasiAdaptError('unresolved', `core instance ${key} has no ${sort} export '${name}'`);
      return this.ref(ref, sig);
    }
    const m = this.moduleOf(key);
    if (this.options.dropAdapter && m.role === 'adapter' && sort === 'func') return this.throughAdapter(key, m, name, sig);
    const exp = m.exportNamed(name, sort);
    if (!exp) throw new WasiAdaptError('unresolved', `module ${m.name} has no ${sort} export '${name}'`);
    const imported = m.imports[m.importPosition(sort, exp.index)];
    if (imported) return this.importOf(key, imported);
    if (sort === 'func' && m.trampolines.has(exp.index)) {
      const folded = this.foldTrampoline(key, m, exp.index);
      if (folded) return folded;
      const id = `${key}:${exp.index}`;
      if (!this.trampolineUses.has(id)) this.trampolineUses.set(id, `${m.name}'s export '${name}'`);
    }
    this.include(key);
    return { kind: 'local', instance: key, sort, index: exp.index };
  }

  /**
   * With the adapter dropped, its p1 exports are the host's p1 functions (in a composition, through
   * the p1 bridge of main's region) and its `run` is main's `_start`.
   */
  private throughAdapter(key: number, m: ModuleView, name: string, sig: FuncType | undefined): Target {
    if (P1_FUNCTIONS.has(name)) return this.regions ? this.p1Bridge(key, m, name, sig) : { kind: 'host', module: P1_MODULE, name, sig };
    if (RUN_IFACE.test(name) && name.endsWith('#run')) {
      const start = m.imports.find((i) => i.sort === 'func' && i.name === '_start');
      if (start) return this.importOf(key, start);
    }
    throw new AdapterNeeded(`the adapter's export '${name}' is used`);
  }

  /**
   * Main's p1 call in a composition: its pointers are relative to its region, which the host does
   * not read as such, so the call goes through a bridge that checks them against the region and
   * makes them absolute, and keeps its descriptors its own (p1-bridge.ts). A function taking
   * neither pointers nor descriptors is the host's own.
   */
  private p1Bridge(key: number, m: ModuleView, name: string, sig: FuncType | undefined): Target {
    const def = this.c.coreInstances[key];
    const memory = m.imports.find((i) => i.sort === 'memory');
    const origin = def?.kind === 'instantiate' && memory ? this.importOrigin(def, memory) : undefined;
    const region = origin && this.regions!.regionOf(origin.instance);
    if (region === undefined) throw new AdapterNeeded(`the adapter's export '${name}' is called over a memory that is no region`);
    if (sig && !sigEqual(sig, p1Type(name))) throw new AdapterNeeded(`the adapter's export '${name}' is imported with another type than preview1's`);
    const host = (field: string): Target => ({ kind: 'host', module: P1_MODULE, name: field, sig: p1Type(field) });
    if (!p1Bridged(name)) return host(name);
    return this.generator.p1Bridge(name, region, this.regions!, this.scratch()!, host);
  }

  /**
   * A shim trampoline calls through a table slot that a fixup's element
   * segment fills once; when nothing else can write that table, the slot's
   * function is what the trampoline always calls, so bind to it directly.
   */
  private foldTrampoline(key: number, m: ModuleView, func: number): Target | undefined {
    const tramp = m.trampolines.get(func);
    if (!tramp) return undefined;
    let found: { key: number; imp: ModuleImport } | undefined;
    for (const { key: j, module: w, imports: tableImports } of this.tableImporters(key)) {
      if (!w.tableFills) return undefined;
      for (const { imp: ti, exportName } of tableImports) {
        if (m.exportNamed(exportName, 'table')?.index !== tramp.table) continue;
        for (const fill of w.fillsAt(ti.index, tramp.slot)) {
          if (found || fill.func >= w.importedFuncs) return undefined;
          const target = w.imports[w.importPosition('func', fill.func)]!;
          if (!sigEqual(w.funcType(fill.func), m.funcType(func))) return undefined;
          found = { key: j, imp: target };
        }
      }
    }
    return found ? this.importOf(found.key, found.imp) : undefined;
  }

  /** The instances importing a table of instance `key`, with those imports; indexed once per plan (a shim has a trampoline per lowering). */
  private tableImporters(key: number): TableImporter[] {
    if (!this.importersOf) {
      const byKey = new Map<number, TableImporter[]>();
      this.c.coreInstances.forEach((def, j) => {
        if (def.kind !== 'instantiate') return;
        const w = this.c.modules[def.module]!;
        const seen = new Map<number, TableImporter>();
        for (const imp of w.imports) {
          // Through inline-export instances: jco and older wit-component hand the fixup the shim's table in a bag.
          const origin = imp.sort === 'table' ? this.importOrigin(def, imp) : undefined;
          if (origin === undefined) continue;
          let entry = seen.get(origin.instance);
          if (!entry) {
            seen.set(origin.instance, (entry = { key: j, module: w, imports: [] }));
            byKey.set(origin.instance, [...(byKey.get(origin.instance) ?? []), entry]);
          }
          entry.imports.push({ imp, exportName: origin.name });
        }
      });
      this.importersOf = byKey;
    }
    return this.importersOf.get(key) ?? [];
  }

  /** The module instance (and its export name) that defines what `imp` of an instance of `def` receives. */
  private importOrigin(def: Extract<CoreInstance, { kind: 'instantiate' }>, imp: ModuleImport): ItemOrigin | undefined {
    const arg = def.args.get(imp.module);
    return arg === undefined ? undefined : this.c.origin(arg, imp.name, imp.sort);
  }

  // ---- component-level core items ---------------------------------------

  private ref(ref: CoreRef, sig?: FuncType): Target {
    if (ref.sort === 'func') return this.func(ref.index, sig);
    const aliases = ref.sort === 'memory' ? this.c.memories : ref.sort === 'table' ? this.c.tables : ref.sort === 'global' ? this.c.globals : [];
    const alias = aliases[ref.index];
    if (!alias) throw new WasiAdaptError('bad-value', `core ${ref.sort} ${ref.index} does not exist`);
    return this.instanceExport(alias.instance, alias.name, ref.sort);
  }

  private func(index: number, sig?: FuncType): Target {
    const f = this.c.coreFuncs[index];
    if (!f) throw new WasiAdaptError('bad-value', `core func ${index} does not exist`);
    switch (f.kind) {
      case 'alias':
        return this.instanceExport(f.instance, f.name, 'func', sig);
      case 'lower':
        return this.lowering(f.iface, f.func, f.options, sig, f.offset, f.type, f.inst);
      case 'async-builtin':
        return asyncBuiltin(f, this.p3());
      case 'lower-lifted':
        return this.lowerLifted(f);
      case 'unsupported':
        throw new WasiAdaptError('unsupported', `the component uses canon ${f.what}, which has no WASI preview 1 counterpart: run it on a WASI 0.3 host`, {
          offset: f.offset,
        });
      case 'resource':
        if (f.op !== 'drop') throw new WasiAdaptError('bad-value', `canon resource.${f.op} of the imported resource ${f.iface}#${f.resource}`);
        if (!f.iface.startsWith('wasi:')) return this.handles.hostDrop(f.iface, f.resource, this.lowering(f.iface, `[resource-drop]${f.resource}`, undefined, sig), f.inst);
        return this.wasiDrop(f.iface, f.resource, this.lowering(f.iface, `[resource-drop]${f.resource}`, undefined, sig), f.inst);
      case 'own-resource':
        return this.handles.own(f.op, f.type, f.dtor === undefined ? undefined : this.func(f.dtor), f.inst);
    }
  }

  /** A WASI resource's drop: the polyfill's, unless a component may be lent one (then a drop of a loan only ends it). */
  private wasiDrop(iface: string, resource: string, drop: Target, holder: Holder): Target {
    this.wasiLent ??= wasiResourcesLent(this.c.coreFuncs);
    return this.wasiLent.has(`${withoutVersion(iface)}#${resource}`) ? this.handles.wasiDrop(iface, resource, drop, holder) : drop;
  }

  /** A call into a function another component of the composition lifted: direct when nothing must be copied between them. */
  private lowerLifted(f: Extract<CoreFunc, { kind: 'lower-lifted' }>): Target {
    if (f.lower.async || f.lift.async) throw asyncError(f.offset);
    if (f.type) return this.fused(f, f.type);
    if (f.lower.encoding !== 'utf8' || f.lift.encoding !== 'utf8') {
      const enc = f.lower.encoding !== 'utf8' ? f.lower.encoding : f.lift.encoding;
      throw new WasiAdaptError('unsupported', `a function of a nested component is lowered with string-encoding=${enc}; down supports utf8 only: build it with utf8 strings, or run it on a WASI 0.2 host`, { offset: f.offset });
    }
    if (f.lower.memory !== undefined || f.lift.memory !== undefined) {
      throw new WasiAdaptError('unsupported', 'a call between two components copies values through their own memories; a p1 module has one memory: run this composition on a WASI 0.2 host (wasmtime, jco)', { offset: f.offset });
    }
    return this.func(f.coreFunc);
  }

  /**
   * A canon-lowered import: the polyfill function of the same core name, or an import of the
   * output. `offset`: where the lowering is in the file, for errors (undefined for resource drops).
   */
  private lowering(
    iface: string,
    func: string,
    options: CanonOptions | undefined,
    sig: FuncType | undefined,
    offset?: number,
    type?: FuncTypeRef,
    holder: Holder = HOST,
  ): Target {
    const keep = (): Target => ({ kind: 'host', module: iface, name: func, sig });
    if (!iface.startsWith('wasi:')) {
      if (options?.async) return this.asyncHostImport(iface, func, options, type, sig, offset);
      const hosted = options && type && sig ? this.hostImport(iface, func, options, type, keep(), offset) : undefined;
      if (hosted) return hosted;
      if (options) checkUtf8(`import ${iface}#${func}`, options, type, offset, P1_CALLER_UTF8);
      this.custom.add(`${iface}#${func}`);
      if (options?.realloc !== undefined) this.customRealloc(iface, func, this.func(options.realloc), offset);
      return options ? this.handles.importWrapper(type, keep(), holder) : keep();
    }
    // (An async lowering's results come back through its own protocol: never through an adapter.)
    if (options && !options.async && type && sig && this.needsWasiAdapter(options, type)) return this.wasiAdapter(iface, func, options, sig, offset, type);
    if (options) checkUtf8(`import ${iface}#${func}`, options, type, offset, 'the polyfill reads and writes UTF-8');
    if (options?.memory !== undefined) this.noteHostMemory(this.ref({ sort: 'memory', index: options.memory }), `import ${iface}#${func}`, offset);
    const poly = (this.poly ??= this.options.loadPolyfill());
    const unversioned = withoutVersion(iface);
    const names = p3CoreNames(unversioned, iface, func, options?.async ?? false);
    const found = names.find((n) => poly.exportNamed(n, 'func'));
    const core = found ?? `${unversioned}#${func}`;
    const exp = found === undefined ? undefined : poly.exportNamed(found, 'func');
    const standIn = STAND_IN_INTERFACES.get(unversioned);
    if (!exp || standIn) {
      if (!this.unresolved.has(iface)) this.unresolved.set(iface, offset);
      if (this.options.unresolved === 'keep') return options?.async ? refuseAsyncImport(iface, func, offset) : keep();
    }
    if (!exp) {
      if (!sig) throw new WasiAdaptError('unresolved', `${iface}#${func} is used other than by a lowering; down cannot stand in for it`, { offset });
      // An async lowering's stand-in finishes at once: its result (err) at the return pointer, RETURNED.
      if (options?.async) return this.gen({ kind: 'p3-returned', callee: this.stub(iface, func, type, { kind: 'func', params: sig.params, results: [] }) });
      return this.stub(iface, func, type, sig);
    }
    if (standIn) this.stubbed.set(core, standIn);
    if (sig && !sigEqual(sig, poly.funcType(exp.index))) {
      throw new WasiAdaptError('unsupported', `import ${iface}#${func} has core type ${showSig(sig)} but the polyfill's is ${showSig(poly.funcType(exp.index))}`, {
        offset,
      });
    }
    this.polyUsed.add(core);
    this.resolved.set(this.polyKey, undefined);
    if (options?.memory !== undefined) this.ref({ sort: 'memory', index: options.memory });
    const target: Target = { kind: 'local', instance: this.polyKey, sort: 'func', index: exp.index };
    return options?.realloc === undefined ? target : this.selectRealloc(target, this.func(options.realloc));
  }

  /** A polyfill function allocating with `realloc`: lowerings with another realloc than the first select theirs before the call. */
  private selectRealloc(callee: Target, realloc: Target): Target {
    let slot = this.reallocs.findIndex((r) => sameTarget(r, realloc));
    if (slot < 0) slot = this.reallocs.push(realloc) - 1;
    return slot === 0 ? callee : this.gen({ kind: 'set-realloc', callee, slot });
  }

  /** One realloc serves every custom import that returns strings or lists: it becomes `cabi_realloc`. */
  private customRealloc(iface: string, func: string, realloc: Target, offset: number | undefined): void {
    if (!this.importRealloc) this.importRealloc = { target: realloc, name: `${iface}#${func}`, offset };
    else if (!sameTarget(this.importRealloc.target, realloc)) {
      this.refuseUnlessRegions(new WasiAdaptError(
        'unsupported',
        `imports ${this.importRealloc.name} and ${iface}#${func} return values through different reallocs; a p1 host has one cabi_realloc`,
        { offset },
      ));
    }
  }

  /** A generated stand-in for `iface#func`, which neither p1 nor the polyfill can serve. */
  private stub(iface: string, func: string, type: FuncTypeRef | undefined, sig: FuncType): Target {
    const behaviour = stubFor(iface, func, type, sig);
    this.stubbed.set(`${iface}#${func}`, behaviour.kind === 'trap' ? 'traps (writes a line naming it to stderr)' : `returns ${behaviour.kind === 'return' ? (behaviour.value ? 'err' : 'none') : behaviour.value}`);
    const fdWrite: Target = { kind: 'host', module: P1_MODULE, name: 'fd_write', sig: { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] } };
    const withMessage = behaviour.kind === 'trap';
    return this.gen({ kind: 'stub', sig, behaviour, fdWrite: withMessage ? fdWrite : undefined, alloc: withMessage ? this.bump() : undefined });
  }

  /** An async lowering of a custom import: the host's synchronous function, called during the lowering. */
  private asyncHostImport(iface: string, func: string, options: CanonOptions, type: FuncTypeRef | undefined, sig: FuncType | undefined, offset: number | undefined): Target {
    const call = type && sig ? asyncHostCall(type, sig) : 'its type is unknown';
    if (typeof call === 'string') return refuseAsyncImport(iface, func, offset, call);
    checkUtf8(`import ${iface}#${func}`, options, type, offset, P1_CALLER_UTF8);
    this.custom.add(`${iface}#${func}`);
    if (options.realloc !== undefined) this.customRealloc(iface, func, this.func(options.realloc), offset);
    return this.gen({ kind: 'p3-sync-call', callee: { kind: 'host', module: iface, name: func, sig: call.sync }, store: call.store, inMemory: call.inMemory, sig: sig! });
  }

  /** What p3-plan.ts links WASI 0.3 built-ins and the event loop with. */
  private p3(): P3Linker {
    return {
      polyfill: (name, offset) => {
        const poly = (this.poly ??= this.options.loadPolyfill());
        const exp = poly.exportNamed(name, 'func');
        if (!exp) throw new WasiAdaptError('unsupported', `the polyfill has no ${name}: WASI 0.3 components need the p3-on-p1 polyfill`, { offset });
        this.polyUsed.add(name);
        this.resolved.set(this.polyKey, undefined);
        return { kind: 'local', instance: this.polyKey, sort: 'func', index: exp.index };
      },
      gen: (g) => this.gen(g),
      func: (index) => this.func(index),
      withRealloc: (callee, index) => this.selectRealloc(callee, this.func(index)),
    };
  }

  // ---- compositions (fuse-plan.ts) ----------------------------------------

  private linkOf(key: number): { link: LinkModule } | Record<string, never> {
    const g = this.generator.generated.get(key) ?? this.regions?.rebasedOf(key);
    return g ? { link: g.link } : {};
  }

  private linkModuleOf(key: number): LinkModule {
    const def = this.c.coreInstances[key];
    if (def?.kind !== 'instantiate' || !this.options.linkModule) throw new WasiAdaptError('bad-value', `core instance ${key} has no module to rebase`);
    return this.options.linkModule(def.module);
  }

  /** The second pass: every module that defines or imports one of the memories is rebased onto its region, before anything refers to its indices. */
  private layoutRegions(plan: RegionPlan): Regions {
    const limits = plan.owners.map((key) => this.linkModuleOf(key).core.memories[0]!);
    const modules = this.c.modules.map((m) => this.options.linkModule!(m.index));
    const regions = new Regions(plan.owners, limits, featuresOf(modules), this.generator, { view: this.c, linkModule: this.options.linkModule! });
    const rebase = (key: number, k: number) => {
      const m = this.moduleOf(key);
      regions.rebase(key, this.linkModuleOf(key), k, m.name, m.role);
    };
    for (const owner of plan.owners) rebase(owner, regions.regionOf(owner)!);
    for (const [user, owner] of plan.users) rebase(user, regions.regionOf(owner)!);
    return regions;
  }

  /**
   * A refusal the second pass may lift: with several memories, the first pass lets the host
   * reach every memory as if it were its own; the second puts adapters where it cannot.
   */
  private refuseUnlessRegions(err: WasiAdaptError): void {
    if (this.regions) throw err;
    this.deferred ??= err;
  }

  /** The first pass: several memories linked means a second pass with regions. */
  private checkMemories(): void {
    if (this.regions || !this.severalMemories || !this.options.linkModule) return;
    const owners = [...this.resolved.keys()]
      .filter((key) => key < this.polyKey && this.c.coreInstances[key]?.kind === 'instantiate' && this.linkModuleOf(key).core.memories.length > 0)
      .sort((a, b) => a - b);
    const users: [number, number][] = [];
    for (const [key, targets] of this.resolved) {
      if (key >= this.polyKey || !targets) continue;
      this.moduleOf(key).imports.forEach((imp, at) => {
        const t = targets[at];
        if (imp.sort === 'memory' && t?.kind === 'local' && owners.includes(t.instance)) users.push([key, t.instance]);
      });
    }
    throw new RegionsNeeded({ owners, users });
  }

  /** WASI lowerings pass pointers the polyfill hands to the host: their memory must be the host's (region 0). */
  private noteHostMemory(memory: Target, what: string, offset: number | undefined): void {
    if (!this.hostMemory) this.hostMemory = memory;
    else if (memory.kind === 'local' && this.hostMemory.kind === 'local' && memory.instance !== this.hostMemory.instance) {
      if (this.regions) {
        throw new WasiAdaptError('unsupported', `${what} is lowered with another memory than the composition's other WASI imports; down links one polyfill over one memory: run it on a WASI 0.2 host`, { offset });
      }
      this.severalMemories = true;
    }
  }

  private side(o: CanonOptions, kind: PlannedSide['kind']): PlannedSide {
    const memory = o.memory === undefined ? undefined : this.ref({ sort: 'memory', index: o.memory });
    return {
      kind,
      encoding: o.encoding,
      memory,
      realloc: o.realloc === undefined ? undefined : this.func(o.realloc),
      postReturn: kind === 'lift' && o.postReturn !== undefined ? this.func(o.postReturn) : undefined,
      region: this.memoryRegion(o.memory),
    };
  }

  /** The region of component memory `index` (by the instance defining it: once rebased, every memory target is the output memory). */
  private memoryRegion(index: number | undefined): number | undefined {
    const alias = index === undefined ? undefined : this.c.memories[index];
    if (!alias || !this.regions) return undefined;
    const origin = this.c.origin(alias.instance, alias.name, 'memory');
    return origin && this.regions.regionOf(origin.instance);
  }

  /** Whether an input module uses bulk memory (so adapters may use memory.copy); scanned once. */
  private bulk(): boolean {
    const link = this.options.linkModule;
    this.bulkMemory ??= link !== undefined && featuresOf(this.c.modules.map((m) => link(m.index))).has('bulk-memory');
    return this.bulkMemory;
  }

  /** A call from one component into a function another lifted: through a fused adapter. */
  private fused(f: Extract<CoreFunc, { kind: 'lower-lifted' }>, type: FuncTypeRef): Target {
    const caller = this.side(f.lower, 'lower');
    const callee = this.side(f.lift, 'lift');
    if (!this.regions && caller.memory && callee.memory && !sameTarget(caller.memory, callee.memory)) {
      // First pass: the memories are merged in the second; what this returns is never linked.
      this.severalMemories = true;
      return this.func(f.coreFunc);
    }
    return this.generator.adapter(`canon lower at ${f.offset}`, type, caller, { ...callee, func: this.func(f.coreFunc) }, this.regions, this.bulk(), this.handlesBetween(f.inst, f.liftOwner));
  }

  /**
   * Handles between two components share the output's one table: an own handle keeps its slot
   * (taking it from one component and giving it to the other is that slot; one of a component's
   * resources is checked live and not lent), a borrow into the component implementing the resource
   * (the component instance that defined its type and lifted the function) becomes its rep, a
   * borrow into another component a borrow slot of the rep, lent for the call. A host resource's
   * slots hold the host's handle: it moves and is lent the same way, and no component implements it.
   */
  private handlesBetween(caller: Holder, liftOwner: Holder): { handle: NonNullable<FuseSpec['handle']>; func: (name: string) => Target } {
    const resources: TypeVal[] = [];
    return {
      handle: (h) => {
        const r = h.resource;
        if (!r) return undefined;
        let i = resources.indexOf(r);
        if (i < 0) i = resources.push(r) - 1;
        // A WASI resource is the polyfill's handle, the same number to every component: an own one moves unchanged.
        if (r.kind === 'imported' && !hostResource(r)) return h.borrow ? { how: 'loan', resource: i } : { how: 'pass' };
        return { how: !h.borrow ? 'own' : r.kind === 'own' && r.owner === liftOwner ? 'rep' : 'lend', resource: i };
      },
      func: (name) => {
        const [, op, i] = /^([a-z]+)(\d*)$/.exec(name)!;
        if (op === 'mark' || op === 'lent' || op === 'end') return this.handles.lendCall()[op];
        const r = resources[Number(i)]!;
        if (op === 'loan') return this.handles.wasiLoan(r, liftOwner);
        // An own handle in the results moves back, from the callee's table to the caller's.
        if (op === 'give') return this.handles.between(r, liftOwner, caller).own;
        return this.handles.between(r, caller, liftOwner)[op as 'own' | 'rep' | 'lend' | 'borrow'];
      },
    };
  }

  /** The host's view of memory: the output memory from address 0, allocated in by the exported cabi_realloc. */
  private hostSide(realloc: Target | undefined): PlannedSide {
    return { kind: 'import', encoding: 'utf8', memory: this.theMemory(), realloc, postReturn: undefined, region: undefined };
  }

  /** The realloc that allocates in the host's view (region 0, which no component allocates in; or the one memory). */
  private hostRealloc(own: Target | undefined): Target | undefined {
    if (this.regions) return this.scratch()!.kept;
    if (own) return own;
    if (this.hostAlloc) return this.hostAlloc;
    return this.mainExport('cabi_realloc');
  }

  /**
   * Whether a boundary with the host needs an adapter: strings in another encoding than UTF-8, or
   * a memory the host does not see at 0; or the host allocates for it (`side`: what the host
   * allocates, an export's arguments or an import's results) while its allocations go to the scratch.
   */
  private needsHostAdapter(o: CanonOptions, type: FuncTypeRef, side: 'export' | 'import'): boolean {
    return translatedForHost(o, type, this.memoryRegion(o.memory)) || (this.hostScratch() && hostAllocates(type, side));
  }

  /**
   * Whether everything the p1 host allocates with `cabi_realloc` comes from the scratch: when some
   * boundary with the host needs an adapter and the host allocates for it. The adapter copies those
   * values to where the component wants them, so the host's blocks are the adapter's to free (an
   * export's arguments with its results, in its post-return; an import's results once copied out);
   * a component's own realloc would leave them behind. Then every boundary where the host allocates
   * gets an adapter, even one the host could call directly, since a program frees what it is given
   * with its own allocator: `cabi_realloc` is the scratch alone.
   */
  private hostScratch(): boolean {
    if (this.hostInScratch === undefined) {
      const adapted = (o: CanonOptions, type: FuncTypeRef | undefined, side: 'export' | 'import') =>
        !o.async && type !== undefined && translatedForHost(o, type, this.memoryRegion(o.memory)) && hostAllocates(type, side);
      this.hostInScratch =
        this.theMemory() !== undefined &&
        (this.c.exports.some((e) => adapted(e.options, e.type, 'export')) ||
          this.c.coreFuncs.some((f) => f.kind === 'lower' && !f.iface.startsWith('wasi:') && adapted(f.options, f.type, 'import')));
    }
    return this.hostInScratch;
  }

  /**
   * First pass: a boundary with the host over a memory that is not the host's waits for the
   * second pass's regions (what this pass links there is never written).
   */
  private otherMemory(memory: Target | undefined): boolean {
    const host = this.theMemory();
    if (this.regions || !memory || !host || sameTarget(memory, host)) return false;
    this.severalMemories = true;
    return true;
  }

  /** An export lifted with utf16/latin1+utf16 strings or over another region: the host calls an adapter. */
  private hostExport(e: LiftedExport, target: Target): { target: Target; realloc: Target | undefined; post?: Target } | undefined {
    if (!e.type) return undefined;
    const callee = this.side(e.options, 'lift');
    if (!this.needsHostAdapter(e.options, e.type, 'export')) {
      if (callee.memory) this.noteHostMemory(callee.memory, `export ${e.func}`, e.offset);
      this.hostAlloc ??= callee.realloc;
      return undefined;
    }
    if (this.otherMemory(callee.memory)) return { target, realloc: undefined };
    const scratch = this.scratch();
    const realloc = this.hostScratch() ? scratch!.host : this.hostRealloc(callee.realloc);
    const caller = { ...this.hostSide(scratch?.alloc), kind: 'export' as const };
    const adapter = this.generator.adapter(`export ${e.iface}#${e.func}`, e.type, caller, { ...callee, func: target }, this.regions, this.bulk(), undefined, scratch);
    return { target: adapter, realloc, ...(scratch ? { post: this.generator.postReturnOf(adapter) } : {}) };
  }

  /** A custom import lowered with utf16/latin1+utf16 strings or over another region: an adapter calls the host. */
  private hostImport(iface: string, func: string, options: CanonOptions, type: FuncTypeRef, host: Target, offset: number | undefined): Target | undefined {
    const caller = this.side(options, 'lower');
    // First pass: over another memory than the host's, even with UTF-8 (region 1+ needs an adapter).
    if (this.otherMemory(caller.memory)) return host;
    if (!this.needsHostAdapter(options, type, 'import')) return undefined;
    const scratch = this.scratch();
    const realloc = this.hostScratch() ? scratch!.host : this.hostRealloc(caller.realloc);
    this.custom.add(`${iface}#${func}`);
    if (realloc) this.customRealloc(iface, func, realloc, offset);
    // What the adapter copies for the host (arguments, the results area, the host's results) lives for the call only.
    return this.generator.adapter(`import ${iface}#${func}`, type, caller, { ...this.hostSide(scratch?.alloc ?? realloc), func: host }, this.regions, this.bulk(), undefined, scratch);
  }

  /** Whether a WASI lowering needs an adapter: strings in another encoding than UTF-8, or (second pass) a memory other than region 0. */
  private needsWasiAdapter(o: CanonOptions, type: FuncTypeRef): boolean {
    return (o.encoding !== 'utf8' && holdsStrings(type)) || (this.regions !== undefined && (this.memoryRegion(o.memory) ?? 0) !== 0);
  }

  /**
   * A WASI import lowered with utf16 strings or over another region: an adapter calls the
   * polyfill as if it were a component lifting the function in region 0 (UTF-8, the host's
   * view). What the call needs there (arguments, results area, what the polyfill returns)
   * is allocated in the scratch and released once the adapter copied the results out.
   */
  private wasiAdapter(iface: string, func: string, options: CanonOptions, sig: FuncType, offset: number | undefined, type: FuncTypeRef): Target {
    const caller = this.side(options, 'lower');
    if (this.otherMemory(caller.memory)) return this.lowering(iface, func, { ...options, encoding: 'utf8' }, sig, offset, type);
    if (!this.regions && caller.memory) this.noteHostMemory(caller.memory, `import ${iface}#${func}`, offset);
    const scratch = this.scratch()!;
    const bare = this.lowering(iface, func, { ...options, encoding: 'utf8', memory: undefined, realloc: undefined }, sig, offset, type);
    const inner = options.realloc === undefined ? bare : this.selectRealloc(bare, scratch.alloc);
    return this.generator.adapter(`import ${iface}#${func}`, type, caller, { ...this.hostSide(scratch.alloc), func: inner }, this.regions, this.bulk(), WASI_HANDLES, scratch);
  }

  /** The scratch allocator in the host's memory (fuse-scratch.ts), when there is a memory. */
  private scratch(): Scratch | undefined {
    const memory = this.theMemory();
    return memory && this.generator.scratch(memory, this.regions);
  }

  /** The polyfill's own imports: the one memory, the host's p1, and the realloc of the lowerings. */
  private polyfillImports(poly: ModuleView): Target[] {
    return poly.imports.map((imp) => {
      if (imp.sort === 'memory') {
        const memory = this.theMemory();
        if (!memory) throw new WasiAdaptError('unsupported', 'the component lowers WASI imports but defines no memory');
        return memory;
      }
      if (imp.module === P1_MODULE && imp.sort === 'func') return { kind: 'host', module: P1_MODULE, name: imp.name, sig: poly.funcType(imp.index) };
      if (imp.sort === 'func' && imp.name === 'realloc') return this.reallocTarget();
      // Its own state comes from the program's allocator when main exports one (so the program's
      // heap accounts for it), else from pages of its own; never from the lowerings' realloc,
      // which for an adapter serves only the call in progress.
      // With regions, main's allocator may serve another region than the polyfill's (region 0).
      if (imp.sort === 'func' && imp.name === 'state_realloc') return (this.regions ? undefined : this.mainExport('cabi_realloc')) ?? this.bump();
      throw new WasiAdaptError('bad-value', `the polyfill imports ${imp.module}.${imp.name}, which the linker does not provide`);
    });
  }

  private reallocTarget(): Target {
    if (this.reallocs.length === 0) return this.bump();
    if (this.reallocs.length === 1) return this.reallocs[0]!;
    return this.gen({ kind: 'realloc-dispatch', reallocs: this.reallocs });
  }

  /** One bump allocator serves every use. */
  private bump(): Target {
    // With regions, pages of region 0: pages grown past the regions would be overwritten when one moves.
    if (this.regions) return this.scratch()!.kept;
    const at = this.gens.findIndex((g) => g.kind === 'bump-realloc');
    return at >= 0 ? { kind: 'gen', index: at } : this.gen({ kind: 'bump-realloc' });
  }

  private gen(g: GenFunc): Target {
    return { kind: 'gen', index: this.gens.push(g) - 1 };
  }

  private sigOf(t: Target): FuncType | undefined {
    if (t.kind === 'local') return this.moduleOf(t.instance).funcType(t.index);
    if (t.kind === 'host') return t.sig;
    return undefined;
  }
}

/** WASI handles (streams, descriptors, ...) are slots of the one table the polyfill reads: they cross unchanged. */
const WASI_HANDLES = {
  handle: () => ({ how: 'pass' }) as const,
  func: (): Target => {
    throw new WasiAdaptError('bad-value', 'a WASI handle crosses unchanged, never through the handle table');
  },
};

const P1_CALLER_UTF8 = "a p1 caller of the output passes UTF-8 (the Canonical ABI's default)";

/**
 * Strings cross the output's boundaries (the p1 caller, the polyfill) as UTF-8: a function
 * whose strings are utf16 or latin1+utf16 cannot keep its meaning (transcoding between the two
 * is not implemented yet). One that passes no string does not care.
 */
function checkUtf8(what: string, options: CanonOptions, type: FuncTypeRef | undefined, offset: number | undefined, why: string): void {
  if (options.encoding === 'utf8' || (type && !holdsStrings(type))) return;
  throw new WasiAdaptError(
    'unsupported',
    `${what} passes strings as ${options.encoding}; ${why} and down does not transcode yet: build the component with string-encoding=utf8`,
    { offset },
  );
}

/** Whether values cross the host boundary transcoded or copied: strings in another encoding than UTF-8, or a region other than the host's (0). */
function translatedForHost(o: CanonOptions, type: FuncTypeRef, region: number | undefined): boolean {
  return (o.encoding !== 'utf8' && holdsStrings(type)) || (region ?? 0) !== 0;
}

/** Whether the host allocates with `cabi_realloc` for a call: an export's arguments (lists, strings, or spilled), an import's results (lists, strings). */
function hostAllocates(type: FuncTypeRef, side: 'export' | 'import'): boolean {
  try {
    const { params, results } = signatureOf(type);
    return side === 'export' ? params.some(hasPointers) || params.flatMap(flatten).length > MAX_FLAT_PARAMS : results.some(hasPointers);
  } catch (err) {
    if (!(err instanceof WasiAdaptError)) throw err;
    return true;
  }
}

function holdsStrings(type: FuncTypeRef): boolean {
  try {
    const { params, results } = signatureOf(type);
    return [...params, ...results].some(holdsString);
  } catch (err) {
    if (!(err instanceof WasiAdaptError)) throw err;
    return true;
  }
}

function asyncError(offset: number | undefined): WasiAdaptError {
  return new WasiAdaptError('unsupported', 'an async call (WASI 0.3) between two components of a composition is not supported by down yet (each would need its own task in the one event loop): run it on a WASI 0.3 host', { offset });
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.kind === 'local' && b.kind === 'local') return a.instance === b.instance && a.sort === b.sort && a.index === b.index;
  if (a.kind === 'host' && b.kind === 'host') return a.module === b.module && a.name === b.name;
  return a.kind === 'gen' && b.kind === 'gen' && a.index === b.index;
}

export function showSig(s: FuncType): string {
  const t = (v: readonly ValType[]) => v.map((b) => (typeof b === 'string' ? b : `ref ${String(b.heap)}`)).join(', ');
  return `(${t(s.params)}) -> (${t(s.results)})`;
}
