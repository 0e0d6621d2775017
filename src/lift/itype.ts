/**
 * Component instance types for WASI interfaces, built from wasi.ts: which
 * interfaces and types an import set needs, and their binary encoding.
 */
import { InstanceDecls } from './instance-decls.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';
import { WASI } from './wasi.js';
import { defNames, namesIn, parseDef, parseFunc, type Def, type Func, type Ty } from './wit.js';

export interface InterfacePlan {
  name: string;
  funcs: string[];
  /** Type names the instance type exports (resources, named types, `use`d types). */
  types: Set<string>;
}

const DROP = '[resource-drop]';

function spec(iface: string) {
  const s = WASI[iface];
  if (!s) throw new WasiAdaptError('unresolved', `no built-in description of ${iface}`);
  return s;
}

const parsed = new Map<string, Func | Def>();

/** Parses a description once per process. */
function memo<T extends Func | Def>(src: string, parse: (src: string) => T): T {
  let v = parsed.get(src);
  if (!v) parsed.set(src, (v = parse(src)));
  return v as T;
}

export function funcOf(iface: string, name: string): Func {
  const src = spec(iface).funcs[name];
  if (src === undefined) throw new WasiAdaptError('unresolved', `no built-in description of ${iface}.${name}`);
  return memo(src, parseFunc);
}

/** The definition of a named type as seen from `iface`, following `use`; undefined for resources. */
export function resolveIn(iface: string): (name: string) => Def | undefined {
  return (name) => {
    const s = spec(iface);
    const from = s.uses?.[name];
    if (from) return resolveIn(from)(name);
    const src = s.types?.[name];
    return src === undefined ? undefined : memo(src, parseDef);
  };
}

export function isResource(iface: string, name: string): boolean {
  const s = spec(iface);
  const from = s.uses?.[name];
  return from ? isResource(from, name) : (s.resources ?? []).includes(name);
}

/**
 * From the fields used per interface (core import names, resource drops
 * included), what each interface import must declare, providers first.
 */
export function planInterfaces(used: ReadonlyMap<string, ReadonlySet<string>>): InterfacePlan[] {
  const plans = new Map<string, InterfacePlan>();
  const plan = (name: string) => {
    let p = plans.get(name);
    if (!p) plans.set(name, (p = { name, funcs: [], types: new Set() }));
    return p;
  };
  for (const [iface, fields] of used) {
    const p = plan(iface);
    for (const f of fields) {
      if (f.startsWith(DROP)) p.types.add(f.slice(DROP.length));
      else p.funcs.push(f);
    }
  }
  // Consumers come after providers in WASI's order: walk it backwards so a
  // consumer's demands on its providers are known before they are closed.
  for (const iface of Object.keys(WASI).reverse()) {
    const p = plans.get(iface);
    if (!p) continue;
    const s = spec(iface);
    const names = new Set(p.types);
    for (const f of p.funcs) {
      const fn = funcOf(iface, f);
      fn.params.forEach(([, t]) => namesIn(t, names));
      namesIn(fn.result, names);
    }
    for (const n of names) {
      const d = s.uses?.[n] ? undefined : resolveIn(iface)(n);
      if (d) defNames(d, names); // grows `names` while iterating: new entries are visited too
    }
    p.types = names;
    for (const n of names) {
      const from = s.uses?.[n];
      if (from) plan(from).types.add(n);
    }
  }
  return Object.keys(WASI)
    .filter((i) => plans.has(i))
    .map((i) => plans.get(i)!);
}

const PRIM: Record<string, number> = {
  bool: 0x7f, s8: 0x7e, u8: 0x7d, s16: 0x7c, u16: 0x7b, s32: 0x7a, u32: 0x79, s64: 0x78, u64: 0x77,
  f32: 0x76, f64: 0x75, char: 0x74, string: 0x73,
};

const encoded = new Map<string, Uint8Array>();

/**
 * `(instance ...)` for one interface, encoded once per process for each plan.
 * `outer` gives the component-level type index of each `use`d type (aliased
 * from its provider's import).
 */
export function instanceType(p: InterfacePlan, outer: ReadonlyMap<string, number>): Uint8Array {
  const key = `${p.name}|${[...p.types]}|${p.funcs}|${[...outer]}`;
  let bytes = encoded.get(key);
  if (!bytes) encoded.set(key, (bytes = encodeInstanceType(p, outer)));
  return bytes;
}

