// The WIT world a component implements, read from its binary, printed as WIT text with the
// packages it names inline (world-level types too): what test/lift-reactor-corpus.test.ts embeds into a corpus
// component's main module (their modules carry no component-type sections, and `jco
// componentWit` prints the root package only). Imports come from the import instance types;
// exports from what the component exports: lifted functions, and instances of wit-component's
// re-export shims (nested components importing types and functions and exporting them again,
// named). WASI imports are left out: the main module reaches WASI through preview1.
import type { Component } from '../src/binary/component-types.js';
import { parseComponent } from '../src/binary/component-read.js';
import { Decoder, type Entry, type Scope } from '../src/lift/world-decode.js';
import { describeType, ROOT, type Fn, type Iface, type Named, type VType, type WorldItem, type WorldModel } from '../src/lift/world.js';
import { namedInFn } from '../src/lift/world-types.js';

/** Functions are read when asked for: a lift's type may mention records only a shim's export names. */
type LazyFn = () => Fn;
type InstanceItem = { kind: 'type'; entry: Entry } | { kind: 'func'; fn: LazyFn };
type Instance = Iface | Map<string, InstanceItem>;

export function componentWorld(bytes: Uint8Array): WorldModel {
  const dec = new Decoder('(component)', 0);
  const top: Scope = { types: [] };
  const instances: Instance[] = [];
  const funcs: LazyFn[] = [];
  const components: Component[] = [];
  const world: WorldModel = { imports: new Map(), exports: new Map(), types: new Map(), encoding: 'utf8' };
  const fnAt = (scope: Scope, index: number): Fn => {
    const e = dec.entry(scope, index);
    if (e.k !== 'func') throw new Error(`type ${index} is not a function type${e.k === 'other' ? `: ${e.what}` : ''}`);
    return e.fn;
  };
  for (const s of parseComponent(bytes).sections) {
    switch (s.kind) {
      case 'types':
        // A resource the component defines: named when a shim exports it, owned by its export.
        for (const t of s.items) top.types.push(t.kind === 'resource' ? { k: 'named', n: { name: '', owner: '', exported: true, def: { k: 'resource' } } } : lenient(() => dec.typeDef(t, top)));
        break;
      case 'imports':
        for (const im of s.items) {
          const name = im.name.name;
          if (im.desc.kind === 'instance') {
            const e = dec.entry(top, im.desc.type);
            if (e.k !== 'instance') throw new Error(`${name} is not an instance type`);
            const iface = dec.instance(name, false, e.decls, e.scope);
            instances.push(iface);
            if (!name.startsWith('wasi:')) world.imports.set(name, iface);
          } else if (im.desc.kind === 'func') {
            const fn = fnAt(top, im.desc.type);
            funcs.push(() => fn);
            world.imports.set(name, { kind: 'func', fn });
          } else if (im.desc.kind === 'type') {
            // A world-level type: `sub resource`, or `eq` a definition or an interface's type.
            const n = dec.exportedType(ROOT, false, name, im.desc.bound, top);
            top.types.push({ k: 'named', n });
            world.types.set(name, n);
          } else {
            throw new Error(`imports ${name}, a ${im.desc.kind}`);
          }
        }
        break;
      case 'aliases':
        for (const a of s.items) {
          if (a.target.kind !== 'export' || (a.sort !== 'type' && a.sort !== 'func' && a.sort !== 'instance')) continue;
          const target = a.target.name;
          const item = itemOf(instances[a.target.instance]!, target);
          if (a.sort === 'type') top.types.push(item.kind === 'type' ? item.entry : { k: 'other', what: 'not a type' });
          else if (a.sort === 'func') funcs.push(item.kind === 'func' ? item.fn : () => { throw new Error(`${target} is not a function`); });
          else throw new Error('an alias of a nested instance');
        }
        break;
      case 'canon':
        for (const c of s.items) {
          if (c.kind === 'lift') funcs.push(() => fnAt(top, c.type));
          // The string encoding its bindings were built with (wit-component's embedded one).
          const enc = (c.kind === 'lift' || c.kind === 'lower' ? c.options : []).find((o) => o.kind === 'utf16' || o.kind === 'latin1+utf16');
          if (enc) world.encoding = enc.kind as WorldModel['encoding'];
        }
        break;
      case 'component':
        components.push(s.component);
        break;
      case 'instances':
        for (const inst of s.items) {
          if (inst.kind === 'exports') {
            const m = new Map<string, InstanceItem>();
            for (const x of inst.exports) {
              if (x.sort === 'type') m.set(x.name.name, { kind: 'type', entry: dec.entry(top, x.index) });
              else if (x.sort === 'func') m.set(x.name.name, { kind: 'func', fn: funcs[x.index]! });
            }
            instances.push(m);
            continue;
          }
          const args = new Map<string, InstanceItem>();
          for (const a of inst.args) {
            if (a.sort === 'type') args.set(a.name, { kind: 'type', entry: dec.entry(top, a.index) });
            else if (a.sort === 'func') args.set(a.name, { kind: 'func', fn: funcs[a.index]! });
          }
          instances.push(shimExports(dec, components[inst.component]!, args));
        }
        break;
      case 'exports':
        for (const x of s.items) {
          const name = x.name.name;
          if (x.sort === 'instance') {
            const iface = exportedIface(name, instances[x.index]!);
            world.exports.set(name, iface);
            instances.push(iface);
          } else if (x.sort === 'func') {
            const fn = x.desc?.kind === 'func' ? fnAt(top, x.desc.type) : funcs[x.index]!();
            world.exports.set(name, { kind: 'func', fn });
            funcs.push(() => fn);
          } else if (x.sort === 'type') {
            top.types.push(dec.entry(top, x.index));
          }
        }
        break;
    }
  }
  return world;
}

