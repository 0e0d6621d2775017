/**
 * A module against the world it implements, by wit-component's core naming: imports
 * `iface.func` (or `$root.func`) and `iface.[resource-drop]r`, resource intrinsics
 * `[export]iface.[resource-new|rep|drop]r`; exports `iface#func` (or `func`), optional
 * `cabi_post_iface#func` and `iface#[dtor]r`, `cabi_realloc`, `memory`. Every function's core
 * type is checked against its canonical-ABI lowering or lifting. WASI interfaces are not the
 * world's business here: preview1 goes to the adapter, direct WASI 0.2 imports to mixed.ts.
 */
import { funcTypeEquals, type CoreModule, type FuncType } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';
import { isWasi02 } from './mixed.js';
import { abiOf, ownedBy, ROOT as ROOT_OWNER, type AbiPlan, type Fn, type Iface, type Named, type WorldModel } from './world.js';
import { dependencyOrder, namedInDef, namedInFn, typesNeeded } from './world-types.js';

const P1 = 'wasi_snapshot_preview1';
const ROOT = '$root';
const EXPORT = '[export]';

/** A core import of main that the world provides. */
export interface WorldImport {
  module: string;
  name: string;
  type: FuncType;
  what:
    | { k: 'func'; iface: string | undefined; func: string; fn: Fn; abi: AbiPlan }
    /** `[resource-drop]r` of an imported resource (`iface` undefined: a world-level one). */
    | { k: 'drop'; iface: string | undefined; res: Named }
    /** Intrinsics of a resource the component exports. */
    | { k: 'resource.new' | 'resource.rep' | 'resource.drop'; res: Named };
}

/** A world function the component lifts from main's export `core`. */
export interface WorldExport {
  iface: string | undefined;
  func: string;
  fn: Fn;
  abi: AbiPlan;
  core: string;
  postReturn: string | undefined;
}

/** An imported interface the component declares: the functions main uses and the types anything needs. */
export interface DeclaredImport {
  name: string;
  iface: Iface;
  funcs: string[];
  needed: Set<Named>;
}

export interface WorldPlan {
  model: WorldModel;
  /** World imports: interfaces in world order, then the bare functions main imports, by name. */
  declared: (DeclaredImport | { name: string; fn: Fn })[];
  /**
   * The world-level types anything needs, each after those its definition mentions: imported
   * by the component after the interfaces (a `use`d one is `eq` that interface's type) and
   * before the bare functions that name them.
   */
  rootTypes: [string, Named][];
  imports: WorldImport[];
  exports: WorldExport[];
  /** Exported interfaces, with the types their functions need (their own, and those they `use`). */
  exportedInstances: { name: string; needed: Set<Named> }[];
  /** Resources the component defines (owned by its exports), with main's destructor export. */
  resources: { res: Named; dtor: string | undefined }[];
  /** Whether a lift or lower needs main's cabi_realloc. */
  realloc: boolean;
}

const I32 = ['i32'] as const;
const sig = (params: readonly string[], results: readonly string[]) => ({ kind: 'func', params, results }) as FuncType;

