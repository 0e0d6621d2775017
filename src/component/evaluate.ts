import type {
  Alias,
  Canon,
  CanonOpt,
  CoreInstance as ComponentCoreInstance,
  CoreSort,
  ExternDesc,
  Sort as ComponentSort,
  TypeDef,
  ValType,
} from '../binary/component-types.js';
import { WasiAdaptError } from '../errors.js';
import type { ComponentGraph, ModuleInfo, ModuleRole } from './graph-types.js';
import { instanceRoles } from './instance-roles.js';

/**
 * The component instantiated on paper: every core instance it creates, in
 * order, with nested components flattened in place (a nested component
 * instantiated twice gets its own core instances), aliases followed, and every
 * component function reduced to a host import or a lift of a core function.
 * `inspect` and `down` both read this one evaluation, so they cannot disagree
 * about what a component instantiates or what each import is bound to.
 */
export interface Evaluation {
  /** One entry per module definition evaluated (a module of a nested component instantiated twice appears twice). */
  modules: EvaluatedModule[];
  coreInstances: CoreInstance[];
  coreFuncs: CoreFunc[];
  memories: CoreAlias[];
  tables: CoreAlias[];
  globals: CoreAlias[];
  exports: LiftedExport[];
  /** Resource types the component defines and exports (its callers hold handles of them), with their destructor (a core func). */
  resources: { iface: string; name: string; dtor: number | undefined; type: TypeVal }[];
  /** Component start functions (not run by `down`), by section offset. */
  starts: number[];
}

export interface EvaluatedModule {
  info: ModuleInfo;
  /** What its instances do in the component (shim, fixup, adapter, main), from `instanceRoles`. */
  role: ModuleRole;
}

export type Sort = 'func' | 'table' | 'memory' | 'global' | 'tag';

export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

/** A core item of the component: index into the component's core index space of `sort`. */
export interface CoreRef {
  sort: Sort;
  index: number;
}

export type CoreInstance =
  /** `args`: import module name -> core instance. */
  | { kind: 'instantiate'; module: number; args: Map<string, number> }
  | { kind: 'exports'; exports: Map<string, CoreRef> };

export interface CanonOptions {
  memory: number | undefined;
  realloc: number | undefined;
  postReturn: number | undefined;
  encoding: StringEncoding;
  /** The `async` option or a `callback` (WASI 0.3). */
  async: boolean;
  /** The `callback` option's core func (a callback-style async lift). */
  callback?: number | undefined;
}

/**
 * Where a core function of the component comes from. `inst`: the component instance whose canon
 * made it (whose handle table its handles are in); `liftOwner` the one that lifted the callee.
 */
export type CoreFunc =
  | { kind: 'alias'; instance: number; name: string }
  /** A lowered import of the component: `iface` is the instance import name ('$root' for a bare func import). */
  | { kind: 'lower'; iface: string; func: string; options: CanonOptions; offset: number; type: FuncTypeRef | undefined; inst: object }
  /** A function another component of the composition lifted, lowered here. */
  | { kind: 'lower-lifted'; coreFunc: number; lower: CanonOptions; lift: CanonOptions; offset: number; type: FuncTypeRef | undefined; liftOwner: object; inst: object }
  /** resource.drop of an imported resource (resource.new/rep of one are invalid). */
  | { kind: 'resource'; op: 'drop' | 'new' | 'rep'; iface: string; resource: string; inst: object }
  /** resource.new/rep/drop of a resource the component defines; `dtor` is a core func. */
  | { kind: 'own-resource'; op: 'drop' | 'new' | 'rep'; dtor: number | undefined; type: TypeVal; inst: object }
  /** A WASI 0.3 canon built-in (task.*, waitable-set.*, stream.*, future.*, ...), its type indices in `scope`. */
  | { kind: 'async-builtin'; canon: Canon; scope: TypeScope; offset: number; options: CanonOptions | undefined }
  /** A canon built-in p1 has no counterpart for (threads): an error if reached. */
  | { kind: 'unsupported'; what: string; offset: number };

/** A component function type and the scope its type indices refer to. */
export interface FuncTypeRef {
  def: Extract<TypeDef, { kind: 'func' }>;
  scope: TypeScope;
}

/** Memories, tables and globals of a component only ever come from core instance exports. */
export interface CoreAlias {
  instance: number;
  name: string;
}

