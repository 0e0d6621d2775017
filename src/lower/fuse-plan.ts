import { detectFeatures, type Feature } from '../binary/features.js';
import { encodeModule } from '../binary/module.js';
import type { Limits } from '../binary/types.js';
import { signatureOf } from '../component/abi.js';
import type { FuncTypeRef } from '../component/evaluate.js';
import { WasiAdaptError } from '../errors.js';
import { scratchModule } from './fuse-scratch.js';
import { fdOwnersModule, p1Bridge } from './p1-bridge.js';
import { fuseAdapter, type FuseSide, type FuseSpec } from './fuse.js';
import { readLinkModule, type LinkModule } from './link-module.js';
import { componentGlobals, layoutRegions, rebaseModule, regionNames, regionRuntime, REGIONS_MODULE, type ImportedGlobals, type RegionLayout } from './memory-regions.js';
import { moduleView } from './module-view.js';
import type { Target } from './plan.js';
import type { ComponentView, ModuleImport, ModuleView, Role } from './view.js';

/**
 * The planner's side of compositions: core instances the linker generates (fused adapters,
 * the region runtime) or rewrites (modules rebased onto a region of the one output memory),
 * each linked like any other core instance. See docs/compositions.md.
 */

/** An instance the planner did not find in the component: its module and what its imports are bound to. */
export interface Generated {
  view: ModuleView;
  link: LinkModule;
  imports: Target[];
}

/** One side of a fused call as the planner knows it. */
export interface PlannedSide extends Omit<FuseSide, 'region' | 'memory' | 'realloc' | 'postReturn'> {
  /** The memory the side's values live in (undefined: the side has no memory option). */
  memory: Target | undefined;
  realloc: Target | undefined;
  postReturn: Target | undefined;
  /** undefined: the host's view, the whole output memory from address 0. */
  region: number | undefined;
}

export class Generator {
  readonly generated = new Map<number, Generated>();
  private next: number;
  private scratchKey: number | undefined;
  private readonly bridges = new Map<string, number>();
  private ownersKey: number | undefined;

  constructor(firstKey: number) {
    this.next = firstKey;
  }

  add(name: string, bytes: Uint8Array, bind: (imp: ModuleImport, at: number) => Target): number {
    const link = readLinkModule(bytes, 0);
    const view = moduleView(-1, name, 'generated', link);
    const key = this.next++;
    this.generated.set(key, { view, link, imports: view.imports.map(bind) });
    return key;
  }

  exportTarget(key: number, name: string, sort: ModuleImport['sort']): Target {
    const g = this.generated.get(key)!;
    const exp = g.view.exports.find((e) => e.name === name && e.sort === sort);
    if (!exp) throw new WasiAdaptError('bad-value', `generated module ${g.view.name} has no ${sort} export '${name}'`);
    return { kind: 'local', instance: key, sort, index: exp.index };
  }

  /**
   * The fused adapter for a call of a function of type `type` from `caller` into `callee`
   * (`func`: what the callee's core function is). `regions`: the region runtime, when the
   * composition's memories were merged.
   */
  adapter(
    what: string,
    type: FuncTypeRef,
    caller: PlannedSide,
    callee: PlannedSide & { func: Target },
    regions: Regions | undefined,
    bulk: boolean,
    handles?: { handle: NonNullable<FuseSpec['handle']>; func: (name: string) => Target },
    scratch?: Scratch,
  ): Target {
    const { params, results } = signatureOf(type);
    if (!regions && caller.memory && callee.memory && !sameTarget(caller.memory, callee.memory)) {
      throw new WasiAdaptError('bad-value', `${what}: the two sides use different memories but no regions were laid out`);
    }
    const side = (s: PlannedSide): FuseSide => ({
      encoding: s.encoding,
      memory: s.memory !== undefined,
      region: regions !== undefined && s.memory !== undefined && s.region !== undefined,
      realloc: s.realloc !== undefined,
      postReturn: s.postReturn !== undefined,
      ...(s.kind ? { kind: s.kind } : {}),
    });
    const { bytes, imports } = fuseAdapter({
      params, results, caller: side(caller), callee: side(callee), bulk, ...(handles ? { handle: handles.handle } : {}), ...(scratch ? { scratch: true } : {}),
    });
    const key = this.add(`fused adapter (${what})`, bytes, (_imp, at) => {
      const name = imports[at]!;
      const [module, field] = name.split('.') as [string, string];
      if (module === 'mem') return regions ? regions.memory() : (caller.memory ?? callee.memory)!;
      if (module === 'handle') return handles!.func(field);
      if (module === 'scratch') return scratch![field as 'mark' | 'release'];
      const s = module === 'caller' ? caller : callee;
      switch (field) {
        case 'func':
          return callee.func;
        case 'realloc':
          return s.realloc!;
        case 'post-return':
          return s.postReturn!;
        case 'base':
          return regions!.export(regionNames(s.region!).base, 'global');
        case 'size':
          return regions!.export(regionNames(s.region!).size, 'func');
      }
      throw new WasiAdaptError('bad-value', `fused adapter import ${name} is unknown`);
    });
    return this.exportTarget(key, 'adapter', 'func');
  }

