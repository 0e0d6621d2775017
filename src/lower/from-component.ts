import {
  parseComponent,
  type Alias,
  type Canon,
  type CanonOpt,
  type Component,
  type CoreInstance as ComponentCoreInstance,
  type CoreSort,
  type Sort as ComponentSort,
  type TypeDef,
  type ValType,
} from '../binary/component.js';
import { classifyModule } from '../component/roles.js';
import { WasiAdaptError } from '../errors.js';
import { readLinkModule, type LinkModule } from './link-module.js';
import { moduleView } from './module-view.js';
import type { CanonOptions, ComponentView, CoreAlias, CoreFunc, CoreInstance, LiftedExport, Role, Sort } from './view.js';

/** A component function: an import of the host, or a lifted core function (with its WIT type, when printable). */
type FuncVal = { kind: 'import'; iface: string; name: string } | { kind: 'lift'; coreFunc: number; options: CanonOptions; wit: string | undefined };
type InstVal = { kind: 'import'; name: string } | { kind: 'exports'; items: Map<string, Item> };
type TypeVal =
  | { kind: 'imported'; iface: string; name: string }
  | { kind: 'own'; name: string; dtor: number | undefined }
  | { kind: 'def'; def: TypeDef; scope: Scope };
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

const MAX_INSTANTIATIONS = 10_000;

const CORE_SORT: Partial<Record<CoreSort, Sort>> = { 'core func': 'func', 'core table': 'table', 'core memory': 'memory', 'core global': 'global' };

class Evaluator {
  readonly view: ComponentView = { modules: [], coreInstances: [], coreFuncs: [], memories: [], tables: [], globals: [], exports: [] };
  readonly linkModules: LinkModule[] = [];
  private instantiations = 0;

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
          case 'component':
            s.components.push({ component: sec.component, outer: s });
            break;
          case 'instances':
            for (const inst of sec.items) {
              if (inst.kind === 'exports') {
                s.instances.push({ kind: 'exports', items: new Map(inst.exports.map((e) => [e.name.name, this.item(s, e.sort, e.index)])) });
              } else {
                const def = at1(s.components, inst.component, 'component');
                // Each instantiation copies the nested component's core instances: bound the total.
                if (++this.instantiations > MAX_INSTANTIATIONS) {
                  throw new WasiAdaptError('too-large', `more than ${MAX_INSTANTIATIONS} component instantiations`);
                }
                const a = new Map(inst.args.map((x) => [x.name, this.item(s, x.sort, x.index)]));
                s.instances.push({ kind: 'exports', items: this.evaluate(def.component, def.outer, a) });
              }
            }
            break;
          case 'aliases':
            for (const a of sec.items) this.alias(s, a);
            break;
          case 'types':
            for (const t of sec.items) {
              if (t.kind !== 'resource') s.types.push({ kind: 'def', def: t, scope: s });
              else s.types.push({ kind: 'own', name: `resource${s.types.length}`, dtor: t.dtor === undefined ? undefined : at1(s.coreFuncs, t.dtor, 'core func') });
            }
            break;
          case 'canon':
            for (const canon of sec.items) this.canon(s, canon, at);
            break;
          case 'imports':
            for (const imp of sec.items) {
              const name = imp.name.name;
              const given = args?.get(name);
              this.push(s, given ?? this.hostImport(name, imp.desc.kind));
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
          default:
            // Core types, values and custom sections name nothing the linker follows.
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
    this.view.modules.push(moduleView(index, `module ${index}`, roleOf(lm), lm));
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
    else if (a.sort !== 'core type') throw new WasiAdaptError('unsupported', `outer alias of a ${a.sort} is not supported by down`);
  }

