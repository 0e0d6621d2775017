// `up` of a world with types at its top level (not only resources, which the corpus reactors
// cover): a record that names a type `use`d from an interface, a list alias, an enum, flags and
// a variant, used by a bare import and bare exports. The module is hand-written in the shape
// wit-bindgen gives it; every export is called on jco, on the lifted component and on the one
// wit-component makes of the same module (`jco componentNew`), with the same JS host.
import { componentEmbed, componentNew } from '@bytecodealliance/jco';
import binaryen from 'binaryen';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { parseComponent } from '../src/binary/component-read.js';
import { parseModule, writeModule } from '../src/binary/module.js';
import { BinaryWriter } from '../src/binary/writer.js';
import { lift } from '../src/lift/index.js';
import { pickWorld } from '../src/lift/world-wit.js';
import { parseWit, resolveWit } from '../src/wit/index.js';
import { runCorpusCalls, type CorpusRun, type Outcome } from './harness/corpus-call.js';
import { planCalls } from './harness/corpus-plan.js';
import { pretranspileInstantiable, type Transpiled } from './harness/transpile-inst.js';
import { componentSigs } from './harness/wit-types.js';

const IMPORTS = fileURLToPath(new URL('./lift-reactor-imports.mjs', import.meta.url));
const NAME = 'world_types';

const WIT = `package t:top@0.1.0;

interface geo {
  record point { x: u32, y: u32 }
}

world top {
  use geo.{point};
  record pair { a: point, b: u8 }
  type pairs = list<pair>;
  enum color { red, green, blue }
  flags perms { read, write }
  variant shape { circle(u32), square(point), none }
  import pick: func(p: pair) -> color;
  export mix: func(p: pair, c: color) -> pair;
  export area: func(s: shape, q: perms) -> u32;
  export twice: func(p: pair) -> pairs;
}
`;

// Core signatures as the canonical ABI flattens the world's functions: a pair is (x, y, b);
// results past one value come back through a pointer (a pair is 12 bytes, b at offset 8).
const WAT = `(module
  (import "$root" "pick" (func $pick (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "mix") (param $x i32) (param $y i32) (param $b i32) (param $c i32) (result i32)
    (i32.store (i32.const 64) (i32.add (local.get $x) (local.get $c)))
    (i32.store (i32.const 68) (call $pick (local.get $x) (local.get $y) (local.get $b)))
    (i32.store8 (i32.const 72) (i32.add (local.get $b) (i32.const 1)))
    (i32.const 64))
  (func (export "area") (param $d i32) (param $p1 i32) (param $p2 i32) (param $q i32) (result i32)
    (i32.add
      (i32.mul (local.get $q) (i32.const 1000))
      (if (result i32) (i32.eqz (local.get $d))
        (then (i32.mul (i32.mul (local.get $p1) (local.get $p1)) (i32.const 3)))
        (else (if (result i32) (i32.eq (local.get $d) (i32.const 1))
          (then (i32.mul (local.get $p1) (local.get $p2)))
          (else (i32.const 0)))))))
  (func (export "twice") (param $x i32) (param $y i32) (param $b i32) (result i32)
    (i32.store (i32.const 128) (local.get $x))
    (i32.store (i32.const 132) (local.get $y))
    (i32.store8 (i32.const 136) (local.get $b))
    (i32.store (i32.const 140) (local.get $y))
    (i32.store (i32.const 144) (local.get $x))
    (i32.store8 (i32.const 148) (i32.add (local.get $b) (i32.const 1)))
    (i32.store (i32.const 96) (i32.const 128))
    (i32.store (i32.const 100) (i32.const 2))
    (i32.const 96)))`;

function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

const bare = wat(WAT);
let embedded: Uint8Array;
let reference: Uint8Array;
let built: { ours: Transpiled; reference: Transpiled };

beforeAll(async () => {
  embedded = await componentEmbed({ binary: bare, witSource: WIT, world: 'top' });
  reference = await componentNew(embedded);
  const [ours, ref] = await pretranspileInstantiable([lift(embedded).component, reference]);
  built = { ours: ours!, reference: ref! };
}, 300_000);

function byLabel(labels: string[][], results: Outcome[][]): Record<string, Outcome | { kind: 'trap' }> {
  const norm = (o: Outcome | undefined): Outcome | { kind: 'trap' } => (o === undefined ? { kind: 'error', message: 'missing' } : o.kind === 'trap' ? { kind: 'trap' } : o);
  return Object.fromEntries(labels.flatMap((ls, i) => ls.map((l, j) => [l, norm(results[i]?.[j])])));
}

test('the world-level types are the component\'s type imports, as wit-component makes them', () => {
  const { component } = lift(embedded);
  const imports = importNames(component);
  expect(imports).toEqual(importNames(reference).filter((n) => !n.startsWith('wasi:')));
});

test('every export on jco as on the wit-component reference', async () => {
  const sigs = componentSigs(reference);
  const { labels, sequences, uncallable } = planCalls(sigs);
  expect(uncallable).toEqual({});
  const imports = sigs.imports.map((i) => ({ iface: i.iface, name: i.name, ...(i.sig ? { sig: i.sig } : {}) }));
  const run = (t: Transpiled): Promise<CorpusRun> => {
    if ('error' in t) throw new Error(`jco cannot transpile: ${t.error.slice(0, 800)}`);
    return runCorpusCalls({ side: 'jco', target: t.entry, importsModule: IMPORTS, component: NAME, imports, sequences });
  };
  const [theirs, ours] = await Promise.all([run(built.reference), run(built.ours)]);
  expect(labels.flat().length).toBeGreaterThanOrEqual(3);
  expect(byLabel(labels, ours.results)).toEqual(byLabel(labels, theirs.results));
  expect(Object.values(byLabel(labels, ours.results)).every((o) => o.kind === 'ok')).toBe(true);
});

test('--wit with the same world gives the same component', () => {
  const world = pickWorld(resolveWit([parseWit(WIT, 'top.wit')]), 'top');
  expect(lift(bare, { world }).component).toEqual(lift(embedded).component);
});

test('a world-level type used by nothing the module imports or exports is not declared', () => {
  const more = WIT.replace('  import pick', '  record unused { a: u8 }\n  import pick');
  const world = pickWorld(resolveWit([parseWit(more, 'top.wit')]), 'top');
  const { component } = lift(bare, { world });
  expect(importNames(component)).not.toContain('unused');
  expect(component).toEqual(lift(embedded).component);
});

test('two component-type sections that define a world-level type differently: an error naming both', async () => {
  const other = await componentEmbed({ binary: bare, witSource: WIT.replace('record pair { a: point, b: u8 }', 'record pair { a: point, b: u16 }'), world: 'top' });
  const section = (m: Uint8Array) => parseModule(m).customs.find((c) => c.name.startsWith('component-type'))!.data;
  const kept = parseModule(bare).sections;
  const custom = (name: string, data: Uint8Array) => ({ id: 0, payload: new BinaryWriter().name(name).bytes(data).finish() });
  const module = writeModule({ sections: [...kept, custom('component-type:a', section(embedded)), custom('component-type:b', section(other))] });
  expect(() => lift(module)).toThrow(/custom sections component-type:a and component-type:b both describe the world's type pair, differently/);
});

/** The names a component imports, in order. */
function importNames(bytes: Uint8Array): string[] {
  return parseComponent(bytes).sections.flatMap((s) => (s.kind === 'imports' ? s.items.map((i) => i.name.name) : []));
}