/**
 * A top-level function type may mention records only a shim's export names: its decoding
 * fails, which matters only if something uses it.
 */
function lenient(decode: () => Entry): Entry {
  try {
    return decode();
  } catch (e) {
    return { k: 'other', what: (e as Error).message };
  }
}

function itemOf(inst: Instance, name: string): InstanceItem {
  if (inst instanceof Map) {
    const item = inst.get(name);
    if (!item) throw new Error(`instance has no export ${name}`);
    return item;
  }
  const n = inst.types.get(name);
  if (n) return { kind: 'type', entry: { k: 'named', n } };
  const fn = inst.funcs.get(name);
  if (fn) return { kind: 'func', fn: () => fn };
  throw new Error(`instance has no export ${name}`);
}

/** A re-export shim instantiated with `args`: its exports, types named by their export names. */
function shimExports(dec: Decoder, c: Component, args: Map<string, InstanceItem>): Map<string, InstanceItem> {
  const scope: Scope = { types: [] };
  const funcs: LazyFn[] = [];
  const out = new Map<string, InstanceItem>();
  for (const s of c.sections) {
    if (s.kind === 'types') for (const t of s.items) scope.types.push(lenient(() => dec.typeDef(t, scope)));
    else if (s.kind === 'imports') {
      for (const im of s.items) {
        const arg = args.get(im.name.name);
        if (!arg) throw new Error(`shim import ${im.name.name} has no argument`);
        if (arg.kind === 'type') scope.types.push(arg.entry);
        else funcs.push(arg.fn);
      }
    } else if (s.kind === 'exports') {
      for (const x of s.items) {
        const name = x.name.name;
        if (x.sort === 'type') {
          const e = dec.entry(scope, x.index);
          let n: Named;
          if (e.k === 'named') {
            n = e.n;
            if (n.name === '') n.name = name;
          } else if (e.k === 'def') {
            n = { name, owner: '', exported: true, def: { k: 'resource' } };
            // The definition may mention this very type's earlier exports: decode it in place.
            n.def = dec.namedDef(x.index, e.d, scope);
          } else {
            throw new Error(`shim exports type ${name} of no value type`);
          }
          scope.types.push({ k: 'named', n });
          out.set(name, { kind: 'type', entry: { k: 'named', n } });
        } else if (x.sort === 'func') {
          const desc = x.desc;
          const fn: LazyFn = desc?.kind === 'func' ? () => (dec.entry(scope, desc.type) as Extract<Entry, { k: 'func' }>).fn : funcs[x.index]!;
          funcs.push(fn);
          out.set(name, { kind: 'func', fn });
        }
      }
    }
  }
  return out;
}

