import type { Sort } from '../binary/component-types.js';
import type { Canon } from '../binary/component-types.js';
import type { ComponentGraph, FuncOrigin, LiftInfo, LowerInfo, NestedInstance, TypeOrigin } from './graph-types.js';
import { componentGraphOf, resolveCore, resolveFunc, resolveInstanceFunc, resolveOptions, resolveType } from './resolve.js';

/** The per-definition views a linker consumes, built on the resolvers. */

export function lowers(g: ComponentGraph): LowerInfo[] {
  const out: LowerInfo[] = [];
  g.spaces['core func'].forEach((def, coreFunc) => {
    if (def.kind !== 'canon' || def.item.kind !== 'lower') return;
    out.push({
      coreFunc,
      canon: def.canon,
      func: def.item.func,
      target: resolveFunc(g, def.item.func),
      options: resolveOptions(g, def.item.options),
    });
  });
  return out;
}

export function lifts(g: ComponentGraph): LiftInfo[] {
  const out: LiftInfo[] = [];
  g.spaces.func.forEach((def, func) => {
    if (def.kind !== 'canon' || def.item.kind !== 'lift') return;
    out.push({
      func,
      canon: def.canon,
      coreFunc: def.item.coreFunc,
      core: resolveCore(g, 'core func', def.item.coreFunc),
      type: def.item.type,
      options: resolveOptions(g, def.item.options),
    });
  });
  return out;
}

export interface BuiltinInfo {
  coreFunc: number;
  canon: number;
  item: Exclude<Canon, { kind: 'lift' | 'lower' }>;
  /** For resource.new/drop/rep: the resource type traced to its import or definition. */
  resource?: TypeOrigin;
}

/** Core funcs made by canon built-ins other than lower (resource.*, task.*, stream.*, ...). */
export function builtins(g: ComponentGraph): BuiltinInfo[] {
  const out: BuiltinInfo[] = [];
  g.spaces['core func'].forEach((def, coreFunc) => {
    if (def.kind !== 'canon' || def.item.kind === 'lower' || def.item.kind === 'lift') return;
    const item = def.item;
    const resource = item.kind.startsWith('resource.') && 'type' in item ? { resource: resolveType(g, item.type) } : {};
    out.push({ coreFunc, canon: def.canon, item, ...resource });
  });
  return out;
}

export function nestedInstances(g: ComponentGraph): NestedInstance[] {
  const out: NestedInstance[] = [];
  g.spaces.instance.forEach((def, instance) => {
    if (def.kind !== 'instance' || def.item.kind !== 'instantiate') return;
    const graph = componentGraphOf(g, def.item.component);
    out.push({ instance, component: def.item.component, args: def.item.args, ...(graph ? { graph } : {}) });
  });
  return out;
}

export interface ExportInfo {
  name: string;
  sort: Sort;
  index: number;
  /** For a func export: where it comes from. */
  func?: FuncOrigin;
  /** For an instance export: each func it exports, resolved. */
  funcs?: { name: string; origin: FuncOrigin | undefined }[];
}

/** The component's exports, name -> what, with funcs traced (through nested components) to their lifts. */
export function exportsOf(g: ComponentGraph): ExportInfo[] {
  return g.exports.map((e) => {
    if (e.sort === 'func') return { ...e, func: resolveFunc(g, e.index) };
    if (e.sort === 'instance') return { ...e, funcs: instanceFuncNames(g, e.index).map((name) => ({ name, origin: resolveInstanceFunc(g, e.index, name) })) };
    return { ...e };
  });
}

/** Names of the funcs an instance exports, when they are known statically. */
function instanceFuncNames(g: ComponentGraph, index: number): string[] {
  let def = g.spaces.instance[index];
  // Re-exports point at earlier indices, so this loop ends.
  while (def?.kind === 'export') def = g.spaces.instance[def.index];
  if (def?.kind !== 'instance') return [];
  if (def.item.kind === 'exports') return def.item.exports.filter((x) => x.sort === 'func').map((x) => x.name.name);
  const nested = componentGraphOf(g, def.item.component);
  return nested ? nested.exports.filter((x) => x.sort === 'func').map((x) => x.name) : [];
}
