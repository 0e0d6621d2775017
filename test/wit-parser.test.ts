// The WIT parser and resolver (src/wit/): every `.wit` file jco ships parses and every package
// directory resolves (with the others as dependencies); errors are exact (message, line,
// column); the resolved form has the structure the WIT says.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';
import { afterAll, describe, expect, it } from 'vitest';
import { parseComponent } from '../src/binary/component.js';
import { WasiAdaptError } from '../src/errors.js';
import { errorOf } from './helpers/errors.js';
import type { WitFile } from '../src/wit/ast.js';
import { loadWit } from '../src/wit/load.js';
import { parseWit } from '../src/wit/parser.js';
import { resolveWit } from '../src/wit/resolve.js';
import { resourceOf, type Interface, type Type, type TypeDef, type World } from '../src/wit/resolved.js';

const JCO_WIT = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@bytecodealliance', 'jco', 'lib', 'wit');

function witFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.wit'))
    .map((p) => join(dir, p))
    .sort();
}

describe('jco lib/wit', () => {
  const files = witFilesUnder(JCO_WIT);
  const parsed = new Map<string, WitFile>(files.map((f) => [f, parseWit(readFileSync(f, 'utf8'), relative(JCO_WIT, f))]));
  const groups = new Map<string, WitFile[]>();
  for (const [path, file] of parsed) {
    const dir = dirname(path);
    groups.set(dir, [...(groups.get(dir) ?? []), file]);
  }

  it('parses every .wit file', () => {
    // 0.2.10 (3 packages), 0.2.12 (7), 0.3.0 (6), jco:node (23 files), wasi:tls (2 + deps/io).
    expect(files.length).toBe(40);
    expect(parsed.size).toBe(40);
  });

  it('resolves every package directory, the other directories as its dependencies', () => {
    expect(groups.size).toBe(19);
    for (const [dir, root] of groups) {
      const deps = [...groups].filter(([d]) => d !== dir).map(([, g]) => g);
      const { root: pkg, packages } = resolveWit(root, deps);
      expect(pkg.interfaces.size + pkg.worlds.size, relative(JCO_WIT, dir)).toBeGreaterThan(0);
      // Dependencies first: every package a `use` reaches comes before its user.
      const order = packages.map((p) => p.id);
      for (const p of packages) {
        for (const i of p.interfaces.values()) {
          for (const u of i.uses) expect(order.indexOf(u.package.id)).toBeLessThanOrEqual(order.indexOf(p.id));
        }
      }
    }
  });

  it('loads a directory with deps/ from disk (wasi:tls, whose deps/io is wasi:io@0.2.12)', () => {
    const r = loadWit(join(JCO_WIT, 'builtin', 'wasi-tls-0.2.0-draft'));
    expect(r.root.id).toBe('wasi:tls@0.2.0-draft');
    expect(r.packages.map((p) => p.id)).toEqual(['wasi:io@0.2.12', 'wasi:tls@0.2.0-draft']);
    const types = r.root.interfaces.get('types')!;
    // `use wasi:io/error@0.2.12.{error as io-error}` keeps the name it was given and its origin.
    const ioError = types.types.get('io-error')!;
    expect(ioError.definition).toMatchObject({ kind: 'use', from: { id: 'wasi:io/error@0.2.12' } });
    expect(resourceOf(ioError)?.name).toBe('error');
    expect([...r.root.worlds.get('imports')!.imports.keys()]).toEqual([
      'wasi:io/error@0.2.12', 'wasi:io/poll@0.2.12', 'wasi:io/streams@0.2.12', 'wasi:tls/types@0.2.0-draft',
    ]);
  });

  it('wasi:cli/command@0.2.12 imports what its included worlds list, and exports run', () => {
    const dir = join(JCO_WIT, 'builtin', '0.2.12');
    const r = loadWit(join(dir, 'wasi-cli'), { deps: readdirSync(dir).filter((d) => d !== 'wasi-cli').map((d) => join(dir, d)) });
    const command = r.root.worlds.get('command')!;
    const imports = [...command.imports];
    // The `imports` worlds list 27 interfaces: clocks 3, filesystem 2, sockets 7, random 3, io 2,
    // cli 10. wasi:io/error is imported too, because streams and sockets `use` it.
    expect(imports.length).toBe(28);
    expect(imports.filter(([, i]) => i.kind === 'interface' && i.implicit).map(([k]) => k)).toEqual(['wasi:io/error@0.2.12']);
    const explicit = imports.filter(([, i]) => i.kind === 'interface' && !i.implicit).map(([k]) => k.replace(/@0\.2\.12$/, ''));
    expect(explicit.filter((k) => k.startsWith('wasi:cli/')).length).toBe(10);
    expect(explicit.filter((k) => k.startsWith('wasi:sockets/')).length).toBe(7);
    expect(explicit).toContain('wasi:io/streams');
    expect([...command.exports.keys()]).toEqual(['wasi:cli/run@0.2.12']);
    // Every interface comes after those it uses, as a component's imports must.
    const keys = imports.map(([k]) => k);
    for (const [k, item] of imports) {
      if (item.kind !== 'interface') continue;
      for (const u of item.interface.uses) expect(keys.indexOf(u.id!)).toBeLessThan(keys.indexOf(k));
    }
    // The unstable timezone interface is there, with its gate (applying gates is the caller's choice).
    const tz = command.imports.get('wasi:clocks/timezone@0.2.12')!;
    expect(tz.gates).toEqual([expect.objectContaining({ kind: 'unstable', feature: 'clocks-timezone' })]);
    expect(tz.kind === 'interface' && tz.interface.gates[0]).toMatchObject({ kind: 'unstable', feature: 'clocks-timezone' });
    const run = r.root.interfaces.get('run')!.functions.get('run')!;
    expect(run.params).toEqual([]);
    expect(run.result).toEqual({ kind: 'result' });
  });

  it('0.3.0: async functions, stream and future', () => {
    const dir = join(JCO_WIT, 'builtin', '0.3.0');
    const r = loadWit(join(dir, 'wasi-cli'), { deps: readdirSync(dir).filter((d) => d !== 'wasi-cli').map((d) => join(dir, d)) });
    expect(r.root.interfaces.get('run')!.functions.get('run')!.async).toBe(true);
    const write = r.root.interfaces.get('stdout')!.functions.get('write-via-stream')!;
    expect(write.params[0]!.type).toEqual({ kind: 'stream', element: { kind: 'primitive', name: 'u8' } });
    expect(write.result).toEqual({ kind: 'future', element: { kind: 'result', err: { kind: 'ref', def: expect.objectContaining({ name: 'error-code' }) } } });
  });
});

