import type { FuncType } from '../binary/types.js';

/**
 * The shapes the linker plans over, filled by `componentView`
 * (from-component.ts) and `moduleView` (module-view.ts); keeping them narrow
 * keeps the planning logic independent of parser details.
 */

export type Sort = 'func' | 'table' | 'memory' | 'global' | 'tag';

export type Role = 'main' | 'adapter' | 'shim' | 'fixup' | 'other';

export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

/** A core item of the component: index into the component's core index space of `sort`. */
export interface CoreRef {
  sort: Sort;
  index: number;
}

export interface ModuleImport {
  module: string;
  name: string;
  sort: Sort;
  /** Index within the module's own index space of `sort` (imports come first). */
  index: number;
}

export interface ModuleExport {
  name: string;
  sort: Sort;
  index: number;
}

/** A slot of a table filled by an active element segment with a constant offset. */
export interface TableFill {
  table: number;
  slot: number;
  func: number;
}

export interface ModuleView {
  /** Index of this module in the component's core module space (after flattening). */
  index: number;
  name: string;
  role: Role;
  imports: ModuleImport[];
  exports: ModuleExport[];
  importedFuncs: number;
  /**
   * For a shim-like module (every defined func only forwards its params to
   * `call_indirect` through a constant slot of one of its own tables; no
   * element segments, no start): those funcs. Empty for any other module.
   */
  trampolines: Map<number, { table: number; slot: number }>;
  /**
   * For a filler-like module (no funcs of its own, no start, every element
   * segment active with a constant offset and plain func indices): the slots
   * it fills. Undefined for any other module.
   */
  tableFills: TableFill[] | undefined;
  /** Whether instantiating it changes state elsewhere: active segments or a start function. */
  initializes: boolean;
  funcType(func: number): FuncType;
}

export type CoreInstance =
  | { kind: 'instantiate'; module: number; args: Map<string, number> }
  | { kind: 'exports'; exports: Map<string, CoreRef> };

export interface CanonOptions {
  memory: number | undefined;
  realloc: number | undefined;
  postReturn: number | undefined;
  encoding: StringEncoding;
}

/** Where a core function of the component comes from. */
export type CoreFunc =
  | { kind: 'alias'; instance: number; name: string }
  | { kind: 'lower'; iface: string; func: string; options: CanonOptions; offset: number }
  /** resource.drop of an imported resource (resource.new/rep of one are invalid). */
  | { kind: 'resource'; op: 'drop' | 'new' | 'rep'; iface: string; resource: string }
  /** resource.new/rep/drop of a resource the component defines; `dtor` is a core func. */
  | { kind: 'own-resource'; op: 'drop' | 'new' | 'rep'; dtor: number | undefined }
  /** A canon built-in p1 has no counterpart for (async, streams, threads): an error if reached. */
  | { kind: 'unsupported'; what: string; offset: number };

/** Memories, tables and globals of a component only ever come from core instance exports. */
export interface CoreAlias {
  instance: number;
  name: string;
}

/** A lifted function the component exports. */
export interface LiftedExport {
  /** Exported instance name (`wasi:cli/run@0.2.12`) or '' for a function exported at top level. */
  iface: string;
  func: string;
  coreFunc: number;
  options: CanonOptions;
  witType: string | undefined;
}

export interface ComponentView {
  modules: ModuleView[];
  coreInstances: CoreInstance[];
  coreFuncs: CoreFunc[];
  memories: CoreAlias[];
  tables: CoreAlias[];
  globals: CoreAlias[];
  exports: LiftedExport[];
}
