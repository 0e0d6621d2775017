/**
 * WIT (component-model design/mvp/WIT.md): parse text, resolve a package set. Browser-safe;
 * `load.ts` adds reading files and directories on Node.
 */
export type { Gate, PackageName, PrimitiveName, WitFile } from './ast.js';
export { packageId } from './ast.js';
export type { Pos } from './lexer.js';
export { parseWit } from './parser.js';
export { interfaceId, resolveWit, type ResolvedWit } from './resolve.js';
export { resourceOf } from './resolved.js';
export type { Case, Func, Interface, Package, Type, TypeDef, TypeDefinition, World, WorldItem } from './resolved.js';