const ALL_TYPES = `
package test:types@1.2.3;

/// Docs are kept.
interface all {
  type a = u8;
  record r { x: u32, y: list<string>, }
  variant v { none, some(r), many(list<r, 4>) }
  enum e { one, two }
  flags f { read, write, exec }
  resource res {
    constructor(x: u32);
    get: func() -> u32;
    make: static func() -> res;
    peek: async func(other: borrow<res>) -> own<res>;
  }
  resource fallible { constructor() -> result<fallible, e>; }
  resource bare;
  type prims = tuple<bool, s8, u16, s32, u64, f32, f64, char, string>;
  type opts = option<option<a>>;
  type results = tuple<result, result<u8>, result<_, e>, result<r, v>>;
  type m = map<string, list<u8>>;
  type async-things = tuple<future, future<u8>, stream, stream<res>, error-context>;
  type alias-res = res;
  later: func(x: defined-later, y: borrow<alias-res>);
  record defined-later { %record: u8 }
  %type: func();
  @since(version = 1.0.0) @deprecated(version = 1.2.0)
  old: func();
  @unstable(feature = shiny)
  shiny: func();
}

interface user {
  use all.{r, res as thing, e};
  take: func(t: thing, r: r) -> e;
}

interface exported {
  use all.{e};
  g: func() -> e;
}

world w {
  use all.{f};
  type local = list<f>;
  import user;
  import x: func(l: local);
  import inline: interface { use all.{a}; get: func() -> a; }
  export exported;
  export named: user;
  include other with { dup as renamed }
}

world other {
  import dup: func();
  import user;
}
`;

