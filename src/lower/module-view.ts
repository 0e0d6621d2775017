import { BinaryReader } from '../binary/reader.js';
import { funcTypeEquals } from '../binary/types.js';
import { WasiAdaptError } from '../errors.js';
import { funcType, type LinkModule } from './link-module.js';
import type { ModuleExport, ModuleImport, ModuleView, Role, Sort, TableFill } from './view.js';

/** The planning view of a parsed module. */
export function moduleView(index: number, name: string, role: Role, lm: LinkModule): ModuleView {
  const m = lm.core;
  const counts: Record<Sort, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  const imports: ModuleImport[] = m.imports.map((imp) => ({
    module: imp.module,
    name: imp.name,
    sort: imp.desc.kind,
    index: counts[imp.desc.kind]++,
  }));
  const exports: ModuleExport[] = m.exports.map((e) => ({ name: e.name, sort: e.kind, index: e.index }));
  const exportKeys = new Map(exports.map((e) => [`${e.sort}:${e.name}`, e]));
  const importKeys = new Map(imports.map((imp, at) => [`${imp.sort}:${imp.index}`, at]));
  const fills = tableFills(lm);
  const fillKeys = new Map<string, TableFill[]>();
  for (const f of fills ?? []) {
    const key = `${f.table}:${f.slot}`;
    fillKeys.set(key, [...(fillKeys.get(key) ?? []), f]);
  }
  return {
    index,
    name,
    role,
    imports,
    exports,
    importedFuncs: m.importedFuncCount,
    definedMemories: m.memories.length,
    trampolines: trampolines(lm),
    tableFills: fills,
    initializes: m.start !== undefined || m.elements.some((e) => e.mode === 'active') || m.data.some((d) => d.mode === 'active'),
    start: m.start,
    funcType: (f) => funcType(lm, f),
    exportNamed: (n, sort) => exportKeys.get(`${sort}:${n}`),
    importPosition: (sort, i) => importKeys.get(`${sort}:${i}`) ?? -1,
    fillsAt: (table, slot) => fillKeys.get(`${table}:${slot}`) ?? [],
  };
}

/** Trampolines of a shim-like module (see ModuleView.trampolines); empty unless every defined func is one. */
function trampolines(lm: LinkModule): Map<number, { table: number; slot: number }> {
  const m = lm.core;
  const out = new Map<number, { table: number; slot: number }>();
  if (m.start !== undefined || m.elements.length || !m.code.length) return out;
  for (let i = 0; i < m.code.length; i++) {
    const f = m.importedFuncCount + i;
    const t = trampolineOf(lm, f);
    if (!t) return new Map();
    out.set(f, t);
  }
  return out;
}

/** `local.get 0..n-1; i32.const k; call_indirect (type of f) t; end` with t one of the module's own tables. */
function trampolineOf(lm: LinkModule, f: number): { table: number; slot: number } | undefined {
  const m = lm.core;
  const fb = m.code[f - m.importedFuncCount]!;
  const sig = funcType(lm, f);
  const r = new BinaryReader(fb.body, fb.offset);
  try {
    if (r.u32() !== 0) return undefined;
    for (let i = 0; i < sig.params.length; i++) if (r.u8() !== 0x20 || r.u32() !== i) return undefined;
    if (r.u8() !== 0x41) return undefined;
    const slot = r.s32();
    if (r.u8() !== 0x11) return undefined;
    const type = m.types[r.u32()];
    const table = r.u32();
    if (r.u8() !== 0x0b || !r.eof()) return undefined;
    if (type?.kind !== 'func' || !funcTypeEquals(type, sig) || table < m.importedTableCount || slot < 0) return undefined;
    return { table, slot };
  } catch (err) {
    if (err instanceof WasiAdaptError) return undefined;
    throw err;
  }
}

/** Slots a filler-like module writes (see ModuleView.tableFills). */
function tableFills(lm: LinkModule): TableFill[] | undefined {
  const m = lm.core;
  // A start is an imported function then (wit-component starts main's `_initialize` there): it fills no slot.
  if (m.functions.length) return undefined;
  const fills: TableFill[] = [];
  for (const seg of m.elements) {
    if (seg.mode !== 'active' || !seg.funcs || !seg.offset) return undefined;
    const base = constI32(seg.offset.bytes);
    if (base === undefined) return undefined;
    seg.funcs.forEach((func, i) => fills.push({ table: seg.table, slot: base + i, func }));
  }
  return fills;
}

/** The value of `i32.const k; end`, else undefined. */
function constI32(expr: Uint8Array): number | undefined {
  const r = new BinaryReader(expr);
  try {
    if (r.u8() !== 0x41) return undefined;
    const v = r.s32();
    return r.u8() === 0x0b && r.eof() ? v : undefined;
  } catch (err) {
    if (err instanceof WasiAdaptError) return undefined;
    throw err;
  }
}
