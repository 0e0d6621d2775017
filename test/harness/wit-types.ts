// The WIT function types of a component's exports and imports, read from the
// component itself (its instance graph) and turned into the CType trees
// cabi.ts walks. Test-side on purpose: it is a second reading of the type
// index spaces, independent of what the linker does with them.
import type { ComponentTypeDef, InstanceDecl, InstanceTypeDef, TypeDef, ValType } from '../../src/binary/component-types.js';
import { buildGraph, exportsOf, type ComponentGraph, type FuncOrigin } from '../../src/component/graph.js';
import type { CType, FuncSig } from './cabi.js';

/** A type index space: the component's, or an instance type's declarators. */
interface Scope {
  lookup(index: number): Resolved;
}
/** A resource imported by the component says which import provides it (`$root` for a type the component imports by itself). */
type Resolved = { def: TypeDef; scope: Scope; id: string } | { resource: string; iface?: string };

// Each graph gets one id, so a defined resource has one name however it is reached.
const graphIds = new WeakMap<ComponentGraph, number>();
let nextScopeId = 0;
const graphId = (g: ComponentGraph): number => {
  if (!graphIds.has(g)) graphIds.set(g, nextScopeId++);
  return graphIds.get(g)!;
};

export interface ExportSig {
  /** Exported instance (undefined for a function exported by the component itself). */
  iface?: string;
  name: string;
  /** The down output's core export. */
  core: string;
  sig?: FuncSig;
  /** Why the type could not be read (sig is then undefined). */
  error?: string;
}

export interface ImportSig {
  /** Imported instance, or '$root' for a function the component imports by itself. */
  iface: string;
  name: string;
  sig?: FuncSig;
  error?: string;
}

export interface ComponentSigs {
  exports: ExportSig[];
  imports: ImportSig[];
}

const MAX_DEPTH = 100;

