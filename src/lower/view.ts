import type { FuncType } from '../binary/types.js';
import type { ModuleRole } from '../component/graph-types.js';
import type { Evaluation, Sort } from '../component/evaluate.js';
import type { ItemOrigin } from '../component/instance-roles.js';

export type {
  CanonOptions, CoreAlias, CoreFunc, CoreInstance, CoreRef, LiftedExport, Sort, StringEncoding,
} from '../component/evaluate.js';

/**
 * The shapes the linker plans over: the component's evaluation
 * (component/evaluate.ts) with each module's planning view (module-view.ts);
 * keeping them narrow keeps the planning logic independent of parser details.
 */

/** A component module's role, or `generated`: a module the linker wrote itself (fused adapters, the region runtime, the scratch allocator). */
export type Role = ModuleRole | 'generated';

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
  /** How many memories it defines (not imports). */
  definedMemories: number;
  /**
   * For a shim-like module (every defined func only forwards its params to
   * `call_indirect` through a constant slot of one of its own tables; no
   * element segments, no start): those funcs. Empty for any other module.
   */
  trampolines: Map<number, { table: number; slot: number }>;
  /**
   * For a filler-like module (no funcs of its own, every element segment
   * active with a constant offset and plain func indices; a start, if any,
   * is an imported function): the slots it fills. Undefined for any other module.
   */
  tableFills: TableFill[] | undefined;
  /** Whether instantiating it changes state elsewhere: active segments or a start function. */
  initializes: boolean;
  /** Its start function, if any: that runs at instantiation, so it always runs (plan.ts includeInitializers). */
  start: number | undefined;
  funcType(func: number): FuncType;
  /** The export `name` of `sort`; indexed, since planning asks once per import of every instance. */
  exportNamed(name: string, sort: Sort): ModuleExport | undefined;
  /** Position in `imports` of the import that is index `index` of `sort`, or -1 when that index is defined. */
  importPosition(sort: Sort, index: number): number;
  /** The fills of slot `slot` of table `table` (empty for a module that is not filler-like). */
  fillsAt(table: number, slot: number): readonly TableFill[];
}

export interface ComponentView extends Omit<Evaluation, 'modules'> {
  modules: ModuleView[];
  /** The module instance that defines item `name` of core instance `key` (see component/instance-roles.ts). */
  origin(key: number, name: string, sort: Sort): ItemOrigin | undefined;
}
