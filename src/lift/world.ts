/**
 * The world a reactor implements, as `up` needs it: what it imports and exports, with the
 * component value types of every function. Both sources of a world produce it: the
 * `component-type*` custom sections wit-bindgen embeds (world-decode.ts) and `--wit` (world-wit.ts).
 * Named types are objects: two interfaces that name the same object share the type (a `use`).
 */
import { flatten, hasPointers, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, type CoreType, type Shape } from '../component/abi.js';
import { WasiAdaptError } from '../errors.js';

export type Prim = 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64' | 'f32' | 'f64' | 'char' | 'string';

export type VType =
  | { k: 'prim'; name: Prim }
  | { k: 'list'; of: VType; length?: number }
  | { k: 'option'; of: VType }
  | { k: 'result'; ok?: VType; err?: VType }
  | { k: 'tuple'; of: VType[] }
  | { k: 'own' | 'borrow'; res: Named }
  | { k: 'named'; named: Named };

export type NamedDef =
  | { k: 'record'; fields: [string, VType][] }
  | { k: 'variant'; cases: [string, VType | undefined][] }
  | { k: 'enum' | 'flags'; names: string[] }
  | { k: 'resource' }
  /** `type x = list<u8>`: a name for a structural type. */
  | { k: 'alias'; of: VType };

/** The owner of a type defined at a world's top level (not in an interface). */
export const ROOT = '$root';

export interface Named {
  name: string;
  /** The interface that defines it (its component import or export name), or ROOT. */
  owner: string;
  /** Whether `owner` is an export: a world may import and export one interface, each with its own types. */
  exported: boolean;
  def: NamedDef;
}

/** Is `n` defined by the world's import (or export) named `owner`? */
export function ownedBy(n: Named, owner: string, exported: boolean): boolean {
  return n.owner === owner && n.exported === exported;
}

export interface Fn {
  params: [string, VType][];
  result?: VType;
}

export interface Iface {
  kind: 'instance';
  /** Local type names, in declaration order: its own types and the ones it `use`s. */
  types: Map<string, Named>;
  funcs: Map<string, Fn>;
}

export type WorldItem = Iface | { kind: 'func'; fn: Fn };

export interface WorldModel {
  imports: Map<string, WorldItem>;
  exports: Map<string, WorldItem>;
  /**
   * Types at the world's top level, by name, in declaration order: imports of the component
   * (WIT has no world-level exported types). Defined there (owner ROOT) or `use`d from an
   * interface (that interface's object).
   */
  types: Map<string, Named>;
  /** How the module's strings are encoded (wit-component's `wit-component-encoding`). */
  encoding: 'utf8' | 'utf16' | 'latin1+utf16';
}

/** The Canonical ABI shape of a type (abi.ts answers size, alignment and flattening from it). */
export function shapeOf(t: VType): Shape {
  switch (t.k) {
    case 'prim':
      return t.name === 'string' ? { k: 'string' } : { k: 'prim', type: t.name };
    case 'list':
      return { k: 'list', element: shapeOf(t.of), length: t.length };
    case 'option':
      return { k: 'variant', cases: [undefined, shapeOf(t.of)], of: 'option' };
    case 'result':
      return { k: 'variant', cases: [t.ok && shapeOf(t.ok), t.err && shapeOf(t.err)], of: 'result' };
    case 'tuple':
      return { k: 'record', fields: t.of.map(shapeOf) };
    case 'own':
    case 'borrow':
      return { k: 'handle', borrow: t.k === 'borrow' };
    case 'named': {
      const d = t.named.def;
      switch (d.k) {
        case 'record':
          return { k: 'record', fields: d.fields.map(([, x]) => shapeOf(x)) };
        case 'variant':
          return { k: 'variant', cases: d.cases.map(([, x]) => x && shapeOf(x)) };
        case 'enum':
          return { k: 'variant', cases: d.names.map(() => undefined) };
        case 'flags':
          return { k: 'flags', count: d.names.length };
        case 'alias':
          return shapeOf(d.of);
        case 'resource':
          throw new WasiAdaptError('bad-value', `resource ${t.named.name} is used as a value type; only own<${t.named.name}> and borrow<${t.named.name}> are`);
      }
    }
  }
}


export interface CoreSig {
  params: CoreType[];
  results: CoreType[];
}

/** What a canon lift or lower of a function takes, and the core function type it has. */
export interface AbiPlan {
  lift: CoreSig;
  lower: CoreSig;
  /** Options a `canon lift` needs (`post-return` is optional: the module's choice). */
  liftNeeds: { memory: boolean; realloc: boolean };
  /** Options a `canon lower` needs. */
  lowerNeeds: { memory: boolean; realloc: boolean };
}