describe('resolved structure', () => {
  const { root } = resolveWit([parseWit(ALL_TYPES, 'all.wit')]);
  const all = root.interfaces.get('all')!;
  const t = (name: string): TypeDef => all.types.get(name)!;
  const alias = (name: string): Type => {
    const d = t(name).definition;
    if (d.kind !== 'alias') throw new Error(name);
    return d.type;
  };
  const prim = (name: string) => ({ kind: 'primitive', name });
  const ref = (name: string) => ({ kind: 'ref', def: t(name) });

  it('every type kind', () => {
    expect(root.id).toBe('test:types@1.2.3');
    expect(all.id).toBe('test:types/all@1.2.3');
    expect(all.docs).toEqual(['Docs are kept.']);
    expect(t('a').definition).toEqual({ kind: 'alias', type: prim('u8') });
    expect(t('r').definition).toEqual({
      kind: 'record',
      fields: [
        { name: 'x', docs: [], type: prim('u32') },
        { name: 'y', docs: [], type: { kind: 'list', element: prim('string') } },
      ],
    });
    expect(t('v').definition).toEqual({
      kind: 'variant',
      cases: [
        { name: 'none', docs: [] },
        { name: 'some', docs: [], type: ref('r') },
        { name: 'many', docs: [], type: { kind: 'list', element: ref('r'), length: 4 } },
      ],
    });
    expect(t('e').definition).toEqual({ kind: 'enum', cases: [{ name: 'one', docs: [] }, { name: 'two', docs: [] }] });
    expect(t('f').definition).toMatchObject({ kind: 'flags', flags: [{ name: 'read' }, { name: 'write' }, { name: 'exec' }] });
    expect(alias('prims')).toEqual({
      kind: 'tuple',
      types: ['bool', 's8', 'u16', 's32', 'u64', 'f32', 'f64', 'char', 'string'].map(prim),
    });
    expect(alias('opts')).toEqual({ kind: 'option', element: { kind: 'option', element: ref('a') } });
    expect(alias('results')).toEqual({
      kind: 'tuple',
      types: [
        { kind: 'result' },
        { kind: 'result', ok: prim('u8') },
        { kind: 'result', err: ref('e') },
        { kind: 'result', ok: ref('r'), err: ref('v') },
      ],
    });
    expect(alias('m')).toEqual({ kind: 'map', key: prim('string'), value: { kind: 'list', element: prim('u8') } });
    expect(alias('async-things')).toEqual({
      kind: 'tuple',
      types: [
        { kind: 'future' },
        { kind: 'future', element: prim('u8') },
        { kind: 'stream' },
        { kind: 'stream', element: { kind: 'own', resource: t('res') } },
        prim('error-context'),
      ],
    });
    // A resource's alias is a resource too: `borrow<alias-res>` is allowed.
    expect(alias('alias-res')).toEqual({ kind: 'own', resource: t('res') });
    expect(resourceOf(t('alias-res'))).toBe(t('res'));
    expect(t('defined-later').definition).toMatchObject({ kind: 'record', fields: [{ name: 'record' }] });
  });

  it('resources desugar to functions, in declaration order', () => {
    const res = t('res');
    expect([...all.functions.keys()]).toEqual([
      '[constructor]res', '[method]res.get', '[static]res.make', '[method]res.peek', '[constructor]fallible',
      'later', 'type', 'old', 'shiny',
    ]);
    const own = { kind: 'own', resource: res };
    const f = (name: string) => all.functions.get(name)!;
    expect(f('[constructor]res')).toMatchObject({ kind: 'constructor', resource: res, params: [{ name: 'x', type: prim('u32') }], result: own });
    expect(f('[method]res.get')).toMatchObject({ kind: 'method', params: [{ name: 'self', type: { kind: 'borrow', resource: res } }], result: prim('u32') });
    expect(f('[static]res.make')).toMatchObject({ kind: 'static', params: [], result: own });
    expect(f('[method]res.peek')).toMatchObject({ async: true, params: [{ name: 'self' }, { name: 'other', type: { kind: 'borrow', resource: res } }], result: own });
    expect(f('[constructor]fallible').result).toEqual({ kind: 'result', ok: { kind: 'own', resource: t('fallible') }, err: ref('e') });
    expect(t('res').definition).toMatchObject({ kind: 'resource', functions: [f('[constructor]res'), f('[method]res.get'), f('[static]res.make'), f('[method]res.peek')] });
    expect(t('bare').definition).toEqual({ kind: 'resource', functions: [] });
    expect(f('later').params[0]!.type).toEqual(ref('defined-later'));
    expect(f('later').params[1]!.type).toEqual({ kind: 'borrow', resource: t('alias-res') });
  });

  it('gates are parsed and kept', () => {
    expect(all.functions.get('old')!.gates).toMatchObject([
      { kind: 'since', version: '1.0.0' },
      { kind: 'deprecated', version: '1.2.0' },
    ]);
    expect(all.functions.get('shiny')!.gates).toMatchObject([{ kind: 'unstable', feature: 'shiny' }]);
    expect(all.functions.get('later')!.gates).toEqual([]);
  });

  it('use: renamed, pointing at the definition', () => {
    const user: Interface = root.interfaces.get('user')!;
    expect(user.uses).toEqual([all]);
    expect(user.types.get('thing')!.definition).toEqual({ kind: 'use', target: t('res'), from: all });
    const take = user.functions.get('take')!;
    expect(take.params.map((p) => p.type)).toEqual([
      { kind: 'own', resource: user.types.get('thing') },
      { kind: 'ref', def: user.types.get('r') },
    ]);
  });

  it('worlds: use, types, inline interfaces, named interfaces, include with renames', () => {
    const w = root.worlds.get('w')!;
    expect([...w.imports.keys()]).toEqual([
      'test:types/all@1.2.3', 'f', 'local', 'test:types/user@1.2.3', 'x', 'inline', 'renamed',
    ]);
    expect(w.imports.get('test:types/all@1.2.3')).toMatchObject({ kind: 'interface', implicit: true });
    expect(w.imports.get('test:types/user@1.2.3')).toMatchObject({ kind: 'interface', implicit: false });
    expect(w.imports.get('inline')).toMatchObject({ kind: 'interface', interface: { name: undefined, id: undefined } });
    const local = w.imports.get('local');
    const f = w.imports.get('f');
    const list = local?.kind === 'type' && local.type.definition.kind === 'alias' ? local.type.definition.type : undefined;
    expect(list?.kind === 'list' && list.element.kind === 'ref' && list.element.def).toBe(f?.kind === 'type' && f.type);
    expect(f?.kind === 'type' && f.type.definition.kind === 'use' && f.type.definition.target).toBe(t('f'));
    expect(w.imports.get('renamed')).toMatchObject({ kind: 'func', func: { name: 'dup' } });
    expect([...w.exports.keys()]).toEqual(['test:types/exported@1.2.3', 'named']);
    expect(w.exports.get('named')).toMatchObject({ kind: 'interface', interface: { id: 'test:types/user@1.2.3' } });
  });
});

