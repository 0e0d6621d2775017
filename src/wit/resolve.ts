/**
 * A package set from parsed files: the root package (every file's top-level items), its
 * dependencies (one group of files per package), and every nested `package ... { }` block. Names
 * resolve lazily, interface by interface, so files and items may come in any order; a `use` or
 * `include` that comes back to an interface or world being resolved is a cycle and refused.
 */
import { WasiAdaptError } from '../errors.js';
import type { InterfaceAst, InterfaceItem, PackageBody, PackageName, TopLevelUse, UsePath, WitFile, WorldAst } from './ast.js';
import { packageId } from './ast.js';
import { witError, type Pos } from './lexer.js';
import { guardDepth } from './parser.js';
import type { Interface, Package, World } from './resolved.js';
import { at, NameSet, TypeScope, unresolved } from './resolve-types.js';
import { resolveWorldItems, type WorldContext } from './resolve-world.js';

export interface ResolvedWit {
  /** The package the root files define. */
  readonly root: Package;
  /** Every package, each after the packages it uses. */
  readonly packages: readonly Package[];
}

/** One file's part of a package: its top-level `use`s are visible in that file only. */
interface Scope {
  readonly unit: Unit;
  readonly uses: Map<string, TopLevelUse>;
}

interface Unit {
  readonly pkg: Package;
  readonly pos: Pos;
  readonly items: Map<string, { ast: InterfaceAst | WorldAst; scope: Scope }>;
  /** Packages this one refers to, for the dependency order. */
  readonly deps: Set<Unit>;
  /** The package's text without positions and docs: a dependency may appear twice if equal. */
  readonly fingerprint: string;
}

function fingerprint(bodies: readonly PackageBody[]): string {
  return JSON.stringify(bodies, (key, value: unknown) => (key === 'pos' || key === 'namePos' || key === 'resourcePos' || key === 'docs' || key === 'versionGates' ? undefined : value));
}

export function resolveWit(root: readonly WitFile[], deps: readonly (readonly WitFile[])[] = []): ResolvedWit {
  return guardDepth(root[0]?.file ?? 'WIT', () => new Resolver(root, deps).result);
}

class Resolver {
  private readonly units = new Map<string, Unit>();
  /** Each interface and world once resolved; `resolving` while its `use`s and `include`s are followed. */
  private readonly states = new Map<InterfaceAst | WorldAst, Interface | World | 'resolving'>();
  /** Names of the interfaces and worlds being resolved, outermost first, for cycle messages. */
  private readonly stack: string[] = [];
  readonly result: ResolvedWit;

  constructor(root: readonly WitFile[], deps: readonly (readonly WitFile[])[]) {
    const rootUnit = this.group(root, true)!;
    for (const files of deps) this.group(files, false);
    for (const unit of this.units.values()) {
      // Resolution runs in dependency order; the package lists its items in declaration order.
      for (const { ast, scope } of unit.items.values()) {
        if (ast.kind === 'interface') unit.pkg.interfaces.set(ast.name, this.interface(ast, scope));
        else unit.pkg.worlds.set(ast.name, this.world(ast, scope));
      }
    }
    this.result = { root: rootUnit.pkg, packages: this.order() };
  }

  /** The package the files' top-level items form (and their nested packages, as units of their own). */
  private group(files: readonly WitFile[], required: boolean): Unit | undefined {
    let decl: { name: PackageName; pos: Pos } | undefined;
    for (const f of files) {
      if (!f.package) continue;
      if (decl && packageId(decl.name) !== packageId(f.package.name)) {
        throw witError(f.package.pos, `package \`${packageId(f.package.name)}\` differs from \`${packageId(decl.name)}\` declared at ${at(decl.pos)}`);
      }
      decl ??= f.package;
    }
    for (const f of files) for (const n of f.nested) this.unit(n.name, n.pos, [n.body]);
    const bodies = files.map((f) => f.body);
    if (!decl) {
      const first = files.find((f) => f.body.items.length > 0 || f.body.uses.length > 0);
      if (first) {
        const item = first.body.items[0];
        throw witError(item ? item.pos : first.body.uses[0]!.pos, 'no `package` declaration for this item (add `package ns:name;` to one file)');
      }
      if (required) throw new WasiAdaptError('bad-value', `${files[0]?.file ?? 'WIT'}: no \`package\` declaration`);
      return undefined;
    }
    return this.unit(decl.name, decl.pos, bodies);
  }

  private unit(name: PackageName, pos: Pos, bodies: readonly PackageBody[]): Unit {
    const id = packageId(name);
    const other = this.units.get(id);
    const print = fingerprint(bodies);
    // WIT.md ("Root Package: A Directory"): a package found twice among dependencies must be the same.
    if (other && other.fingerprint === print) return other;
    if (other) throw witError(pos, `package \`${id}\` is defined twice, differently (first at ${at(other.pos)})`);
    const gate = bodies.find((b) => b.versionGates.length > 0)?.versionGates[0];
    if (gate && name.version === undefined) throw witError(gate, `package \`${id}\` has no version, so it cannot have \`@since\` or \`@deprecated\` gates`);
    const pkg: Package = { name, id, interfaces: new Map(), worlds: new Map() };
    const unit: Unit = { pkg, pos, items: new Map(), deps: new Set(), fingerprint: print };
    const names = new NameSet();
    for (const body of bodies) {
      for (const item of body.items) names.add(item.name, item.pos);
    }
    for (const body of bodies) {
      const scope: Scope = { unit, uses: new Map() };
      for (const u of body.uses) {
        const local = u.as ?? u.path.name;
        const pos = u.path.pos;
        if (unit.items.has(local) || body.items.some((i) => i.name === local)) throw witError(pos, `\`${local}\` is defined twice (also an interface or world of this package)`);
        if (scope.uses.has(local)) throw witError(pos, `\`${local}\` is defined twice (first at ${at(scope.uses.get(local)!.pos)})`);
        scope.uses.set(local, u);
      }
      for (const item of body.items) unit.items.set(item.name, { ast: item, scope });
    }
    this.units.set(id, unit);
    return unit;
  }

