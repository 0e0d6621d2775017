/**
 * Dead-code stripping of the adapter: keep the requested exports, the
 * functions they reach, and the imports those call. Imports proven useless
 * for a module (say, the file system when it cannot open any file) become
 * local functions that do nothing and return zeros, so the component need not
 * import their interface.
 */
import { encodeModule, rewriteBodyIndices, forEachBodyIndex, type CoreModule, type FuncType } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';

export interface StripRequest {
  /** Adapter export name -> name the stripped module exports it under. */
  exports: ReadonlyMap<string, string>;
  /** Imports to replace with do-nothing functions. */
  stub: (module: string, name: string) => boolean;
}

export interface StrippedImport {
  module: string;
  name: string;
  type: FuncType;
}

export interface Stripped {
  bytes: Uint8Array;
  /** The function imports left, in order. */
  imports: StrippedImport[];
  /** Core type of each export, by its new name. */
  exportTypes: Map<string, FuncType>;
}

const ZERO: Record<string, number[]> = {
  i32: [0x41, 0x00],
  i64: [0x42, 0x00],
  f32: [0x43, 0, 0, 0, 0],
  f64: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
};

function funcType(m: CoreModule, typeIndex: number): FuncType {
  const t = m.types[typeIndex];
  if (t?.kind !== 'func') throw new WasiAdaptError('bad-value', `type ${typeIndex} is not a function type`);
  return t;
}

export function strip(m: CoreModule, req: StripRequest): Stripped {
  const imported = m.imports.filter((i) => i.desc.kind === 'func');
  const nImp = imported.length;
  const typeOf = (f: number): number => {
    const desc = f < nImp ? imported[f]!.desc : undefined;
    return desc?.kind === 'func' ? desc.typeIndex : m.functions[f - nImp]!;
  };

  // Reachability over calls (the adapter has no tables, so no indirect calls).
  const live = new Set<number>();
  const todo: number[] = [];
  const roots = new Map<number, string>();
  for (const [from, to] of req.exports) {
    const e = m.exports.find((x) => x.name === from && x.kind === 'func');
    if (!e) throw new WasiAdaptError('unresolved', `the adapter has no export ${from}`);
    roots.set(e.index, to);
    todo.push(e.index);
  }
  while (todo.length) {
    const f = todo.pop()!;
    if (live.has(f)) continue;
    live.add(f);
    if (f >= nImp) {
      forEachBodyIndex(m.code[f - nImp]!, (space, v) => {
        if (space === 'func' && !live.has(v)) todo.push(v);
      });
    }
  }

  // New function order: real imports, stubs, then defined functions.
  const order = [...live].sort((a, b) => a - b);
  const isStub = (f: number) => f < nImp && req.stub(imported[f]!.module, imported[f]!.name);
  const kept = [
    ...order.filter((f) => f < nImp && !isStub(f)),
    ...order.filter(isStub),
    ...order.filter((f) => f >= nImp),
  ];
  const funcMap = new Map(kept.map((f, i) => [f, i]));
  const typeMap = new Map<number, number>();
  const types: FuncType[] = [];
  const mapType = (t: number): number => {
    let n = typeMap.get(t);
    if (n === undefined) {
      n = types.length;
      typeMap.set(t, n);
      types.push(funcType(m, t));
    }
    return n;
  };

  const realImports = kept.filter((f) => f < nImp && !isStub(f));
  const defined = kept.slice(realImports.length);
  const code = defined.map((f) => {
    if (f < nImp) return new Uint8Array([0x00, ...funcType(m, typeOf(f)).results.flatMap((r) => ZERO[r as string]!), 0x0b]);
    return rewriteBodyIndices(m.code[f - nImp]!, {
      func: (i) => funcMap.get(i)!,
      type: mapType,
    });
  });
  const memory = m.imports.filter((i) => i.desc.kind === 'memory');
  const imports = [
    ...memory,
    ...realImports.map((f) => ({ ...imported[f]!, desc: { kind: 'func' as const, typeIndex: mapType(typeOf(f)) } })),
  ];
  const functions = defined.map((f) => mapType(typeOf(f)));
  const exports = [...roots].map(([f, name]) => ({ name, kind: 'func' as const, index: funcMap.get(f)! }));
  const bytes = encodeModule({ types, imports, functions, globals: m.globals, exports, code });
  return {
    bytes,
    imports: realImports.map((f) => ({ module: imported[f]!.module, name: imported[f]!.name, type: funcType(m, typeOf(f)) })),
    exportTypes: new Map([...roots].map(([f, name]) => [name, funcType(m, typeOf(f))])),
  };
}
