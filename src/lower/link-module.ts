import { parseModule, type CoreModule } from '../binary/module.js';
import { readNames } from '../binary/names.js';
import { BinaryReader } from '../binary/reader.js';
import type { FuncType } from '../binary/types.js';
import { WasiAdaptError } from '../errors.js';

/** A parsed core module plus what linking asks of it again and again. */
export interface LinkModule {
  core: CoreModule;
  /** Type index of every func, imported ones first. */
  funcTypes: number[];
  funcNames: Map<number, string>;
  /** producers section: field -> value -> version. */
  producers: Map<string, Map<string, string>>;
}

/** Parses a module for linking; only function types are supported (no GC types to merge). */
export function readLinkModule(bytes: Uint8Array, base: number): LinkModule {
  return linkModuleOf(parseModule(bytes, base));
}

/** Prepares an already parsed module for linking. */
export function linkModuleOf(core: CoreModule): LinkModule {
  const base = core.base;
  for (const g of core.recGroups) {
    if (g.types.length !== 1 || g.types[0]!.type.kind !== 'func' || g.types[0]!.supertypes.length) {
      throw new WasiAdaptError('unsupported', 'a module uses GC types (rec groups, structs or arrays); down links function types only', { offset: base });
    }
  }
  const funcTypes: number[] = [];
  for (const imp of core.imports) if (imp.desc.kind === 'func') funcTypes.push(imp.desc.typeIndex);
  funcTypes.push(...core.functions);
  for (const t of funcTypes) {
    if (t >= core.types.length) throw new WasiAdaptError('bad-value', `function type index ${t} is out of range`, { offset: base });
  }
  const m: LinkModule = { core, funcTypes, funcNames: new Map(), producers: new Map() };
  try {
    m.funcNames = readNames(core)?.functions ?? m.funcNames;
    const producers = core.customs.find((c) => c.name === 'producers');
    if (producers) readProducers(new BinaryReader(producers.data, producers.offset), m.producers);
  } catch (err) {
    // A malformed name or producers section costs names, not the program.
    if (!(err instanceof WasiAdaptError)) throw err;
  }
  return m;
}

export function funcType(m: LinkModule, func: number): FuncType {
  const t = m.core.types[m.funcTypes[func]!];
  if (!t || t.kind !== 'func') throw new WasiAdaptError('bad-value', `function ${func} does not exist or has no function type`);
  return t;
}

function readProducers(r: BinaryReader, out: Map<string, Map<string, string>>): void {
  const fields = r.count(2);
  for (let i = 0; i < fields; i++) {
    const field = r.name();
    const values = out.get(field) ?? new Map<string, string>();
    out.set(field, values);
    const n = r.count(2);
    for (let j = 0; j < n; j++) values.set(r.name(), r.name());
  }
}
