/**
 * Component type encodings of the world model (Binary.md `defvaltype`, `functype`,
 * `instancetype`): the instance types of imported interfaces, and the function types of lifted
 * exports. Where types go (an instance type's declarations, the component's type section) is
 * the caller's: `define` declares an anonymous type and `namedIndex` gives a named one's index.
 */
import { InstanceDecls } from './instance-decls.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';
import { ownedBy, type Fn, type Iface, type Named, type NamedDef, type Prim, type VType } from './world.js';

const PRIM: Record<Prim, number> = {
  bool: 0x7f, s8: 0x7e, u8: 0x7d, s16: 0x7c, u16: 0x7b, s32: 0x7a, u32: 0x79, s64: 0x78, u64: 0x77,
  f32: 0x76, f64: 0x75, char: 0x74, string: 0x73,
};

function bytes(fill: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter(32);
  fill(w);
  return w.finish();
}

export class TypeEncoder {
  constructor(
    private readonly define: (body: Uint8Array) => number,
    private readonly namedIndex: (n: Named) => number,
  ) {}

  /** A valtype: a primitive's code, or the index of a declared type. */
  val(t: VType): Uint8Array {
    if (t.k === 'prim') return new Uint8Array([PRIM[t.name]]);
    const idx = t.k === 'named' ? this.namedIndex(t.named) : this.define(this.compound(t));
    return bytes((w) => w.sleb(idx));
  }

  private opt(t: VType | undefined): Uint8Array {
    return t ? new Uint8Array([0x01, ...this.val(t)]) : new Uint8Array([0x00]);
  }

  /** The defvaltype of a structural type. */
  compound(t: Exclude<VType, { k: 'named' }>): Uint8Array {
    switch (t.k) {
      case 'prim':
        return new Uint8Array([PRIM[t.name]]);
      case 'list': {
        const of = this.val(t.of);
        return t.length === undefined ? new Uint8Array([0x70, ...of]) : bytes((w) => w.u8(0x67).bytes(of).u32(t.length!));
      }
      case 'option':
        return new Uint8Array([0x6b, ...this.val(t.of)]);
      case 'tuple': {
        const items = t.of.map((x) => this.val(x));
        return bytes((w) => items.reduce((b, x) => b.bytes(x), w.u8(0x6f).u32(items.length)));
      }
      case 'result':
        return new Uint8Array([0x6a, ...this.opt(t.ok), ...this.opt(t.err)]);
      case 'own':
      case 'borrow': {
        const r = this.namedIndex(t.res);
        return bytes((w) => w.u8(t.k === 'own' ? 0x69 : 0x68).u32(r));
      }
    }
  }

  /** The defvaltype a named type stands for (resources have none: see `resourceBody`). */
  def(n: Named): Uint8Array {
    const d: NamedDef = n.def;
    switch (d.k) {
      case 'record': {
        const fields = d.fields.map(([name, t]) => [name, this.val(t)] as const);
        return bytes((w) => fields.reduce((b, [name, v]) => b.name(name).bytes(v), w.u8(0x72).u32(fields.length)));
      }
      case 'variant': {
        const cases = d.cases.map(([name, t]) => [name, this.opt(t)] as const);
        return bytes((w) => cases.reduce((b, [name, v]) => b.name(name).bytes(v).u8(0x00), w.u8(0x71).u32(cases.length)));
      }
      case 'enum':
      case 'flags':
        return bytes((w) => d.names.reduce((b, name) => b.name(name), w.u8(d.k === 'enum' ? 0x6d : 0x6e).u32(d.names.length)));
      case 'alias':
        if (d.of.k === 'named') throw new Error('unreachable: aliases of named types are the type itself');
        return this.compound(d.of);
      case 'resource':
        throw new Error('unreachable: resources are declared, not defined');
    }
  }

  func(fn: Fn): Uint8Array {
    const params = fn.params.map(([name, t]) => [name, this.val(t)] as const);
    const result = fn.result && this.val(fn.result);
    return bytes((w) => {
      params.reduce((b, [name, v]) => b.name(name).bytes(v), w.u8(0x40).u32(params.length));
      if (result) w.u8(0x00).bytes(result);
      else w.u8(0x01).u8(0x00);
    });
  }
}

