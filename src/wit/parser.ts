/**
 * Recursive-descent parser for one WIT file (grammar: component-model design/mvp/WIT.md).
 * Errors are `bad-value` WasiAdaptErrors reading `FILE:LINE:COL: expected ..., found ...`.
 */
import type {
  FuncTypeAst, Gate, ImportExportAst, IncludeAst, InterfaceAst, InterfaceItem, NamedTypeAst, NestedPackage,
  PackageBody, PackageName, PrimitiveName, ResourceFuncAst, TopLevelUse, TypeAst, TypeDefAst, UseAst, UsePath,
  WitFile, WorldAst, WorldItemAst,
} from './ast.js';
import { WasiAdaptError } from '../errors.js';
import { PRIMITIVES } from './ast.js';
import { describeToken, Lexer, witError, type Pos, type Token } from './lexer.js';

const PRIMITIVE_SET: ReadonlySet<string> = new Set(PRIMITIVES);
const TYPEDEF_KEYWORDS = new Set(['type', 'record', 'variant', 'enum', 'flags', 'resource']);

export function parseWit(text: string, file: string): WitFile {
  return guardDepth(file, () => new Parser(text, file).file());
}

/**
 * Types nest (`list<list<...>>`) and the parser and resolver recurse with them; a hostile input
 * deep enough to exhaust the stack is reported as ours, not as a RangeError.
 */
export function guardDepth<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new WasiAdaptError('too-deep', `${file}: WIT nested too deeply`, { cause: e });
    }
    throw e;
  }
}

class Parser {
  private readonly lexer: Lexer;
  /** One token of lookahead; WIT never needs more. */
  private peeked: Token | undefined;
  /** `@since`/`@deprecated` gates of the package body being read (they need a package version). */
  private versionGates: Pos[] = [];

  constructor(text: string, file: string) {
    this.lexer = new Lexer(text, file);
  }

  private peek(): Token {
    return (this.peeked ??= this.lexer.next());
  }

  private take(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }

  private eatOp(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.take();
    return true;
  }

  private fail(expected: string): never {
    throw witError(this.peek().pos, `expected ${expected}, found ${describeToken(this.peek())}`);
  }

  private op(text: string): Token {
    if (!this.isOp(text)) this.fail('`' + text + '`');
    return this.take();
  }

  private keyword(text: string): Token {
    if (!this.isKeyword(text)) this.fail('`' + text + '`');
    return this.take();
  }

  private id(): Token {
    const t = this.peek();
    if (t.kind === 'keyword') throw witError(t.pos, `expected an identifier, found keyword \`${t.text}\` (write \`%${t.text}\` to use it as a name)`);
    if (t.kind !== 'id') this.fail('an identifier');
    return this.take();
  }

  private version(): string {
    if (this.peeked !== undefined) throw new Error('wit parser: version read after lookahead');
    return this.lexer.readVersion().version;
  }

  // ---- files and packages ----

