/**
 * Core modules inside a component must not import the same name twice, but
 * modules may (AssemblyScript imports `wasi_snapshot_preview1.fd_write` once
 * per use site). Each repeat of a name moves to its own import module,
 * `wasi_snapshot_preview1#2`, `#3`, ..., and the component binds all of them
 * to the same instance, so every repeat calls the one function. Only the
 * import section is rewritten: function indices, code and DWARF stay as
 * they were.
 */
import { encodeImportSection, SectionId, writeModule, type CoreModule } from '../binary/module.js';

export interface DistinctImports {
  /** The module, rewritten only if it had repeats. */
  bytes: Uint8Array;
  /** The import module names it uses, the original first. */
  modules: string[];
}

export function distinctImports(bytes: Uint8Array, m: CoreModule): DistinctImports {
  const seen = new Map<string, number>();
  const modules = new Set<string>();
  const imports = m.imports.map((im) => {
    const key = `${im.module}\0${im.name}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const module = n === 1 ? im.module : `${im.module}#${n}`;
    modules.add(module);
    return { ...im, module };
  });
  if (modules.size <= new Set(m.imports.map((i) => i.module)).size) return { bytes, modules: [...modules] };
  const sections = m.sections.map((s) => (s.id === SectionId.import ? { id: s.id, payload: encodeImportSection(imports) } : s));
  return { bytes: writeModule({ sections }), modules: [...modules] };
}