export function abiOf(fn: Fn): AbiPlan {
  return abiOfShapes(
    fn.params.map(([, t]) => shapeOf(t)),
    fn.result && shapeOf(fn.result),
  );
}

/** `abiOf` for a function given as shapes. */
export function abiOfShapes(params: Shape[], result: Shape | undefined): AbiPlan {
  const flatParams = params.flatMap(flatten);
  const flatResults = result ? flatten(result) : [];
  const paramsSpill = flatParams.length > MAX_FLAT_PARAMS;
  const resultsSpill = flatResults.length > MAX_FLAT_RESULTS;
  const paramPointers = params.some(hasPointers);
  const resultPointers = result !== undefined && hasPointers(result);
  const coreParams: CoreType[] = paramsSpill ? ['i32'] : flatParams;
  return {
    lift: { params: coreParams, results: resultsSpill ? ['i32'] : flatResults },
    lower: { params: [...coreParams, ...(resultsSpill ? ['i32' as const] : [])], results: resultsSpill ? [] : flatResults },
    // The caller writes spilled or pointed-to arguments into the callee's memory with its realloc.
    liftNeeds: { memory: paramsSpill || resultsSpill || paramPointers || resultPointers, realloc: paramsSpill || paramPointers },
    lowerNeeds: { memory: paramsSpill || resultsSpill || paramPointers || resultPointers, realloc: resultPointers },
  };
}

/**
 * A structural description of a world item: two component-type sections describing the same
 * import or export must agree on it.
 */
export function describeItem(item: WorldItem): string {
  if (item.kind === 'func') return describeFn(item.fn);
  const types = [...item.types].map(([local, n]) => `${local}=${describeNamed(n)}:${describeDef(n.def)}`);
  const funcs = [...item.funcs].map(([name, fn]) => `${name}:${describeFn(fn)}`);
  return `{${types.join(';')}|${funcs.join(';')}}`;
}

function describeFn(fn: Fn): string {
  return `(${fn.params.map(([n, t]) => `${n}:${describeType(t)}`).join(',')})->${fn.result ? describeType(fn.result) : '_'}`;
}

function describeDef(d: NamedDef): string {
  switch (d.k) {
    case 'record':
      return `record{${d.fields.map(([n, t]) => `${n}:${describeType(t)}`).join(',')}}`;
    case 'variant':
      return `variant{${d.cases.map(([n, t]) => (t ? `${n}(${describeType(t)})` : n)).join(',')}}`;
    case 'enum':
    case 'flags':
      return `${d.k}{${d.names.join(',')}}`;
    case 'resource':
      return 'resource';
    case 'alias':
      return describeType(d.of);
  }
}

export function describeType(t: VType): string {
  switch (t.k) {
    case 'prim':
      return t.name;
    case 'list':
      return `list<${describeType(t.of)}${t.length === undefined ? '' : `,${t.length}`}>`;
    case 'option':
      return `option<${describeType(t.of)}>`;
    case 'result':
      return `result<${t.ok ? describeType(t.ok) : '_'},${t.err ? describeType(t.err) : '_'}>`;
    case 'tuple':
      return `tuple<${t.of.map(describeType).join(',')}>`;
    case 'own':
    case 'borrow':
      return `${t.k}<${describeNamed(t.res)}>`;
    case 'named':
      return describeNamed(t.named);
  }
}

function describeNamed(n: Named): string {
  return `${n.exported ? 'export ' : ''}${n.owner}/${n.name}`;
}

/** Merges `more` into `into` (wit-component's union of several component-type sections). */
export function mergeWorlds(into: WorldModel, more: WorldModel, names: [string, string]): void {
  if (into.encoding !== more.encoding) {
    throw new WasiAdaptError('unsupported', `custom sections ${names[0]} and ${names[1]} ask for different string encodings (${into.encoding}, ${more.encoding})`);
  }
  for (const [name, n] of more.types) {
    const have = into.types.get(name);
    if (!have) into.types.set(name, n);
    else if (describeNamed(have) !== describeNamed(n) || describeDef(have.def) !== describeDef(n.def)) {
      throw new WasiAdaptError('unsupported', `custom sections ${names[0]} and ${names[1]} both describe the world's type ${name}, differently; rebuild the module so its bindings agree`);
    }
  }
  for (const side of ['imports', 'exports'] as const) {
    for (const [name, item] of more[side]) {
      const have = into[side].get(name);
      if (!have) into[side].set(name, item);
      else if (describeItem(have) !== describeItem(item)) {
        throw new WasiAdaptError('unsupported', `custom sections ${names[0]} and ${names[1]} both describe the ${side === 'imports' ? 'import' : 'export'} ${name}, differently; rebuild the module so its bindings agree`);
      }
    }
  }
}
