/**
 * The WIT syntax tree, one file at a time, before any name is resolved. Every node that a later
 * error may point at carries its `pos`.
 */
import type { Pos } from './lexer.js';

export type Gate =
  | { readonly kind: 'since'; readonly version: string; readonly pos: Pos }
  | { readonly kind: 'unstable'; readonly feature: string; readonly pos: Pos }
  | { readonly kind: 'deprecated'; readonly version: string; readonly pos: Pos };

export interface PackageName {
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
}

/** `ns:name@1.2.3`, the form WIT and component import names use. */
export function packageId(p: PackageName): string {
  return `${p.namespace}:${p.name}${p.version === undefined ? '' : '@' + p.version}`;
}

/** An interface or world reference: `name` (this package or a top-level `use`) or `ns:pkg/name@ver`. */
export type UsePath =
  | { readonly kind: 'local'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'foreign'; readonly package: PackageName; readonly name: string; readonly pos: Pos };

export interface WitFile {
  readonly file: string;
  /** The root `package ns:name;` declaration, when the file has one. */
  readonly package?: { readonly name: PackageName; readonly pos: Pos };
  /** The file's items outside nested `package ... { }` blocks: they belong to the root package. */
  readonly body: PackageBody;
  readonly nested: readonly NestedPackage[];
}

export interface PackageBody {
  readonly uses: readonly TopLevelUse[];
  readonly items: readonly (InterfaceAst | WorldAst)[];
  /** Where `@since`/`@deprecated` gates are: a package with any needs a version (WIT.md). */
  readonly versionGates: readonly Pos[];
}

export interface NestedPackage {
  readonly name: PackageName;
  readonly pos: Pos;
  readonly body: PackageBody;
}

/** `use wasi:http/types@1.0.0 as http-types;` at the top level: a file-scoped interface name. */
export interface TopLevelUse {
  readonly path: UsePath;
  readonly as?: string;
  readonly pos: Pos;
}

interface ItemCommon {
  readonly name: string;
  readonly pos: Pos;
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
}

export interface InterfaceAst extends ItemCommon {
  readonly kind: 'interface';
  readonly items: readonly InterfaceItem[];
}

export type InterfaceItem = UseAst | TypeDefAst | FuncAst;

/** `use iface.{a, b as c};` inside an interface or world. */
export interface UseAst {
  readonly kind: 'use';
  readonly path: UsePath;
  readonly names: readonly { readonly name: string; readonly as?: string; readonly pos: Pos }[];
  readonly pos: Pos;
  readonly gates: readonly Gate[];
}

export interface FuncAst extends ItemCommon {
  readonly kind: 'func';
  readonly func: FuncTypeAst;
}

export interface FuncTypeAst {
  readonly async: boolean;
  readonly params: readonly { readonly name: string; readonly type: TypeAst; readonly pos: Pos }[];
  readonly result?: TypeAst;
}

export interface TypeDefAst extends ItemCommon {
  readonly kind: 'typedef';
  readonly def: TypeDefBodyAst;
}

export interface NamedTypeAst {
  readonly name: string;
  readonly pos: Pos;
  readonly docs: readonly string[];
}

export type TypeDefBodyAst =
  | { readonly kind: 'alias'; readonly type: TypeAst }
  | { readonly kind: 'record'; readonly fields: readonly (NamedTypeAst & { readonly type: TypeAst })[] }
  | { readonly kind: 'variant'; readonly cases: readonly (NamedTypeAst & { readonly type?: TypeAst })[] }
  | { readonly kind: 'enum'; readonly cases: readonly NamedTypeAst[] }
  | { readonly kind: 'flags'; readonly flags: readonly NamedTypeAst[] }
  | { readonly kind: 'resource'; readonly funcs: readonly ResourceFuncAst[] };

export interface ResourceFuncAst extends ItemCommon {
  /** `name` is `constructor` for the constructor. */
  readonly kind: 'method' | 'static' | 'constructor';
  readonly func: FuncTypeAst;
}

export const PRIMITIVES = [
  'bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64', 'char', 'string', 'error-context',
] as const;
export type PrimitiveName = (typeof PRIMITIVES)[number];

export type TypeAst =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName; readonly pos: Pos }
  | { readonly kind: 'named'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'list'; readonly element: TypeAst; readonly length?: number; readonly pos: Pos }
  | { readonly kind: 'option'; readonly element: TypeAst; readonly pos: Pos }
  | { readonly kind: 'result'; readonly ok?: TypeAst; readonly err?: TypeAst; readonly pos: Pos }
  | { readonly kind: 'tuple'; readonly types: readonly TypeAst[]; readonly pos: Pos }
  | { readonly kind: 'map'; readonly key: TypeAst; readonly value: TypeAst; readonly pos: Pos }
  | { readonly kind: 'own' | 'borrow'; readonly resource: string; readonly resourcePos: Pos; readonly pos: Pos }
  | { readonly kind: 'future' | 'stream'; readonly element?: TypeAst; readonly pos: Pos };

export interface WorldAst extends ItemCommon {
  readonly kind: 'world';
  readonly items: readonly WorldItemAst[];
}

export type WorldItemAst = ImportExportAst | UseAst | TypeDefAst | IncludeAst;

export interface ImportExportAst {
  readonly kind: 'import' | 'export';
  readonly pos: Pos;
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
  readonly extern:
    /** `import wasi:io/streams@0.2.0;`: the interface's own name. */
    | { readonly kind: 'path'; readonly path: UsePath }
    /** `import name: other-iface;`: a plain name implementing a named interface. */
    | { readonly kind: 'named-path'; readonly name: string; readonly namePos: Pos; readonly path: UsePath }
    | { readonly kind: 'func'; readonly name: string; readonly namePos: Pos; readonly func: FuncTypeAst }
    | { readonly kind: 'interface'; readonly name: string; readonly namePos: Pos; readonly items: readonly InterfaceItem[] };
}

export interface IncludeAst {
  readonly kind: 'include';
  readonly path: UsePath;
  readonly with: readonly { readonly from: string; readonly to: string; readonly pos: Pos }[];
  readonly pos: Pos;
  readonly gates: readonly Gate[];
}
