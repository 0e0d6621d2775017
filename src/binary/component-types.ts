/**
 * The decoded shape of a component binary (Binary.md, version 0x0d). Items stay
 * close to the encoding: indices, not resolved objects; resolution is the job
 * of `src/component/graph.ts`.
 */

/** Sorts of `sortidx` / `core:sortidx` (and alias / export targets). */
export type CoreSort = 'core func' | 'core table' | 'core memory' | 'core global' | 'core type' | 'core module' | 'core instance';
export type Sort = CoreSort | 'func' | 'value' | 'type' | 'component' | 'instance';

export interface SortIndex {
  sort: Sort;
  index: number;
}

/**
 * An import/export name. `form` is the leading byte: 0x00 plain, 0x01 the legacy
 * spelling of the same, 0x02 followed by options (`implements`, `versionsuffix`).
 */
export interface ExternName {
  name: string;
  form: 0 | 1 | 2;
  options?: ExternNameOption[];
}
export type ExternNameOption = { kind: 'implements'; name: string } | { kind: 'versionsuffix'; suffix: string };

// ---- value types ----

export type PrimValType =
  | 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64'
  | 'f32' | 'f64' | 'char' | 'string' | 'error-context';

/** A primitive, or an index into the type index space. */
export type ValType = PrimValType | number;

export interface LabeledType {
  name: string;
  type: ValType;
}

export interface VariantCase {
  name: string;
  type?: ValType;
  /** Only in old binaries (trailing 0x01 u32). */
  refines?: number;
}

export type DefValType =
  | { kind: 'prim'; type: PrimValType }
  | { kind: 'record'; fields: LabeledType[] }
  | { kind: 'variant'; cases: VariantCase[] }
  | { kind: 'list'; element: ValType; length?: number }
  | { kind: 'tuple'; types: ValType[] }
  | { kind: 'flags'; names: string[] }
  | { kind: 'enum'; names: string[] }
  | { kind: 'option'; type: ValType }
  | { kind: 'result'; ok?: ValType; err?: ValType }
  | { kind: 'own'; resource: number }
  | { kind: 'borrow'; resource: number }
  | { kind: 'stream'; element?: ValType }
  | { kind: 'future'; element?: ValType };

export interface FuncType {
  kind: 'func';
  async: boolean;
  params: LabeledType[];
  /** One unnamed result (0x00 t), or a named list (0x01 vec; empty = no result). */
  results: ValType | LabeledType[];
}

export interface ResourceType {
  kind: 'resource';
  /** 0x3e: destructor is async, with an optional callback. */
  async: boolean;
  dtor?: number;
  callback?: number;
}

export interface ComponentTypeDef {
  kind: 'component';
  decls: ComponentDecl[];
}
export interface InstanceTypeDef {
  kind: 'instance';
  decls: InstanceDecl[];
}

export type TypeDef = DefValType | FuncType | ResourceType | ComponentTypeDef | InstanceTypeDef;

export type TypeBound = { kind: 'eq'; type: number } | { kind: 'sub resource' };

export type ExternDesc =
  | { kind: 'core module'; type: number }
  | { kind: 'func'; type: number }
  /** Encoded as wasm-tools does (a bare valtype), not Binary.md's 🪙 `valuebound`. */
  | { kind: 'value'; type: ValType }
  | { kind: 'type'; bound: TypeBound }
  | { kind: 'component'; type: number }
  | { kind: 'instance'; type: number };

export type InstanceDecl =
  | { kind: 'core type'; type: CoreType }
  | { kind: 'type'; type: TypeDef }
  | { kind: 'alias'; alias: Alias }
  | { kind: 'export'; name: ExternName; desc: ExternDesc };
export type ComponentDecl = InstanceDecl | { kind: 'import'; name: ExternName; desc: ExternDesc };

// ---- core types (section 3) ----

/** A core value type: its one-byte code, or a `(ref null? heap)` with an s33 heap type. */
export type CoreValType = number | { nullable: boolean; heap: number };

export type CoreImportDesc =
  | { kind: 'func'; type: number }
  | { kind: 'tag'; type: number }
  /** Table, memory and global types are kept as their encoded bytes. */
  | { kind: 'table' | 'memory' | 'global'; raw: Uint8Array };

export type ModuleDecl =
  | { kind: 'import'; module: string; name: string; desc: CoreImportDesc }
  | { kind: 'type'; type: CoreType }
  | { kind: 'alias'; sort: CoreSort; count: number; index: number }
  | { kind: 'export'; name: string; desc: CoreImportDesc };

export type CoreType =
  | { kind: 'func'; params: CoreValType[]; results: CoreValType[] }
  | { kind: 'module'; decls: ModuleDecl[] }
  /** GC rec groups, sub types, structs and arrays: kept as their encoded bytes. */
  | { kind: 'gc'; raw: Uint8Array };

// ---- instances, aliases ----

export type CoreInstance =
  | { kind: 'instantiate'; module: number; args: { name: string; instance: number }[] }
  | { kind: 'exports'; exports: { name: string; sort: CoreSort; index: number }[] };

export type Instance =
  | { kind: 'instantiate'; component: number; args: { name: string; sort: Sort; index: number }[] }
  | { kind: 'exports'; exports: { name: ExternName; sort: Sort; index: number }[] };

