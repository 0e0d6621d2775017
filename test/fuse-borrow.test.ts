// Borrows between components that do not implement the resource (fixtures/src/compositions/
// resources-borrow.wat): the down output (node:wasi, canonical-ABI caller) against jco, and the
// traps CanonicalABI.md names (a borrow kept past the callee's return, a lent own handle moved:
// `back` traps only through the check of an own handle crossing, `both` also at its drop; a
// number from another instance's table used as a handle: `forged`).
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
const sig: FuncSig = { params: [], result: { k: 'u32' } };
const call = (name: string): CallSpec => ({ name, core: name, sig, args: [] });

test('resources-borrow: borrows lent to a component that does not implement the resource, alone and in a list; a kept borrow and a lent own moved trap', async () => {
  const bytes = new Uint8Array(readFileSync(`${BIN}resources-borrow.wasm`));
  const { module } = lower(bytes);
  // Each sequence is a fresh instance: a trap leaves the instance unusable.
  const sequences = [[call('run'), call('drop-after')], [call('forget')], [call('both')], [call('back')], [call('drop-after'), call('run')], [call('forged')]];
  const spec = { importsModule: IMPORTS, component: 'resources-borrow', imports: [], sequences };
  const [t] = await pretranspileInstantiable([bytes]);
  if (!t || 'error' in t) throw new Error(`jco cannot transpile resources-borrow: ${t && 'error' in t ? t.error : ''}`);
  const [want, got] = await Promise.all([runCorpusCalls({ ...spec, side: 'jco', target: t.entry }), runCorpusCalls({ ...spec, side: 'core', target: module })]);
  // peek(a) = 41; sum = 41*2 + 71*3 + 41*1 = 336; value(a) after = 41; dropped = 40 + 70.
  const run = 41 + 336_000 + 41_000_000 + 110 * 10_000_000;
  const ok = (value: number) => ({ kind: 'ok', value });
  const norm = (seqs: { kind: string }[][]) => seqs.map((r) => r.map((o) => (o.kind === 'trap' ? { kind: 'trap' } : o)));
  expect(norm(got.results)).toEqual([[ok(run), ok(110 + 80)], [{ kind: 'trap' }], [{ kind: 'trap' }], [{ kind: 'trap' }], [ok(80), ok(run + 80 * 10_000_000)], [{ kind: 'trap' }]]);
  expect(norm(got.results)).toEqual(norm(want.results));
});

test('export-borrow: the host lends its handle of a library resource to a peer component for a call; a kept borrow traps', () => {
  const { module } = lower(new Uint8Array(readFileSync(`${BIN}export-borrow.wasm`)));
  const instance = () => new WebAssembly.Instance(new WebAssembly.Module(module), {}).exports as Record<string, (...a: number[]) => number>;
  const e = instance();
  const h = e['make']!(4);
  expect(e['peek']!(h)).toBe(41);
  // The loan ended with the call: the handle is the host's again, to read and to drop.
  expect(e['peek']!(h)).toBe(41);
  expect(e['value']!(h)).toBe(41);
  e['[resource-drop]counter']!(h);
  expect(e['dropped']!()).toBe(40);
  expect(() => e['value']!(h)).toThrow(WebAssembly.RuntimeError);
  const f = instance();
  expect(() => f['forget']!(f['make']!(5))).toThrow(WebAssembly.RuntimeError);
});
