// Every WASI 0.2 component of the shared corpus (other toolchains, many
// wit-component versions): the roles the shared evaluator sees, and what
// `down` makes of it in both modes. An adapter-shaped component must come out
// as its main module alone (shim and fixup folded into direct calls) or, with
// --keep-adapter, main + adapter + polyfill; the output validates, instantiates
// on node:wasi and runs `_initialize`. What `down` refuses is listed here with
// the reason (README lists the same). The calls themselves are compared with
// jco in lower-corpus.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { expect, test } from 'vitest';
import { inspect } from '../src/inspect/index.js';
import { lower } from '../src/lower/index.js';
import { errorOf } from './helpers/errors.js';
// @ts-expect-error: plain JS harness module
import { trappingStubs } from './harness/stub-imports.mjs';

const CORPUS = new URL('../../shared/corpus/p2/', import.meta.url);

type Shape = 'adapter' | 'shim only' | 'plain' | 'composition';

/** Files whose shape is not the common adapter shape, and the ones down refuses (with why). */
const SHAPES: Record<string, Shape> = {
  'adder.component.wasm': 'plain',
  'asmjs_bigint.component.wasm': 'plain',
  'async_call.component.wasm': 'shim only',
  'example_guest_export.wasm': 'shim only',
  'example_guest_import.wasm': 'plain',
  'resource-borrow-simple.component.wasm': 'plain',
  'simple-nested.component.wasm': 'composition',
  'simple-nested-optimized.component.wasm': 'composition',
};
// None: the compositions (simple-nested*) and utf16 strings (strings) go down since issue 9.
const REFUSED: Record<string, RegExp> = {};

const GENERATED = /^(fused adapter \(|region runtime$|scratch allocator$)/;

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.wasm')).sort();

test('the corpus is there (CI lays ../shared beside the project)', () => {
  expect(files.length).toBe(37);
});

test.each(files)('%s', (file) => {
  const bytes = readFileSync(new URL(file, CORPUS));
  const shape = SHAPES[file] ?? 'adapter';
  const report = inspect(bytes);
  const roles = report.modules!.map((m) => m.role);
  // inspect states down's own decision: refused exactly when down refuses, with its reason.
  if (REFUSED[file]) expect(report.verdict.reason).toMatch(REFUSED[file]!);
  else expect(report.verdict.convert).toBe('down');
  if (shape === 'adapter') expect(roles.slice(0, 4)).toEqual(['main', 'adapter', 'shim', 'fixup']);
  if (shape === 'shim only') expect(new Set(roles)).toEqual(new Set(['main', 'shim', 'fixup']));
  for (const keepAdapter of [false, true]) {
    if (REFUSED[file]) {
      expect(errorOf(() => lower(bytes, { keepAdapter })).message).toMatch(REFUSED[file]!);
      continue;
    }
    const { module, report } = lower(bytes, { keepAdapter });
    // What the linker generates for compositions and utf16 strings (docs/compositions.md) aside.
    const linked = report.modules.filter((m) => m.role !== 'generated').map((m) => m.role);
    // The linker's own modules carry the role where it makes them; the program's never do.
    for (const m of report.modules) expect(m.role === 'generated', m.name).toBe(GENERATED.test(m.name));
    // A composition links each component's modules, rebased onto their regions.
    if (shape === 'composition') expect(report.modules).toContainEqual({ name: 'region runtime', role: 'generated' });
    // An empty library (no function exported) links nothing.
    else if (linked.length) expect(linked).toEqual(shape === 'adapter' && keepAdapter ? ['main', 'adapter', 'polyfill'] : [shape === 'plain' && !roles.includes('main') ? 'other' : 'main']);
    expect(report.adapter).toBe(shape !== 'adapter' ? 'none' : keepAdapter && linked.length ? 'kept' : 'dropped');
    const compiled = new WebAssembly.Module(module);
    expect(WebAssembly.Module.imports(compiled).filter((i) => i.module.startsWith('wasi:'))).toEqual([]);
    const wasi = new WASI({ version: 'preview1', returnOnExit: true });
    const instance = new WebAssembly.Instance(compiled, { ...wasi.getImportObject(), ...trappingStubs(compiled) });
    if ((instance.exports as Record<string, unknown>)._initialize) wasi.initialize(instance);
  }
});
