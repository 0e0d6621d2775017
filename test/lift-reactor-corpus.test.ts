// `up` on the corpus reactors (../shared/corpus/p2, jco's test components, adapter-shaped): each
// one's main module gets its world back as wit-bindgen would embed it (the world read from the
// component, printed as WIT, embedded by `jco componentEmbed`), is lifted, and every export is
// called on jco next to the original component, with the same JS host (corpus/imports.mjs).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed } from '@bytecodealliance/jco';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildGraph } from '../src/component/graph.js';
import { evaluate } from '../src/component/evaluate.js';
import { lift } from '../src/lift/index.js';
import { pickWorld } from '../src/lift/world-wit.js';
import { parseWit, resolveWit } from '../src/wit/index.js';
import { runCorpusCalls, type CorpusRun, type Outcome } from './harness/corpus-call.js';
import { planCalls } from './harness/corpus-plan.js';
import { CACHE } from './harness/transpile-cache.js';
import { pretranspileInstantiable, type Transpiled } from './harness/transpile-inst.js';
import { componentSigs } from './harness/wit-types.js';
import { componentWorld, worldText } from './lift-reactor-corpus-world.js';

/** Not lifted, and why: the one list (a test checks it is exactly what fails). */
const NOT_LIFTED: Record<string, string> = {
  asmjs_bigint: 'a hand-written component without a p1 main module',
  'simple-nested': 'a composition of two components (no one main module)',
  'simple-nested-optimized': 'a composition of two components (no one main module)',
};

const CORPUS = fileURLToPath(new URL('../../shared/corpus/p2/', import.meta.url));
const IMPORTS = fileURLToPath(new URL('./corpus/imports.mjs', import.meta.url));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const nameOf = (file: string): string => file.replace(/(\.component)?\.wasm$/, '');
const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.wasm')).sort() : [];

interface Prepared {
  name: string;
  original: Uint8Array;
  /** The main module with its world embedded, and that world as WIT. */
  module?: Uint8Array;
  wit?: string;
  /** Whether its strings are UTF-8 (WIT text cannot say otherwise: --wit gives UTF-8). */
  utf8?: boolean;
  error?: string;
}

async function prepare(file: string): Promise<Prepared> {
  const name = nameOf(file);
  const original = readFileSync(CORPUS + file);
  try {
    const mains = evaluate(buildGraph(original)).modules.filter((m) => m.role === 'main');
    if (mains.length !== 1) return { name, original, error: `${mains.length} main modules` };
    const world = componentWorld(original);
    const wit = worldText(world);
    const stringEncoding = ({ utf8: 'utf8', utf16: 'utf16', 'latin1+utf16': 'compact-utf16' } as const)[world.encoding];
    const module = await componentEmbed({ binary: mains[0]!.info.bytes, witSource: wit, world: 'root', stringEncoding });
    return { name, original, wit, utf8: world.encoding === 'utf8', module };
  } catch (e) {
    return { name, original, error: (e as Error).message };
  }
}

const prepared = new Map<string, Prepared>();
const lifted = new Map<string, { component?: Uint8Array; error?: string }>();
const transpiled = new Map<string, { ours: Transpiled; original: Transpiled }>();

function byLabel(labels: string[][], results: Outcome[][]): Record<string, Outcome | { kind: 'trap' }> {
  const norm = (o: Outcome | undefined): Outcome | { kind: 'trap' } => (o === undefined ? { kind: 'error', message: 'missing' } : o.kind === 'trap' ? { kind: 'trap' } : o);
  return Object.fromEntries(labels.flatMap((ls, i) => ls.map((l, j) => [l, norm(results[i]?.[j])])));
}

beforeAll(async () => {
  for (const f of files) {
    const p = await prepare(f);
    prepared.set(p.name, p);
    if (!p.module) continue;
    try {
      lifted.set(p.name, { component: lift(p.module).component });
    } catch (e) {
      lifted.set(p.name, { error: (e as Error).message });
    }
  }
  const ok = [...lifted].filter(([, l]) => l.component).map(([n]) => n);
  const t = await pretranspileInstantiable([...ok.map((n) => lifted.get(n)!.component!), ...ok.map((n) => prepared.get(n)!.original)]);
  ok.forEach((n, i) => transpiled.set(n, { ours: t[i]!, original: t[ok.length + i]! }));
}, 600_000);

test('the corpus is there', () => {
  expect(files.length).toBeGreaterThan(30);
});

test('a component jco fails on is not cached and does not stop the next one', async () => {
  // Its child stops at the failure (a trap would poison jco for the rest) and a fresh one goes on.
  const garbage = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x63, 0x05, 0x01]);
  // A component with a custom section no earlier run had, so the cache cannot already hold it.
  const stamp = new TextEncoder().encode(`fresh-${process.pid}-${Date.now()}`);
  const fresh = new Uint8Array([...lifted.get('resource-borrow-simple')!.component!, 0x00, stamp.length + 1, stamp.length, ...stamp]);
  const failures = () => readdirSync(CACHE).filter((d) => existsSync(join(CACHE, d, 'transpile-error.txt')));
  const before = failures();
  const [bad, good] = await pretranspileInstantiable([garbage, fresh]);
  expect(bad).toEqual({ error: expect.stringMatching(/unexpected end-of-file/) });
  expect(good).toEqual({ entry: expect.stringMatching(/component\.js$/) });
  expect(failures()).toEqual(before);
  rmSync(dirname((good as { entry: string }).entry), { recursive: true });
});

test('NOT_LIFTED lists exactly the reactors that are not lifted', () => {
  const failed = [...prepared.keys()].filter((n) => !lifted.get(n)?.component);
  expect(failed.sort()).toEqual(Object.keys(NOT_LIFTED).sort());
});

const callable = files.map(nameOf).filter((n) => !(n in NOT_LIFTED));

describe.each(callable)('%s', (name) => {
  // One component at a time (its two sides in parallel): the machine has two cores.
  test('every export on jco as on the original component', async () => {
    const p = prepared.get(name)!;
    const l = lifted.get(name);
    if (!l?.component) throw new Error(`not lifted: ${p.error ?? l?.error}`);
    const sigs = componentSigs(p.original);
    const { labels, sequences } = planCalls(sigs);
    const imports = sigs.imports.map((i) => ({ iface: i.iface, name: i.name, ...(i.sig ? { sig: i.sig } : {}) }));
    const run = (t: Transpiled): Promise<CorpusRun> => {
      if ('error' in t) throw new Error(`jco cannot transpile: ${t.error.slice(0, 800)}`);
      return runCorpusCalls({ side: 'jco', target: t.entry, importsModule: IMPORTS, component: name, imports, sequences });
    };
    const t = transpiled.get(name)!;
    const [original, ours] = await Promise.all([run(t.original), run(t.ours)]);
    expect(byLabel(labels, ours.results)).toEqual(byLabel(labels, original.results));
    expect(ours.stdout).toBe(original.stdout);
    expect(ours.stderr).toBe(original.stderr);
  });

  test('--wit with the same world gives the same component (UTF-8 ones)', (ctx) => {
    const p = prepared.get(name)!;
    if (p.utf8 === false) ctx.skip();
    const world = pickWorld(resolveWit([parseWit(p.wit!, `${name}.wit`)]), 'root');
    const bare = evaluate(buildGraph(p.original)).modules.find((m) => m.role === 'main')!.info.bytes;
    // Digests: a deep equality of two 2 MB arrays takes vitest half a minute.
    expect(sha256(lift(bare, { world }).component)).toBe(sha256(lifted.get(name)!.component!));
  });
});
