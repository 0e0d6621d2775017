import { parseModule } from '../binary/module.js';
import { parseComponent } from '../binary/component-read.js';
import type { Component, ExternDesc, Sort } from '../binary/component-types.js';
import { WasiAdaptError } from '../errors.js';
import type { ComponentGraph, Definition, IndexSpaces } from './graph-types.js';
import { moduleInfoOf } from './resolve.js';
import { classifyModules } from './roles.js';

export * from './graph-types.js';
export { resolveCore, resolveFunc, resolveInstanceFunc, resolveType, resolveOptions } from './resolve.js';
export { lowers, lifts, builtins, nestedInstances, exportsOf, type BuiltinInfo, type ExportInfo } from './links.js';
export { classifyModule } from './roles.js';

/** Which index space an import of this descriptor adds to. */
const DESC_SORT: Record<ExternDesc['kind'], Sort> = {
  'core module': 'core module',
  func: 'func',
  value: 'value',
  type: 'type',
  component: 'component',
  instance: 'instance',
};

function emptySpaces(): IndexSpaces {
  return {
    'core func': [], 'core table': [], 'core memory': [], 'core global': [], 'core type': [],
    'core module': [], 'core instance': [], func: [], value: [], type: [], component: [], instance: [],
  };
}

/**
 * Builds the instance graph: every index space of the component, in binary
 * order, with nested components as graphs of their own. Accepts parsed
 * components or raw bytes.
 */
export function buildGraph(input: Component | Uint8Array, parent?: ComponentGraph): ComponentGraph {
  const component = input instanceof Uint8Array ? parseComponent(input) : input;
  const spaces = emptySpaces();
  const graph: ComponentGraph = {
    component, spaces, modules: [], canons: [], imports: [], exports: [], starts: [],
    ...(parent ? { parent } : {}),
  };

  for (const s of component.sections) {
    switch (s.kind) {
      case 'coreModule': {
        const index = spaces['core module'].length;
        graph.modules.push({ index, bytes: s.module, offset: s.offset, core: parseModule(s.module, s.offset), instances: [], role: 'other' });
        spaces['core module'].push({ kind: 'core module', module: graph.modules.length - 1 });
        break;
      }
      case 'coreInstances':
        for (const item of s.items) {
          const index = spaces['core instance'].length;
          if (item.kind === 'instantiate') {
            checkIndex(spaces, 'core module', item.module, s.offset);
            for (const a of item.args) checkIndex(spaces, 'core instance', a.instance, s.offset);
            moduleInfoOf(graph, item.module)?.instances.push({ graph, instance: index });
          } else {
            for (const e of item.exports) checkIndex(spaces, e.sort, e.index, s.offset);
          }
          spaces['core instance'].push({ kind: 'core instance', item });
        }
        break;
      case 'coreTypes':
        for (const type of s.items) spaces['core type'].push({ kind: 'core type', type });
        break;
      case 'component':
        spaces.component.push({ kind: 'component', graph: buildGraph(s.component, graph) });
        break;
      case 'instances':
        for (const item of s.items) {
          if (item.kind === 'instantiate') {
            checkIndex(spaces, 'component', item.component, s.offset);
            for (const a of item.args) checkIndex(spaces, a.sort, a.index, s.offset);
          } else {
            for (const e of item.exports) checkIndex(spaces, e.sort, e.index, s.offset);
          }
          spaces.instance.push({ kind: 'instance', item });
        }
        break;
      case 'aliases':
        for (const a of s.items) {
          if (a.target.kind === 'export') checkIndex(spaces, 'instance', a.target.instance, s.offset);
          if (a.target.kind === 'core export') checkIndex(spaces, 'core instance', a.target.instance, s.offset);
          spaces[a.sort].push({ kind: 'alias', target: a.target });
        }
        break;
      case 'types':
        for (const type of s.items) spaces.type.push({ kind: 'type', type });
        break;
      case 'canon':
        for (const item of s.items) {
          const canon = graph.canons.length;
          graph.canons.push(item);
          spaces[item.kind === 'lift' ? 'func' : 'core func'].push({ kind: 'canon', canon, item });
        }
        break;
      case 'start':
        graph.starts.push({ func: s.start.func, args: s.start.args });
        for (let i = 0; i < s.start.results; i++) spaces.value.push({ kind: 'start result', start: graph.starts.length - 1 });
        break;
      case 'imports':
        for (const imp of s.items) {
          const sort = DESC_SORT[imp.desc.kind];
          const def: Definition = { kind: 'import', import: graph.imports.length, name: imp.name.name, desc: imp.desc };
          graph.imports.push({ name: imp.name.name, desc: imp.desc, index: spaces[sort].length });
          spaces[sort].push(def);
        }
        break;
      case 'exports':
        for (const e of s.items) {
          checkIndex(spaces, e.sort, e.index, s.offset);
          graph.exports.push({ name: e.name.name, sort: e.sort, index: e.index });
          spaces[e.sort].push({ kind: 'export', export: graph.exports.length - 1, name: e.name.name, sort: e.sort, index: e.index });
        }
        break;
      case 'values':
        for (const v of s.items) spaces.value.push({ kind: 'value', type: v.type, data: v.data });
        break;
      case 'custom':
        break;
    }
  }
  classifyModules(graph);
  return graph;
}

/** A hostile index must become a WasiAdaptError, not an `undefined` deeper down. */
function checkIndex(spaces: IndexSpaces, sort: Sort, index: number, offset: number): void {
  if (index >= spaces[sort].length) {
    throw new WasiAdaptError('unresolved', `${sort} index ${index} is out of range (${spaces[sort].length} defined so far)`, { offset });
  }
}