/** A lifted function the component exports. */
export interface LiftedExport {
  /** Exported instance name (`wasi:cli/run@0.2.12`) or '' for a function exported at top level. */
  iface: string;
  func: string;
  coreFunc: number;
  options: CanonOptions;
  witType: string | undefined;
  type: FuncTypeRef | undefined;
  /** The canon section that lifted it, for errors. */
  offset: number;
  /** The component instance that lifted it. */
  owner: object;
}

/** What a type index of some component scope stands for. */
export type TypeVal =
  | { kind: 'imported'; iface: string; name: string }
  /** `owner`: the component instance defining it (compared with a lift's, to know who implements it). */
  | { kind: 'own'; name: string; dtor: number | undefined; owner?: object }
  | { kind: 'def'; def: TypeDef; scope: TypeScope };

export interface TypeScope {
  types: TypeVal[];
}

type FuncVal =
  | { kind: 'import'; iface: string; name: string; type: FuncTypeRef | undefined }
  | { kind: 'lift'; coreFunc: number; options: CanonOptions; type: FuncTypeRef | undefined; offset: number; owner: object };
type InstVal = { kind: 'import'; name: string; type: TypeVal | undefined } | { kind: 'exports'; items: Map<string, Item> };
type Item =
  | { sort: 'func'; v: FuncVal }
  | { sort: 'instance'; v: InstVal }
  | { sort: 'type'; v: TypeVal }
  | { sort: 'component'; v: ComponentDef }
  | { sort: 'core module'; v: number }
  | { sort: 'other' };
interface ComponentDef {
  graph: ComponentGraph;
  outer: Scope;
}

/** One component's index spaces; core items are indices into the flattened Evaluation arrays. */
interface Scope extends TypeScope {
  parent: Scope | undefined;
  funcs: FuncVal[];
  instances: InstVal[];
  components: ComponentDef[];
  modules: number[];
  coreInstances: number[];
  coreFuncs: number[];
  coreMemories: number[];
  coreTables: number[];
  coreGlobals: number[];
}

const MAX_INSTANTIATIONS = 10_000;

const CORE_SORT: Partial<Record<CoreSort, Sort>> = { 'core func': 'func', 'core table': 'table', 'core memory': 'memory', 'core global': 'global' };

/** Evaluates the component of `graph` (and every nested one it instantiates); sets each module's role. */
export function evaluate(graph: ComponentGraph): Evaluation {
  const ev = new Evaluator();
  const top = ev.run(graph, undefined, undefined);
  for (const [name, item] of top) ev.exportTop(name, item);
  ev.finishExports();
  const roles = instanceRoles(ev.out);
  ev.out.modules.forEach((m, i) => {
    m.role = roles[i]!;
    // The graph's module keeps the role of its first evaluation (inspect shows one per definition).
    if (!ev.roleSet.has(m.info)) {
      ev.roleSet.add(m.info);
      m.info.role = m.role;
    }
  });
  return ev.out;
}

class Evaluator {
  readonly out: Evaluation = { modules: [], coreInstances: [], coreFuncs: [], memories: [], tables: [], globals: [], exports: [], resources: [], starts: [] };
  readonly roleSet = new Set<ModuleInfo>();
  private readonly pendingExports: [string, string, FuncVal][] = [];
  private instantiations = 0;

