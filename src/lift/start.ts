/**
 * A main module's start function runs while the component instantiates main,
 * before anything main imports through the shim is wired (the fixup fills the
 * shim's table after main and the adapter exist), so a start function that
 * calls an import would trap there. This finds the imports a start function
 * can reach through the call graph: only for those modules does `lift` build
 * the adapter before main (memory.ts).
 */
import { forEachIndex } from '../binary/instructions.js';
import { forEachBodyIndex, type CoreModule } from '../binary/module.js';
import { readNames } from '../binary/names.js';

/** The function imports (`module.name`) the start function can call; none without a start function. */
export function importsReachedFromStart(m: CoreModule): { module: string; name: string }[] {
  const reached: { module: string; name: string }[] = [];
  if (m.start === undefined) return reached;
  const imported = m.imports.filter((i) => i.desc.kind === 'func');
  const live = new Set<number>();
  const todo = [m.start];
  let indirect = false;
  while (todo.length) {
    const f = todo.pop()!;
    if (live.has(f)) continue;
    live.add(f);
    if (f < imported.length) {
      reached.push({ module: imported[f]!.module, name: imported[f]!.name });
      continue;
    }
    forEachBodyIndex(m.code[f - imported.length]!, (space, v) => {
      if (space === 'func') todo.push(v);
      // call_indirect names a table, call_ref only a type: either may call any function
      // that escapes (type indices of block types are counted too: an over-approximation).
      else if (space === 'table' || space === 'type') indirect = true;
    });
    if (indirect && todo.length === 0) {
      todo.push(...[...escaped(m)].filter((x) => !live.has(x)));
      indirect = false;
    }
  }
  return reached;
}

/**
 * Functions a program can hold a reference to: validation lets `ref.func`
 * name only functions that appear in an element segment, an export or a
 * global's initializer, and tables are filled from the same places.
 */
function escaped(m: CoreModule): Set<number> {
  const out = new Set<number>();
  const scan = (e: { bytes: Uint8Array; offset: number }) =>
    forEachIndex(e.bytes, e.offset, (space, v) => {
      if (space === 'func') out.add(v);
    });
  for (const seg of m.elements) {
    seg.funcs?.forEach((f) => out.add(f));
    seg.exprs?.forEach(scan);
  }
  for (const e of m.exports) if (e.kind === 'func') out.add(e.index);
  for (const g of m.globals) scan(g.init);
  return out;
}

/** `func N` with its name from the name section, when it has one. */
export function describeFunc(m: CoreModule, f: number): string {
  const name = readNames(m)?.functions?.get(f);
  return name === undefined ? `func ${f}` : `func ${f} (${name})`;
}
