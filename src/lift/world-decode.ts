/**
 * The world embedded in a module by wit-bindgen: each `component-type*` custom section is a
 * component whose type section holds the world as a component type (wrapped, since
 * wit-component's encoding 4, in a package component type exporting it), exported by name.
 * Several sections are merged, as wit-component does.
 */
import { parseComponent } from '../binary/component-read.js';
import type { ComponentDecl, DefValType, ExternDesc, InstanceDecl, TypeDef, ValType } from '../binary/component-types.js';
import type { CoreModule } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';
import { mergeWorlds, ownedBy, ROOT, type Fn, type Iface, type Named, type NamedDef, type VType, type WorldModel } from './world.js';

export const COMPONENT_TYPE = 'component-type';

/** The module's embedded world, or undefined when it has no component-type section. */
export function embeddedWorld(m: CoreModule): WorldModel | undefined {
  let world: WorldModel | undefined;
  let first = '';
  for (const c of m.customs) {
    if (!c.name.startsWith(COMPONENT_TYPE)) continue;
    const one = decodeSection(c.name, c.data, c.offset);
    if (!world) [world, first] = [one, c.name];
    else mergeWorlds(world, one, [first, c.name]);
  }
  return world;
}

/** What a type index of the world's component type stands for (exported for test/lift-reactor-corpus-world.ts). */
export type Entry =
  | { k: 'def'; d: DefValType }
  | { k: 'named'; n: Named }
  | { k: 'func'; fn: Fn }
  | { k: 'instance'; decls: InstanceDecl[]; scope: Scope }
  | { k: 'component'; decls: ComponentDecl[]; scope: Scope }
  | { k: 'other'; what: string };

export interface Scope {
  types: Entry[];
  parent?: Scope;
}

export class Decoder {
  /** The interfaces the world exports, as decoded so far. */
  private readonly exported = new Map<string, Iface>();

  constructor(
    private readonly section: string,
    private readonly offset: number,
  ) {}

  fail(message: string): WasiAdaptError {
    return new WasiAdaptError('bad-section', `custom section ${this.section}: ${message}; rebuild the module's bindings (or pass --wit)`, { offset: this.offset });
  }

  entry(scope: Scope, index: number): Entry {
    const e = scope.types[index];
    if (!e) throw this.fail(`type index ${index} is out of range`);
    return e;
  }

  typeDef(t: TypeDef, scope: Scope): Entry {
    switch (t.kind) {
      case 'func': {
        if (t.async) throw this.fail('an async function needs WASI 0.3, which `up` does not make');
        const results = Array.isArray(t.results) ? t.results : [{ name: '', type: t.results }];
        if (results.length > 1) throw this.fail('a function with several results (pre-0.2 binaries) is not a WIT function');
        const fn: Fn = { params: t.params.map((p) => [p.name, this.val(p.type, scope)]) };
        if (results[0]) fn.result = this.val(results[0].type, scope);
        return { k: 'func', fn };
      }
      case 'instance':
        return { k: 'instance', decls: t.decls, scope };
      case 'component':
        return { k: 'component', decls: t.decls, scope };
      case 'resource':
        return { k: 'other', what: 'a resource definition' };
      default:
        return { k: 'def', d: t };
    }
  }

  val(t: ValType, scope: Scope): VType {
    if (typeof t === 'string') {
      if (t === 'error-context') throw this.fail('error-context needs WASI 0.3');
      return { k: 'prim', name: t };
    }
    const e = this.entry(scope, t);
    if (e.k === 'named') {
      if (e.n.def.k === 'resource') throw this.fail(`resource ${e.n.name} is used as a value type`);
      return { k: 'named', named: e.n };
    }
    if (e.k !== 'def') throw this.fail(`type index ${t} is not a value type`);
    const d = e.d;
    switch (d.kind) {
      case 'prim':
        return this.val(d.type, scope);
      case 'list':
        return { k: 'list', of: this.val(d.element, scope), length: d.length };
      case 'option':
        return { k: 'option', of: this.val(d.type, scope) };
      case 'result':
        return { k: 'result', ok: d.ok === undefined ? undefined : this.val(d.ok, scope), err: d.err === undefined ? undefined : this.val(d.err, scope) };
      case 'tuple':
        return { k: 'tuple', of: d.types.map((x) => this.val(x, scope)) };
      case 'own':
      case 'borrow':
        return { k: d.kind, res: this.resource(d.resource, scope) };
      case 'stream':
      case 'future':
        throw this.fail(`${d.kind}s need WASI 0.3, which \`up\` does not make`);
      default:
        throw this.fail(`a ${d.kind} type must be exported by name before it is used`);
    }
  }

