import { parseComponent } from '../binary/component.js';
import { evaluate, type Sort } from '../component/evaluate.js';
import { definingInstance } from '../component/instance-roles.js';
import { buildGraph, type ComponentGraph } from '../component/graph.js';
import { linkModuleOf, type LinkModule } from './link-module.js';
import { moduleView } from './module-view.js';
import type { ComponentView } from './view.js';

export interface ComponentInput {
  component: ComponentView;
  /** The parsed module behind ModuleView `index`. */
  module(index: number): LinkModule;
}

/**
 * The linker's view of a component: the instance graph's evaluation (the one
 * `inspect` reads too), with each evaluated module prepared for linking.
 */
export function componentView(bytes: Uint8Array): ComponentInput {
  return componentViewOf(buildGraph(parseComponent(bytes)));
}

/** The same, for a graph already built (inspect's). */
export function componentViewOf(graph: ComponentGraph): ComponentInput {
  const ev = evaluate(graph);
  // A module evaluated twice (a nested component instantiated twice) is prepared once.
  const prepared = new Map<object, LinkModule>();
  const linkModules = ev.modules.map((m) => {
    let lm = prepared.get(m.info);
    if (!lm) prepared.set(m.info, (lm = linkModuleOf(m.info.core)));
    return lm;
  });
  const modules = ev.modules.map((m, i) => moduleView(i, `module ${i}`, m.role, linkModules[i]!));
  const origin = (key: number, name: string, sort: Sort) => definingInstance(ev, key, name, sort);
  return { component: { ...ev, modules, origin }, module: (i) => linkModules[i]! };
}