/** An exported instance as an interface named `owner`: its types, and the ones its functions use from elsewhere. */
function exportedIface(owner: string, inst: Instance): Iface {
  if (!(inst instanceof Map)) return inst;
  const iface: Iface = { kind: 'instance', types: new Map(), funcs: new Map() };
  for (const [name, item] of inst) {
    if (item.kind === 'type') {
      if (item.entry.k !== 'named') throw new Error(`${owner}.${name} is not a named type`);
      if (item.entry.n.owner === '') item.entry.n.owner = owner;
      iface.types.set(name, item.entry.n);
    } else {
      iface.funcs.set(name, item.fn());
    }
  }
  const used = new Set<Named>();
  for (const fn of iface.funcs.values()) namedInFn(fn, used);
  for (const n of used) if (n.owner !== owner && ![...iface.types.values()].includes(n)) iface.types.set(n.name, n);
  return iface;
}

// ---- printing ----

const esc = (name: string) => `%${name}`;

/** `ns:pkg/iface@v` -> package `ns:pkg@v` and interface `iface`. */
function split(id: string): { pkg: string; iface: string } {
  const m = /^([^:]+:[^/]+)\/([^@]+)(@.+)?$/.exec(id);
  if (!m) return { pkg: '', iface: id };
  return { pkg: `${m[1]}${m[3] ?? ''}`, iface: m[2]! };
}

function typeText(t: VType, local: (n: Named) => string): string {
  switch (t.k) {
    case 'prim':
      return t.name;
    case 'list':
      return `list<${typeText(t.of, local)}${t.length === undefined ? '' : `, ${t.length}`}>`;
    case 'option':
      return `option<${typeText(t.of, local)}>`;
    case 'result':
      return t.ok || t.err ? `result<${t.ok ? typeText(t.ok, local) : '_'}${t.err ? `, ${typeText(t.err, local)}` : ''}>` : 'result';
    case 'tuple':
      return `tuple<${t.of.map((x) => typeText(x, local)).join(', ')}>`;
    case 'own':
    case 'borrow':
      return `${t.k}<${local(t.res)}>`;
    case 'named':
      return local(t.named);
  }
}

function fnText(fn: Fn, local: (n: Named) => string, skipSelf = false): string {
  const params = (skipSelf ? fn.params.slice(1) : fn.params).map(([n, t]) => `${esc(n)}: ${typeText(t, local)}`);
  return `func(${params.join(', ')})${fn.result ? ` -> ${typeText(fn.result, local)}` : ''}`;
}

/** One type definition as a WIT line (a resource with its members from `funcs`). */
function defText(name: string, n: Named, funcs: Map<string, Fn>, local: (n: Named) => string): string {
  const d = n.def;
  switch (d.k) {
    case 'record':
      return `  record ${esc(name)} { ${d.fields.map(([f, t]) => `${esc(f)}: ${typeText(t, local)}`).join(', ')} }`;
    case 'variant':
      return `  variant ${esc(name)} { ${d.cases.map(([c, t]) => (t ? `${esc(c)}(${typeText(t, local)})` : esc(c))).join(', ')} }`;
    case 'enum':
    case 'flags':
      return `  ${d.k} ${esc(name)} { ${d.names.map(esc).join(', ')} }`;
    case 'alias':
      return `  type ${esc(name)} = ${typeText(d.of, local)};`;
    case 'resource': {
      const members: string[] = [];
      for (const [f, fn] of funcs) {
        const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(f);
        if (!m || m[2] !== name) continue;
        if (m[1] === 'constructor') members.push(`    constructor(${fn.params.map(([p, t]) => `${esc(p)}: ${typeText(t, local)}`).join(', ')})${fn.result && !(fn.result.k === 'own' && fn.result.res === n) ? ` -> ${typeText(fn.result, local)}` : ''};`);
        else members.push(`    ${esc(m[3]!)}: ${m[1] === 'static' ? 'static ' : ''}${fnText(fn, local, m[1] === 'method')};`);
      }
      return `  resource ${esc(name)}${members.length ? ` {\n${members.join('\n')}\n  }` : ';'}`;
    }
  }
}