describe('packages and top-level use', () => {
  const main = `package my:app@0.1.0;
use dep:lib/types@2.0.0 as lib-types;
use dep:lib/types@2.0.0;
interface api {
  use lib-types.{id as lib-id};
  use types.{id};
  get: func(a: lib-id, b: id);
}
world app {
  import lib-types;
  export api;
}
package dep:lib@2.0.0 {
  interface types { type id = u64; }
}
`;

  it('top-level use names an interface for the file; nested packages are dependencies', () => {
    const { root, packages } = resolveWit([parseWit(main, 'main.wit')]);
    expect(packages.map((p) => p.id)).toEqual(['dep:lib@2.0.0', 'my:app@0.1.0']);
    const lib = packages[0]!.interfaces.get('types')!;
    const api = root.interfaces.get('api')!;
    expect(api.uses).toEqual([lib]);
    expect(api.types.get('lib-id')!.definition).toEqual({ kind: 'use', target: lib.types.get('id'), from: lib });
    expect([...root.worlds.get('app')!.imports.keys()]).toEqual(['dep:lib/types@2.0.0']);
    expect([...root.worlds.get('app')!.exports.keys()]).toEqual(['my:app/api@0.1.0']);
  });

  it('a top-level use is visible in its own file only', () => {
    const other = parseWit('interface more {\n  use lib-types.{id};\n}\n', 'more.wit');
    const e = errorOf(() => resolveWit([parseWit(main, 'main.wit'), other]));
    expect(e.message).toBe('more.wit:2:7: unknown interface `lib-types`');
  });

  it('files of one package must agree on its name', () => {
    const e = errorOf(() => resolveWit([parseWit(main, 'main.wit'), parseWit('package my:app@0.2.0;\n', 'b.wit')]));
    expect(e.message).toBe('b.wit:1:1: package `my:app@0.2.0` differs from `my:app@0.1.0` declared at main.wit:1:1');
  });
});

