/**
 * Main's memory moved into a module of its own, which main then imports, so
 * the memory exists before main is instantiated: the adapter and every
 * lowering can be built on it first, and main's start function can call
 * them. Only the import and memory sections change: code, data and DWARF
 * stay as they were (memory index 0 is the imported one, as it was the
 * defined one).
 */
import { encodeImportSection, encodeMemorySection, encodeModule, SectionId, writeModule, type CoreModule } from '../binary/module.js';

export interface Hoisted {
  main: Uint8Array;
  /** Defines the memory with main's limits and exports it as `memory`. */
  memory: Uint8Array;
}

/** Main (with an import section) importing its memory 0 as `env.memory`; undefined when its exported memory is not that one. */
export function hoistMemory(m: CoreModule): Hoisted | undefined {
  const exported = m.exports.find((e) => e.name === 'memory' && e.kind === 'memory');
  if (m.importedMemoryCount !== 0 || exported?.index !== 0 || !m.sections.some((s) => s.id === SectionId.import)) return undefined;
  const [type, ...rest] = m.memories;
  const imports = [...m.imports, { module: 'env', name: 'memory', desc: { kind: 'memory' as const, type: type! } }];
  const sections = m.sections.flatMap((s): { id: number; payload: Uint8Array }[] => {
    if (s.id === SectionId.import) return [{ id: s.id, payload: encodeImportSection(imports) }];
    if (s.id === SectionId.memory) return rest.length ? [{ id: s.id, payload: encodeMemorySection(rest) }] : [];
    return [s];
  });
  return {
    main: writeModule({ sections }),
    memory: encodeModule({ memories: [type!], exports: [{ name: 'memory', kind: 'memory', index: 0 }] }),
  };
}
