// Our own compositions (fixtures/src/compositions/*.wat, built to fixtures/bin/compositions by
// fixtures/build.mjs) through down, on the output (node:wasi, canonical-ABI caller) and on jco:
// results, traps and output must agree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import type { FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec } from './harness/corpus-call.js';
import { encodeValue } from './harness/ipc-values.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';

const SRC = fileURLToPath(new URL('../fixtures/src/compositions/', import.meta.url));
const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const IMPORTS = `${SRC}prop-imports.mjs`;
const call = (name: string, sig: FuncSig, args: unknown[]): CallSpec => ({ name, core: name, sig, args: encodeValue(args) as unknown[] });
const u32 = { k: 'u32' } as const;

test('library-twice: one library twice (separate state), every memory growing, out-of-bounds traps', async () => {
  const bytes = new Uint8Array(readFileSync(`${BIN}library-twice.wasm`));
  const { module, report } = lower(bytes);
  // The app's memory module and its main module (which imports that memory), and each library instance.
  expect(report.modules.filter((m) => m.name.includes('(region'))).toHaveLength(4);
  const get: FuncSig = { params: [{ name: 'i', type: u32 }], result: { k: 'string' } };
  const peek: FuncSig = { params: [{ name: 'a', type: u32 }], result: { k: 'u8' } };
  const N = 20;
  // a: 1 page + 2 a step (realloc, push) = 41 pages; its first string at page 1, the last at page 39.
  const calls = [
    call('run', { params: [{ name: 'n', type: u32 }], result: u32 }, [N]),
    call('get-a', get, [0]),
    call('get-a', get, [N - 1]),
    call('get-b', get, [7]),
    call('peek-a', peek, [65536]),
    call('peek-a', peek, [65536 * 39 + 4]),
    call('peek-a', peek, [65536 * 41 - 1]),
    call('peek-a', peek, [65536 * 41]),
  ];
  const spec = { importsModule: IMPORTS, component: 'library-twice', imports: [], sequences: [calls] };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile library-twice: ${t && 'error' in t ? t.error : ''}`);
  const [want, got] = await Promise.all([runCorpusCalls({ ...spec, side: 'jco', target: t.entry }), runCorpusCalls({ ...spec, side: 'core', target: module })]);
  const ok = (v: unknown) => ({ kind: 'ok', value: encodeValue(v) });
  expect(got.results[0]!.slice(0, 7)).toEqual([ok(N + 1), ok('hello'), ok('hello'), ok('w\u00f6rld \u{1f680}'), ok(104), ok(111), ok(0)]);
  expect(got.results[0]![7]!.kind).toBe('trap');
  const norm = (r: { kind: string }[]) => r.map((o) => (o.kind === 'trap' ? { kind: 'trap' } : o));
  expect(norm(got.results[0]!)).toEqual(norm(want.results[0]!));
});

test('resources: own handles made by a library and dropped or given back by the app, borrows lent to the implementer (alone and in a list)', async () => {
  const bytes = new Uint8Array(readFileSync(`${BIN}resources.wasm`));
  const { module } = lower(bytes);
  const calls = [call('run', { params: [], result: u32 }, [])];
  const spec = { importsModule: IMPORTS, component: 'resources', imports: [], sequences: [calls, calls] };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile resources: ${t && 'error' in t ? t.error : ''}`);
  const [want, got] = await Promise.all([runCorpusCalls({ ...spec, side: 'jco', target: t.entry }), runCorpusCalls({ ...spec, side: 'core', target: module })]);
  // value(a) = 41; weigh = 40*2 + 70*3 = 290; dropped after drop(a) = 40; after consume(b) = 110.
  expect(got.results).toEqual([[{ kind: 'ok', value: 41 + 290_000 + 40_000_000 + 1_100_000_000 }], [{ kind: 'ok', value: 41 + 290_000 + 40_000_000 + 1_100_000_000 }]]);
  expect(got.results).toEqual(want.results);
});