export type AliasTarget =
  | { kind: 'export'; instance: number; name: string }
  | { kind: 'core export'; instance: number; name: string }
  | { kind: 'outer'; count: number; index: number };

export interface Alias {
  sort: Sort;
  target: AliasTarget;
}

// ---- canon ----

export type CanonFlagOpt = 'utf8' | 'utf16' | 'latin1+utf16' | 'async' | 'always-task-return';
export type CanonIndexOpt = 'memory' | 'realloc' | 'post-return' | 'callback';
export type CanonOpt = { kind: CanonFlagOpt } | { kind: CanonIndexOpt; index: number };

/** Built-ins whose only immediate is a type index. */
export type CanonTypeOp =
  | 'resource.new' | 'resource.drop' | 'resource.drop async' | 'resource.rep'
  | 'stream.new' | 'stream.drop-readable' | 'stream.drop-writable'
  | 'future.new' | 'future.drop-readable' | 'future.drop-writable';
/** Built-ins without immediates. */
export type CanonBareOp =
  | 'task.cancel' | 'subtask.drop' | 'backpressure.set' | 'backpressure.inc' | 'backpressure.dec'
  | 'error-context.drop' | 'waitable-set.new' | 'waitable-set.drop' | 'waitable.join'
  | 'thread.index' | 'thread.resume-later';
/** Built-ins with one flag byte (`async?` or `cancel?`). */
export type CanonFlagOp =
  | 'thread.yield' | 'subtask.cancel' | 'thread.suspend' | 'thread.suspend-then-resume'
  | 'thread.yield-then-resume' | 'thread.suspend-then-promote' | 'thread.yield-then-promote';
/** Built-ins with a type index and options. */
export type CanonTypeOptsOp = 'stream.read' | 'stream.write' | 'future.read' | 'future.write';
/** Built-ins with a type index and a flag byte (`async?`). */
export type CanonTypeFlagOp = 'stream.cancel-read' | 'stream.cancel-write' | 'future.cancel-read' | 'future.cancel-write';
export type CanonOptsOp = 'error-context.new' | 'error-context.debug-message';

export type Canon =
  | { kind: 'lift'; coreFunc: number; options: CanonOpt[]; type: number }
  | { kind: 'lower'; func: number; options: CanonOpt[] }
  | { kind: CanonTypeOp; type: number }
  | { kind: CanonBareOp }
  | { kind: CanonFlagOp; flag: boolean }
  | { kind: CanonTypeOptsOp; type: number; options: CanonOpt[] }
  | { kind: CanonTypeFlagOp; type: number; flag: boolean }
  | { kind: CanonOptsOp; options: CanonOpt[] }
  | { kind: 'task.return'; results: ValType | LabeledType[]; options: CanonOpt[] }
  | { kind: 'context.get' | 'context.set'; valType: number; slot: number }
  | { kind: 'waitable-set.wait' | 'waitable-set.poll'; flag: boolean; memory: number }
  | { kind: 'thread.new-indirect'; type: number; table: number }
  | { kind: 'thread.spawn-ref'; shared: boolean; type: number }
  | { kind: 'thread.spawn-indirect'; shared: boolean; type: number; table: number }
  | { kind: 'thread.available-parallelism'; shared: boolean };

// ---- sections ----

export interface Start {
  func: number;
  args: number[];
  results: number;
}

export interface Import {
  name: ExternName;
  desc: ExternDesc;
}

export interface Export {
  name: ExternName;
  sort: Sort;
  index: number;
  desc?: ExternDesc;
}

/** Section 12: each value's type and its encoded bytes (length-checked, not decoded). */
export interface Value {
  type: ValType;
  data: Uint8Array;
}

export type SectionItems =
  | { kind: 'custom'; name: string; data: Uint8Array }
  | { kind: 'coreModule'; module: Uint8Array }
  | { kind: 'coreInstances'; items: CoreInstance[] }
  | { kind: 'coreTypes'; items: CoreType[] }
  | { kind: 'component'; component: Component }
  | { kind: 'instances'; items: Instance[] }
  | { kind: 'aliases'; items: Alias[] }
  | { kind: 'types'; items: TypeDef[] }
  | { kind: 'canon'; items: Canon[] }
  | { kind: 'start'; start: Start }
  | { kind: 'imports'; items: Import[] }
  | { kind: 'exports'; items: Export[] }
  | { kind: 'values'; items: Value[] };

/**
 * One section. `offset` is the absolute offset of the payload in the input;
 * `payload` is a view of it. `writeComponent` re-emits `payload` verbatim when it
 * is present, so a section whose items were changed (or a new one) must leave
 * it out (`delete s.payload`) to be encoded from its items.
 */
export type ComponentSection = SectionItems & {
  id: number;
  offset: number;
  payload?: Uint8Array;
  /** Width of the section size LEB when the input padded it (verbatim writes keep it). */
  sizeBytes?: number;
};

export interface Component {
  /** Absolute offset of the preamble in the input (0 for a top-level file). */
  offset: number;
  sections: ComponentSection[];
}

export const SECTION_ID = {
  custom: 0,
  coreModule: 1,
  coreInstances: 2,
  coreTypes: 3,
  component: 4,
  instances: 5,
  aliases: 6,
  types: 7,
  canon: 8,
  start: 9,
  imports: 10,
  exports: 11,
  values: 12,
} as const satisfies Record<SectionItems['kind'], number>;