function encodeInstanceType(p: InterfacePlan, outer: ReadonlyMap<string, number>): Uint8Array {
  const s = spec(p.name);
  const resolve = resolveIn(p.name);
  const decls = new InstanceDecls();
  const named = new Map<string, number>();
  const declare = (body: Uint8Array): number => decls.define(body);
  const bytes = (fill: (b: BinaryWriter) => void): Uint8Array => {
    const b = new BinaryWriter(32);
    fill(b);
    return b.finish();
  };

  const typeName = (name: string): number => {
    const seen = named.get(name);
    if (seen !== undefined) return seen;
    let idx: number;
    if (s.uses?.[name]) {
      const at = outer.get(name);
      if (at === undefined) throw new WasiAdaptError('unresolved', `${p.name} uses ${name} before it is imported`);
      idx = decls.exportType(name, decls.aliasOuter(at));
    } else if (isResource(p.name, name)) {
      idx = decls.exportType(name, 'resource');
    } else {
      const d = resolve(name);
      if (!d) throw new WasiAdaptError('unresolved', `${p.name} has no type ${name}`);
      idx = decls.exportType(name, declare(defBytes(d)));
    }
    named.set(name, idx);
    return idx;
  };

  // A valtype: a primitive code, or the index of a (declared) type.
  const val = (t: Ty): Uint8Array => {
    if (t.k === 'prim') return new Uint8Array([PRIM[t.name]!]);
    let idx: number;
    if (t.k === 'ref') {
      idx = isResource(p.name, t.name) ? declare(handle('own', t.name)) : typeName(t.name);
    } else if (t.k === 'own' || t.k === 'borrow') {
      idx = declare(handle(t.k, t.name));
    } else {
      idx = declare(compound(t));
    }
    return bytes((b) => b.sleb(idx));
  };
  const handle = (k: 'own' | 'borrow', name: string): Uint8Array => {
    const r = typeName(name);
    return bytes((b) => b.u8(k === 'own' ? 0x69 : 0x68).u32(r));
  };
  const opt = (t: Ty | undefined): Uint8Array => (t ? new Uint8Array([0x01, ...val(t)]) : new Uint8Array([0x00]));
  const compound = (t: Ty): Uint8Array => {
    switch (t.k) {
      case 'list':
        return new Uint8Array([0x70, ...val(t.t)]);
      case 'option':
        return new Uint8Array([0x6b, ...val(t.t)]);
      case 'tuple': {
        const items = t.ts.map(val);
        return bytes((b) => items.reduce((w, x) => w.bytes(x), b.u8(0x6f).u32(items.length)));
      }
      case 'result': {
        const ok = opt(t.ok);
        const err = opt(t.err);
        return new Uint8Array([0x6a, ...ok, ...err]);
      }
    }
    throw new Error(`unexpected type ${t.k}`);
  };
  const defBytes = (d: Def): Uint8Array => {
    switch (d.k) {
      case 'record': {
        const fields = d.fields.map(([n, t]) => [n, val(t)] as const);
        return bytes((b) => fields.reduce((w, [n, v]) => w.name(n).bytes(v), b.u8(0x72).u32(fields.length)));
      }
      case 'variant': {
        const cases = d.cases.map(([n, t]) => [n, opt(t)] as const);
        return bytes((b) => cases.reduce((w, [n, v]) => w.name(n).bytes(v).u8(0x00), b.u8(0x71).u32(cases.length)));
      }
      case 'enum':
      case 'flags':
        return bytes((b) => d.names.reduce((w, n) => w.name(n), b.u8(d.k === 'enum' ? 0x6d : 0x6e).u32(d.names.length)));
    }
  };

  for (const name of p.types) typeName(name);
  for (const f of p.funcs) {
    const fn = funcOf(p.name, f);
    const params = fn.params.map(([n, t]) => [n, val(t)] as const);
    const result = fn.result ? val(fn.result) : undefined;
    const ft = declare(
      bytes((b) => {
        params.reduce((w, [n, v]) => w.name(n).bytes(v), b.u8(0x40).u32(params.length));
        if (result) b.u8(0x00).bytes(result);
        else b.u8(0x01).u8(0x00);
      }),
    );
    decls.exportFunc(f, ft);
  }
  return decls.finish();
}
