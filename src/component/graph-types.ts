import type { CoreModule } from '../binary/module.js';
import type {
  AliasTarget, Canon, Component, CoreInstance, CoreSort, CoreType, ExternDesc, Instance, Sort, TypeDef, ValType,
} from '../binary/component-types.js';

/**
 * One entry of an index space: how that index came to exist. Every sort's
 * space is built in definition order, exactly as the binary numbers them.
 */
export type Definition =
  | { kind: 'import'; import: number; name: string; desc: ExternDesc }
  /** Exports add a new index aliasing the exported item. */
  | { kind: 'export'; export: number; name: string; sort: Sort; index: number }
  | { kind: 'alias'; target: AliasTarget }
  /** Built by a canon definition: `canon` indexes `ComponentGraph.canons`. */
  | { kind: 'canon'; canon: number; item: Canon }
  | { kind: 'core module'; module: number }
  | { kind: 'core instance'; item: CoreInstance }
  | { kind: 'core type'; type: CoreType }
  | { kind: 'type'; type: TypeDef }
  | { kind: 'instance'; item: Instance }
  | { kind: 'component'; graph: ComponentGraph }
  | { kind: 'start result'; start: number }
  | { kind: 'value'; type: ValType; data: Uint8Array };

export type ModuleRole = 'main' | 'adapter' | 'shim' | 'fixup' | 'init' | 'other';

/** A core module defined (embedded) in this component. */
export interface ModuleInfo {
  /** Index in the core module space. */
  index: number;
  bytes: Uint8Array;
  /** Absolute offset of `bytes[0]` in the input. */
  offset: number;
  /** The module's sections, parsed once here for roles, inspect and the linker. */
  core: CoreModule;
  /**
   * Static instantiation sites, in order: the graph (this one, or a nested one
   * that outer-aliases the module) and the core instance index there.
   */
  instances: { graph: ComponentGraph; instance: number }[];
  role: ModuleRole;
}

export interface IndexSpaces {
  'core func': Definition[];
  'core table': Definition[];
  'core memory': Definition[];
  'core global': Definition[];
  'core type': Definition[];
  'core module': Definition[];
  'core instance': Definition[];
  func: Definition[];
  value: Definition[];
  type: Definition[];
  component: Definition[];
  instance: Definition[];
}

export interface ComponentGraph {
  component: Component;
  /** The enclosing component's graph (for outer aliases), undefined at the top. */
  parent?: ComponentGraph;
  spaces: IndexSpaces;
  modules: ModuleInfo[];
  canons: Canon[];
  imports: { name: string; desc: ExternDesc; index: number }[];
  exports: { name: string; sort: Sort; index: number }[];
  starts: { func: number; args: number[] }[];
}

// ---- resolved views, for the linker ----

/** Where a core item (func/table/memory/global) really comes from. */
export type CoreOrigin =
  /** Exported by a module instance: core instance `instance` of module `module`, export `name`. */
  | { kind: 'module export'; instance: number; module: number; name: string }
  /** Made by a canon built-in (lower, resource.*, async built-ins). */
  | { kind: 'canon'; coreFunc: number; canon: number; item: Canon }
  /** Could not be traced inside this graph (e.g. through a core instance import). */
  | { kind: 'opaque'; sort: CoreSort; index: number };

/** Where a component function really comes from. */
export type FuncOrigin =
  /** An instance import's export, e.g. `wasi:io/streams@0.2.12` + `[method]output-stream.write`. */
  | { kind: 'import'; instance: string; name: string }
  /** A function imported directly by name. */
  | { kind: 'import'; instance?: undefined; name: string }
  /** A lift in `graph` (this graph or a nested one). */
  | { kind: 'lift'; graph: ComponentGraph; func: number; canon: number; coreFunc: number }
  | { kind: 'opaque'; graph: ComponentGraph; func: number };

export interface ResolvedOptions {
  stringEncoding: 'utf8' | 'utf16' | 'latin1+utf16';
  async: boolean;
  memory?: { index: number; origin: CoreOrigin };
  realloc?: { index: number; origin: CoreOrigin };
  postReturn?: { index: number; origin: CoreOrigin };
  callback?: { index: number; origin: CoreOrigin };
}

export interface LowerInfo {
  /** Index of the core func this lower defines. */
  coreFunc: number;
  canon: number;
  /** The component func lowered, and where it comes from. */
  func: number;
  target: FuncOrigin;
  options: ResolvedOptions;
}

export interface LiftInfo {
  /** Index of the component func this lift defines. */
  func: number;
  canon: number;
  coreFunc: number;
  core: CoreOrigin;
  type: number;
  options: ResolvedOptions;
}

/** A nested component instantiation, for flattening. */
export interface NestedInstance {
  instance: number;
  component: number;
  /** The nested component's graph when it is defined inside this one. */
  graph?: ComponentGraph;
  args: { name: string; sort: Sort; index: number }[];
}

/** A resource type traced to the import that provides it, when it comes from one. */
export type TypeOrigin =
  | { kind: 'import'; instance?: string; name: string }
  | { kind: 'defined'; graph: ComponentGraph; index: number; type: TypeDef }
  | { kind: 'opaque'; graph: ComponentGraph; index: number };
