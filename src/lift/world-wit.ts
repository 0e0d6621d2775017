/**
 * `up --wit`: a world from our WIT resolver, as the same model the embedded component types
 * give. `@unstable` items are left out (no feature is enabled); `@since` items are kept (the
 * package's own version has them all).
 */
import { WasiAdaptError } from '../errors.js';
import type { Gate, Interface, ResolvedWit, Type, TypeDef, World, WorldItem as WitItem } from '../wit/index.js';
import { resourceOf } from '../wit/index.js';
import { ROOT, type Fn, type Iface, type Named, type NamedDef, type VType, type WorldItem, type WorldModel } from './world.js';

/** The world `name` of the root package (its only world when `name` is undefined). */
export function pickWorld(wit: ResolvedWit, name: string | undefined): World {
  const worlds = wit.root.worlds;
  if (name !== undefined) {
    const w = worlds.get(name);
    if (!w) throw new WasiAdaptError('invalid-argument', `package ${wit.root.id} has no world ${name} (it has: ${[...worlds.keys()].join(', ') || 'none'})`);
    return w;
  }
  if (worlds.size !== 1) {
    throw new WasiAdaptError('invalid-argument', `package ${wit.root.id} has ${worlds.size ? `${worlds.size} worlds (${[...worlds.keys()].join(', ')})` : 'no world'}; choose one with --world NAME`);
  }
  return [...worlds.values()][0]!;
}

const stable = (gates: readonly Gate[]) => !gates.some((g) => g.kind === 'unstable');

export interface WitWorldOptions {
  /**
   * Write a name for a structural type (`type instant = u64`) as that type, as `up` always wrote
   * WASI's own signatures (the types are equal either way; see wasi-digest.ts).
   */
  inlineAliases?: boolean;
}

export function witWorld(world: World, options: WitWorldOptions = {}): WorldModel {
  const c = new Converter(options.inlineAliases ?? false);
  const exportedIfaces = new Set([...world.exports.values()].flatMap((x) => (x.kind === 'interface' ? [x.interface] : [])));
  const types = new Map<string, Named>();
  const side = (items: Map<string, WitItem>, exporting: boolean): Map<string, WorldItem> => {
    // An export's types are its own; what it `use`s is the export of that interface if the world
    // exports it, else the import (WIT.md).
    c.exporting = exporting ? exportedIfaces : undefined;
    const out = new Map<string, WorldItem>();
    for (const [key, item] of items) {
      if (!stable(item.gates)) continue;
      if (item.kind === 'interface') {
        if (!stable(item.interface.gates)) continue;
        out.set(key, c.iface(item.interface, key));
      } else if (item.kind === 'func') {
        if (stable(item.func.gates)) out.set(key, { kind: 'func', fn: c.fn(item.func) });
      } else if (stable(item.type.gates)) {
        // World-level types are imports (the resolver puts them there).
        types.set(key, c.namedOf(item.type));
      }
    }
    return out;
  };
  const imports = side(world.imports, false);
  return { imports, exports: side(world.exports, true), types, encoding: 'utf8' };
}

class Converter {
  /** Named types of imported interfaces, and of exported ones. */
  private readonly named = [new Map<TypeDef, Named>(), new Map<TypeDef, Named>()];
  private readonly owners = new Map<Interface, string>();
  /** While converting exports: the interfaces the world exports. */
  exporting: Set<Interface> | undefined;

  constructor(private readonly inlineAliases: boolean) {}

  iface(i: Interface, key: string): Iface {
    this.owners.set(i, i.id ?? key);
    const out: Iface = { kind: 'instance', types: new Map(), funcs: new Map() };
    for (const [name, def] of i.types) if (stable(def.gates)) out.types.set(name, this.namedOf(def));
    for (const [name, f] of i.functions) if (stable(f.gates)) out.funcs.set(name, this.fn(f));
    return out;
  }

  fn(f: { params: readonly { name: string; type: Type }[]; result?: Type; async: boolean; name: string; pos: TypeDef['pos'] }): Fn {
    if (f.async) throw unsupported(f.pos, `${f.name} is async, which needs WASI 0.3`);
    const fn: Fn = { params: f.params.map((p) => [p.name, this.type(p.type, f.pos)]) };
    if (f.result) fn.result = this.type(f.result, f.pos);
    return fn;
  }

