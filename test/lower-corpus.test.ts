// `down` on real reactors (../shared/corpus/p2, jco's test components): every
// export whose values the test can build is called on jco (the component) and,
// through the test's own canonical-ABI caller (harness/cabi.ts), on the down
// output in both modes (adapter dropped / kept), with the same JS host for the
// custom imports (corpus/imports.mjs). Results, traps, stdout and stderr must
// be identical.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { runCorpusCalls, type CorpusRun, type Outcome } from './harness/corpus-call.js';
import { planCalls } from './harness/corpus-plan.js';
import { pretranspileInstantiable, type Transpiled } from './harness/transpile-inst.js';
import { componentSigs } from './harness/wit-types.js';

// ---- What this test does not call, and why: the one list. ----
// A string: the whole component is left out (not lowered). A record: exports (core name) not called,
// with '*' for a component that has nothing to call at all. `lower()` failing or an output that traps
// is never a reason to be here: those fail until `down` is fixed. The test checks that the records list
// exactly what the test cannot call, so nothing is skipped silently.
const NOT_CALLED: Record<string, string | Record<string, string>> = {
  'simple-nested': { '*': 'its export is an instance a nested component exports, which componentSigs does not type: test/fuse-corpus.test.ts calls it (down vs jco)' },
  'simple-nested-optimized': { '*': 'its export is an instance a nested component exports, which componentSigs does not type: test/fuse-corpus.test.ts calls it (down vs jco)' },
  'other-dependencies': { '*': 'its one export, other:test/test, is an interface without functions' },
  strings: 'jco 1.35 cannot transpile it (wasm trap: cannot enter component instance): test/fuse-corpus.test.ts runs it on the down output against what its functions are',
};
// Not expressible on the down output yet, so not in any call sequence: dropping a handle of the
// component's own resource (the output exports no `[resource-drop]` for the host), so jco's side
// never drops one either.

// ---- Arguments: generated samples, except where the export asserts exact values (jco's own tests say which). ----
const u8 = (...a: number[]): Uint8Array => Uint8Array.from(a);
const ARGS: Record<string, Record<string, unknown[][]>> = {
  lists: {
    'test:lists/test#empty-list-param': [[u8()]],
    'test:lists/test#empty-string-param': [['']],
    'test:lists/test#list-param': [[u8(1, 2, 3, 4)], [u8(4)]],
    'test:lists/test#list-param2': [['foo']],
    'test:lists/test#list-param3': [[['foo', 'bar', 'baz']]],
    'test:lists/test#list-param4': [[[['foo', 'bar'], ['baz']]]],
    'test:lists/test#list-param5': [[[[1, 2, 3], [4, 5, 6]]]],
    'test:lists/test#list-param-large': [[Array.from({ length: 1000 }, () => 'blah')]],
  },
  options: {
    'test:options/test#option-none-param': [[undefined]],
    'test:options/test#option-some-param': [['foo'], [undefined]],
  },
  'many-arguments': { 'many-arguments': [Array.from({ length: 16 }, (_, i) => BigInt(i + 1))] },
  many_arguments: { 'many-arguments': [Array.from({ length: 16 }, (_, i) => BigInt(i + 1))] },
};
// Calls that must share one instance (state carries over), in order.
const SEQUENCES: Record<string, [string, unknown[]][][]> = {
  numbers: [[['test:numbers/test#set-scalar', [7]], ['test:numbers/test#get-scalar', []]]],
};

const CORPUS = fileURLToPath(new URL('../../shared/corpus/p2/', import.meta.url));
const IMPORTS = fileURLToPath(new URL('./corpus/imports.mjs', import.meta.url));
const MODES = [['adapter dropped', {}], ['adapter kept', { keepAdapter: true }]] as const;

const nameOf = (file: string): string => file.replace(/(\.component)?\.wasm$/, '');
const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.wasm')).sort() : [];
const components = files.map((f) => ({ name: nameOf(f), path: CORPUS + f })).filter((c) => typeof NOT_CALLED[c.name] !== 'string');

/** Outcomes by label, for readable diffs. Trap messages differ by host (jco rewrites V8's), so only the fact of a trap counts; stderr still shows a guest's panic message. */
function byLabel(labels: string[][], results: Outcome[][]): Record<string, Outcome | { kind: 'trap' }> {
  const norm = (o: Outcome | undefined): Outcome | { kind: 'trap' } => (o === undefined ? { kind: 'error', message: 'missing' } : o.kind === 'trap' ? { kind: 'trap' } : o);
  return Object.fromEntries(labels.flatMap((ls, i) => ls.map((l, j) => [l, norm(results[i]?.[j])])));
}

const transpiled = new Map<string, Transpiled>();
const jcoRuns = new Map<string, Promise<CorpusRun>>();

beforeAll(async () => {
  const list = await pretranspileInstantiable(components.map((c) => readFileSync(c.path)));
  components.forEach((c, i) => transpiled.set(c.name, list[i]!));
}, 300_000);

test('the corpus is there', () => {
  expect(files.length).toBeGreaterThan(30);
});

test('NOT_CALLED lists exactly what the test cannot call', () => {
  const found: Record<string, string | Record<string, string>> = {};
  for (const f of files) {
    const name = nameOf(f);
    if (typeof NOT_CALLED[name] === 'string') {
      found[name] = NOT_CALLED[name];
      continue;
    }
    const { uncallable, sequences } = planCalls(componentSigs(readFileSync(CORPUS + f)), { args: ARGS[name], sequences: SEQUENCES[name] });
    const notCalled = { ...uncallable, ...(sequences.length === 0 ? { '*': (NOT_CALLED[name] as Record<string, string> | undefined)?.['*'] ?? 'nothing to call' } : {}) };
    if (Object.keys(notCalled).length > 0) found[name] = notCalled;
  }
  expect(found).toEqual(NOT_CALLED);
});

describe.each(components)('$name', ({ name, path }) => {
  const bytes = readFileSync(path);
  const sigs = componentSigs(bytes);
  const { labels, sequences } = planCalls(sigs, { args: ARGS[name], sequences: SEQUENCES[name] });
  const imports = sigs.imports.map((i) => ({ iface: i.iface, name: i.name, ...(i.sig ? { sig: i.sig } : {}) }));
  const run = (side: 'jco' | 'core', target: string | Uint8Array): Promise<CorpusRun> =>
    runCorpusCalls({ side, target, importsModule: IMPORTS, component: name, imports, sequences });
  const jco = (): Promise<CorpusRun> => {
    if (!jcoRuns.has(name)) {
      const t = transpiled.get(name);
      if (!t || 'error' in t) throw new Error(`jco cannot transpile ${name}: ${t && 'error' in t ? t.error.slice(0, 500) : 'not transpiled'}`);
      jcoRuns.set(name, run('jco', t.entry));
    }
    return jcoRuns.get(name)!;
  };

  test.concurrent.each(MODES)('%s', async (_mode, options) => {
    const { module } = lower(bytes, options);
    expect(WebAssembly.validate(module)).toBe(true);
    const [reference, actual] = await Promise.all([jco(), run('core', module)]);
    expect(byLabel(labels, actual.results)).toEqual(byLabel(labels, reference.results));
    expect(actual.stdout).toBe(reference.stdout);
    expect(actual.stderr).toBe(reference.stderr);
  });
});