export function planWorld(m: CoreModule, model: WorldModel): WorldPlan {
  const funcType = (index: number): FuncType | undefined => {
    const imported = m.imports.filter((i) => i.desc.kind === 'func');
    const desc = index < imported.length ? imported[index]!.desc : undefined;
    const t = m.types[desc?.kind === 'func' ? desc.typeIndex : m.functions[index - imported.length]!];
    return t?.kind === 'func' ? t : undefined;
  };
  const exported = new Map(m.exports.filter((e) => e.kind === 'func').map((e) => [e.name, funcType(e.index)]));
  const check = (what: string, have: FuncType | undefined, want: FuncType) => {
    if (!have || !funcTypeEquals(have, want)) {
      throw new WasiAdaptError('unsupported', `${what} has core type ${show(have)}, but the world's type of it lowers to ${show(want)}; rebuild the module's bindings from the same WIT`);
    }
  };

  const exportsByName = new Map<string, Iface>();
  for (const [name, item] of model.exports) if (item.kind === 'instance') exportsByName.set(name, item);
  const demand = new Map<string, { funcs: Set<string>; types: Set<Named> }>();
  const demandOf = (name: string) => {
    let d = demand.get(name);
    if (!d) demand.set(name, (d = { funcs: new Set(), types: new Set() }));
    return d;
  };
  const ownedResources = new Set<Named>();
  const rootNamed = new Set(model.types.values());
  /** World-level types needed; grows while the closure below walks it. */
  const rootNeeded = new Set<Named>();
  /** A type another interface or an export mentions: its owner must provide it. */
  const needType = (n: Named, by: string) => {
    if (n.owner === ROOT_OWNER) {
      rootNeeded.add(n);
      return;
    }
    if (n.exported) {
      if (n.def.k === 'resource') ownedResources.add(n);
      return;
    }
    if (isWasi02(n.owner)) throw new WasiAdaptError('unsupported', `${by} uses type ${n.name} of the WASI interface ${n.owner}; \`up\` cannot share WASI types with the world's own interfaces yet`);
    const item = model.imports.get(n.owner);
    if (item?.kind !== 'instance') throw new WasiAdaptError('unresolved', `${by} uses type ${n.name} of ${n.owner}, which the world does not import`);
    demandOf(n.owner).types.add(n);
  };

  const imports: WorldImport[] = [];
  const seen = new Set<string>();
  for (const im of m.imports) {
    if (im.module === P1 || isWasi02(im.module)) continue;
    if (im.desc.kind !== 'func') {
      throw new WasiAdaptError('unsupported', `the module imports ${im.module}.${im.name}, a ${im.desc.kind}: a world provides functions only; export it from the module instead`);
    }
    const key = `${im.module}\0${im.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = `import ${im.module}.${im.name}`;
    const type = m.types[im.desc.typeIndex] as FuncType;
    const missing = () => new WasiAdaptError('unsupported', `the module's ${what} is not in its world; rebuild the module's bindings (or name the world with --wit)`);
    if (im.module.startsWith(EXPORT)) {
      const owner = im.module.slice(EXPORT.length);
      const iface = exportsByName.get(owner);
      const op = /^\[resource-(new|rep|drop)\](.+)$/.exec(im.name);
      const res = op && iface?.types.get(op[2]!);
      if (!op || !res || res.def.k !== 'resource' || !ownedBy(res, owner, true)) throw missing();
      check(what, type, op[1] === 'drop' ? sig(I32, []) : sig(I32, I32));
      ownedResources.add(res);
      imports.push({ module: im.module, name: im.name, type, what: { k: `resource.${op[1] as 'new' | 'rep' | 'drop'}`, res } });
      continue;
    }
    if (im.module === ROOT) {
      const drop = /^\[resource-drop\](.+)$/.exec(im.name);
      if (drop) {
        const res = model.types.get(drop[1]!);
        if (!res || res.def.k !== 'resource') throw missing();
        check(what, type, sig(I32, []));
        rootNeeded.add(res);
        imports.push({ module: im.module, name: im.name, type, what: { k: 'drop', iface: undefined, res } });
        continue;
      }
      const item = model.imports.get(im.name);
      if (item?.kind !== 'func') throw missing();
      const abi = abiOf(item.fn);
      check(what, type, sig(abi.lower.params, abi.lower.results));
      namedInFnOwners(item.fn, im.name, needType, rootNamed, rootNeeded);
      imports.push({ module: im.module, name: im.name, type, what: { k: 'func', iface: undefined, func: im.name, fn: item.fn, abi } });
      continue;
    }
    const iface = model.imports.get(im.module);
    if (iface?.kind !== 'instance') throw missing();
    const drop = /^\[resource-drop\](.+)$/.exec(im.name);
    if (drop) {
      const res = iface.types.get(drop[1]!);
      if (!res || res.def.k !== 'resource') throw missing();
      check(what, type, sig(I32, []));
      demandOf(im.module).types.add(res);
      imports.push({ module: im.module, name: im.name, type, what: { k: 'drop', iface: im.module, res } });
      continue;
    }
    const fn = iface.funcs.get(im.name);
    if (!fn) throw missing();
    const abi = abiOf(fn);
    check(what, type, sig(abi.lower.params, abi.lower.results));
    demandOf(im.module).funcs.add(im.name);
    imports.push({ module: im.module, name: im.name, type, what: { k: 'func', iface: im.module, func: im.name, fn, abi } });
  }

  const exports: WorldExport[] = [];
  const exportedInstances: WorldPlan['exportedInstances'] = [];
  const dtors = new Map<Named, string | undefined>();
  const lift = (iface: string | undefined, func: string, fn: Fn) => {
    const core = iface === undefined ? func : `${iface}#${func}`;
    if (!exported.has(core)) throw new WasiAdaptError('unsupported', `the world exports ${iface === undefined ? func : `${iface}.${func}`}, but the module does not export ${core}; rebuild the module's bindings from the same WIT`);
    const abi = abiOf(fn);
    check(`export ${core}`, exported.get(core), sig(abi.lift.params, abi.lift.results));
    const post = `cabi_post_${core}`;
    if (exported.has(post)) check(`export ${post}`, exported.get(post), sig(abi.lift.results, []));
    exports.push({ iface, func, fn, abi, core, postReturn: exported.has(post) ? post : undefined });
  };
  for (const [name, item] of canonical(model.exports)) {
    if (item.kind === 'func') {
      namedInFnOwners(item.fn, name, needType, rootNamed, rootNeeded);
      lift(undefined, name, item.fn);
      continue;
    }
    // wasi:cli/run is the command's: main's own run export, else the adapter's around _start.
    if (name.startsWith('wasi:cli/run@')) continue;
    if (isWasi02(name)) throw new WasiAdaptError('unsupported', `the world exports the WASI interface ${name}; \`up\` lifts wasi:cli/run and the world's own interfaces only`);
    for (const [func, fn] of item.funcs) lift(name, func, fn);
    const { own, foreign } = typesNeeded(name, true, item, [...item.funcs.keys()], [...item.types.values()].filter((n) => ownedBy(n, name, true)));
    for (const n of foreign) needType(n, name);
    for (const n of own) if (n.def.k === 'resource') ownedResources.add(n);
    exportedInstances.push({ name, needed: new Set([...own, ...[...item.types.values()].filter((n) => foreign.has(n))]) });
  }
  for (const res of ownedResources) {
    const dtor = `${res.owner}#[dtor]${res.name}`;
    if (exported.has(dtor)) check(`export ${dtor}`, exported.get(dtor), sig(I32, []));
    dtors.set(res, exported.has(dtor) ? dtor : undefined);
  }

  // World-level types: closed over their definitions; a `use`d one (and what a world-level
  // definition mentions from an interface) is its interface's to provide.
  for (const n of rootNeeded) {
    // Grows `rootNeeded` while iterating: the new entries are visited too.
    if (n.owner !== ROOT_OWNER) {
      needType(n, 'the world');
      continue;
    }
    const mentioned = new Set<Named>();
    namedInDef(n, mentioned);
    for (const d of mentioned) {
      if (rootNamed.has(d)) rootNeeded.add(d);
      else needType(d, `the world's type ${n.name}`);
    }
  }
  const rootTypes = dependencyOrder(ROOT_OWNER, false, { kind: 'instance', types: model.types, funcs: new Map() }, rootNeeded);

  // Imports use types of earlier imports: walk them backwards so each one's demands on its
  // providers are known before the provider is closed.
  const declared: WorldPlan['declared'] = [];
  const needed = new Map<string, Set<Named>>();
  for (const [name, item] of [...model.imports].reverse()) {
    const d = demand.get(name);
    if (item.kind !== 'instance' || !d) continue;
    const { own, foreign } = typesNeeded(name, false, item, [...d.funcs], d.types);
    for (const n of foreign) needType(n, name);
    needed.set(name, new Set([...own, ...foreign]));
  }
  for (const [name, item] of model.imports) {
    const d = demand.get(name);
    if (item.kind !== 'instance' || !d) continue;
    declared.push({ name, iface: item, funcs: [...item.funcs.keys()].filter((f) => d.funcs.has(f)), needed: needed.get(name)! });
  }
  // Bare functions by name: where a world-level resource's functions fall among the others
  // differs between wit-component's encoding and WIT text.
  for (const [name, item] of byName(model.imports)) {
    if (item.kind === 'func' && imports.some((i) => i.module === ROOT && i.name === name)) declared.push({ name, fn: item.fn });
  }

  const realloc = imports.some((i) => i.what.k === 'func' && i.what.abi.lowerNeeds.realloc) || exports.some((e) => e.abi.liftNeeds.realloc);
  if (realloc && !exported.has('cabi_realloc')) {
    throw new WasiAdaptError('unsupported', "the world's functions pass strings or lists into the module, which needs the module to export cabi_realloc; it does not");
  }
  return { model, declared, rootTypes, imports, exports, exportedInstances, resources: [...dtors].map(([res, dtor]) => ({ res, dtor })), realloc };
}

/**
 * Functions first, then interfaces, each in world order: the output depends on the world, not on
 * how its source ordered it (wit-component's encoding and WIT text differ).
 */
function canonical<T extends { kind: string }>(items: Map<string, T>): [string, T][] {
  const all = [...items];
  return [...all.filter(([, i]) => i.kind === 'func'), ...all.filter(([, i]) => i.kind !== 'func')];
}

/** A bare function's named types: world-level ones by their world-level names, others from their owner. */
function byName<T>(items: Map<string, T>): [string, T][] {
  return [...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function namedInFnOwners(fn: Fn, by: string, need: (n: Named, by: string) => void, root: ReadonlySet<Named>, rootNeeded: Set<Named>): void {
  const s = new Set<Named>();
  namedInFn(fn, s);
  for (const n of s) {
    if (root.has(n)) rootNeeded.add(n);
    else need(n, by);
  }
}

function show(t: FuncType | undefined): string {
  return t ? `(${t.params.join(' ')}) -> (${t.results.join(' ')})` : 'none (not a function)';
}