/** `args`: for a nested component's scope, what its type imports were instantiated with. */
function componentScope(g: ComponentGraph, args?: (name: string) => Resolved | undefined): Scope {
  const scope: Scope = {
    lookup(index: number): Resolved {
      const def = g.spaces.type[index];
      if (!def) throw new Error(`type index ${index} out of range`);
      switch (def.kind) {
        case 'type':
          return { def: def.type, scope, id: `${graphId(g)}.${index}` };
        case 'export':
          return scope.lookup(def.index);
        case 'import': {
          if (def.desc.kind !== 'type') break;
          const given = args?.(def.name);
          if (given) return given;
          return def.desc.bound.kind === 'eq' ? scope.lookup(def.desc.bound.type) : { resource: def.name, iface: '$root' };
        }
        case 'alias': {
          const t = def.target;
          if (t.kind === 'outer') {
            let at = g;
            for (let i = 0; i < t.count; i++) at = at.parent ?? fail('outer alias past the root');
            return componentScope(at).lookup(t.index);
          }
          if (t.kind === 'export') return instanceExportType(g, scope, t.instance, t.name);
          break;
        }
      }
      throw new Error(`type ${index}: cannot resolve a ${def.kind}`);
    },
  };
  return scope;
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** Type export `name` of component instance `instance` (an imported instance, or an inline one). */
function instanceExportType(g: ComponentGraph, scope: Scope, instance: number, name: string): Resolved {
  const def = g.spaces.instance[instance];
  if (def?.kind === 'import' && def.desc.kind === 'instance') {
    const it = scope.lookup(def.desc.type);
    if (!('def' in it) || it.def.kind !== 'instance') throw new Error(`import ${def.name} is not an instance type`);
    return instanceScope(it.def, it.scope, def.name).exportType(name);
  }
  if (def?.kind === 'export') return instanceExportType(g, scope, def.index, name);
  if (def?.kind === 'instance' && def.item.kind === 'exports') {
    const e = def.item.exports.find((x) => x.name.name === name && x.sort === 'type');
    if (e) return scope.lookup(e.index);
  }
  if (def?.kind === 'instance' && def.item.kind === 'instantiate') {
    // A nested component (wit-component's re-export shims): its type export, with its type imports bound to the arguments.
    const item = def.item;
    const nested = g.spaces.component[item.component];
    const e = nested?.kind === 'component' ? nested.graph.exports.find((x) => x.name === name && x.sort === 'type') : undefined;
    if (nested?.kind === 'component' && e) {
      const bound = (n: string): Resolved | undefined => {
        const a = item.args.find((x) => x.name === n && x.sort === 'type');
        return a ? scope.lookup(a.index) : undefined;
      };
      return componentScope(nested.graph, bound).lookup(e.index);
    }
  }
  throw new Error(`type export ${name} of instance ${instance}: not traceable`);
}

interface DeclScope extends Scope {
  exportType(name: string): Resolved;
  funcs(): { name: string; type: Resolved }[];
}

/** An instance (or component) type's own type index space, built from its declarators. */
function instanceScope(t: InstanceTypeDef | ComponentTypeDef, outer: Scope, owner?: string): DeclScope {
  const space: (() => Resolved)[] = [];
  const sid = nextScopeId++;
  const exported = new Map<string, number>();
  const funcs: { name: string; type: number }[] = [];
  const self: DeclScope = {
    lookup(i) {
      const f = space[i];
      if (!f) throw new Error(`instance type index ${i} out of range`);
      return f();
    },
    exportType(name) {
      const i = exported.get(name);
      if (i === undefined) throw new Error(`instance type exports no type ${name}`);
      return self.lookup(i);
    },
    funcs: () => funcs.map((f) => ({ name: f.name, type: self.lookup(f.type) })),
  };
  for (const d of t.decls as InstanceDecl[]) {
    if (d.kind === 'type') {
      const def = d.type;
      const id = `${sid}.${space.length}`;
      space.push(() => ({ def, scope: self, id }));
    } else if (d.kind === 'alias' && d.alias.sort === 'type') {
      const target = d.alias.target;
      if (target.kind !== 'outer') throw new Error('instance type alias that is not outer');
      // count 1 is the scope this instance type was defined in.
      if (target.count !== 1) throw new Error(`outer alias count ${target.count} in an instance type`);
      space.push(() => outer.lookup(target.index));
    } else if (d.kind === 'export') {
      const desc = d.desc;
      if (desc.kind === 'type') {
        const name = d.name.name;
        exported.set(name, space.length);
        if (desc.bound.kind === 'eq') {
          const to = desc.bound.type;
          space.push(() => self.lookup(to));
        } else space.push(() => ({ resource: name, ...(owner ? { iface: owner } : {}) }));
      } else if (desc.kind === 'func') funcs.push({ name: d.name.name, type: desc.type });
    }
  }
  return self;
}

// ---- TypeDef -> CType ----

function valType(v: ValType, scope: Scope, depth: number): CType {
  if (typeof v === 'string') {
    if (v === 'error-context') throw new Error('error-context is not supported');
    return { k: v };
  }
  return resolvedType(scope.lookup(v), depth + 1);
}

function resolvedType(r: Resolved, depth: number): CType {
  if (depth > MAX_DEPTH) throw new Error('type nests too deep');
  if ('resource' in r) throw new Error(`resource ${r.resource} used as a value type`);
  const t = r.def;
  const s = r.scope;
  const sub = (v: ValType): CType => valType(v, s, depth);
  switch (t.kind) {
    case 'prim':
      return sub(t.type);
    case 'record':
      return { k: 'record', fields: t.fields.map((f) => ({ name: f.name, type: sub(f.type) })) };
    case 'variant':
      return { k: 'variant', cases: t.cases.map((c) => ({ name: c.name, ...(c.type !== undefined ? { type: sub(c.type) } : {}) })) };
    case 'list':
      if (t.length !== undefined) throw new Error('fixed-length lists are not supported');
      return { k: 'list', elem: sub(t.element) };
    case 'tuple':
      return { k: 'tuple', types: t.types.map(sub) };
    case 'flags':
      return { k: 'flags', names: t.names };
    case 'enum':
      return { k: 'enum', names: t.names };
    case 'option':
      return { k: 'option', type: sub(t.type) };
    case 'result':
      return { k: 'result', ...(t.ok !== undefined ? { ok: sub(t.ok) } : {}), ...(t.err !== undefined ? { err: sub(t.err) } : {}) };
    case 'own':
    case 'borrow':
      return { k: t.kind, ...resourceName(s.lookup(t.resource)) };
    default:
      throw new Error(`${t.kind} is not a value type`);
  }
}

function resourceName(r: Resolved): { resource: string; iface?: string } {
  if ('resource' in r) return { resource: r.resource, ...(r.iface ? { iface: r.iface } : {}) };
  if (r.def.kind === 'resource') return { resource: `resource${r.id}` };
  throw new Error(`handle to a ${r.def.kind}`);
}

function funcSig(r: Resolved): FuncSig {
  if (!('def' in r) || r.def.kind !== 'func') throw new Error('not a func type');
  const t = r.def;
  if (t.async) throw new Error('async func (WASI 0.3)');
  const params = t.params.map((p) => ({ name: p.name, type: valType(p.type, r.scope, 0) }));
  if (typeof t.results === 'string' || typeof t.results === 'number') return { params, result: valType(t.results, r.scope, 0) };
  if (t.results.length === 0) return { params };
  if (t.results.length === 1) return { params, result: valType(t.results[0]!.type, r.scope, 0) };
  throw new Error('multiple named results');
}

function attempt<T>(f: () => T): { value?: T; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function liftSig(origin: FuncOrigin | undefined): FuncSig {
  if (origin?.kind !== 'lift') throw new Error(`export is not a lifted function (${origin?.kind ?? 'unknown'})`);
  const canon = origin.graph.canons[origin.canon];
  if (canon?.kind !== 'lift') throw new Error('not a lift');
  return funcSig(componentScope(origin.graph).lookup(canon.type));
}

export function componentSigs(bytes: Uint8Array): ComponentSigs {
  const g = buildGraph(bytes);
  const scope = componentScope(g);
  const exports: ExportSig[] = [];
  for (const e of exportsOf(g)) {
    if (e.sort === 'func') {
      const r = attempt(() => liftSig(e.func));
      exports.push({ name: e.name, core: e.name, ...(r.value ? { sig: r.value } : { error: r.error }) });
    } else if (e.sort === 'instance') {
      for (const f of e.funcs ?? []) {
        const r = attempt(() => liftSig(f.origin));
        exports.push({ iface: e.name, name: f.name, core: `${e.name}#${f.name}`, ...(r.value ? { sig: r.value } : { error: r.error }) });
      }
    }
  }
  const imports: ImportSig[] = [];
  for (const imp of g.imports) {
    if (imp.desc.kind === 'func') {
      const r = attempt(() => funcSig(scope.lookup((imp.desc as { type: number }).type)));
      imports.push({ iface: '$root', name: imp.name, ...(r.value ? { sig: r.value } : { error: r.error }) });
    } else if (imp.desc.kind === 'instance') {
      const it = scope.lookup(imp.desc.type);
      if (!('def' in it) || it.def.kind !== 'instance') continue;
      for (const f of instanceScope(it.def, it.scope, imp.name).funcs()) {
        const r = attempt(() => funcSig(f.type));
        imports.push({ iface: imp.name, name: f.name, ...(r.value ? { sig: r.value } : { error: r.error }) });
      }
    }
  }
  return { exports, imports };
}