  /** The interface or world a path names, seen from `scope`. */
  private lookup(path: UsePath, scope: Scope, what: 'interface' | 'world'): { ast: InterfaceAst | WorldAst; scope: Scope } {
    if (path.kind === 'local') {
      const viaUse = scope.uses.get(path.name);
      if (viaUse) return this.lookup(viaUse.path, scope, what);
      const found = scope.unit.items.get(path.name);
      if (!found) throw unresolved(path.pos, `unknown ${what} \`${path.name}\``);
      return found;
    }
    const id = packageId(path.package);
    const unit = this.units.get(id);
    if (!unit) throw unresolved(path.pos, `unknown package \`${id}\``);
    if (unit !== scope.unit) scope.unit.deps.add(unit);
    const found = unit.items.get(path.name);
    if (!found) throw unresolved(path.pos, `${what} \`${path.name}\` is not defined in package \`${id}\``);
    return found;
  }

  private interfaceOf(path: UsePath, scope: Scope): Interface {
    const { ast, scope: s } = this.lookup(path, scope, 'interface');
    if (ast.kind !== 'interface') throw witError(path.pos, `\`${ast.name}\` is a world, not an interface`);
    return this.interface(ast, s, path.pos);
  }

  private worldOf(path: UsePath, scope: Scope): World {
    const { ast, scope: s } = this.lookup(path, scope, 'world');
    if (ast.kind !== 'world') throw witError(path.pos, `\`${ast.name}\` is an interface, not a world`);
    return this.world(ast, s, path.pos);
  }

  /** Runs `build` once per item, refusing to re-enter one being built (a `use`/`include` cycle). */
  private once<T extends Interface | World>(ast: InterfaceAst | WorldAst, scope: Scope, from: Pos | undefined, build: () => T): T {
    const state = this.states.get(ast);
    const name = `${scope.unit.pkg.id}/${ast.name}`;
    if (state === 'resolving') {
      const cycle = [...this.stack.slice(this.stack.indexOf(name)), name].join(' -> ');
      throw witError(from ?? ast.pos, `${ast.kind} \`${ast.name}\` depends on itself: ${cycle}`);
    }
    if (state) return state as T;
    this.states.set(ast, 'resolving');
    this.stack.push(name);
    const done = build();
    this.stack.pop();
    this.states.set(ast, done);
    return done;
  }

  private interface(ast: InterfaceAst, scope: Scope, from?: Pos): Interface {
    return this.once(ast, scope, from, () => {
      const pkg = scope.unit.pkg;
      return this.interfaceBody(ast.items, scope, { name: ast.name, id: interfaceId(pkg.name, ast.name), gates: ast.gates, docs: ast.docs, pos: ast.pos });
    });
  }

  /** A named interface, or an inline one in a world (`name`/`id` undefined). */
  private interfaceBody(
    items: readonly InterfaceItem[],
    scope: Scope,
    head: Pick<Interface, 'name' | 'id' | 'gates' | 'docs' | 'pos'>,
  ): Interface {
    const iface: Interface = { kind: 'interface', ...head, package: scope.unit.pkg, types: new Map(), functions: new Map(), uses: [] };
    const types = new TypeScope(iface, (p) => this.interfaceOf(p, scope), (def) => iface.types.set(def.name, def));
    for (const item of items) types.declare(item);
    types.completeAll();
    for (const item of items) {
      if (item.kind === 'func') iface.functions.set(item.name, types.func(item));
      else if (item.kind === 'typedef') for (const f of types.resourceFuncs(item)) iface.functions.set(f.name, f);
    }
    return iface;
  }

  private world(ast: WorldAst, scope: Scope, from?: Pos): World {
    return this.once(ast, scope, from, () => {
      const pkg = scope.unit.pkg;
      const world: World = {
        kind: 'world', name: ast.name, id: interfaceId(pkg.name, ast.name), package: pkg,
        imports: new Map(), exports: new Map(), gates: ast.gates, docs: ast.docs, pos: ast.pos,
      };
      const ctx: WorldContext = {
        interfaceOf: (p) => this.interfaceOf(p, scope),
        worldOf: (p) => this.worldOf(p, scope),
        inline: (items, pos) => this.interfaceBody(items, scope, { name: undefined, id: undefined, gates: [], docs: [], pos }),
      };
      resolveWorldItems(world, ast.items, ctx);
      return world;
    });
  }

  /** Packages, each after those it uses (a package-level cycle keeps the order of first visit). */
  private order(): Package[] {
    const out: Package[] = [];
    const seen = new Set<Unit>();
    const visit = (u: Unit): void => {
      if (seen.has(u)) return;
      seen.add(u);
      for (const d of u.deps) visit(d);
      out.push(u.pkg);
    };
    for (const u of this.units.values()) visit(u);
    return out;
  }
}

/** `ns:pkg/name@ver`: the name a component imports or exports the interface (or world) by. */
export function interfaceId(pkg: PackageName, name: string): string {
  return `${pkg.namespace}:${pkg.name}/${name}${pkg.version === undefined ? '' : '@' + pkg.version}`;
}
