import type { CanonOpt, CoreSort, Sort } from '../binary/component-types.js';
import { WasiAdaptError } from '../errors.js';
import type {
  ComponentGraph, CoreOrigin, Definition, FuncOrigin, ModuleInfo, ResolvedOptions, TypeOrigin,
} from './graph-types.js';

/**
 * Following definitions back to where items really come from. Every chain
 * points at earlier definitions, so it ends; `hops` bounds hostile chains so
 * they fail as WasiAdaptError instead of overflowing the stack.
 */
const MAX_HOPS = 1000;

function step(hops: number): number {
  if (hops > MAX_HOPS) throw new WasiAdaptError('too-deep', `alias chain longer than ${MAX_HOPS} steps`);
  return hops + 1;
}

export function definition(g: ComponentGraph, sort: Sort, index: number): Definition {
  const def = g.spaces[sort][index];
  if (def === undefined) {
    throw new WasiAdaptError('unresolved', `${sort} index ${index} is out of range (${g.spaces[sort].length} defined)`, { offset: g.component.offset });
  }
  return def;
}

/** The graph `count` levels out (outer aliases). */
function outer(g: ComponentGraph, count: number): ComponentGraph {
  let at = g;
  for (let i = 0; i < count; i++) {
    if (!at.parent) throw new WasiAdaptError('unresolved', `outer alias reaches ${count} levels out of ${i} enclosing components`, { offset: g.component.offset });
    at = at.parent;
  }
  return at;
}

/** The embedded module behind a core module index (through outer aliases and exports). */
export function moduleInfoOf(g: ComponentGraph, index: number, hops = 0): ModuleInfo | undefined {
  const def = definition(g, 'core module', index);
  if (def.kind === 'core module') return g.modules[def.module];
  if (def.kind === 'alias' && def.target.kind === 'outer') return moduleInfoOf(outer(g, def.target.count), def.target.index, step(hops));
  if (def.kind === 'export') return moduleInfoOf(g, def.index, step(hops));
  return undefined;
}

/** The nested component graph behind a component index, if it is defined (not imported). */
export function componentGraphOf(g: ComponentGraph, index: number, hops = 0): ComponentGraph | undefined {
  const def = definition(g, 'component', index);
  if (def.kind === 'component') return def.graph;
  if (def.kind === 'alias' && def.target.kind === 'outer') return componentGraphOf(outer(g, def.target.count), def.target.index, step(hops));
  if (def.kind === 'export') return componentGraphOf(g, def.index, step(hops));
  return undefined;
}

/** Where core func/table/memory/global `index` comes from. */
export function resolveCore(g: ComponentGraph, sort: CoreSort, index: number, hops = 0): CoreOrigin {
  const def = definition(g, sort, index);
  if (def.kind === 'canon') return { kind: 'canon', coreFunc: index, canon: def.canon, item: def.item };
  if (def.kind === 'alias' && def.target.kind === 'core export') {
    return resolveCoreExport(g, def.target.instance, def.target.name, sort, index, step(hops));
  }
  return { kind: 'opaque', sort, index };
}

function resolveCoreExport(g: ComponentGraph, instance: number, name: string, sort: CoreSort, index: number, hops: number): CoreOrigin {
  const def = definition(g, 'core instance', instance);
  if (def.kind === 'core instance') {
    if (def.item.kind === 'instantiate') return { kind: 'module export', instance, module: def.item.module, name };
    const e = def.item.exports.find((x) => x.name === name && x.sort === sort);
    if (e) return resolveCore(g, sort, e.index, step(hops));
  }
  return { kind: 'opaque', sort, index };
}

/** Where component func `index` comes from: an import (instance + name), or a lift. */
export function resolveFunc(g: ComponentGraph, index: number, hops = 0): FuncOrigin {
  const def = definition(g, 'func', index);
  switch (def.kind) {
    case 'import':
      return { kind: 'import', name: def.name };
    case 'canon':
      if (def.item.kind === 'lift') return { kind: 'lift', graph: g, func: index, canon: def.canon, coreFunc: def.item.coreFunc };
      break;
    case 'export':
      return resolveFunc(g, def.index, step(hops));
    case 'alias':
      if (def.target.kind === 'export') return resolveInstanceFunc(g, def.target.instance, def.target.name, step(hops)) ?? { kind: 'opaque', graph: g, func: index };
      break;
  }
  return { kind: 'opaque', graph: g, func: index };
}

