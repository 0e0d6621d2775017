/**
 * WASI 0.2's interfaces as `up` imports them: the WASI 0.2.12 WIT's (wasi:cli's and wasi:http's
 * `imports` worlds, made `up`'s world model at build time: wasi-digest.ts), so every WASI
 * function is typed from the WIT, as a world's own functions are. Which interfaces and types a
 * set of imported functions needs, in the order a component must import them.
 */
import { WasiAdaptError } from '../errors.js';
import { WASI_DIGEST } from './generated/wasi-wit.js';
import { undigest, type WasiModel } from './wasi-digest.js';
import type { Fn, Iface, Named } from './world.js';
import { typesNeeded } from './world-types.js';

/** An interface the component imports: what it declares, in declaration order. */
export interface WasiImport {
  /** Unversioned: `wasi:io/streams`. */
  name: string;
  /** The WIT's interface, whose types' owner is `id` (`wasi:io/streams@0.2.12`). */
  id: string;
  iface: Iface;
  funcs: string[];
  /** Its types ([local name, type]) in order of first mention; `use`d ones are aliased. */
  types: [string, Named][];
  /** The types of `types` it `use`s, in the interface's order, each with its interface (unversioned). */
  uses: [Named, string][];
}

interface Wasi {
  model: WasiModel;
  /** Component names (`wasi:io/streams@0.2.12`) by unversioned name. */
  ids: Map<string, string>;
  /** Every interface, providers before the interfaces that `use` their types. */
  order: string[];
}

/**
 * The order `up` imported these in when it described them by hand: kept so that components stay
 * byte for byte what they were (any order with providers first is valid; the world's is not
 * this one). The WIT's other interfaces follow in its world's order, providers first.
 */
const FIRST = [
  'wasi:io/error', 'wasi:io/poll', 'wasi:io/streams', 'wasi:clocks/wall-clock', 'wasi:clocks/monotonic-clock',
  'wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr',
  'wasi:random/random', 'wasi:filesystem/types', 'wasi:filesystem/preopens',
];

let wasi: Wasi | undefined;

/** Read on first use, once per process. */
function load(): Wasi {
  if (wasi) return wasi;
  const model = undigest(WASI_DIGEST);
  const ids = new Map(model.ids.map((id) => [unversioned(id), id]));
  const order = [...FIRST, ...[...ids.keys()].filter((n) => !FIRST.includes(n))];
  return (wasi = { model, ids, order });
}

const unversioned = (id: string): string => id.replace(/@.*$/, '');

/** The interface `name` (unversioned), or undefined if WASI 0.2 has none (or only an unstable one). */
export function wasiInterface(name: string): Iface | undefined {
  const { model, ids } = load();
  const id = ids.get(name);
  return id === undefined ? undefined : model.iface(id);
}

function known(name: string): { id: string; iface: Iface } {
  const id = load().ids.get(name);
  if (id === undefined) throw new WasiAdaptError('unresolved', `WASI 0.2 has no interface ${name}`);
  return { id, iface: load().model.iface(id)! };
}

/** The function `func` of the WASI interface `iface` (unversioned). */
export function wasiSignature(iface: string, func: string): Fn {
  const fn = known(iface).iface.funcs.get(func);
  if (!fn) throw new WasiAdaptError('unresolved', `WASI 0.2 has no function ${iface}.${func}`);
  return fn;
}

const DROP = '[resource-drop]';

/**
 * From the fields used per interface (function names and resource drops, in the order they are
 * met), what each interface import declares, providers first.
 */
export function planWasiImports(used: ReadonlyMap<string, ReadonlySet<string>>): WasiImport[] {
  const plans = new Map<string, { funcs: string[]; wanted: Set<Named>; types?: [string, Named][] }>();
  const plan = (name: string) => {
    let p = plans.get(name);
    if (!p) plans.set(name, (p = { funcs: [], wanted: new Set() }));
    return p;
  };
  for (const [name, fields] of used) {
    const { iface } = known(name);
    const p = plan(name);
    for (const f of fields) {
      if (!f.startsWith(DROP)) {
        wasiSignature(name, f); // refuses a function WASI does not have
        p.funcs.push(f);
        continue;
      }
      const res = iface.types.get(f.slice(DROP.length));
      if (res?.def.k !== 'resource') throw new WasiAdaptError('unresolved', `WASI 0.2's ${name} has no resource ${f.slice(DROP.length)}`);
      p.wanted.add(res);
    }
  }
  const { order } = load();
  // Consumers come after providers: walk backwards so a consumer's demands on its providers are
  // known before they are closed.
  for (const name of [...order].reverse()) {
    const p = plans.get(name);
    if (!p) continue;
    const { id, iface } = known(name);
    const { foreign, reached } = typesNeeded(id, false, iface, p.funcs, p.wanted);
    const local = new Map<Named, string>();
    for (const [n, t] of iface.types) if (!local.has(t)) local.set(t, n);
    p.types = reached.map((n) => [local.get(n)!, n]);
    for (const n of foreign) plan(unversioned(n.owner)).wanted.add(n);
  }
  return order.flatMap((name) => {
    const p = plans.get(name);
    if (!p) return [];
    const { id, iface } = known(name);
    const needed = new Set(p.types!.map(([, n]) => n));
    const uses = new Set([...iface.types.values()].filter((n) => needed.has(n) && n.owner !== id));
    return [{ name, id, iface, funcs: p.funcs, types: p.types!, uses: [...uses].map((n): [Named, string] => [n, unversioned(n.owner)]) }];
  });
}
