// `up --wit` (a world from WIT text for a module without component types) against the
// embedded path, and what `up` says about worlds and metadata that do not fit the module.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentEmbed, componentWit } from '@bytecodealliance/jco';
import { afterAll, describe, expect, test } from 'vitest';
import { BinaryWriter } from '../src/binary/writer.js';
import { parseModule, writeModule } from '../src/binary/module.js';
import { upCommand } from '../src/cli/up.js';
import { lift } from '../src/lift/index.js';
import { pickWorld } from '../src/lift/world-wit.js';
import { parseWit, resolveWit } from '../src/wit/index.js';
import { loadWit } from '../src/wit/load.js';
import { FIXTURES_DIR } from './harness/manifest.js';
import { errorOf } from './helpers/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'lift-reactor-wit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const REACTORS = [
  { name: 'shapes', world: 'shapes' },
  { name: 'counters', world: 'counters-world' },
];
const witPath = (name: string) => join(FIXTURES_DIR, `src/reactor/${name}.wit`);
const embedded = (name: string) => readFileSync(join(FIXTURES_DIR, `bin/p1/reactor_${name}.wasm`));
const witOf = (text: string, world?: string) => pickWorld(resolveWit([parseWit(text, 'test.wit')]), world);

/** The module with its custom sections replaced: [name, data] each (none: no component types). */
function withCustoms(module: Uint8Array, customs: [string, Uint8Array][]): Uint8Array {
  const m = parseModule(module);
  const kept = m.sections.filter((s) => !s.name?.startsWith('component-type'));
  const added = customs.map(([name, data]) => ({ id: 0, payload: new BinaryWriter().name(name).bytes(data).finish() }));
  return writeModule({ sections: [...kept, ...added] });
}
const bare = (name: string) => withCustoms(embedded(name), []);
const sectionOf = (module: Uint8Array) => parseModule(module).customs.find((c) => c.name.startsWith('component-type'))!.data;

describe.each(REACTORS)('$name', ({ name, world }) => {
  test('--wit on the module without component types gives the embedded path\'s component, byte for byte', () => {
    const fromSections = lift(embedded(name)).component;
    expect(lift(bare(name), { world: pickWorld(loadWit(witPath(name)), world) }).component).toEqual(fromSections);
  });

  test('the CLI: --wit FILE, and without it the module is refused naming --wit', async () => {
    const input = join(tmp, `${name}.wasm`);
    writeFileSync(input, bare(name));
    const output = join(tmp, `${name}.p2.wasm`);
    expect(await upCommand([input, '--wit', witPath(name), '-o', output])).toBe(0);
    expect(new Uint8Array(readFileSync(output))).toEqual(lift(embedded(name)).component);
    await expect(upCommand([input, '-o', output])).rejects.toThrow(/--wit FILE\|DIR/);
  });

  test('the output strips the component-type sections and exports the world (read back by wit-component)', async () => {
    const { component } = lift(embedded(name));
    expect(Buffer.from(component).includes(Buffer.from('component-type'))).toBe(false);
    const text = await componentWit(component);
    const source = readFileSync(witPath(name), 'utf8');
    for (const m of source.matchAll(/^  (?:export|import) ([a-z-]+)(;|:)/gm)) expect(text).toContain(m[1]);
  });
});

describe('choosing the world', () => {
  const two = 'package t:two@1.0.0;\ninterface i { f: func() -> u32; }\nworld a { export i; }\nworld b { export g: func() -> u32; }\n';
  test('a package with several worlds needs --world, naming them', () => {
    expect(errorOf(() => witOf(two)).message).toMatch(/2 worlds \(a, b\); choose one with --world NAME/);
    expect(errorOf(() => witOf(two, 'c')).message).toMatch(/has no world c \(it has: a, b\)/);
  });

  test('a WIT error says file, line and column', async () => {
    const file = join(tmp, 'bad.wit');
    writeFileSync(file, 'package t:bad;\n\nworld w {\n  export f: func() -> ;\n}\n');
    writeFileSync(join(tmp, 'x.wasm'), bare('shapes'));
    await expect(upCommand([join(tmp, 'x.wasm'), '--wit', file])).rejects.toThrow(/bad\.wit:4:23/);
  });

  test('@unstable items are left out: the module need not export them', () => {
    const source = readFileSync(witPath('shapes'), 'utf8').replace('package test:shapes@0.1.0;', 'package test:shapes@0.1.0;\n').replace('  mid: func', '  @unstable(feature = extra)\n  more: func();\n  mid: func');
    const { component } = lift(bare('shapes'), { world: witOf(source) });
    expect(component).toEqual(lift(embedded('shapes')).component);
  });
});