function ifaceText(id: string, iface: Iface): string {
  const names = new Map<Named, string>();
  for (const [local, n] of iface.types) if (!names.has(n)) names.set(n, local);
  const local = (n: Named) => {
    const l = names.get(n);
    if (l === undefined) throw new Error(`${id} mentions ${describeType({ k: 'named', named: n })}, which it does not name`);
    return esc(l);
  };
  const lines: string[] = [];
  for (const [name, n] of iface.types) {
    if (n.owner !== id) {
      // Within one package an interface is named locally (a full name would make the package depend on itself).
      const from = split(n.owner).pkg === split(id).pkg ? split(n.owner).iface : n.owner;
      lines.push(`  use ${from}.{${esc(n.name)}${n.name === name ? '' : ` as ${esc(name)}`}};`);
      continue;
    }
    if (names.get(n) !== name) {
      lines.push(`  type ${esc(name)} = ${local(n)};`);
      continue;
    }
    lines.push(defText(name, n, iface.funcs, local));
  }
  for (const [f, fn] of iface.funcs) if (!f.startsWith('[')) lines.push(`  ${esc(f)}: ${fnText(fn, local)};`);
  return `interface ${split(id).iface} {\n${lines.join('\n')}\n}`;
}

/**
 * The world as WIT: package `root:component`, world `root`, each interface it names in its
 * package inline (once, from its export when it is also imported: the export has every function),
 * plain-named ones inline in the world.
 */
export function worldText(world: WorldModel): string {
  const defined = new Map<string, Iface>();
  for (const side of [world.imports, world.exports]) for (const [name, item] of side) if (item.kind === 'instance' && name.includes(':')) defined.set(name, item);
  const packages = new Map<string, string[]>();
  for (const [name, iface] of defined) {
    const { pkg } = split(name);
    packages.set(pkg, [...(packages.get(pkg) ?? []), ifaceText(name, iface)]);
  }
  const items: string[] = [];
  // World-level types (imports): `use`d from an interface by its full name, or defined here
  // with a resource's members from the world's bare `[constructor]r`-like imports.
  const rootNames = new Map<Named, string>();
  for (const [name, n] of world.types) if (!rootNames.has(n)) rootNames.set(n, name);
  const rootLocal = (n: Named): string => {
    const l = rootNames.get(n);
    if (l === undefined) throw new Error(`the world mentions type ${n.name} of ${n.owner}, which it does not name`);
    return esc(l);
  };
  const rootFuncs = new Map<string, Fn>();
  for (const [name, item] of world.imports) if (item.kind === 'func') rootFuncs.set(name, item.fn);
  for (const [name, n] of world.types) {
    if (n.owner !== ROOT) {
      if (!n.owner.includes(':')) throw new Error(`the world uses ${n.name} of ${n.owner}, an interface WIT cannot name`);
      items.push(`  use ${n.owner}.{${esc(n.name)}${n.name === name ? '' : ` as ${esc(name)}`}};`);
    } else if (rootNames.get(n) !== name) {
      items.push(`  type ${esc(name)} = ${rootLocal(n)};`);
    } else {
      items.push(defText(name, n, rootFuncs, rootLocal));
    }
  }
  const add = (side: 'import' | 'export', name: string, item: WorldItem) => {
    if (item.kind === 'func') {
      // A world-level resource's functions are its members, printed with it.
      if (name.startsWith('[')) return;
      items.push(`  ${side} ${esc(name)}: ${fnText(item.fn, rootLocal)};`);
    } else if (name.includes(':')) {
      items.push(`  ${side} ${name};`);
    } else {
      const body = ifaceText(name, item).replace(/^interface [^ ]+ /, '');
      items.push(`  ${side} ${esc(name)}: interface ${body.replace(/\n/g, '\n  ')}`);
    }
  };
  for (const [name, item] of world.imports) add('import', name, item);
  for (const [name, item] of world.exports) add('export', name, item);
  const nested = [...packages].map(([pkg, ifaces]) => `package ${pkg} {\n${ifaces.join('\n')}\n}`);
  return `package root:component;\n\nworld root {\n${items.join('\n')}\n}\n\n${nested.join('\n\n')}\n`;
}
