import {
  parseComponent,
  type Alias,
  type Canon,
  type CanonOpt,
  type Component,
  type CoreInstance as ComponentCoreInstance,
  type CoreSort,
  type Sort as ComponentSort,
} from '../binary/component.js';
import { WasiAdaptError } from '../errors.js';
import { readLinkModule, type LinkModule } from './link-module.js';
import { moduleView } from './module-view.js';
import { P1_FUNCTIONS } from './p1-names.js';
import type { CanonOptions, ComponentView, CoreAlias, CoreFunc, CoreInstance, LiftedExport, ModuleView, Role, Sort } from './view.js';

/** A component function: an import of the host, or a lifted core function. */
type FuncVal = { kind: 'import'; iface: string; name: string } | { kind: 'lift'; coreFunc: number; options: CanonOptions };
type InstVal = { kind: 'import'; name: string } | { kind: 'exports'; items: Map<string, Item> };
type TypeVal = { kind: 'imported'; iface: string; name: string } | { kind: 'own'; name: string } | { kind: 'other' };
type Item =
  | { sort: 'func'; v: FuncVal }
  | { sort: 'instance'; v: InstVal }
  | { sort: 'type'; v: TypeVal }
  | { sort: 'component'; v: ComponentDef }
  | { sort: 'core module'; v: number }
  | { sort: 'other' };
interface ComponentDef {
  component: Component;
  outer: Scope;
}

/** One component's index spaces; core items are indices into the flattened ComponentView arrays. */
interface Scope {
  parent: Scope | undefined;
  funcs: FuncVal[];
  instances: InstVal[];
  types: TypeVal[];
  components: ComponentDef[];
  modules: number[];
  coreInstances: number[];
  coreFuncs: number[];
  coreMemories: number[];
  coreTables: number[];
  coreGlobals: number[];
  coreTypes: number;
  values: number;
}

export interface ComponentInput {
  component: ComponentView;
  /** The parsed module behind ModuleView `index`. */
  module(index: number): LinkModule;
}

/**
 * Evaluates a component's sections into the flattened view the planner uses:
 * nested components are instantiated in place (their core items join the
 * top-level arrays), aliases are followed, and every component function is
 * reduced to a host import or a lift of a core function.
 */
export function componentView(bytes: Uint8Array): ComponentInput {
  const ev = new Evaluator();
  const top = ev.evaluate(parseComponent(bytes), undefined, undefined);
  for (const [name, item] of top) ev.exportTop(name, item);
  return { component: ev.view, module: (i) => ev.linkModules[i]! };
}

const CORE_SORT: Partial<Record<CoreSort, Sort>> = { 'core func': 'func', 'core table': 'table', 'core memory': 'memory', 'core global': 'global' };

class Evaluator {
  readonly view: ComponentView = { modules: [], coreInstances: [], coreFuncs: [], memories: [], tables: [], globals: [], exports: [] };
  readonly linkModules: LinkModule[] = [];

  /** Runs a component's sections; returns what it exports. `args` are its imports when nested. */
  evaluate(c: Component, outer: Scope | undefined, args: Map<string, Item> | undefined): Map<string, Item> {
    const s: Scope = {
      parent: outer,
      funcs: [],
      instances: [],
      types: [],
      components: [],
      modules: [],
      coreInstances: [],
      coreFuncs: [],
      coreMemories: [],
      coreTables: [],
      coreGlobals: [],
      coreTypes: 0,
      values: 0,
    };
    const exports = new Map<string, Item>();
    for (const sec of c.sections) {
      const at = sec.offset;
      try {
        switch (sec.kind) {
          case 'coreModule':
            s.modules.push(this.addModule(sec.module, sec.offset));
            break;
          case 'coreInstances':
            for (const ci of sec.items) s.coreInstances.push(this.view.coreInstances.push(coreInstanceOf(s, ci)) - 1);
            break;
          case 'coreTypes':
            s.coreTypes += sec.items.length;
            break;
          case 'component':
            s.components.push({ component: sec.component, outer: s });
            break;
          case 'instances':
            for (const inst of sec.items) {
              if (inst.kind === 'exports') {
                s.instances.push({ kind: 'exports', items: new Map(inst.exports.map((e) => [e.name.name, this.item(s, e.sort, e.index)])) });
              } else {
                const def = at1(s.components, inst.component, 'component');
                const a = new Map(inst.args.map((x) => [x.name, this.item(s, x.sort, x.index)]));
                s.instances.push({ kind: 'exports', items: this.evaluate(def.component, def.outer, a) });
              }
            }
            break;
          case 'aliases':
            for (const a of sec.items) this.alias(s, a);
            break;
          case 'types':
            for (const t of sec.items) s.types.push(t.kind === 'resource' ? { kind: 'own', name: `resource${s.types.length}` } : { kind: 'other' });
            break;
          case 'canon':
            for (const canon of sec.items) this.canon(s, canon);
            break;
          case 'imports':
            for (const imp of sec.items) {
              const name = imp.name.name;
              const given = args?.get(name);
              this.push(s, given ?? this.hostImport(name, imp.desc.kind === 'type' ? 'type' : imp.desc.kind));
            }
            break;
          case 'exports':
            for (const e of sec.items) {
              const item = this.item(s, e.sort, e.index);
              exports.set(e.name.name, item);
              this.push(s, item);
            }
            break;
          case 'start':
            throw new WasiAdaptError('unsupported', 'component start functions are not supported by down', { offset: at });
          case 'values':
            s.values += sec.items.length;
            break;
          case 'custom':
            break;
        }
      } catch (err) {
        if (err instanceof WasiAdaptError && err.offset === undefined) {
          throw new WasiAdaptError(err.code, err.message, { offset: at, cause: err.cause });
        }
        throw err;
      }
    }
    return exports;
  }