  /**
   * The p1 bridge of function `name` for main of region `region` (p1-bridge.ts): its p1 call with
   * the pointers checked against the region and made absolute. One per region and function.
   */
  p1Bridge(name: string, region: number, regions: Regions, scratch: Scratch, host: (name: string) => Target): Target {
    const id = `${region}:${name}`;
    let key = this.bridges.get(id);
    if (key === undefined) {
      this.ownersKey ??= this.add('descriptor owners', fdOwnersModule().bytes, (imp) => (imp.sort === 'memory' ? regions.memory() : scratch.kept));
      const owners = this.ownersKey;
      const { bytes, imports } = p1Bridge(name, region);
      key = this.add(`p1 bridge (${name}, region ${region})`, bytes, (_imp, at) => {
        const [module, field] = imports[at]!.split('.') as [string, string];
        if (module === 'mem') return regions.memory();
        if (module === 'region') return field === 'base' ? regions.export(regionNames(region).base, 'global') : regions.export(regionNames(region).size, 'func');
        if (module === 'scratch') return scratch[field as 'mark' | 'alloc' | 'release'];
        if (module === 'owners') return this.exportTarget(owners, field, 'func');
        return host(field);
      });
      this.bridges.set(id, key);
    }
    return this.exportTarget(key, 'bridge', 'func');
  }

  /** A memory of its own for a component that holds resource handles but has none (the handle table lives in memory). */
  handleMemory(): number {
    return this.add('handle table memory', encodeModule({ memories: [{ min: 0 }], exports: [{ name: 'memory', kind: 'memory', index: 0 }] }), () => {
      throw new WasiAdaptError('bad-value', 'the handle table memory imports nothing');
    });
  }

  /** The post-return of an adapter the host calls with the scratch (what releases its results). */
  postReturnOf(adapter: Target): Target {
    if (adapter.kind !== 'local') throw new WasiAdaptError('bad-value', 'a fused adapter is a generated instance');
    return this.exportTarget(adapter.instance, 'post-return', 'func');
  }

  /** The one scratch allocator of the host's memory (`memory`: the output's, or with `regions` region 0's). */
  scratch(memory: Target, regions: Regions | undefined): Scratch {
    if (this.scratchKey === undefined) {
      const { bytes, imports } = scratchModule(regions !== undefined);
      this.scratchKey = this.add('scratch allocator', bytes, (_imp, at) => (imports[at] === 'mem.memory' ? memory : regions!.export(regionNames(0).grow, 'func')));
    }
    const key = this.scratchKey;
    const f = (name: string) => this.exportTarget(key, name, 'func');
    return { alloc: f('alloc'), host: f('host'), mark: f('mark'), release: f('release'), kept: f('kept') };
  }
}

/** The scratch allocator's functions (fuse-scratch.ts). */
export interface Scratch {
  alloc: Target;
  mark: Target;
  release: Target;
  /** An allocator of region 0 that never frees (what must outlive calls). */
  kept: Target;
  /** `alloc` for the host (the output's `cabi_realloc` when adapters stand at the host boundary; see fuse-scratch.ts). */
  host: Target;
}

/**
 * Region 0: the host's, where the polyfill, the scratch and `kept` allocate, and no component
 * memory lies. Its addresses are the output memory's for good (nothing lies below it to grow),
 * which the polyfill's own state and the pointers it hands the p1 host need. A component's
 * memory there would not be its own: an allocator that takes everything below `memory.size` as
 * its heap when it starts (wasi-libc's dlmalloc before 2023: `sbrk(0)`) would hand out and
 * overwrite the pages the linker grew there before (the polyfill's handle table). Its first page
 * stays unused, so that nothing is allocated at address 0 (null to a C host).
 */