describe('errors are exact', () => {
  const cases: [string, string, string][] = [
    ['unexpected token', 'package a:b;\ninterface i {\n  f: func() -> ;\n}\n', 'x.wit:3:16: expected a type, found `;`'],
    ['missing semicolon', 'package a:b;\ninterface i {\n  type t = u8\n}\n', 'x.wit:4:1: expected `;`, found `}`'],
    ['end of file', 'package a:b;\ninterface i {\n', 'x.wit:3:1: expected `use`, a type definition or a function, found end of file'],
    ['unterminated comment', 'package a:b;\n/* one /* two */\ninterface i {}\n', 'x.wit:2:1: unterminated block comment'],
    ['not kebab-case', 'package a:b;\ninterface i {\n  fooBar: func();\n}\n', 'x.wit:3:3: `fooBar` is not a kebab-case identifier'],
    ['keyword as a name', 'package a:b;\ninterface i {\n  record: func();\n}\n', 'x.wit:3:3: `record` is a keyword; write `%record` to use it as a name'],
    ['bad version', 'package a:b@1.2;\n', 'x.wit:1:13: expected a semver version (like 1.2.3), found `1.2`'],
    ['leading zero', 'package a:b@01.2.3;\n', 'x.wit:1:13: expected a semver version (like 1.2.3), found `01.2.3`'],
    ['bad gate', 'package a:b@1.0.0;\n@since(feature = x)\ninterface i {}\n', 'x.wit:2:8: expected `version`, found `feature`'],
    ['two since gates', 'package a:b@1.0.0;\n@since(version = 1.0.0) @since(version = 1.0.0)\ninterface i {}\n', 'x.wit:2:26: a second `@since` gate'],
    ['since and unstable', 'package a:b@1.0.0;\n@unstable(feature = x)\n@since(version = 1.0.0)\ninterface i {}\n', 'x.wit:3:2: `@since` and `@unstable` exclude each other'],
    ['borrow in a result', 'package a:b;\ninterface i {\n  resource r;\n  record h { r: borrow<r> }\n  f: func() -> option<h>;\n}\n', 'x.wit:5:16: a function result cannot contain a `borrow` handle'],
    ['map key', 'package a:b;\ninterface i {\n  type m = map<f32, u8>;\n}\n', 'x.wit:3:16: a map key must be bool, an integer, char or string'],
    ['constructor result', 'package a:b;\ninterface i {\n  resource r { constructor() -> u8; }\n}\n', 'x.wit:3:16: a constructor returns nothing or `result<r, ...>`'],
    ['deprecated alone', 'package a:b@1.0.0;\ninterface i {\n  @deprecated(version = 1.0.0)\n  f: func();\n}\n', 'x.wit:3:3: `@deprecated` needs a `@since` or `@unstable` gate too'],
    ['gate without a package version', 'package a:b;\ninterface i {\n  @since(version = 1.0.0)\n  f: func();\n}\n', 'x.wit:3:3: package `a:b` has no version, so it cannot have `@since` or `@deprecated` gates'],
    ['semicolon after with', 'package a:b;\nworld v { import f: func(); }\nworld w { include v with { f as g }; }\n', 'x.wit:3:36: expected `import`, `export`, `use`, `include` or a type definition, found `;`'],
    ['explicit self', 'package a:b;\ninterface i {\n  resource r { f: func(self: u8); }\n}\n', 'x.wit:3:24: parameter `self` is defined twice (first at x.wit:3:16)'],
    ['borrow in a stream result', 'package a:b;\ninterface i {\n  resource r;\n  f: func() -> stream<borrow<r>>;\n}\n', 'x.wit:4:16: a function result cannot contain a `borrow` handle'],
    ['bad list length', 'package a:b;\ninterface i {\n  type t = list<u8, 0>;\n}\n', 'x.wit:3:21: expected a list length (a positive integer), found `0`'],
    ['keyword where a name goes', 'package a:b;\ninterface i {\n  f: func(type: u8);\n}\n', 'x.wit:3:11: expected an identifier, found keyword `type` (write `%type` to use it as a name)'],
    ['stray character', 'package a:b;\ninterface i { $ }\n', 'x.wit:2:15: unexpected character `$`'],
    ['unknown type', 'package a:b;\ninterface i {\n  f: func(x: nope);\n}\n', 'x.wit:3:14: unknown type `nope`'],
    ['unknown type in use', 'package a:b;\ninterface i { type t = u8; }\ninterface j {\n  use i.{t, u};\n}\n', 'x.wit:4:13: type `u` is not defined in interface `a:b/i`'],
    ['use of a missing interface', 'package a:b;\ninterface j {\n  use nope.{t};\n}\n', 'x.wit:3:7: unknown interface `nope`'],
    ['missing package', 'package a:b;\ninterface j {\n  use c:d/e@1.0.0.{t};\n}\n', 'x.wit:3:7: unknown package `c:d@1.0.0`'],
    ['missing interface in a package', 'package a:b;\npackage c:d { interface x {} }\ninterface j {\n  use c:d/e.{t};\n}\n', 'x.wit:4:7: interface `e` is not defined in package `c:d`'],
    ['duplicate type', 'package a:b;\ninterface i {\n  type t = u8;\n  record T { x: u8 }\n}\n', 'x.wit:4:10: `T` is defined twice (first at x.wit:3:8)'],
    ['duplicate interface', 'package a:b;\ninterface i {}\nworld i {}\n', 'x.wit:3:7: `i` is defined twice (first at x.wit:2:11)'],
    ['duplicate parameter', 'package a:b;\ninterface i {\n  f: func(x: u8, x: u8);\n}\n', 'x.wit:3:18: parameter `x` is defined twice (first at x.wit:3:11)'],
    ['duplicate import', 'package a:b;\ninterface i {}\nworld w {\n  import i;\n  import i;\n}\n', 'x.wit:5:10: import `a:b/i` is defined twice (first at x.wit:4:10)'],
    ['recursive type', 'package a:b;\ninterface i {\n  record r { next: option<r> }\n}\n', 'x.wit:3:10: type `r` refers to itself'],
    ['borrow of a non-resource', 'package a:b;\ninterface i {\n  f: func(x: borrow<u>);\n  type u = u8;\n}\n', 'x.wit:3:21: `u` is not a resource type'],
    ['use cycle', 'package a:b;\ninterface i {\n  use j.{t};\n  type u = u8;\n}\ninterface j {\n  use i.{u};\n  type t = u8;\n}\n', 'x.wit:7:7: interface `i` depends on itself: a:b/i -> a:b/j -> a:b/i'],
    ['include cycle', 'package a:b;\nworld v { include w; }\nworld w { include v; }\n', 'x.wit:3:19: world `v` depends on itself: a:b/v -> a:b/w -> a:b/v'],
    ['plain-name clash in include', 'package a:b;\nworld v { import f: func(); }\nworld w {\n  import f: func();\n  include v;\n}\n', 'x.wit:5:3: import `f` of world `v` clashes with one of this world (rename it with `with`)'],
    ['use of an exported interface in a world', 'package a:b;\ninterface i { type t = u8; }\nworld w {\n  export i;\n  use i.{t};\n}\n', 'x.wit:5:3: `use` of `a:b/i` is ambiguous: the world exports it'],
    ['empty root', '// nothing\n', 'x.wit: no `package` declaration'],
    ['no package', 'interface i {}\n', 'x.wit:1:11: no `package` declaration for this item (add `package ns:name;` to one file)'],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    const e = errorOf(() => resolveWit([parseWit(text, 'x.wit')]));
    expect(e.message).toBe(message);
  });

  it('every truncation of a real file fails with a WasiAdaptError (or parses)', () => {
    const text = readFileSync(join(JCO_WIT, 'builtin', '0.2.12', 'wasi-io', 'package.wit'), 'utf8');
    for (let n = 0; n < text.length; n++) {
      try {
        resolveWit([parseWit(text.slice(0, n), 'x.wit')]);
      } catch (e) {
        expect(e).toBeInstanceOf(WasiAdaptError);
      }
    }
  });

  it('hostile depth is too-deep, not a RangeError', () => {
    const deep = `package a:b;\ninterface i { type t = ${'list<'.repeat(100_000)}u8${'>'.repeat(100_000)}; }\n`;
    expect(errorOf(() => resolveWit([parseWit(deep, 'x.wit')])).message).toBe('x.wit: WIT nested too deeply');
    const chain = Array.from({ length: 50_000 }, (_, i) => `type t${i} = t${i + 1};`).join('\n');
    const long = `package a:b;\ninterface i {\n${chain}\ntype t50000 = u8;\n}\n`;
    const e = errorOf(() => resolveWit([parseWit(long, 'x.wit')]));
    expect(e.code).toBe('too-deep');
  });

  it('codes: syntax is bad-value, unknown names are unresolved', () => {
    expect(errorOf(() => parseWit('package a:b@1;', 'x.wit')).code).toBe('bad-value');
    expect(errorOf(() => resolveWit([parseWit('package a:b; interface i { f: func(x: y); }', 'x.wit')])).code).toBe('unresolved');
  });
});

