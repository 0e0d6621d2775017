// A host resource between two components (fixtures/src/compositions/host-borrow.wat): own
// handles of the host's `counter` move both ways between an app and a peer component, borrows are
// lent to the peer alone and in a list, and the traps CanonicalABI.md names (a borrow kept past
// the callee's return, a lent own handle moved, a moved handle used) on the down output
// (node:wasi, canonical-ABI caller, the resource as a JS class) against jco.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import type { FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec } from './harness/corpus-call.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';

const SRC = fileURLToPath(new URL('../fixtures/src/compositions/', import.meta.url));
const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const IFACE = 'test:host/counters';
const counter = { resource: 'counter', iface: IFACE };
const imports = [
  { iface: IFACE, name: 'make', sig: { params: [{ name: 'n', type: { k: 'u32' } }], result: { k: 'own', ...counter } } as FuncSig },
  { iface: IFACE, name: '[method]counter.value', sig: { params: [{ name: 'self', type: { k: 'borrow', ...counter } }], result: { k: 'u32' } } as FuncSig },
];
const sig: FuncSig = { params: [], result: { k: 'u32' } };
const call = (name: string): CallSpec => ({ name, core: name, sig, args: [] });

test('host-borrow: a host resource lent and moved between two components; a kept borrow, a lent own moved and a moved handle used trap', async () => {
  const bytes = new Uint8Array(readFileSync(`${BIN}host-borrow.wasm`));
  const { module } = lower(bytes);
  // Each sequence is a fresh instance: a trap leaves the instance unusable.
  const sequences = [[call('run'), call('given')], [call('forget')], [call('both')], [call('back')], [call('moved')], [call('given'), call('run')]];
  const spec = { importsModule: `${SRC}host-borrow-imports.mjs`, component: 'host-borrow', imports, sequences };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile host-borrow: ${t && 'error' in t ? t.error : ''}`);
  const [want, got] = await Promise.all([runCorpusCalls({ ...spec, side: 'jco', target: t.entry }), runCorpusCalls({ ...spec, side: 'core', target: module })]);
  // peek(a) = 41; sum = 41*2 + 71*3 + 41*1 = 336; value(a) = 41; keep(b) = 71. given: peek(g) = 31, value(g) = 31.
  const run = 41 + 336_000 + 41_000_000 + 71 * 10_000_000;
  const ok = (value: number) => ({ kind: 'ok', value });
  const trap = { kind: 'trap' };
  const norm = (seqs: { kind: string }[][]) => seqs.map((r) => r.map((o) => (o.kind === 'trap' ? trap : o)));
  const given = ok(31 + 31_000);
  expect(norm(got.results)).toEqual([[ok(run), given], [trap], [trap], [trap], [trap], [given, ok(run)]]);
  // jco 1.35 agrees where it follows the spec. It loses an own host handle returned by the peer
  // (`given`: "unknown handle index") and lets the app use a handle it gave away (`moved` answers 0).
  const followed = (r: { kind: string }[][]) => [r[0]![0], ...r.slice(1, 4)];
  expect(followed(norm(want.results))).toEqual(followed(norm(got.results)));
  expect(want.results[0]![1]).toMatchObject({ kind: 'trap', message: expect.stringMatching(/unknown handle index/) });
  expect(want.results[4]).toEqual([ok(0)]);
});

test('wasi-borrow: stdout lent to a logger component, which drops the borrow (the stream lives on) and then is given it; a kept borrow traps', async () => {
  const bytes = new Uint8Array(readFileSync(`${BIN}wasi-borrow.wasm`));
  const { module } = lower(bytes);
  const sequences = [[call('run')], [call('forget')]];
  const spec = { importsModule: `${SRC}prop-imports.mjs`, component: 'wasi-borrow', imports: [], sequences };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile wasi-borrow: ${t && 'error' in t ? t.error : ''}`);
  const [want, got] = await Promise.all([runCorpusCalls({ ...spec, side: 'jco', target: t.entry }), runCorpusCalls({ ...spec, side: 'core', target: module })]);
  const text = '[logger] first message\n[app] still mine\n[logger] second message\n[logger] took it\n[app] a new stdout\n[logger] ';
  expect(got.stdout).toBe(text);
  expect(got.results.map((r) => r.map((o) => o.kind))).toEqual([['ok'], ['trap']]);
  expect(got.stdout).toBe(want.stdout);
  expect(got.results.map((r) => r.map((o) => o.kind))).toEqual(want.results.map((r) => r.map((o) => o.kind)));
});