  /** `at`: the canon section's offset, kept on lowerings so errors about them can point there. */
  private canon(s: Scope, c: Canon, at: number): void {
    const addCore = (f: CoreFunc) => s.coreFuncs.push(this.view.coreFuncs.push(f) - 1);
    switch (c.kind) {
      case 'lift':
        s.funcs.push({ kind: 'lift', coreFunc: at1(s.coreFuncs, c.coreFunc, 'core func'), options: this.options(s, c.options), wit: witOf(s.types[c.type]) });
        return;
      case 'lower': {
        const f = at1(s.funcs, c.func, 'func');
        const options = this.options(s, c.options);
        if (f.kind === 'import') {
          addCore({ kind: 'lower', iface: f.iface, func: f.name, options, offset: at });
          return;
        }
        // A component calling a function another component of the composition lifted.
        if (options.encoding !== 'utf8' || f.options.encoding !== 'utf8') {
          const enc = options.encoding !== 'utf8' ? options.encoding : f.options.encoding;
          throw new WasiAdaptError('unsupported', `a function of a nested component is lowered with string-encoding=${enc}; down supports utf8 only: build it with utf8 strings, or run it on a WASI 0.2 host`);
        }
        if (options.memory !== undefined || f.options.memory !== undefined) {
          throw new WasiAdaptError('unsupported', 'a call between two components copies values through their own memories; a p1 module has one memory: run this composition on a WASI 0.2 host (wasmtime, jco)');
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
        else if (t.kind === 'own') addCore({ kind: 'own-resource', op, dtor: t.dtor });
        else throw new WasiAdaptError('bad-value', `canon ${c.kind} names type ${c.type}, which is not a resource`);
        return;
      }
      default:
        addCore({ kind: 'unsupported', what: c.kind, offset: at });
    }
  }

  private options(s: Scope, opts: CanonOpt[]): CanonOptions {
    const o: CanonOptions = { memory: undefined, realloc: undefined, postReturn: undefined, encoding: 'utf8' };
    for (const opt of opts) {
      if (opt.kind === 'memory') o.memory = at1(s.coreMemories, opt.index, 'core memory');
      else if (opt.kind === 'realloc') o.realloc = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'post-return') o.postReturn = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'utf8' || opt.kind === 'utf16' || opt.kind === 'latin1+utf16') o.encoding = opt.kind;
      else if (opt.kind === 'async' || opt.kind === 'callback') throw new WasiAdaptError('unsupported', 'async lifts and lowers (WASI 0.3) have no WASI preview 1 counterpart: run it on a WASI 0.3 host');
    }
    return o;
  }

  /** Records a top-level export: lifted functions directly or inside an exported instance. */
  exportTop(name: string, item: Item): void {
    const add = (iface: string, func: string, f: FuncVal) => {
      if (f.kind !== 'lift') throw new WasiAdaptError('unsupported', `export ${name} re-exports an import; down cannot turn that into a p1 export`);
      const e: LiftedExport = { iface, func, coreFunc: f.coreFunc, options: f.options, witType: f.wit };
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

/** The graph's classification (adapter, shim, fixup); of the rest, a module that owns its memory is the program. */
function roleOf(lm: LinkModule): Role {
  const role = classifyModule(lm.core);
  if (role === 'adapter' || role === 'shim' || role === 'fixup') return role;
  return lm.core.memories.length && lm.core.exports.some((e) => e.kind === 'memory') ? 'main' : 'other';
}

/** A lifted function's type in WIT syntax (`func(a: u32) -> string`); undefined where a type is not a plain definition. */
function witOf(t: TypeVal | undefined): string | undefined {
  if (t?.kind !== 'def' || t.def.kind !== 'func') return undefined;
  const scope = t.scope;
  const val = (v: ValType, depth = 0): string => {
    if (typeof v === 'string') return v;
    const d = scope.types[v];
    if (depth > 8 || d?.kind !== 'def') return d?.kind === 'imported' || d?.kind === 'own' ? d.name : '_';
    const def = d.def;
    const sub = (x: ValType | undefined) => (x === undefined ? '_' : val(x, depth + 1));
    switch (def.kind) {
      case 'prim':
        return def.type;
      case 'list':
        return `list<${sub(def.element)}>`;
      case 'option':
        return `option<${sub(def.type)}>`;
      case 'result':
        if (def.err === undefined) return def.ok === undefined ? 'result' : `result<${sub(def.ok)}>`;
        return `result<${sub(def.ok)}, ${sub(def.err)}>`;
      case 'tuple':
        return `tuple<${def.types.map((x) => sub(x)).join(', ')}>`;
      case 'own':
        return sub(def.resource);
      case 'borrow':
        return `borrow<${sub(def.resource)}>`;
      default:
        return def.kind;
    }
  };
  const f = t.def;
  const params = f.params.map((p) => `${p.name}: ${val(p.type)}`).join(', ');
  const results = typeof f.results === 'number' || typeof f.results === 'string' ? ` -> ${val(f.results)}` : f.results.length ? ` -> (${f.results.map((r) => `${r.name}: ${val(r.type)}`).join(', ')})` : '';
  return `func(${params})${results}`;
}