describe('loading from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory: its files form one package, deps/ entries are packages (a file or a directory)', () => {
    mkdirSync(join(dir, 'deps', 'dep-dir'), { recursive: true });
    writeFileSync(join(dir, 'types.wit'), 'interface types { use dep:file/t.{x}; type y = x; }\n');
    writeFileSync(join(dir, 'world.wit'), 'package my:app;\nworld w { import types; export dep:dir/run@0.1.0; }\n');
    writeFileSync(join(dir, 'deps', 'dep-file.wit'), 'package dep:file;\ninterface t { type x = u32; }\n');
    writeFileSync(join(dir, 'deps', 'dep-dir', 'run.wit'), 'package dep:dir@0.1.0;\ninterface run { run: func(); }\n');
    const r = loadWit(dir);
    expect(r.root.id).toBe('my:app');
    expect(r.packages.map((p) => p.id)).toEqual(['dep:file', 'dep:dir@0.1.0', 'my:app']);
    expect([...r.root.worlds.get('w')!.imports.keys()]).toEqual(['dep:file/t', 'my:app/types']);
  });

  it('names the file of an error', () => {
    const bad = join(dir, 'bad.wit');
    writeFileSync(bad, 'package a:b;\ninterface i { f: func() }\n');
    expect(errorOf(() => loadWit(bad)).message).toBe(`${bad}:2:25: expected \`;\`, found \`}\``);
  });
});