/** Every named type a type mentions directly. */
export function namedIn(t: VType | undefined, out: Set<Named>): void {
  if (!t) return;
  switch (t.k) {
    case 'named':
      out.add(t.named);
      break;
    case 'own':
    case 'borrow':
      out.add(t.res);
      break;
    case 'list':
    case 'option':
      namedIn(t.of, out);
      break;
    case 'tuple':
      t.of.forEach((x) => namedIn(x, out));
      break;
    case 'result':
      namedIn(t.ok, out);
      namedIn(t.err, out);
      break;
  }
}

export function namedInFn(fn: Fn, out: Set<Named>): void {
  fn.params.forEach(([, t]) => namedIn(t, out));
  namedIn(fn.result, out);
}

/** The named types a definition mentions. */
export function namedInDef(n: Named, out: Set<Named>): void {
  const d = n.def;
  if (d.k === 'record') d.fields.forEach(([, t]) => namedIn(t, out));
  else if (d.k === 'variant') d.cases.forEach(([, t]) => namedIn(t, out));
  else if (d.k === 'alias') namedIn(d.of, out);
}

/**
 * The types interface `owner` must declare so that `funcs` and the `wanted` types are complete:
 * its own definitions they reach, closed over their fields; types it `use`s are aliased, so
 * what they mention is their owner's business (returned in `foreign`). `reached` is both, in the
 * order they were first met (wanted, then each function's, then the fields of those).
 */
export function typesNeeded(owner: string, exported: boolean, iface: Iface, funcs: readonly string[], wanted: Iterable<Named>): { own: Set<Named>; foreign: Set<Named>; reached: Named[] } {
  const reach = new Set<Named>(wanted);
  for (const f of funcs) namedInFn(iface.funcs.get(f)!, reach);
  const foreign = new Set<Named>();
  for (const n of reach) {
    // Grows `reach` while iterating: the new entries are visited too.
    if (ownedBy(n, owner, exported)) namedInDef(n, reach);
    else foreign.add(n);
  }
  return { own: new Set([...reach].filter((n) => ownedBy(n, owner, exported))), foreign, reached: [...reach] };
}

/**
 * `(instance ...)` for an imported interface: `types` ([local name, type]) in that order, each of
 * its own defined and exported, each `use`d one aliased from the enclosing component (`outer`
 * gives its index there) and exported under its local name; then `funcs`. A type of the list
 * that a definition or a function mentions before its turn is declared there, first (the
 * order `dependencyOrder` gives never needs it; WASI's imports are in order of first mention).
 */
export function instanceType(owner: string, iface: Iface, funcs: readonly string[], types: readonly [string, Named][], outer: (n: Named) => number): Uint8Array {
  const decls = new InstanceDecls();
  const exported = new Map<Named, number>();
  const local = new Map<Named, string>();
  for (const [name, n] of types) if (!local.has(n)) local.set(n, name);
  const declare = (name: string, n: Named): number => {
    let idx: number;
    if (!ownedBy(n, owner, false)) idx = decls.exportType(name, decls.aliasOuter(outer(n)));
    else idx = decls.exportType(name, n.def.k === 'resource' ? 'resource' : decls.define(enc.def(n)));
    exported.set(n, idx);
    return idx;
  };
  const namedIndex = (n: Named): number => {
    const idx = exported.get(n);
    if (idx !== undefined) return idx;
    const name = local.get(n);
    if (name === undefined) throw new WasiAdaptError('unresolved', `interface ${owner} mentions type ${n.owner}/${n.name}, which it neither defines nor uses`);
    return declare(name, n);
  };
  const enc = new TypeEncoder((body) => decls.define(body), namedIndex);
  for (const [name, n] of types) {
    const first = exported.get(n);
    if (first === undefined) declare(name, n);
    else if (local.get(n) !== name) decls.exportType(name, first);
  }
  for (const f of funcs) decls.exportFunc(f, decls.define(enc.func(iface.funcs.get(f)!)));
  return decls.finish();
}

/**
 * `needed` in an order where each type comes after the ones its definition mentions (WIT lets a
 * record name a type declared after it; a binary index space cannot).
 */
