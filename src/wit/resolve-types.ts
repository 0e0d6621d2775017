/**
 * Names inside one interface or world: `use`d types, type definitions (in any order, not
 * recursive), and functions with resources desugared as WIT.md's "Item: resource" says.
 */
import { WasiAdaptError } from '../errors.js';
import type { FuncAst, FuncTypeAst, InterfaceItem, TypeAst, TypeDefAst, UseAst, UsePath } from './ast.js';
import { witError, type Pos } from './lexer.js';
import { resourceOf, type Func, type Interface, type Type, type TypeDef, type TypeDefinition, type World } from './resolved.js';

export function unresolved(pos: Pos, message: string): WasiAdaptError {
  return new WasiAdaptError('unresolved', `${pos.file}:${pos.line}:${pos.col}: ${message}`);
}

export function at(pos: Pos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** Case-insensitively unique names (WIT.md: "Each name must be case-insensitively unique"). */
export class NameSet {
  private readonly seen = new Map<string, Pos>();
  add(name: string, pos: Pos, what = `\`${name}\``): void {
    const key = name.toLowerCase();
    const first = this.seen.get(key);
    if (first) throw witError(pos, `${what} is defined twice (first at ${at(first)})`);
    this.seen.set(key, pos);
  }
}

interface Pending {
  readonly ast: TypeDefAst;
  state: 'pending' | 'resolving' | 'done';
}

/**
 * Resolves the type-level items of `owner` into its `types` and functions. `interfaceOf` finds
 * (and resolves first) the interface a `use` path names.
 */
export class TypeScope {
  private readonly defs = new Map<string, TypeDef>();
  private readonly pending = new Map<TypeDef, Pending>();
  private readonly names = new NameSet();

  constructor(
    private readonly owner: Interface | World,
    private readonly interfaceOf: (path: UsePath) => Interface,
    private readonly onType: (def: TypeDef) => void,
  ) {}

  /** First pass over an item: define its names (so later items may refer to earlier or later types). */
  declare(item: InterfaceItem | UseAst | TypeDefAst): void {
    if (item.kind === 'use') this.use(item);
    else if (item.kind === 'typedef') {
      this.names.add(item.name, item.pos);
      // The definition is filled in by `complete`; until then nothing reads it.
      const def: TypeDef = { name: item.name, owner: this.owner, definition: undefined as unknown as TypeDefinition, gates: item.gates, docs: item.docs, pos: item.pos };
      this.defs.set(item.name, def);
      this.pending.set(def, { ast: item, state: 'pending' });
      this.onType(def);
    } else {
      this.names.add(item.name, item.pos);
    }
  }

  private use(item: UseAst): void {
    const from = this.interfaceOf(item.path);
    if (this.owner.kind === 'interface' && !this.owner.uses.includes(from)) this.owner.uses.push(from);
    for (const n of item.names) {
      const target = from.types.get(n.name);
      if (!target) throw unresolved(n.pos, `type \`${n.name}\` is not defined in interface \`${from.id ?? from.name}\``);
      const name = n.as ?? n.name;
      this.names.add(name, n.pos);
      const def: TypeDef = { name, owner: this.owner, definition: { kind: 'use', target, from }, gates: item.gates, docs: [], pos: n.pos };
      this.defs.set(name, def);
      this.onType(def);
    }
  }

  /** Second pass: every definition's body, in declaration order. */
  completeAll(): void {
    for (const def of this.pending.keys()) this.complete(def);
  }

  private complete(def: TypeDef): void {
    const p = this.pending.get(def);
    if (!p || p.state === 'done') return;
    if (p.state === 'resolving') throw witError(def.pos, `type \`${def.name}\` refers to itself`);
    p.state = 'resolving';
    (def as { definition: TypeDefinition }).definition = this.definition(p.ast);
    p.state = 'done';
  }

  private definition(ast: TypeDefAst): TypeDefinition {
    const d = ast.def;
    switch (d.kind) {
      case 'alias':
        return { kind: 'alias', type: this.type(d.type) };
      case 'record': {
        const names = new NameSet();
        return { kind: 'record', fields: d.fields.map((f) => (names.add(f.name, f.pos), { name: f.name, docs: f.docs, type: this.type(f.type) })) };
      }
      case 'variant': {
        const names = new NameSet();
        return {
          kind: 'variant',
          cases: d.cases.map((c) => (names.add(c.name, c.pos), { name: c.name, docs: c.docs, ...(c.type ? { type: this.type(c.type) } : {}) })),
        };
      }
      case 'enum': {
        const names = new NameSet();
        return { kind: 'enum', cases: d.cases.map((c) => (names.add(c.name, c.pos), { name: c.name, docs: c.docs })) };
      }
      case 'flags': {
        const names = new NameSet();
        return { kind: 'flags', flags: d.flags.map((c) => (names.add(c.name, c.pos), { name: c.name, docs: c.docs })) };
      }
      case 'resource':
        // Filled by `resourceFuncs` once every type is known: methods may name later types.
        return { kind: 'resource', functions: [] };
    }
  }

  /** A resource's functions, desugared (WIT.md, "Item: resource"); also kept on the resource. */
  resourceFuncs(ast: TypeDefAst): Func[] {
    const self = this.defs.get(ast.name)!;
    const definition = self.definition;
    if (ast.def.kind !== 'resource' || definition.kind !== 'resource') return [];
    const names = new NameSet();
    for (const f of ast.def.funcs) {
      names.add(f.name, f.pos);
      const base = { resource: self, gates: f.gates, docs: f.docs, pos: f.pos };
      if (f.kind === 'constructor') {
        const sig = this.signature(f.func);
        // WIT.md: a fallible constructor returns `result<r, e>` for its own resource `r`.
        const ok = sig.result?.kind === 'result' ? sig.result.ok : undefined;
        if (sig.result && !(ok?.kind === 'own' && resourceOf(ok.resource) === self)) {
          throw witError(f.pos, `a constructor returns nothing or \`result<${self.name}, ...>\``);
        }
        const result = sig.result ?? { kind: 'own', resource: self };
        definition.functions.push({ name: `[constructor]${self.name}`, kind: 'constructor', ...base, ...sig, result });
      } else if (f.kind === 'method') {
        const sig = this.signature(f.func, [{ name: 'self', type: { kind: 'borrow', resource: self } }], f.pos);
        definition.functions.push({ name: `[method]${self.name}.${f.name}`, kind: 'method', ...base, ...sig });
      } else {
        definition.functions.push({ name: `[static]${self.name}.${f.name}`, kind: 'static', ...base, ...this.signature(f.func) });
      }
    }
    return definition.functions;
  }

  /** A freestanding function. */
  func(ast: FuncAst): Func {
    return { name: ast.name, kind: 'freestanding', ...this.signature(ast.func), gates: ast.gates, docs: ast.docs, pos: ast.pos };
  }

  /** Parameters (names checked) and result of a function type. */
  signature(ast: FuncTypeAst, leading: Func['params'] = [], at: Pos = this.owner.pos): Pick<Func, 'async' | 'params' | 'result'> {
    const names = new NameSet();
    // A method's implicit `self` takes its name: `f: func(self: u8)` in a resource is a duplicate.
    for (const l of leading) names.add(l.name, at);
    const params = [...leading];
    for (const p of ast.params) {
      names.add(p.name, p.pos, `parameter \`${p.name}\``);
      params.push({ name: p.name, type: this.type(p.type) });
    }
    if (!ast.result) return { async: ast.async, params };
    const result = this.type(ast.result);
    // Canonical ABI: a borrow lives for one call, so only parameters may hold one.
    if (hasBorrow(result)) throw witError(ast.result.pos, 'a function result cannot contain a `borrow` handle');
    return { async: ast.async, params, result };
  }

  private named(name: string, pos: Pos): TypeDef {
    const def = this.defs.get(name);
    if (!def) throw unresolved(pos, `unknown type \`${name}\``);
    this.complete(def);
    return def;
  }

  type(ast: TypeAst): Type {
    switch (ast.kind) {
      case 'primitive':
        return { kind: 'primitive', name: ast.name };
      case 'named': {
        const def = this.named(ast.name, ast.pos);
        // A bare resource name is an owned handle (WIT.md, "Handles").
        return resourceOf(def) ? { kind: 'own', resource: def } : { kind: 'ref', def };
      }
      case 'own':
      case 'borrow': {
        const def = this.named(ast.resource, ast.resourcePos);
        if (!resourceOf(def)) throw witError(ast.resourcePos, `\`${ast.resource}\` is not a resource type`);
        return { kind: ast.kind, resource: def };
      }
      case 'list':
        return { kind: 'list', element: this.type(ast.element), ...(ast.length === undefined ? {} : { length: ast.length }) };
      case 'option':
        return { kind: 'option', element: this.type(ast.element) };
      case 'result':
        return { kind: 'result', ...(ast.ok ? { ok: this.type(ast.ok) } : {}), ...(ast.err ? { err: this.type(ast.err) } : {}) };
      case 'tuple':
        return { kind: 'tuple', types: ast.types.map((t) => this.type(t)) };
      case 'map': {
        const key = this.type(ast.key);
        if (!isMapKey(key)) throw witError(ast.key.pos, 'a map key must be bool, an integer, char or string');
        return { kind: 'map', key, value: this.type(ast.value) };
      }
      case 'future':
      case 'stream':
        return { kind: ast.kind, ...(ast.element ? { element: this.type(ast.element) } : {}) };
    }
  }
}

/** Whether a value of the type can hold a borrowed handle (through named types too). */
function hasBorrow(t: Type): boolean {
  switch (t.kind) {
    case 'borrow':
      return true;
    case 'list':
    case 'option':
      return hasBorrow(t.element);
    case 'future':
    case 'stream':
      return t.element !== undefined && hasBorrow(t.element);
    case 'result':
      return (t.ok !== undefined && hasBorrow(t.ok)) || (t.err !== undefined && hasBorrow(t.err));
    case 'tuple':
      return t.types.some(hasBorrow);
    case 'map':
      return hasBorrow(t.key) || hasBorrow(t.value);
    case 'ref':
      return defHasBorrow(t.def);
    default:
      // Primitives and owned handles.
      return false;
  }
}

function defHasBorrow(def: TypeDef): boolean {
  const d = def.definition;
  switch (d.kind) {
    case 'use':
      return defHasBorrow(d.target);
    case 'alias':
      return hasBorrow(d.type);
    case 'record':
      return d.fields.some((f) => hasBorrow(f.type));
    case 'variant':
      return d.cases.some((c) => c.type !== undefined && hasBorrow(c.type));
    default:
      return false;
  }
}

const MAP_KEYS: ReadonlySet<string> = new Set(['bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'char', 'string']);

/** WIT.md's `kt`: a map key is one of these primitives, maybe through aliases. */
function isMapKey(t: Type): boolean {
  if (t.kind === 'primitive') return MAP_KEYS.has(t.name);
  if (t.kind !== 'ref') return false;
  const d = t.def.definition;
  if (d.kind === 'alias') return isMapKey(d.type);
  if (d.kind === 'use') return isMapKey({ kind: 'ref', def: d.target });
  return false;
}