// wasm-tools (through jco) as the oracle for what a world imports and exports: a dummy core
// module embedding the world, made a component, lists the names a component of the world has.
describe('worlds agree with wasm-tools', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wit-oracle-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function wasmTools(opts: { witPath?: string; witSource?: string; world: string }): Promise<{ imports: string[]; exports: string[] }> {
    const core = await componentEmbed({ dummy: true, features: { tag: 'all' }, ...opts });
    const sections = parseComponent(await componentNew(core)).sections;
    const names = (kind: 'imports' | 'exports') =>
      sections.flatMap((s) => (s.kind === kind ? s.items.map((i) => i.name.name) : [])).sort();
    return { imports: names('imports'), exports: names('exports') };
  }

  const ours = (w: World) => ({ imports: [...w.imports.keys()].sort(), exports: [...w.exports.keys()].sort() });

  /** jco's package directories as one WIT directory: `root` at the top, the others in deps/. */
  function witDir(version: string, root: string): string {
    const from = join(JCO_WIT, 'builtin', version);
    const dir = join(tmp, `${version}-${root}`);
    cpSync(join(from, root), dir, { recursive: true });
    for (const d of readdirSync(from)) if (d !== root) cpSync(join(from, d), join(dir, 'deps', d), { recursive: true });
    return dir;
  }

  it.each([
    ['0.2.12', 'wasi-cli', 'command'],
    ['0.2.12', 'wasi-cli', 'imports'],
    ['0.2.12', 'wasi-http', 'proxy'],
    ['0.3.0', 'wasi-cli', 'command'],
    ['0.3.0', 'wasi-http', 'service'],
    ['0.3.0', 'wasi-http', 'middleware'],
  ])('%s %s/%s', async (version, pkg, world) => {
    const dir = witDir(version, pkg);
    const r = loadWit(dir);
    expect(ours(r.root.worlds.get(world)!)).toEqual(await wasmTools({ witPath: dir, world: `${r.root.id.replace(/@.*/, '')}/${world}@${version}` }));
  });

  it('the hand-written world with every kind of item', async () => {
    const w = resolveWit([parseWit(ALL_TYPES, 'all.wit')]).root.worlds.get('w')!;
    expect(ours(w)).toEqual(await wasmTools({ witSource: ALL_TYPES, world: 'w' }));
  });
});