export function dependencyOrder(owner: string, exported: boolean, iface: Iface, needed: ReadonlySet<Named>): [string, Named][] {
  const out: [string, Named][] = [];
  const placed = new Set<Named>();
  const local = new Map<Named, string>();
  for (const [name, n] of iface.types) if (needed.has(n) && !local.has(n)) local.set(n, name);
  const visit = (n: Named, name: string) => {
    if (placed.has(n)) return;
    placed.add(n);
    if (ownedBy(n, owner, exported)) {
      const deps = new Set<Named>();
      namedInDef(n, deps);
      for (const d of deps) {
        const dn = local.get(d);
        if (dn !== undefined) visit(d, dn);
      }
    }
    out.push([name, n]);
  };
  for (const [name, n] of iface.types) if (needed.has(n)) visit(n, name);
  return out;
}

/** A function's import name in the shim: a plain kebab name (`[method]r.f` is not one). */
function shimImportName(func: string): string {
  const m = /^\[(constructor|method|static)\]([^.]+)(?:\.(.+))?$/.exec(func);
  return m ? `import-${m[1]}-${m[2]}${m[3] ? `-${m[3]}` : ''}` : `import-func-${func}`;
}

/** What instantiating an export shim takes: type and function arguments by import name. */
export interface ExportShim {
  bytes: Uint8Array;
  types: [string, Named][];
  funcs: [string, string][];
}

/**
 * The component wit-component calls a re-export shim: it imports an exported interface's types
 * and lifted functions and exports them again under their names, with types that name every
 * resource and type (an instance of plain exports cannot name the resource of a
 * `[constructor]r`). Types the interface `use`s are imported and exported under their local names.
 */
export function exportShim(owner: string, iface: Iface, needed: ReadonlySet<Named>): ExportShim {
  const w = new BinaryWriter(256).bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  const item = (id: number, fill: (b: BinaryWriter) => void) => {
    w.u8(id).fork().u32(1);
    fill(w);
    w.join();
  };
  let types = 0;
  const anon = new Map<string, number>();
  const define = (body: Uint8Array): number => {
    const key = body.join(',');
    const seen = anon.get(key);
    if (seen !== undefined) return seen;
    item(0x07, (b) => b.bytes(body));
    anon.set(key, types);
    return types++;
  };
  const imported = new Map<Named, number>();
  const exported = new Map<Named, number>();
  const inner = new TypeEncoder(define, (n) => index(imported, n));
  const outer = new TypeEncoder(define, (n) => exported.get(n) ?? index(imported, n));
  function index(m: Map<Named, number>, n: Named): number {
    const idx = m.get(n);
    if (idx === undefined) throw new WasiAdaptError('unresolved', `interface ${owner} mentions type ${n.owner}/${n.name}, which it neither defines nor uses`);
    return idx;
  }
  const shim: ExportShim = { bytes: new Uint8Array(), types: [], funcs: [] };
  const order = dependencyOrder(owner, true, iface, needed);
  for (const [local, n] of order) {
    const arg = `import-type-${local}`;
    const bound = n.def.k === 'resource' ? undefined : define(inner.def(n));
    item(0x0a, (b) => {
      b.u8(0x00).name(arg).u8(0x03);
      if (bound === undefined) b.u8(0x01);
      else b.u8(0x00).u32(bound);
    });
    imported.set(n, types++);
    shim.types.push([arg, n]);
  }
  for (const [f, fn] of iface.funcs) {
    const arg = shimImportName(f);
    const t = define(inner.func(fn));
    item(0x0a, (b) => b.u8(0x00).name(arg).u8(0x01).u32(t));
    shim.funcs.push([arg, f]);
  }
  for (const [local, n] of order) {
    // Its own types: a fresh definition under the type's own name (resources cannot be
    // redefined: the import is it). A `use`d type: the import again, under its local name, as
    // WIT's `use` is an `eq` export of the interface type (wit-component's shims do the same).
    const t = n.def.k === 'resource' || !ownedBy(n, owner, true) ? imported.get(n)! : define(outer.def(n));
    item(0x0b, (b) => b.u8(0x00).name(local).u8(0x03).u32(t).u8(0x00));
    exported.set(n, types++);
  }
  [...iface.funcs].forEach(([f, fn], i) => {
    const t = define(outer.func(fn));
    item(0x0b, (b) => b.u8(0x00).name(f).u8(0x01).u32(i).u8(0x01).u8(0x01).u32(t));
  });
  shim.bytes = w.finish();
  return shim;
}
