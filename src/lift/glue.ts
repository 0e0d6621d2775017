/**
 * The two small modules that break the instantiation cycle: the shim owns a
 * funcref table and exports one call_indirect trampoline per slot, so the
 * main module and the adapter can be instantiated before the functions they
 * import exist; a fixup, instantiated once those exist, fills their slots.
 */
import { encodeModule, FUNCREF, funcTypeEquals, type ElementSegment, type Export, type FuncType } from '../binary/module.js';
import { BinaryWriter } from '../binary/writer.js';

export interface Slot {
  /** Export name of the trampoline. */
  name: string;
  type: FuncType;
}

export const TABLE = '$imports';
/** The fixup's import module for the shim's table. */
export const SHIM = 'shim';

function typeIndex(types: FuncType[], t: FuncType): number {
  let i = types.findIndex((x) => funcTypeEquals(x, t));
  if (i < 0) i = types.push(t) - 1;
  return i;
}

/** The shim: one trampoline per slot and the table, nothing else. */
export function shimModule(slots: readonly Slot[]): Uint8Array {
  const types: FuncType[] = [];
  const functions = slots.map((s) => typeIndex(types, s.type));
  const code = slots.map((s, i) => {
    const w = new BinaryWriter(16).u8(0x00);
    s.type.params.forEach((_, p) => w.u8(0x20).u32(p));
    return w.u8(0x41).sleb(i).u8(0x11).u32(functions[i]!).u8(0x00).u8(0x0b).finish();
  });
  const exports: Export[] = slots.map((s, i) => ({ name: s.name, kind: 'func', index: i }));
  exports.push({ name: TABLE, kind: 'table', index: 0 });
  const limits = { min: slots.length, max: slots.length };
  return encodeModule({ types, functions, tables: [{ type: { element: FUNCREF, limits } }], exports, code });
}

/**
 * A fixup: imports the functions for slots `fill` from instance `a` (named by slot number) and
 * the shim's table, and writes them there; with `init`, its start calls `a.init` afterwards.
 */
export function fixupModule(slots: readonly Slot[], fill: readonly number[], init: boolean): Uint8Array {
  const types: FuncType[] = [];
  const imports = fill.map((i) => ({ module: 'a', name: String(i), desc: { kind: 'func' as const, typeIndex: typeIndex(types, slots[i]!.type) } }));
  const limits = { min: slots.length, max: slots.length };
  const all = [
    ...imports,
    { module: SHIM, name: TABLE, desc: { kind: 'table' as const, type: { element: FUNCREF, limits } } },
    ...(init ? [{ module: 'a', name: 'init', desc: { kind: 'func' as const, typeIndex: typeIndex(types, { kind: 'func', params: [], results: [] }) } }] : []),
  ];
  // One active segment per run of consecutive slots.
  const elements: ElementSegment[] = [];
  fill.forEach((slot, f) => {
    const last = elements.at(-1);
    if (last && fill[f - 1] === slot - 1) last.funcs!.push(f);
    else elements.push({ mode: 'active', table: 0, offset: { bytes: new Uint8Array([0x41, ...sleb(slot), 0x0b]), offset: 0 }, type: FUNCREF, funcs: [f] });
  });
  return encodeModule({
    types,
    imports: all,
    elements,
    // A reactor's _initialize runs once everything is wired.
    start: init ? fill.length : undefined,
  });
}

function sleb(v: number): number[] {
  return Array.from(new BinaryWriter(5).sleb(v).finish());
}