  resource(index: number, scope: Scope): Named {
    const e = this.entry(scope, index);
    if (e.k !== 'named' || e.n.def.k !== 'resource') throw this.fail(`type index ${index} in own/borrow is not a resource`);
    return e.n;
  }

  namedDef(index: number, d: DefValType, scope: Scope): NamedDef {
    switch (d.kind) {
      case 'record':
        return { k: 'record', fields: d.fields.map((f) => [f.name, this.val(f.type, scope)]) };
      case 'variant':
        return { k: 'variant', cases: d.cases.map((c) => [c.name, c.type === undefined ? undefined : this.val(c.type, scope)]) };
      case 'enum':
        return { k: 'enum', names: d.names };
      case 'flags':
        return { k: 'flags', names: d.names };
      default:
        return { k: 'alias', of: this.val(index, scope) };
    }
  }

  /** An instance type, imported or exported by the world as `owner`. */
  instance(owner: string, exported: boolean, decls: InstanceDecl[], parent: Scope): Iface {
    const scope: Scope = { types: [], parent };
    const iface: Iface = { kind: 'instance', types: new Map(), funcs: new Map() };
    for (const d of decls) {
      switch (d.kind) {
        case 'core type':
          break;
        case 'type':
          scope.types.push(this.typeDef(d.type, scope));
          break;
        case 'alias': {
          const { sort, target } = d.alias;
          if (sort !== 'type' || target.kind !== 'outer') throw this.fail(`${owner} has an alias that is not of an outer type`);
          let s: Scope | undefined = scope;
          for (let i = 0; i < target.count; i++) s = s?.parent;
          if (!s) throw this.fail(`${owner} aliases a type ${target.count} scopes out`);
          const e = this.entry(s, target.index);
          scope.types.push(exported && e.k === 'named' ? { k: 'named', n: this.fromExport(e.n) } : e);
          break;
        }
        case 'export': {
          const name = d.name.name;
          if (d.desc.kind === 'func') {
            const e = this.entry(scope, d.desc.type);
            if (e.k !== 'func') throw this.fail(`${owner}.${name} is not of a function type`);
            iface.funcs.set(name, e.fn);
          } else if (d.desc.kind === 'type') {
            const n = this.exportedType(owner, exported, name, d.desc.bound, scope);
            iface.types.set(name, n);
            scope.types.push({ k: 'named', n });
          } else {
            throw this.fail(`${owner} exports ${name}, a ${d.desc.kind}, which WIT interfaces do not have`);
          }
          break;
        }
      }
    }
    return iface;
  }

  /**
   * A type an exported interface `use`s: the export's own when the world exports its interface.
   * wit-component's world type aliases the import's (the only one in scope), but a world is
   * interface-level and wit-component makes the component with the export's types (WIT.md:
   * an export's `use` of an exported interface is of that export).
   */
  private fromExport(n: Named): Named {
    if (n.exported) return n;
    const mine = this.exported.get(n.owner)?.types.get(n.name);
    return mine && ownedBy(mine, n.owner, true) ? mine : n;
  }

  exportedType(owner: string, exported: boolean, name: string, bound: Extract<ExternDesc, { kind: 'type' }>['bound'], scope: Scope): Named {
    if (bound.kind === 'sub resource') return { name, owner, exported, def: { k: 'resource' } };
    const e = this.entry(scope, bound.type);
    // A `use`d type, or an alias of a type named earlier: the same type.
    if (e.k === 'named') return e.n;
    if (e.k !== 'def') throw this.fail(`${owner} exports type ${name} bound to a non-value type`);
    return { name, owner, exported, def: this.namedDef(bound.type, e.d, scope) };
  }

