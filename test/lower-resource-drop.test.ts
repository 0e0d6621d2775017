// A component's exported resources: the p1 caller holds handles of them and
// drops them through `iface#[resource-drop]name`, which runs the destructor
// (as a component host's drop would); a dropped handle is dead.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
// @ts-expect-error: plain JS harness module
import { trappingStubs } from './harness/stub-imports.mjs';

const RESOURCES = new URL('../../shared/corpus/p2/resources.component.wasm', import.meta.url);

test.each([false, true])('corpus resources (keepAdapter: %s): [resource-drop]z runs the destructor once', (keepAdapter) => {
  const { module, report } = lower(readFileSync(RESOURCES), { keepAdapter });
  expect(report.exports.map((e) => e.name)).toEqual(expect.arrayContaining(['exports#[resource-drop]x', 'exports#[resource-drop]z', 'exports#[resource-drop]kebab-case']));
  const compiled = new WebAssembly.Module(module);
  const wasi = new WASI({ version: 'preview1', returnOnExit: true });
  const instance = new WebAssembly.Instance(compiled, { ...wasi.getImportObject(), ...trappingStubs(compiled) });
  wasi.initialize(instance);
  const e = instance.exports as Record<string, (...a: number[]) => number>;
  const z = e['exports#[constructor]z']!(5);
  expect(e['exports#[method]z.get-a']!(z)).toBe(5);
  const before = e['exports#[static]z.num-dropped']!();
  e['exports#[resource-drop]z']!(z);
  expect(e['exports#[static]z.num-dropped']!()).toBe(before + 1);
  expect(() => e['exports#[method]z.get-a']!(z)).toThrow(WebAssembly.RuntimeError);
  expect(() => e['exports#[resource-drop]z']!(z)).toThrow(WebAssembly.RuntimeError);
});
