import type { CoreModule } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';
import type { Evaluation, Sort } from './evaluate.js';
import type { ModuleRole } from './graph-types.js';
import { classifyModule, mainScore } from './roles.js';

const P1_MODULE = 'wasi_snapshot_preview1';
const MAX_HOPS = 1000;

/** Where a core item really lives: export `name` of module instance `instance`, defined there. */
export interface ItemOrigin {
  instance: number;
  name: string;
}

/**
 * The module instance that defines item `name` (of `sort`) of core instance
 * `key`: through inline-export instances, aliases and re-exported imports.
 * Undefined for items a canon built-in makes (lowerings) or that nothing defines.
 */
export function definingInstance(ev: Evaluation, key: number, name: string, sort: Sort, hops = 0): ItemOrigin | undefined {
  if (hops > MAX_HOPS) throw new WasiAdaptError('too-deep', `an item is re-exported through more than ${MAX_HOPS} instances`);
  const ci = ev.coreInstances[key];
  if (!ci) return undefined;
  if (ci.kind === 'exports') {
    const ref = ci.exports.get(name);
    if (!ref || ref.sort !== sort) return undefined;
    if (sort === 'func') {
      const f = ev.coreFuncs[ref.index];
      return f?.kind === 'alias' ? definingInstance(ev, f.instance, f.name, sort, hops + 1) : undefined;
    }
    const alias = (sort === 'memory' ? ev.memories : sort === 'table' ? ev.tables : ev.globals)[ref.index];
    return alias ? definingInstance(ev, alias.instance, alias.name, sort, hops + 1) : undefined;
  }
  const m = ev.modules[ci.module]!.info.core;
  const exp = lookupsOf(m).exports.get(`${sort}:${name}`);
  if (!exp) return undefined;
  const imp = importAt(m, sort, exp.index);
  if (!imp) return { instance: key, name };
  const arg = ci.args.get(imp.module);
  return arg === undefined ? undefined : definingInstance(ev, arg, imp.name, sort, hops + 1);
}

/** The import that defines index `index` of `sort` in `m`, if that index is imported. */
export function importAt(m: CoreModule, sort: Sort, index: number): { module: string; name: string } | undefined {
  return lookupsOf(m).imports[sort][index];
}

/** Exports by `sort:name` and imports by sort in index order; built once per module, since roles and links ask per item. */
interface Lookups {
  exports: Map<string, CoreModule['exports'][number]>;
  imports: Record<Sort, CoreModule['imports']>;
}

const lookups = new WeakMap<CoreModule, Lookups>();

function lookupsOf(m: CoreModule): Lookups {
  let l = lookups.get(m);
  if (!l) {
    const imports: Lookups['imports'] = { func: [], table: [], memory: [], global: [], tag: [] };
    for (const imp of m.imports) imports[imp.desc.kind].push(imp);
    l = { exports: new Map(m.exports.map((e) => [`${e.kind}:${e.name}`, e])), imports };
    lookups.set(m, l);
  }
  return l;
}

/**
 * Each evaluated module's role, judged by what its instances do:
 * - fixup: defines no functions and only fills, by active element segments,
 *   a table that another instance defines; that instance's module is the shim;
 * - adapter: provides another instance's `wasi_snapshot_preview1` imports,
 *   directly or through a shim slot a fixup fills with its function;
 * - main: of the rest, the instantiated module that looks most like a program.
 * Modules never instantiated keep the role their own imports and exports suggest.
 */
export function instanceRoles(ev: Evaluation): ModuleRole[] {
  const roles: ModuleRole[] = ev.modules.map(() => 'other');
  const instantiated = new Set<number>();
  /** Shim instance -> the fixup instances that fill its tables. */
  const fillers = new Map<number, number[]>();
  ev.coreInstances.forEach((ci, key) => {
    if (ci.kind !== 'instantiate') return;
    instantiated.add(ci.module);
    const m = ev.modules[ci.module]!.info.core;
    // A fixup may have a start: with no functions of its own it calls an import (wit-component
    // starts main's `_initialize` from its fixup).
    if (m.functions.length || !m.elements.length) return;
    for (const seg of m.elements) {
      if (seg.mode !== 'active' || seg.table >= m.importedTableCount) continue;
      const imp = importAt(m, 'table', seg.table)!;
      const arg = ci.args.get(imp.module);
      const origin = arg === undefined ? undefined : definingInstance(ev, arg, imp.name, 'table');
      if (!origin || origin.instance === key) continue;
      const shim = ev.coreInstances[origin.instance];
      if (shim?.kind !== 'instantiate') continue;
      roles[ci.module] = 'fixup';
      roles[shim.module] = 'shim';
      const list = fillers.get(origin.instance) ?? [];
      if (!list.includes(key)) list.push(key);
      fillers.set(origin.instance, list);
    }
  });
  ev.coreInstances.forEach((ci, key) => {
    if (ci.kind !== 'instantiate') return;
    const m = ev.modules[ci.module]!.info.core;
    const arg = ci.args.get(P1_MODULE);
    if (arg === undefined) return;
    for (const imp of m.imports) {
      if (imp.module !== P1_MODULE || imp.desc.kind !== 'func') continue;
      const origin = definingInstance(ev, arg, imp.name, 'func');
      if (!origin) continue;
      for (const provider of providersOf(ev, origin, imp.name, fillers)) {
        const p = ev.coreInstances[provider];
        if (provider !== key && p?.kind === 'instantiate' && roles[p.module] === 'other') roles[p.module] = 'adapter';
      }
    }
  });
  let best: { index: number; score: number; size: number } | undefined;
  ev.modules.forEach((em, i) => {
    if (roles[i] !== 'other') return;
    // Never instantiated: what its own imports and exports suggest. Instantiated: an `init` (no
    // exports, a start: wit-component's start of main's `_initialize`) is not main either.
    const own = classifyModule(em.info.core);
    if (!instantiated.has(i) || own === 'init') {
      roles[i] = own;
      return;
    }
    const score = mainScore(em.info.core);
    const size = em.info.bytes.length;
    if (score > 0 && (!best || score > best.score || (score === best.score && size > best.size))) best = { index: i, score, size };
  });
  if (best) roles[best.index] = 'main';
  return roles;
}

/**
 * The instances whose function answers a p1 import bound to `origin`: the
 * origin itself, or, when it is a shim, the instances whose same-named p1
 * function the shim's fillers put in its table.
 */
function providersOf(ev: Evaluation, origin: ItemOrigin, p1Name: string, fillers: Map<number, number[]>): number[] {
  const fixups = fillers.get(origin.instance);
  if (!fixups) return [origin.instance];
  const out: number[] = [];
  for (const f of fixups) {
    const ci = ev.coreInstances[f];
    if (ci?.kind !== 'instantiate') continue;
    for (const imp of ev.modules[ci.module]!.info.core.imports) {
      if (imp.desc.kind !== 'func') continue;
      const arg = ci.args.get(imp.module);
      const o = arg === undefined ? undefined : definingInstance(ev, arg, imp.name, 'func');
      if (o && o.name === p1Name) out.push(o.instance);
    }
  }
  return out;
}