const HOST_REGION: Limits = { min: 1 };

/**
 * The composition's memories as regions of the one output memory: the layout (region 0 the
 * host's, the components' memories above it), the runtime instance, and each module that reaches
 * a memory rebased onto that memory's region.
 */
export class Regions {
  readonly layout: RegionLayout;
  private runtimeKey: number | undefined;
  private readonly rebased = new Map<number, { view: ModuleView; link: LinkModule; region: number }>();
  private readonly globals: ((key: number) => ImportedGlobals) | undefined;

  constructor(
    /** The instances defining the memories, in order: regions 1, 2, ... (regionOf). */
    readonly owners: readonly number[],
    limits: readonly Limits[],
    private readonly features: ReadonlySet<Feature>,
    private readonly gen: Generator,
    /** The component, so that data segment offsets reading its instances' globals become constants (`componentGlobals`). */
    component?: { view: ComponentView; linkModule: (index: number) => LinkModule },
  ) {
    this.layout = layoutRegions([HOST_REGION, ...limits]);
    this.globals = component && componentGlobals(component.view, component.linkModule);
  }

  /** The region of the memory `owner` defines; region 0 is the host's, no component's. */
  regionOf(owner: number): number | undefined {
    const k = this.owners.indexOf(owner);
    return k < 0 ? undefined : k + 1;
  }

  private runtime(): number {
    this.runtimeKey ??= this.gen.add('region runtime', regionRuntime(this.layout, this.features), () => {
      throw new WasiAdaptError('bad-value', 'the region runtime imports nothing');
    });
    return this.runtimeKey;
  }

  memory(): Target {
    return this.gen.exportTarget(this.runtime(), 'memory', 'memory');
  }

  export(name: string, sort: ModuleImport['sort']): Target {
    return this.gen.exportTarget(this.runtime(), name, sort);
  }

  /** Instance `key`'s module rebased onto region `k` (once per instance). */
  rebase(key: number, lm: LinkModule, k: number, name: string, role: Role): ModuleView {
    let r = this.rebased.get(key);
    if (!r) {
      let bytes: Uint8Array;
      try {
        bytes = rebaseModule(lm.core.bytes, k, this.layout, this.globals?.(key));
      } catch (err) {
        if (!(err instanceof WasiAdaptError)) throw err;
        throw new WasiAdaptError(err.code, `${name} (core instance ${key}, region ${k}): ${err.message}`, { offset: err.offset, cause: err });
      }
      const link = readLinkModule(bytes, 0);
      r = { view: moduleView(-1, `${name} (region ${k})`, role, link), link, region: k };
      this.rebased.set(key, r);
    }
    return r.view;
  }

  rebasedOf(key: number): { view: ModuleView; link: LinkModule; region: number } | undefined {
    return this.rebased.get(key);
  }

  /** What an import a rebased module gained (or its memory import, now the output memory) is bound to. */
  regionImport(imp: ModuleImport): Target {
    return imp.module === REGIONS_MODULE ? this.export(imp.name, imp.sort) : this.memory();
  }
}

/** The features the composition's modules use (what generated code may use too). */
export function featuresOf(modules: readonly LinkModule[]): Set<Feature> {
  const out = new Set<Feature>();
  for (const m of modules) for (const f of detectFeatures(m.core)) out.add(f);
  return out;
}

/** The memories of a composition: the instances defining them (region 0 first) and the instances importing one (instance, owner). */
export interface RegionPlan {
  owners: number[];
  users: [number, number][];
}

/** Thrown by the first planning pass when the instances it links define more than one memory. */
export class RegionsNeeded extends Error {
  constructor(readonly plan: RegionPlan) {
    super('the composition has several memories');
  }
}

export function sameTarget(a: Target, b: Target): boolean {
  if (a.kind === 'local' && b.kind === 'local') return a.instance === b.instance && a.sort === b.sort && a.index === b.index;
  if (a.kind === 'host' && b.kind === 'host') return a.module === b.module && a.name === b.name;
  return a.kind === 'gen' && b.kind === 'gen' && a.index === b.index;
}