  file(): WitFile {
    let root: WitFile['package'];
    const nested: NestedPackage[] = [];
    const uses: TopLevelUse[] = [];
    const items: (InterfaceAst | WorldAst)[] = [];
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (this.isKeyword('package')) {
        this.take();
        const name = this.packageName();
        // Only the first item may be the root declaration; later `package` must open a block.
        if (first && this.eatOp(';')) {
          root = { name, pos: t.pos };
        } else {
          this.op('{');
          nested.push({ name, pos: t.pos, body: this.packageBody('}') });
          this.op('}');
        }
      } else {
        this.packageItem(uses, items);
      }
      first = false;
    }
    const body = { uses, items, versionGates: this.versionGates };
    return { file: this.lexer.file, ...(root ? { package: root } : {}), body, nested };
  }

  private packageBody(end: '}'): PackageBody {
    const outer = this.versionGates;
    this.versionGates = [];
    const uses: TopLevelUse[] = [];
    const items: (InterfaceAst | WorldAst)[] = [];
    while (!this.isOp(end)) this.packageItem(uses, items);
    const body = { uses, items, versionGates: this.versionGates };
    this.versionGates = outer;
    return body;
  }

  private packageItem(uses: TopLevelUse[], items: (InterfaceAst | WorldAst)[]): void {
    const docs = this.peek().docs;
    const gates = this.gates();
    const t = this.peek();
    if (t.kind === 'keyword' && t.text === 'use' && gates.length === 0) {
      this.take();
      const path = this.usePath();
      const as = this.isKeyword('as') ? (this.take(), this.id().text) : undefined;
      this.op(';');
      uses.push({ path, ...(as === undefined ? {} : { as }), pos: t.pos });
    } else if (t.kind === 'keyword' && t.text === 'interface') {
      this.take();
      const name = this.id();
      items.push({ kind: 'interface', name: name.text, pos: name.pos, gates, docs, items: this.interfaceBody() });
    } else if (t.kind === 'keyword' && t.text === 'world') {
      this.take();
      const name = this.id();
      items.push({ kind: 'world', name: name.text, pos: name.pos, gates, docs, items: this.worldBody() });
    } else {
      this.fail(gates.length ? '`interface` or `world`' : '`package`, `use`, `interface` or `world`');
    }
  }

  private packageName(): PackageName {
    const namespace = this.id().text;
    this.op(':');
    const name = this.id().text;
    const version = this.isOp('@') ? (this.take(), this.version()) : undefined;
    return { namespace, name, ...(version === undefined ? {} : { version }) };
  }

  /** `name` or `ns:pkg/name@ver` (nested namespaces are not supported). */
  private usePath(): UsePath {
    const first = this.id();
    if (!this.isOp(':')) return { kind: 'local', name: first.text, pos: first.pos };
    this.take();
    return this.foreignPath(first);
  }

  /** The rest of `ns:pkg/name@ver` once `ns:` is read. */
  private foreignPath(namespace: Token): UsePath {
    const pkg = this.id();
    this.op('/');
    return this.foreignPathAfterSlash(namespace, pkg);
  }

  // ---- gates ----

  private gates(): Gate[] {
    const gates: Gate[] = [];
    while (this.isOp('@')) {
      const at = this.take();
      const kind = this.id();
      this.op('(');
      if (kind.text === 'since' || kind.text === 'deprecated') {
        this.field('version');
        this.op('=');
        gates.push({ kind: kind.text, version: this.version(), pos: at.pos });
      } else if (kind.text === 'unstable') {
        this.field('feature');
        this.op('=');
        gates.push({ kind: 'unstable', feature: this.id().text, pos: at.pos });
      } else {
        throw witError(kind.pos, `expected \`since\`, \`unstable\` or \`deprecated\`, found \`${kind.text}\``);
      }
      this.op(')');
      this.checkGate(gates, kind);
      if (kind.text !== 'unstable') this.versionGates.push(at.pos);
    }
    const deprecated = gates.find((g) => g.kind === 'deprecated');
    if (deprecated && gates.length === 1) throw witError(deprecated.pos, '`@deprecated` needs a `@since` or `@unstable` gate too');
    return gates;
  }

  /** WIT.md, "Rules for feature gate usage": one gate of a kind; `@since` xor `@unstable`. */
  private checkGate(gates: readonly Gate[], at: Token): void {
    const last = gates[gates.length - 1]!;
    const has = (kind: Gate['kind']) => gates.some((g) => g.kind === kind);
    if (gates.filter((g) => g.kind === last.kind).length > 1) throw witError(at.pos, `a second \`@${last.kind}\` gate`);
    if (has('since') && has('unstable')) throw witError(at.pos, '`@since` and `@unstable` exclude each other');
  }

  private field(name: string): void {
    const t = this.peek();
    if (t.kind !== 'id' || t.text !== name) this.fail('`' + name + '`');
    this.take();
  }

  // ---- interfaces ----

  private interfaceBody(): InterfaceItem[] {
    this.op('{');
    const items: InterfaceItem[] = [];
    while (!this.eatOp('}')) items.push(this.interfaceItem());
    return items;
  }

  private interfaceItem(): InterfaceItem {
    const docs = this.peek().docs;
    const gates = this.gates();
    const t = this.peek();
    if (t.kind === 'keyword' && t.text === 'use') return this.use(gates);
    if (t.kind === 'keyword' && TYPEDEF_KEYWORDS.has(t.text)) return this.typedef(gates, docs);
    if (t.kind === 'id') {
      this.take();
      this.op(':');
      const func = this.funcType();
      this.op(';');
      return { kind: 'func', name: t.text, pos: t.pos, gates, docs, func };
    }
    return this.fail('`use`, a type definition or a function');
  }

  private use(gates: Gate[]): UseAst {
    const pos = this.keyword('use').pos;
    const path = this.usePath();
    this.op('.');
    this.op('{');
    const names: { name: string; as?: string; pos: Pos }[] = [];
    do {
      if (this.isOp('}') && names.length > 0) break;
      const name = this.id();
      const as = this.isKeyword('as') ? (this.take(), this.id().text) : undefined;
      names.push({ name: name.text, ...(as === undefined ? {} : { as }), pos: name.pos });
    } while (this.eatOp(','));
    this.op('}');
    this.op(';');
    return { kind: 'use', path, names, pos, gates };
  }

  private funcType(): FuncTypeAst {
    const isAsync = this.isKeyword('async') ? (this.take(), true) : false;
    this.keyword('func');
    const params = this.params();
    const result = this.eatOp('->') ? this.type() : undefined;
    return { async: isAsync, params, ...(result ? { result } : {}) };
  }

  private params(): FuncTypeAst['params'] {
    this.op('(');
    const params: { name: string; type: TypeAst; pos: Pos }[] = [];
    while (!this.isOp(')')) {
      const name = this.id();
      this.op(':');
      params.push({ name: name.text, type: this.type(), pos: name.pos });
      if (!this.eatOp(',')) break;
    }
    this.op(')');
    return params;
  }

  private typedef(gates: Gate[], docs: readonly string[]): TypeDefAst {
    const kwToken = this.take();
    const kw = kwToken.text;
    // `record: func()` reads as a record definition; say why instead of "expected an identifier".
    if (this.isOp(':')) throw witError(kwToken.pos, `\`${kw}\` is a keyword; write \`%${kw}\` to use it as a name`);
    const name = this.id();
    const common = { kind: 'typedef' as const, name: name.text, pos: name.pos, gates, docs };
    switch (kw) {
      case 'type': {
        this.op('=');
        const type = this.type();
        this.op(';');
        return { ...common, def: { kind: 'alias', type } };
      }
      case 'record':
        return { ...common, def: { kind: 'record', fields: this.braced(() => ({ ...this.named(), type: (this.op(':'), this.type()) })) } };
      case 'variant':
        return {
          ...common,
          def: {
            kind: 'variant',
            cases: this.braced(() => {
              const n = this.named();
              if (!this.eatOp('(')) return n;
              const type = this.type();
              this.op(')');
              return { ...n, type };
            }),
          },
        };
      case 'enum':
        return { ...common, def: { kind: 'enum', cases: this.braced(() => this.named()) } };
      case 'flags':
        return { ...common, def: { kind: 'flags', flags: this.braced(() => this.named()) } };
      default:
        return { ...common, def: { kind: 'resource', funcs: this.resourceBody() } };
    }
  }

  private named(): NamedTypeAst {
    const docs = this.peek().docs;
    const t = this.id();
    return { name: t.text, pos: t.pos, docs };
  }

  /** `{ a, b, c, }`: at least one item, trailing comma allowed (WIT.md's record/variant/enum/flags). */
  private braced<T>(item: () => T): T[] {
    this.op('{');
    const items: T[] = [];
    do {
      if (this.isOp('}') && items.length > 0) break;
      items.push(item());
    } while (this.eatOp(','));
    this.op('}');
    return items;
  }

  private resourceBody(): ResourceFuncAst[] {
    if (this.eatOp(';')) return [];
    this.op('{');
    const funcs: ResourceFuncAst[] = [];
    while (!this.eatOp('}')) {
      const docs = this.peek().docs;
      const gates = this.gates();
      const t = this.peek();
      if (t.kind === 'keyword' && t.text === 'constructor') {
        this.take();
        const params = this.params();
        const result = this.eatOp('->') ? this.type() : undefined;
        this.op(';');
        funcs.push({ kind: 'constructor', name: 'constructor', pos: t.pos, gates, docs, func: { async: false, params, ...(result ? { result } : {}) } });
        continue;
      }
      const name = this.id();
      this.op(':');
      const isStatic = this.isKeyword('static') ? (this.take(), true) : false;
      const func = this.funcType();
      this.op(';');
      funcs.push({ kind: isStatic ? 'static' : 'method', name: name.text, pos: name.pos, gates, docs, func });
    }
    return funcs;
  }

  // ---- types ----

  private type(): TypeAst {
    const t = this.take();
    const pos = t.pos;
    if (t.kind === 'id') return { kind: 'named', name: t.text, pos };
    if (t.kind !== 'keyword') throw witError(pos, `expected a type, found ${describeToken(t)}`);
    if (PRIMITIVE_SET.has(t.text)) return { kind: 'primitive', name: t.text as PrimitiveName, pos };
    switch (t.text) {
      case 'list': {
        this.op('<');
        const element = this.type();
        let length: number | undefined;
        if (this.eatOp(',')) {
          const n = this.peek();
          if (n.kind !== 'int' || /^0/.test(n.text)) this.fail('a list length (a positive integer)');
          length = Number(this.take().text);
        }
        this.op('>');
        return { kind: 'list', element, ...(length === undefined ? {} : { length }), pos };
      }
      case 'option': {
        this.op('<');
        const element = this.type();
        this.op('>');
        return { kind: 'option', element, pos };
      }
      case 'result': {
        if (!this.eatOp('<')) return { kind: 'result', pos };
        const ok = this.eatOp('_') ? undefined : this.type();
        if (ok === undefined || this.isOp(',')) {
          this.op(',');
          const err = this.type();
          this.op('>');
          return { kind: 'result', ...(ok ? { ok } : {}), err, pos };
        }
        this.op('>');
        return { kind: 'result', ok, pos };
      }
      case 'tuple': {
        this.op('<');
        const types: TypeAst[] = [];
        do {
          if (this.isOp('>') && types.length > 0) break;
          types.push(this.type());
        } while (this.eatOp(','));
        this.op('>');
        return { kind: 'tuple', types, pos };
      }
      case 'map': {
        this.op('<');
        const key = this.type();
        this.op(',');
        const value = this.type();
        this.op('>');
        return { kind: 'map', key, value, pos };
      }
      case 'own':
      case 'borrow': {
        this.op('<');
        const r = this.id();
        this.op('>');
        return { kind: t.text, resource: r.text, resourcePos: r.pos, pos };
      }
      case 'future':
      case 'stream': {
        if (!this.eatOp('<')) return { kind: t.text, pos };
        const element = this.type();
        this.op('>');
        return { kind: t.text, element, pos };
      }
      default:
        throw witError(pos, `expected a type, found ${describeToken(t)}`);
    }
  }

  // ---- worlds ----

  private worldBody(): WorldItemAst[] {
    this.op('{');
    const items: WorldItemAst[] = [];
    while (!this.eatOp('}')) items.push(this.worldItem());
    return items;
  }

  private worldItem(): WorldItemAst {
    const docs = this.peek().docs;
    const gates = this.gates();
    const t = this.peek();
    if (t.kind === 'keyword') {
      if (t.text === 'use') return this.use(gates);
      if (TYPEDEF_KEYWORDS.has(t.text)) return this.typedef(gates, docs);
      if (t.text === 'include') return this.include(gates);
      if (t.text === 'import' || t.text === 'export') {
        this.take();
        return { kind: t.text, pos: t.pos, gates, docs, extern: this.extern() };
      }
    }
    return this.fail('`import`, `export`, `use`, `include` or a type definition');
  }

  /**
   * After `import`/`export`: `a;`, `ns:p/a@v;`, `a: func...`, `a: interface {...}`, `a: b;` or
   * `a: ns:p/b;`. `x: y` is a package path only when `/` follows `y`.
   */
  private extern(): ImportExportAst['extern'] {
    const first = this.id();
    if (!this.eatOp(':')) {
      this.op(';');
      return { kind: 'path', path: { kind: 'local', name: first.text, pos: first.pos } };
    }
    const named = { name: first.text, namePos: first.pos };
    if (this.isKeyword('func') || this.isKeyword('async')) {
      const func = this.funcType();
      this.op(';');
      return { kind: 'func', ...named, func };
    }
    if (this.isKeyword('interface')) {
      this.take();
      return { kind: 'interface', ...named, items: this.interfaceBody() };
    }
    const second = this.id();
    if (this.eatOp('/')) {
      const path = this.foreignPathAfterSlash(first, second);
      this.op(';');
      return { kind: 'path', path };
    }
    if (this.eatOp(':')) {
      const path = this.foreignPath(second);
      this.op(';');
      return { kind: 'named-path', ...named, path };
    }
    this.op(';');
    return { kind: 'named-path', ...named, path: { kind: 'local', name: second.text, pos: second.pos } };
  }

  /** `ns:pkg` is read and `/` is consumed: the interface name and version follow. */
  private foreignPathAfterSlash(namespace: Token, pkg: Token): UsePath {
    const name = this.id().text;
    const version = this.isOp('@') ? (this.take(), this.version()) : undefined;
    const p: PackageName = { namespace: namespace.text, name: pkg.text, ...(version === undefined ? {} : { version }) };
    return { kind: 'foreign', package: p, name, pos: namespace.pos };
  }

  private include(gates: Gate[]): IncludeAst {
    const pos = this.keyword('include').pos;
    const path = this.usePath();
    const renames: { from: string; to: string; pos: Pos }[] = [];
    if (this.isKeyword('with')) {
      this.take();
      this.op('{');
      do {
        if (this.isOp('}') && renames.length > 0) break;
        const from = this.id();
        this.keyword('as');
        renames.push({ from: from.text, to: this.id().text, pos: from.pos });
      } while (this.eatOp(','));
      this.op('}');
    } else {
      this.op(';');
    }
    return { kind: 'include', path, with: renames, pos, gates };
  }
}