  private addModule(bytes: Uint8Array, offset: number): number {
    const index = this.view.modules.length;
    const lm = readLinkModule(bytes, offset);
    this.linkModules.push(lm);
    const view = moduleView(index, `module ${index}`, 'other', lm);
    view.role = roleOf(view);
    this.view.modules.push(view);
    return index;
  }

  /** A module-level import of the top component (or a nested one nobody supplied). */
  private hostImport(name: string, kind: string): Item {
    switch (kind) {
      case 'instance':
        return { sort: 'instance', v: { kind: 'import', name } };
      case 'func':
        return { sort: 'func', v: { kind: 'import', iface: '$root', name } };
      case 'type':
        return { sort: 'type', v: { kind: 'imported', iface: '$root', name } };
      default:
        throw new WasiAdaptError('unsupported', `component imports a ${kind} ('${name}'); down supports instance, func and type imports`);
    }
  }

  private push(s: Scope, item: Item): void {
    switch (item.sort) {
      case 'func':
        s.funcs.push(item.v);
        break;
      case 'instance':
        s.instances.push(item.v);
        break;
      case 'type':
        s.types.push(item.v);
        break;
      case 'component':
        s.components.push(item.v);
        break;
      case 'core module':
        s.modules.push(item.v);
        break;
      case 'other':
        break;
    }
  }

  private item(s: Scope, sort: ComponentSort, index: number): Item {
    switch (sort) {
      case 'func':
        return { sort, v: at1(s.funcs, index, 'func') };
      case 'instance':
        return { sort, v: at1(s.instances, index, 'instance') };
      case 'type':
        return { sort, v: at1(s.types, index, 'type') };
      case 'component':
        return { sort, v: at1(s.components, index, 'component') };
      case 'core module':
        return { sort, v: at1(s.modules, index, 'core module') };
      default:
        return { sort: 'other' };
    }
  }

  private alias(s: Scope, a: Alias): void {
    const t = a.target;
    if (t.kind === 'core export') {
      const instance = at1(s.coreInstances, t.instance, 'core instance');
      const alias: CoreAlias = { instance, name: t.name };
      switch (a.sort) {
        case 'core func':
          s.coreFuncs.push(this.view.coreFuncs.push({ kind: 'alias', instance, name: t.name }) - 1);
          return;
        case 'core memory':
          s.coreMemories.push(this.view.memories.push(alias) - 1);
          return;
        case 'core table':
          s.coreTables.push(this.view.tables.push(alias) - 1);
          return;
        case 'core global':
          s.coreGlobals.push(this.view.globals.push(alias) - 1);
          return;
        default:
          throw new WasiAdaptError('unsupported', `alias of a core ${a.sort} export is not supported by down`);
      }
    }
    if (t.kind === 'export') {
      const inst = at1(s.instances, t.instance, 'instance');
      if (inst.kind === 'exports') {
        const item = inst.items.get(t.name);
        if (!item) throw new WasiAdaptError('unresolved', `instance ${t.instance} has no export '${t.name}'`);
        this.push(s, item);
        return;
      }
      if (a.sort === 'func') s.funcs.push({ kind: 'import', iface: inst.name, name: t.name });
      else if (a.sort === 'type') s.types.push({ kind: 'imported', iface: inst.name, name: t.name });
      else if (a.sort === 'instance') s.instances.push({ kind: 'import', name: `${inst.name}/${t.name}` });
      else throw new WasiAdaptError('unsupported', `alias of an imported ${a.sort} is not supported by down`);
      return;
    }
    // outer alias: types, modules and components of an enclosing component
    let scope: Scope | undefined = s;
    for (let i = 0; i < t.count && scope; i++) scope = scope.parent;
    if (!scope) throw new WasiAdaptError('bad-value', `outer alias count ${t.count} is too large`);
    if (a.sort === 'type') s.types.push(at1(scope.types, t.index, 'type'));
    else if (a.sort === 'core module') s.modules.push(at1(scope.modules, t.index, 'core module'));
    else if (a.sort === 'component') s.components.push(at1(scope.components, t.index, 'component'));
    else if (a.sort === 'core type') s.coreTypes++;
    else throw new WasiAdaptError('unsupported', `outer alias of a ${a.sort} is not supported by down`);
  }

