/**
 * A world's imports and exports (WIT.md, "WIT Worlds" and "Union of Worlds with include"):
 * explicit items, included worlds (interface names de-duplicated, plain names renamed by `with`
 * or refused when they clash), then every interface an item `use`s added as an implicit import.
 */
import type { InterfaceItem, UsePath, WorldItemAst } from './ast.js';
import { witError, type Pos } from './lexer.js';
import type { Interface, World, WorldItem } from './resolved.js';
import { at, TypeScope, unresolved } from './resolve-types.js';

export interface WorldContext {
  interfaceOf(path: UsePath): Interface;
  worldOf(path: UsePath): World;
  inline(items: readonly InterfaceItem[], pos: Pos): Interface;
}

/** Interface-named keys (`ns:pkg/i@v`) de-duplicate; plain names (no `:`) do not. */
function isInterfaceName(key: string): boolean {
  return key.includes(':');
}

function sameInterface(a: WorldItem, b: WorldItem): boolean {
  return a.kind === 'interface' && b.kind === 'interface' && a.interface === b.interface;
}

/** One side (imports or exports) while the world is built. */
class Side {
  readonly items = new Map<string, WorldItem>();
  /** Lower-cased key -> the key used, and where it was written (explicit items only). */
  private readonly keys = new Map<string, string>();
  private readonly explicit = new Map<string, Pos>();

  constructor(private readonly what: 'import' | 'export') {}

  /** An item written in this world (or a world-level type, or a `use`d interface). */
  add(key: string, item: WorldItem, pos: Pos, explicit = true): void {
    const lower = key.toLowerCase();
    const first = this.explicit.get(lower);
    if (explicit && first) throw witError(pos, `${this.what} \`${key}\` is defined twice (first at ${at(first)})`);
    const old = this.keys.has(lower) ? this.items.get(this.keys.get(lower)!) : undefined;
    if (old && !sameInterface(old, item)) throw witError(pos, `${this.what} \`${key}\` is defined twice`);
    if (explicit) this.explicit.set(lower, pos);
    if (!old || (explicit && old.kind === 'interface' && old.implicit)) {
      this.keys.set(lower, key);
      this.items.set(key, item);
    }
  }

  /** An item from an included world: same interface names merge, clashing plain names are refused. */
  include(key: string, item: WorldItem, pos: Pos, from: World): void {
    const lower = key.toLowerCase();
    const old = this.keys.has(lower) ? this.items.get(this.keys.get(lower)!) : undefined;
    if (old) {
      if (isInterfaceName(key) && sameInterface(old, item)) {
        // The same interface imported explicitly somewhere: no longer only implicit.
        if (old.kind === 'interface' && old.implicit && item.kind === 'interface' && !item.implicit) this.items.set(this.keys.get(lower)!, item);
        return;
      }
      throw witError(pos, `${this.what} \`${key}\` of world \`${from.name}\` clashes with one of this world (rename it with \`with\`)`);
    }
    this.keys.set(lower, key);
    this.items.set(key, item);
  }
}

export function resolveWorldItems(world: World, items: readonly WorldItemAst[], ctx: WorldContext): void {
  const imports = new Side('import');
  const exports = new Side('export');
  // World-level types are imports of the component, named by their plain names.
  const types = new TypeScope(world, ctx.interfaceOf, (def) => imports.add(def.name, { kind: 'type', type: def, gates: def.gates }, def.pos));
  const worldUses: { iface: Interface; pos: Pos }[] = [];
  for (const item of items) {
    if (item.kind === 'use') {
      const iface = ctx.interfaceOf(item.path);
      worldUses.push({ iface, pos: item.pos });
      imports.add(iface.id!, { kind: 'interface', interface: iface, implicit: true, gates: [] }, item.pos, false);
      types.declare(item);
    } else if (item.kind === 'typedef') {
      types.declare(item);
    }
  }
  types.completeAll();

  for (const item of items) {
    if (item.kind === 'import' || item.kind === 'export') {
      const side = item.kind === 'import' ? imports : exports;
      const e = item.extern;
      const gates = item.gates;
      switch (e.kind) {
        case 'path': {
          const iface = ctx.interfaceOf(e.path);
          side.add(iface.id!, { kind: 'interface', interface: iface, implicit: false, gates }, e.path.pos);
          break;
        }
        case 'named-path':
          side.add(e.name, { kind: 'interface', interface: ctx.interfaceOf(e.path), implicit: false, gates }, e.namePos);
          break;
        case 'interface':
          side.add(e.name, { kind: 'interface', interface: ctx.inline(e.items, e.namePos), implicit: false, gates }, e.namePos);
          break;
        case 'func': {
          const func = types.func({ kind: 'func', name: e.name, pos: e.namePos, gates, docs: item.docs, func: e.func });
          side.add(e.name, { kind: 'func', func, gates }, e.namePos);
          break;
        }
      }
    } else if (item.kind === 'typedef') {
      for (const f of types.resourceFuncs(item)) imports.add(f.name, { kind: 'func', func: f, gates: f.gates }, f.pos);
    } else if (item.kind === 'include') {
      const other = ctx.worldOf(item.path);
      const renames = new Map<string, string>();
      for (const w of item.with) {
        if (isInterfaceName(w.from) || (!other.imports.has(w.from) && !other.exports.has(w.from))) {
          throw unresolved(w.pos, `world \`${other.name}\` has no plain-named import or export \`${w.from}\``);
        }
        renames.set(w.from, w.to);
      }
      for (const [key, it] of other.imports) imports.include(renames.get(key) ?? key, it, item.pos, other);
      for (const [key, it] of other.exports) exports.include(renames.get(key) ?? key, it, item.pos, other);
    }
  }
  elaborate(world, imports.items, exports.items);
  // WIT.md: a world's `use` of an interface it also exports is ambiguous (which instance?),
  // unless the world imports it too: then the `use` is of the import, as wit-component encodes
  // it (the corpus's resource-import-and-export: `import test; export test; use test.{thing}`).
  for (const { iface, pos } of worldUses) {
    const imported = world.imports.get(iface.id!);
    const explicit = imported?.kind === 'interface' && !imported.implicit;
    if (world.exports.has(iface.id!) && !explicit) throw witError(pos, `\`use\` of \`${iface.id}\` is ambiguous: the world exports it`);
  }
}

/**
 * Every interface an import `use`s is imported before it; one an export `use`s is taken from the
 * exports when exported there, otherwise imported (as wit-component does).
 */
function elaborate(world: World, imports: Map<string, WorldItem>, exports: Map<string, WorldItem>): void {
  const ensure = (iface: Interface): void => {
    const key = iface.id!;
    if (world.imports.has(key)) return;
    for (const dep of iface.uses) ensure(dep);
    world.imports.set(key, { kind: 'interface', interface: iface, implicit: true, gates: [] });
  };
  for (const [key, item] of imports) {
    const old = world.imports.get(key);
    if (old && !(old.kind === 'interface' && old.implicit)) continue;
    if (item.kind === 'interface') for (const dep of item.interface.uses) ensure(dep);
    world.imports.set(key, item);
  }
  const fromExports = (iface: Interface): void => {
    for (const dep of iface.uses) {
      if (exports.has(dep.id!)) fromExports(dep);
      else ensure(dep);
    }
  };
  for (const [key, item] of exports) {
    if (item.kind === 'interface') fromExports(item.interface);
    world.exports.set(key, item);
  }
}
