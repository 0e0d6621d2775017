/**
 * The resolved form of a WIT package set: every name is replaced by the object it names, so a
 * later step (component types for `up --wit`) walks objects and never looks a name up again.
 * Gates are kept, not applied: which `@since`/`@unstable` items to drop depends on the target
 * version and features, chosen by the caller.
 */
import type { Gate, PackageName, PrimitiveName } from './ast.js';
import type { Pos } from './lexer.js';

export interface Package {
  readonly name: PackageName;
  /** `ns:name@ver`. */
  readonly id: string;
  /** In declaration order (files in the order given, then textual order). */
  readonly interfaces: Map<string, Interface>;
  readonly worlds: Map<string, World>;
}

export interface Interface {
  readonly kind: 'interface';
  /** Undefined for an inline `import x: interface { ... }` in a world. */
  readonly name: string | undefined;
  /** `ns:pkg/name@ver`, the component import/export name; undefined when inline. */
  readonly id: string | undefined;
  readonly package: Package;
  /** Types in declaration order, `use`d ones included (as `use` definitions). */
  readonly types: Map<string, TypeDef>;
  /** Functions in declaration order; resource functions under their desugared names (`[method]r.f`). */
  readonly functions: Map<string, Func>;
  /** The interfaces this one `use`s types from, in first-use order. */
  readonly uses: Interface[];
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
  readonly pos: Pos;
}

export interface World {
  readonly kind: 'world';
  readonly name: string;
  readonly id: string;
  readonly package: Package;
  /**
   * After `include`s, and with every interface the imports and exports `use` added as an
   * (implicit) import before its first user. Keys are component import names: `ns:pkg/i@v` for
   * interfaces imported by name, the plain name otherwise. World-level types are imports too.
   */
  readonly imports: Map<string, WorldItem>;
  readonly exports: Map<string, WorldItem>;
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
  readonly pos: Pos;
}

export type WorldItem =
  | {
      readonly kind: 'interface';
      readonly interface: Interface;
      /** True when added only because another import or export `use`s it. */
      readonly implicit: boolean;
      readonly gates: readonly Gate[];
    }
  | { readonly kind: 'func'; readonly func: Func; readonly gates: readonly Gate[] }
  | { readonly kind: 'type'; readonly type: TypeDef; readonly gates: readonly Gate[] };

export interface TypeDef {
  readonly name: string;
  readonly owner: Interface | World;
  readonly definition: TypeDefinition;
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
  readonly pos: Pos;
}

export interface Case {
  readonly name: string;
  readonly docs: readonly string[];
}

export type TypeDefinition =
  | { readonly kind: 'record'; readonly fields: readonly (Case & { readonly type: Type })[] }
  | { readonly kind: 'variant'; readonly cases: readonly (Case & { readonly type?: Type })[] }
  | { readonly kind: 'enum'; readonly cases: readonly Case[] }
  | { readonly kind: 'flags'; readonly flags: readonly Case[] }
  /** `functions` are also in the owner's `functions`, under their desugared names. */
  | { readonly kind: 'resource'; readonly functions: Func[] }
  | { readonly kind: 'alias'; readonly type: Type }
  /** `use iface.{name}`: the same type, seen from another interface (component model: an alias). */
  | { readonly kind: 'use'; readonly target: TypeDef; readonly from: Interface };

export type Type =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  /** A named non-resource type (record, variant, enum, flags, alias or `use` of one). */
  | { readonly kind: 'ref'; readonly def: TypeDef }
  | { readonly kind: 'list'; readonly element: Type; readonly length?: number }
  | { readonly kind: 'option'; readonly element: Type }
  | { readonly kind: 'result'; readonly ok?: Type; readonly err?: Type }
  | { readonly kind: 'tuple'; readonly types: readonly Type[] }
  | { readonly kind: 'map'; readonly key: Type; readonly value: Type }
  /** `resource` is the definition named (maybe a `use` or alias of the resource; see `resourceOf`). */
  | { readonly kind: 'own' | 'borrow'; readonly resource: TypeDef }
  | { readonly kind: 'future' | 'stream'; readonly element?: Type };

export interface Func {
  /** Component-model name: `f`, `[constructor]r`, `[method]r.f`, `[static]r.f`. */
  readonly name: string;
  readonly kind: 'freestanding' | 'constructor' | 'method' | 'static';
  /** The resource a constructor, method or static function belongs to. */
  readonly resource?: TypeDef;
  readonly async: boolean;
  /** Methods start with `self: borrow<r>`. */
  readonly params: readonly { readonly name: string; readonly type: Type }[];
  /** Constructors without `->` return `own<r>`. */
  readonly result?: Type;
  readonly gates: readonly Gate[];
  readonly docs: readonly string[];
  readonly pos: Pos;
}

/** The resource a definition stands for, through `use`s and aliases; undefined if not a resource. */
export function resourceOf(def: TypeDef): TypeDef | undefined {
  const d = def.definition;
  if (d.kind === 'resource') return def;
  if (d.kind === 'use') return resourceOf(d.target);
  if (d.kind === 'alias' && d.type.kind === 'own') return resourceOf(d.type.resource);
  return undefined;
}