  /** The model's object for a type definition, through `use`s to the definition itself. */
  namedOf(def: TypeDef): Named {
    if (def.owner.kind === 'world' && this.exporting) {
      // A world-level type (a `use` too) is an import, even in an exported function's signature.
      const exporting = this.exporting;
      this.exporting = undefined;
      try {
        return this.namedOf(def);
      } finally {
        this.exporting = exporting;
      }
    }
    const d = def.definition;
    if (d.kind === 'use') return this.namedOf(d.target);
    // `type a = b` of a named type or resource names the same type (a component type `eq` bound).
    if (d.kind === 'alias' && d.type.kind === 'ref') return this.namedOf(d.type.def);
    const res = d.kind === 'alias' ? resourceOf(def) : undefined;
    if (res) return this.namedOf(res);
    const from = def.owner;
    // A world's own types are imports of the component (WIT has no exported world-level type).
    const exported = from.kind === 'interface' && (this.exporting?.has(from) ?? false);
    const named = this.named[exported ? 1 : 0]!;
    let n = named.get(def);
    if (n) return n;
    const owner = from.kind === 'world' ? ROOT : (this.owners.get(from) ?? from.id);
    if (owner === undefined) throw unsupported(def.pos, `type ${def.name} is not defined in an interface the world names`);
    n = { name: def.name, owner, exported, def: { k: 'resource' } };
    named.set(def, n);
    n.def = this.def(def);
    return n;
  }

  private def(def: TypeDef): NamedDef {
    const d = def.definition;
    switch (d.kind) {
      case 'record':
        return { k: 'record', fields: d.fields.map((f) => [f.name, this.type(f.type, def.pos)]) };
      case 'variant':
        return { k: 'variant', cases: d.cases.map((c) => [c.name, c.type && this.type(c.type, def.pos)]) };
      case 'enum':
        return { k: 'enum', names: d.cases.map((c) => c.name) };
      case 'flags':
        return { k: 'flags', names: d.flags.map((c) => c.name) };
      case 'resource':
        return { k: 'resource' };
      case 'alias':
        return { k: 'alias', of: this.type(d.type, def.pos) };
      case 'use':
        throw new Error('unreachable: uses are followed');
    }
  }

  type(t: Type, pos: TypeDef['pos']): VType {
    switch (t.kind) {
      case 'primitive':
        if (t.name === 'error-context') throw unsupported(pos, 'error-context needs WASI 0.3');
        return { k: 'prim', name: t.name };
      case 'ref': {
        const of = this.inlineAliases ? structuralAlias(t.def) : undefined;
        return of ? this.type(of, pos) : { k: 'named', named: this.namedOf(t.def) };
      }
      case 'list':
        return { k: 'list', of: this.type(t.element, pos), length: t.length };
      case 'option':
        return { k: 'option', of: this.type(t.element, pos) };
      case 'result':
        return { k: 'result', ok: t.ok && this.type(t.ok, pos), err: t.err && this.type(t.err, pos) };
      case 'tuple':
        return { k: 'tuple', of: t.types.map((x) => this.type(x, pos)) };
      case 'own':
      case 'borrow': {
        const r = resourceOf(t.resource);
        if (!r) throw unsupported(pos, `${t.resource.name} is not a resource`);
        // Through the name written (a world-level `use` of it is the import's, see namedOf).
        return { k: t.kind, res: this.namedOf(t.resource) };
      }
      case 'map':
        throw unsupported(pos, 'map types are not in the component model binary format `up` writes');
      case 'future':
      case 'stream':
        throw unsupported(pos, `${t.kind}s need WASI 0.3`);
    }
  }
}

/** What `type x = T` (through `use`s) names, when T is not a resource. */
function structuralAlias(def: TypeDef): Type | undefined {
  const d = def.definition;
  if (d.kind === 'use') return structuralAlias(d.target);
  return d.kind === 'alias' && !resourceOf(def) ? d.type : undefined;
}

function unsupported(pos: TypeDef['pos'], message: string): WasiAdaptError {
  return new WasiAdaptError('unsupported', `${pos.file}:${pos.line}:${pos.col}: ${message}`);
}