  world(decls: ComponentDecl[], parent: Scope): WorldModel {
    const scope: Scope = { types: [], parent };
    const instances: Iface[] = [];
    const world: WorldModel = { imports: new Map(), exports: new Map(), types: new Map(), encoding: 'utf8' };
    for (const d of decls) {
      switch (d.kind) {
        case 'core type':
          break;
        case 'type':
          scope.types.push(this.typeDef(d.type, scope));
          break;
        case 'alias': {
          const { sort, target } = d.alias;
          if (sort !== 'type' || target.kind !== 'export') throw this.fail('the world has an alias that is not of an instance export type');
          const n = instances[target.instance]?.types.get(target.name);
          if (!n) throw this.fail(`the world aliases ${target.name} of instance ${target.instance}, which does not export it`);
          scope.types.push({ k: 'named', n });
          break;
        }
        case 'import':
        case 'export': {
          const name = d.name.name;
          const side = d.kind === 'import' ? world.imports : world.exports;
          if (d.desc.kind === 'instance') {
            const e = this.entry(scope, d.desc.type);
            if (e.k !== 'instance') throw this.fail(`${name} is not of an instance type`);
            const iface = this.instance(name, d.kind === 'export', e.decls, e.scope);
            instances.push(iface);
            side.set(name, iface);
            if (d.kind === 'export') this.exported.set(name, iface);
          } else if (d.desc.kind === 'func') {
            const e = this.entry(scope, d.desc.type);
            if (e.k !== 'func') throw this.fail(`${name} is not of a function type`);
            side.set(name, { kind: 'func', fn: e.fn });
          } else if (d.desc.kind === 'type' && d.kind === 'import') {
            // A world-level type (`resource r`, `record r {...}`, `use i.{t}`): a type import,
            // `sub resource` or `eq` its definition (or the interface's type it `use`s).
            const n = this.exportedType(ROOT, false, name, d.desc.bound, scope);
            world.types.set(name, n);
            scope.types.push({ k: 'named', n });
          } else if (d.desc.kind === 'type') {
            throw this.fail(`the world exports type ${name} at its top level, which WIT worlds cannot (their types are imports)`);
          } else {
            throw this.fail(`the world ${d.kind}s ${name}, a ${d.desc.kind}`);
          }
          break;
        }
      }
    }
    return world;
  }
}

function decodeSection(name: string, data: Uint8Array, offset: number): WorldModel {
  const dec = new Decoder(name, offset);
  let component;
  try {
    component = parseComponent(data, offset);
  } catch (e) {
    if (!(e instanceof WasiAdaptError)) throw e;
    throw new WasiAdaptError(e.code, `custom section ${name} is not a valid component type: ${e.message}; rebuild the module's bindings (or pass --wit)`, { offset: e.offset ?? offset, cause: e });
  }
  const top: Scope = { types: [] };
  let encoding: WorldModel['encoding'] = 'utf8';
  let world: WorldModel | undefined;
  for (const s of component.sections) {
    if (s.kind === 'custom' && s.name === 'wit-component-encoding') {
      const code = s.data[1];
      if (code === undefined || code > 2) throw dec.fail('its wit-component-encoding names no string encoding');
      encoding = (['utf8', 'utf16', 'latin1+utf16'] as const)[code]!;
    } else if (s.kind === 'types') {
      for (const t of s.items) top.types.push(dec.typeDef(t, top));
    } else if (s.kind === 'exports') {
      for (const x of s.items) {
        if (x.sort !== 'type' || world) continue;
        world = worldOf(dec, dec.entry(top, x.index));
      }
    }
  }
  if (!world) throw dec.fail('it exports no world type');
  world.encoding = encoding;
  return world;
}

/** The world component type: the exported type itself, or the one component type a package type exports. */
function worldOf(dec: Decoder, e: Entry): WorldModel {
  if (e.k !== 'component') throw dec.fail('its exported type is not a component type');
  const inner = e.decls.filter((d) => d.kind === 'export' && d.desc.kind === 'component');
  if (inner.length === 1 && e.decls.every((d) => d.kind === 'type' || d.kind === 'export')) {
    const scope: Scope = { types: [], parent: e.scope };
    for (const d of e.decls) if (d.kind === 'type') scope.types.push(dec.typeDef(d.type, scope));
    const desc = (inner[0] as Extract<ComponentDecl, { kind: 'export' }>).desc as { kind: 'component'; type: number };
    const w = dec.entry(scope, desc.type);
    if (w.k !== 'component') throw dec.fail('its world is not a component type');
    return dec.world(w.decls, w.scope);
  }
  return dec.world(e.decls, e.scope);
}