  private canon(s: Scope, c: Canon): void {
    const addCore = (f: CoreFunc) => s.coreFuncs.push(this.view.coreFuncs.push(f) - 1);
    switch (c.kind) {
      case 'lift':
        s.funcs.push({ kind: 'lift', coreFunc: at1(s.coreFuncs, c.coreFunc, 'core func'), options: this.options(s, c.options) });
        return;
      case 'lower': {
        const f = at1(s.funcs, c.func, 'func');
        const options = this.options(s, c.options);
        if (f.kind === 'import') {
          addCore({ kind: 'lower', iface: f.iface, func: f.name, options, witType: undefined });
          return;
        }
        // A component calling a function another component of the composition lifted.
        if (options.encoding !== 'utf8' || f.options.encoding !== 'utf8') {
          const enc = options.encoding !== 'utf8' ? options.encoding : f.options.encoding;
          throw new WasiAdaptError('unsupported', `a function of a nested component is lowered with string-encoding=${enc}; down supports utf8 only`);
        }
        if (options.memory !== undefined || f.options.memory !== undefined) {
          throw new WasiAdaptError('unsupported', 'a call between two components copies values through their memories; down needs one memory');
        }
        s.coreFuncs.push(f.coreFunc);
        return;
      }
      case 'resource.drop':
      case 'resource.new':
      case 'resource.rep': {
        const t = at1(s.types, c.type, 'type');
        const op = c.kind === 'resource.drop' ? 'drop' : c.kind === 'resource.new' ? 'new' : 'rep';
        if (t.kind === 'imported') addCore({ kind: 'resource', op, iface: t.iface, resource: t.name });
        else addCore({ kind: 'resource', op, iface: undefined, resource: t.kind === 'own' ? t.name : 'resource' });
        return;
      }
      default:
        addCore({ kind: 'unsupported', what: c.kind });
    }
  }

  private options(s: Scope, opts: CanonOpt[]): CanonOptions {
    const o: CanonOptions = { memory: undefined, realloc: undefined, postReturn: undefined, encoding: 'utf8' };
    for (const opt of opts) {
      if (opt.kind === 'memory') o.memory = at1(s.coreMemories, opt.index, 'core memory');
      else if (opt.kind === 'realloc') o.realloc = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'post-return') o.postReturn = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'utf8' || opt.kind === 'utf16' || opt.kind === 'latin1+utf16') o.encoding = opt.kind;
      else if (opt.kind === 'async' || opt.kind === 'callback') throw new WasiAdaptError('unsupported', 'async lifts and lowers have no WASI preview 1 counterpart');
    }
    return o;
  }

  /** Records a top-level export: lifted functions directly or inside an exported instance. */
  exportTop(name: string, item: Item): void {
    const add = (iface: string, func: string, f: FuncVal) => {
      if (f.kind !== 'lift') throw new WasiAdaptError('unsupported', `export ${name} re-exports an import; down cannot turn that into a p1 export`);
      const e: LiftedExport = { iface, func, coreFunc: f.coreFunc, options: f.options, witType: undefined };
      this.view.exports.push(e);
    };
    if (item.sort === 'func') add('', name, item.v);
    else if (item.sort === 'instance' && item.v.kind === 'exports') {
      for (const [fname, inner] of item.v.items) if (inner.sort === 'func') add(name, fname, inner.v);
    }
  }
}

function coreInstanceOf(s: Scope, ci: ComponentCoreInstance): CoreInstance {
  if (ci.kind === 'instantiate') {
    return {
      kind: 'instantiate',
      module: at1(s.modules, ci.module, 'core module'),
      args: new Map(ci.args.map((a) => [a.name, at1(s.coreInstances, a.instance, 'core instance')])),
    };
  }
  const exports = new Map<string, { sort: Sort; index: number }>();
  for (const e of ci.exports) {
    const sort = CORE_SORT[e.sort];
    if (!sort) throw new WasiAdaptError('unsupported', `core instance exports a ${e.sort}`);
    const space = sort === 'func' ? s.coreFuncs : sort === 'memory' ? s.coreMemories : sort === 'table' ? s.coreTables : s.coreGlobals;
    exports.set(e.name, { sort, index: at1(space, e.index, e.sort) });
  }
  return { kind: 'exports', exports };
}

function at1<T>(space: readonly T[], index: number, what: string): T {
  const v = space[index];
  if (v === undefined) throw new WasiAdaptError('bad-value', `${what} index ${index} is out of range (${space.length} defined)`);
  return v;
}

/** Roles from shape, not names: tools name modules differently, the shapes are fixed by the adapter protocol. */
function roleOf(m: ModuleView): Role {
  if (m.trampolines.size) return 'shim';
  if (m.tableFills && m.definedFuncs === 0) return 'fixup';
  const p1Exports = m.exports.some((e) => e.sort === 'func' && P1_FUNCTIONS.has(e.name));
  const talksWasi02 = m.imports.some((i) => i.module.startsWith('wasi:') || i.module === '__main_module__');
  if (p1Exports && talksWasi02) return 'adapter';
  const ownsMemory = m.exports.some((e) => e.sort === 'memory') && !m.imports.some((i) => i.sort === 'memory');
  return ownsMemory ? 'main' : 'other';
}