/**
 * Func export `name` of component instance `instance`: through inline-export
 * instances and instantiations of nested components (mapping the nested
 * component's imports back to the instantiation's arguments).
 */
export function resolveInstanceFunc(g: ComponentGraph, instance: number, name: string, hops = 0): FuncOrigin | undefined {
  const def = definition(g, 'instance', instance);
  if (def.kind === 'import') return { kind: 'import', instance: def.name, name };
  if (def.kind === 'export') return resolveInstanceFunc(g, def.index, name, step(hops));
  if (def.kind !== 'instance') return undefined;
  const item = def.item;
  if (item.kind === 'exports') {
    const e = item.exports.find((x) => x.name.name === name);
    return e?.sort === 'func' ? resolveFunc(g, e.index, step(hops)) : undefined;
  }
  const nested = componentGraphOf(g, item.component);
  if (!nested) return undefined;
  const exp = nested.exports.find((x) => x.name === name && x.sort === 'func');
  if (!exp) return undefined;
  const inner = resolveFunc(nested, exp.index, step(hops));
  if (inner.kind !== 'import') return inner;
  // The nested component imported it: follow the argument this instantiation supplied.
  const arg = item.args.find((a) => a.name === (inner.instance ?? inner.name));
  if (!arg) return undefined;
  if (inner.instance === undefined && arg.sort === 'func') return resolveFunc(g, arg.index, step(hops));
  if (inner.instance !== undefined && arg.sort === 'instance') return resolveInstanceFunc(g, arg.index, inner.name, step(hops));
  return undefined;
}

/** Where type `index` comes from: an import (e.g. resource `output-stream` of `wasi:io/streams@0.2.12`) or a definition. */
export function resolveType(g: ComponentGraph, index: number, hops = 0): TypeOrigin {
  const def = definition(g, 'type', index);
  switch (def.kind) {
    case 'type':
      return { kind: 'defined', graph: g, index, type: def.type };
    case 'import':
      return { kind: 'import', name: def.name };
    case 'export':
      return resolveType(g, def.index, step(hops));
    case 'alias': {
      const t = def.target;
      if (t.kind === 'outer') return resolveType(outer(g, t.count), t.index, step(hops));
      if (t.kind === 'export') {
        const inst = definition(g, 'instance', t.instance);
        if (inst.kind === 'import') return { kind: 'import', instance: inst.name, name: t.name };
        if (inst.kind === 'instance' && inst.item.kind === 'exports') {
          const e = inst.item.exports.find((x) => x.name.name === t.name && x.sort === 'type');
          if (e) return resolveType(g, e.index, step(hops));
        }
      }
      break;
    }
  }
  return { kind: 'opaque', graph: g, index };
}

/** Canon options with memory / realloc / post-return / callback traced to their core origins. */
export function resolveOptions(g: ComponentGraph, options: readonly CanonOpt[]): ResolvedOptions {
  const out: ResolvedOptions = { stringEncoding: 'utf8', async: false };
  for (const o of options) {
    switch (o.kind) {
      case 'utf8':
      case 'utf16':
      case 'latin1+utf16':
        out.stringEncoding = o.kind;
        break;
      case 'async':
        out.async = true;
        break;
      case 'memory':
        out.memory = { index: o.index, origin: resolveCore(g, 'core memory', o.index) };
        break;
      case 'realloc':
        out.realloc = { index: o.index, origin: resolveCore(g, 'core func', o.index) };
        break;
      case 'post-return':
        out.postReturn = { index: o.index, origin: resolveCore(g, 'core func', o.index) };
        break;
      case 'callback':
        out.callback = { index: o.index, origin: resolveCore(g, 'core func', o.index) };
        break;
      case 'always-task-return':
        break;
    }
  }
  return out;
}