  /** Runs a component's sections; returns what it exports. `args` are its imports when nested. */
  run(g: ComponentGraph, outer: Scope | undefined, args: Map<string, Item> | undefined): Map<string, Item> {
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
    const nested = g.spaces.component.flatMap((d) => (d.kind === 'component' ? [d.graph] : []));
    let moduleAt = 0;
    let componentAt = 0;
    for (const sec of g.component.sections) {
      const at = sec.offset;
      try {
        switch (sec.kind) {
          case 'coreModule':
            s.modules.push(this.out.modules.push({ info: g.modules[moduleAt++]!, role: 'other' }) - 1);
            break;
          case 'coreInstances':
            for (const ci of sec.items) s.coreInstances.push(this.out.coreInstances.push(coreInstanceOf(s, ci)) - 1);
            break;
          case 'component':
            s.components.push({ graph: nested[componentAt++]!, outer: s });
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
                s.instances.push({ kind: 'exports', items: this.run(def.graph, def.outer, a) });
              }
            }
            break;
          case 'aliases':
            for (const a of sec.items) this.alias(s, a);
            break;
          case 'types':
            for (const t of sec.items) {
              if (t.kind !== 'resource') s.types.push({ kind: 'def', def: t, scope: s });
              else s.types.push({ kind: 'own', name: `resource${s.types.length}`, dtor: t.dtor === undefined ? undefined : at1(s.coreFuncs, t.dtor, 'core func'), owner: s });
            }
            break;
          case 'canon':
            for (const canon of sec.items) this.canon(s, canon, at);
            break;
          case 'imports':
            for (const imp of sec.items) {
              const name = imp.name.name;
              const given = args?.get(name);
              this.push(s, given ?? this.hostImport(s, name, imp.desc));
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
            this.out.starts.push(at);
            break;
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

  /** A module-level import of the top component (or a nested one nobody supplied). */
  private hostImport(s: Scope, name: string, desc: ExternDesc): Item {
    const type = desc.kind === 'instance' || desc.kind === 'func' ? s.types[desc.type] : undefined;
    switch (desc.kind) {
      case 'instance':
        return { sort: 'instance', v: { kind: 'import', name, type } };
      case 'func':
        return { sort: 'func', v: { kind: 'import', iface: '$root', name, type: funcTypeRef(type) } };
      case 'type':
        // `(import "x" (type (eq t)))` is t itself (worlds `use` an interface's resource this way).
        if (desc.bound.kind === 'eq') return { sort: 'type', v: at1(s.types, desc.bound.type, 'type') };
        return { sort: 'type', v: { kind: 'imported', iface: '$root', name } };
      default:
        throw new WasiAdaptError('unsupported', `component imports a ${desc.kind} ('${name}'); down supports instance, func and type imports`);
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
          s.coreFuncs.push(this.out.coreFuncs.push({ kind: 'alias', instance, name: t.name }) - 1);
          return;
        case 'core memory':
          s.coreMemories.push(this.out.memories.push(alias) - 1);
          return;
        case 'core table':
          s.coreTables.push(this.out.tables.push(alias) - 1);
          return;
        case 'core global':
          s.coreGlobals.push(this.out.globals.push(alias) - 1);
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
      if (a.sort === 'func') s.funcs.push({ kind: 'import', iface: inst.name, name: t.name, type: funcTypeRef(instanceExportType(inst.type, inst.name, t.name)) });
      // A type the instance type defines (a record, say) is that definition; a resource is the import's own.
      else if (a.sort === 'type') s.types.push(instanceExportType(inst.type, inst.name, t.name) ?? { kind: 'imported', iface: inst.name, name: t.name });
      else if (a.sort === 'instance') s.instances.push({ kind: 'import', name: `${inst.name}/${t.name}`, type: instanceExportType(inst.type, inst.name, t.name) });
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
    const addCore = (f: CoreFunc) => s.coreFuncs.push(this.out.coreFuncs.push(f) - 1);
    switch (c.kind) {
      case 'lift':
        s.funcs.push({
          kind: 'lift',
          coreFunc: at1(s.coreFuncs, c.coreFunc, 'core func'),
          options: this.options(s, c.options),
          type: funcTypeRef(s.types[c.type]),
          offset: at,
          owner: s,
        });
        return;
      case 'lower': {
        const f = at1(s.funcs, c.func, 'func');
        const options = this.options(s, c.options);
        if (f.kind === 'import') addCore({ kind: 'lower', iface: f.iface, func: f.name, options, offset: at, type: f.type, inst: s });
        else addCore({ kind: 'lower-lifted', coreFunc: f.coreFunc, lower: options, lift: f.options, offset: at, type: f.type, liftOwner: f.owner, inst: s });
        return;
      }
      case 'resource.drop':
      case 'resource.new':
      case 'resource.rep': {
        const t = at1(s.types, c.type, 'type');
        const op = c.kind === 'resource.drop' ? 'drop' : c.kind === 'resource.new' ? 'new' : 'rep';
        if (t.kind === 'imported') addCore({ kind: 'resource', op, iface: t.iface, resource: t.name, inst: s });
        else if (t.kind === 'own') addCore({ kind: 'own-resource', op, dtor: t.dtor, type: t, inst: s });
        else throw new WasiAdaptError('bad-value', `canon ${c.kind} names type ${c.type}, which is not a resource`);
        return;
      }
      default:
        if (c.kind.startsWith('thread.') && c.kind !== 'thread.yield') addCore({ kind: 'unsupported', what: c.kind, offset: at });
        else addCore({ kind: 'async-builtin', canon: c, scope: s, offset: at, options: 'options' in c ? this.options(s, c.options) : undefined });
    }
  }

  private options(s: Scope, opts: CanonOpt[]): CanonOptions {
    const o: CanonOptions = { memory: undefined, realloc: undefined, postReturn: undefined, encoding: 'utf8', async: false };
    for (const opt of opts) {
      if (opt.kind === 'memory') o.memory = at1(s.coreMemories, opt.index, 'core memory');
      else if (opt.kind === 'realloc') o.realloc = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'post-return') o.postReturn = at1(s.coreFuncs, opt.index, 'core func');
      else if (opt.kind === 'utf8' || opt.kind === 'utf16' || opt.kind === 'latin1+utf16') o.encoding = opt.kind;
      else if (opt.kind === 'async') o.async = true;
      else if (opt.kind === 'callback') [o.async, o.callback] = [true, at1(s.coreFuncs, opt.index, 'core func')];
    }
    return o;
  }

  /** Records a top-level export: lifted functions directly or inside an exported instance. */
  exportTop(name: string, item: Item): void {
    const funcs: [string, string, FuncVal][] = [];
    const resource = (iface: string, rname: string, v: Extract<TypeVal, { kind: 'own' }>) => {
      // The exported name is the one WIT gives it (used by the function types below).
      v.name = rname;
      this.out.resources.push({ iface, name: rname, dtor: v.dtor, type: v });
    };
    if (item.sort === 'func') funcs.push(['', name, item.v]);
    else if (item.sort === 'type' && item.v.kind === 'own') resource('', name, item.v);
    else if (item.sort === 'instance' && item.v.kind === 'exports') {
      for (const [fname, inner] of item.v.items) {
        if (inner.sort === 'func') funcs.push([name, fname, inner.v]);
        else if (inner.sort === 'type' && inner.v.kind === 'own') resource(name, fname, inner.v);
      }
    }
    this.pendingExports.push(...funcs);
  }

  /** The lifted functions exported, with their WIT types printed once every exported resource has its name. */
  finishExports(): void {
    for (const [iface, func, f] of this.pendingExports) {
      if (f.kind !== 'lift') throw new WasiAdaptError('unsupported', `export ${iface || func} re-exports an import; down cannot turn that into a p1 export`);
      this.out.exports.push({ iface, func, coreFunc: f.coreFunc, options: f.options, witType: witOf(f.type), type: f.type, offset: f.offset, owner: f.owner });
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
  const exports = new Map<string, CoreRef>();
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

function funcTypeRef(t: TypeVal | undefined): FuncTypeRef | undefined {
  return t?.kind === 'def' && t.def.kind === 'func' ? { def: t.def, scope: t.scope } : undefined;
}

/**
 * The type an instance type declares for export `name` (a function's or a
 * type's), in a scope of the instance type's own declarations (its type
 * indices are local to it); its resources are the import `iface`'s.
 */
function instanceExportType(t: TypeVal | undefined, iface: string, name: string): TypeVal | undefined {
  if (t?.kind !== 'def' || t.def.kind !== 'instance') return undefined;
  const scope: TypeScope = { types: [] };
  const opaque: TypeVal = { kind: 'imported', iface, name: '' };
  for (const d of t.def.decls) {
    if (d.kind === 'type') scope.types.push({ kind: 'def', def: d.type, scope });
    else if (d.kind === 'alias' && d.alias.sort === 'type') {
      const target = d.alias.target;
      // An outer alias reaches the enclosing component's types.
      scope.types.push(target.kind === 'outer' && target.count === 1 ? (t.scope.types[target.index] ?? opaque) : opaque);
    } else if (d.kind === 'export') {
      const desc = d.desc;
      if (desc.kind === 'type') {
        const v: TypeVal = desc.bound.kind === 'eq' ? (scope.types[desc.bound.type] ?? opaque) : { kind: 'imported', iface, name: d.name.name };
        scope.types.push(v);
        if (d.name.name === name) return v;
      } else if (d.name.name === name && desc.kind === 'func') return scope.types[desc.type];
    }
  }
  return undefined;
}

/** A lifted function's type in WIT syntax (`func(a: u32) -> string`); undefined where a type is not a plain definition. */
function witOf(t: FuncTypeRef | undefined): string | undefined {
  if (!t) return undefined;
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