describe('a world that does not fit the module', () => {
  const shapes = () => readFileSync(witPath('shapes'), 'utf8');
  test('a world export the module lacks', () => {
    const e = errorOf(() => lift(bare('shapes'), { world: witOf(shapes().replace('  mid: func', '  extra: func(a: string);\n  mid: func')) }));
    expect(e.message).toMatch(/the world exports test:shapes\/api@0\.1\.0\.extra, but the module does not export test:shapes\/api@0\.1\.0#extra/);
  });

  test('a core signature that is not the lifting of the WIT type', () => {
    const e = errorOf(() => lift(bare('shapes'), { world: witOf(shapes().replace('flip: func(p: perms) -> perms', 'flip: func(p: u64) -> perms')) }));
    expect(e.message).toMatch(/export test:shapes\/api@0\.1\.0#flip has core type \(i32\) -> \(i32\), but the world's type of it lowers to \(i64\) -> \(i32\)/);
  });

  test('a non-function import, which no world provides', () => {
    const m = parseModule(bare('shapes'));
    const imports = new BinaryWriter().u32(1).name('env').name('table').u8(0x01).u8(0x70).u8(0x00).u32(1).finish();
    const module = writeModule({ sections: [...m.sections.filter((s) => s.id < 2), { id: 2, payload: imports }, ...m.sections.filter((s) => s.id > 2)] });
    expect(errorOf(() => lift(module, { world: witOf(shapes().replace('  scale: func() -> u32;\n', '')) })).message).toMatch(/imports env\.table, a table: a world provides functions only/);
  });

  test('an import the world does not have', () => {
    const e = errorOf(() => lift(bare('shapes'), { world: witOf(shapes().replace('  scale: func() -> u32;\n', '')) }));
    expect(e.message).toMatch(/import test:shapes\/host@0\.1\.0\.scale is not in its world/);
  });
});

describe('bad metadata', () => {
  test('a truncated component-type section', () => {
    const data = sectionOf(embedded('shapes'));
    const e = errorOf(() => lift(withCustoms(embedded('shapes'), [['component-type', data.slice(0, data.length - 20)]])));
    expect(e.message).toMatch(/custom section component-type is not a valid component type/);
    expect(e.offset).toBeGreaterThan(0);
  });

  test('a corrupt one', () => {
    const data = sectionOf(embedded('shapes')).slice();
    data.fill(0xff, 12, 40);
    expect(errorOf(() => lift(withCustoms(embedded('shapes'), [['component-type', data]]))).message).toMatch(/custom section component-type/);
  });

  test('two sections describing one export differently: an error naming both', async () => {
    const other = readFileSync(witPath('shapes'), 'utf8').replace('greet: func(name: string) -> string', 'greet: func(name: string) -> u32');
    const second = sectionOf(await componentEmbed({ binary: bare('shapes'), witSource: other, world: 'shapes' }));
    const module = withCustoms(embedded('shapes'), [['component-type:a', sectionOf(embedded('shapes'))], ['component-type:b', second]]);
    expect(errorOf(() => lift(module)).message).toMatch(/custom sections component-type:a and component-type:b both describe the export test:shapes\/api@0\.1\.0, differently/);
  });

  test('two sections that agree merge (a union)', () => {
    const module = withCustoms(embedded('shapes'), [['component-type:a', sectionOf(embedded('shapes'))], ['component-type:b', sectionOf(embedded('shapes'))]]);
    expect(lift(module).component).toEqual(lift(embedded('shapes')).component);
  });
});
