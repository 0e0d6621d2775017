/**
 * The WASI WIT as `up` uses it (wasi.ts), carried from build time to run time. The build
 * (scripts/build-wasi-wit.mjs) parses and resolves the WIT and converts `WASI_WORLD` to the world
 * model (world-wit.ts), as `--wit` does with a user's world, then stores that model as JSON:
 * parsing the WIT on a process's first `up` cost 50 ms or more (a cold parser over 24 KB of WIT);
 * rebuilding what a component needs of the model from JSON, under one.
 */
import { parseWit, resolveWit } from '../wit/index.js';
import type { Fn, Iface, Named, NamedDef } from './world.js';
import { witWorld } from './world-wit.js';

export interface WitText {
  file: string;
  text: string;
}

/** Interfaces by component name (`wasi:io/streams@0.2.12`), in the world's order. */
export type WasiInterfaces = Map<string, Iface>;

/**
 * What `up` knows of WASI 0.2: what a p1 module's own WASI 0.2 imports may name (and the adapter
 * imports), wasi:cli's imports and an HTTP client's.
 */
export const WASI_WORLD = `package wasi-adapt:up;
world wasi {
  include wasi:cli/imports@0.2.12;
  include wasi:http/imports@0.2.12;
}
`;

/** `WASI_WORLD`'s interfaces, with `packages` the WASI 0.2.12 packages' WIT. */
export function wasiInterfaces(packages: readonly WitText[]): WasiInterfaces {
  const world = resolveWit([parseWit(WASI_WORLD, 'wasi-digest.ts')], packages.map(({ file, text }) => [parseWit(text, file)])).root.worlds.get('wasi')!;
  // `type instant = u64` is written as u64, as `up` always wrote WASI's signatures.
  const model = witWorld(world, { inlineAliases: true });
  const out: WasiInterfaces = new Map();
  for (const [id, item] of model.imports) if (item.kind === 'instance') out.set(id, item);
  return out;
}

/**
 * Each named type once, in a table (`named`: name, owner, definition), and everywhere else
 * `{"$": index}`, so a type `use`d by several interfaces is one object again when read. Each
 * table entry and each interface is a JSON text of its own, read when first needed: a
 * component imports a few of them.
 */
export interface WasiDigest {
  named: string[];
  /** [component name, JSON of [types, funcs]] in the world's order. */
  imports: [string, string][];
}

export function digest(interfaces: WasiInterfaces): WasiDigest {
  const index = new Map<Named, number>();
  const table: Named[] = [];
  const replacer = (_key: string, value: unknown): unknown => {
    if (value instanceof Map) return [...value];
    if (!isNamed(value)) return value;
    let i = index.get(value);
    if (i === undefined) index.set(value, (i = table.push(value) - 1));
    return { $: i };
  };
  const imports = [...interfaces].map(([id, i]): [string, string] => [id, JSON.stringify([i.types, i.funcs], replacer)]);
  const named: string[] = [];
  // Grows `table` while serializing: definitions name other types.
  for (let i = 0; i < table.length; i++) {
    const n = table[i]!;
    named.push(JSON.stringify([n.name, n.owner, n.def], replacer));
  }
  return { named, imports };
}

function isNamed(v: unknown): v is Named {
  return typeof v === 'object' && v !== null && 'owner' in v && 'def' in v;
}

/** What `undigest` gives: the interfaces' names, in the world's order, and each interface. */
export interface WasiModel {
  ids: string[];
  /** Read on first call, then the same object. */
  iface(id: string): Iface | undefined;
}

/** The interfaces `digest` wrote. */
export function undigest(data: WasiDigest): WasiModel {
  const named: Named[] = [];
  const revive = (_key: string, value: unknown): unknown => {
    // JSON writes an absent variant payload (undefined in an array) as null.
    if (value === null) return undefined;
    return typeof value === 'object' && '$' in value ? namedAt(value.$ as number) : value;
  };
  // No cycle: WIT has no recursive types, so a definition names only other types.
  const namedAt = (i: number): Named => {
    if (named[i]) return named[i];
    const [name, owner, def] = JSON.parse(data.named[i]!, revive) as [string, string, NamedDef];
    return (named[i] = { name, owner, exported: false, def });
  };
  const sources = new Map(data.imports);
  const read = new Map<string, Iface>();
  return {
    ids: [...sources.keys()],
    iface(id) {
      let i = read.get(id);
      const source = sources.get(id);
      if (i || source === undefined) return i;
      const [types, funcs] = JSON.parse(source, revive) as [[string, Named][], [string, Fn][]];
      read.set(id, (i = { kind: 'instance', types: new Map(types), funcs: new Map(funcs) }));
      return i;
    },
  };
}
