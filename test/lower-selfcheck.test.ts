// The linker's self-check: a module whose imports go through shim trampolines
// is written only when every slot those trampolines read is filled. A real
// adapter-shaped component whose fixup is made to fill the wrong slots must be
// refused, naming the import, in both modes.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseComponent } from '../src/binary/component.js';
import { evaluate } from '../src/component/evaluate.js';
import { buildGraph } from '../src/component/graph.js';
import { lower } from '../src/lower/index.js';
import { errorOf } from './helpers/errors.js';

const CORPUS = new URL('../../shared/corpus/p2/', import.meta.url);

/** A copy of `component` whose fixup fills its shim's table one slot further on (`i32.const 0` -> `i32.const 1`). */
function shiftFixup(component: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(component);
  const ev = evaluate(buildGraph(parseComponent(bytes)));
  const fixup = ev.modules.find((m) => m.role === 'fixup');
  if (!fixup) throw new Error('no fixup module found');
  const seg = fixup.info.core.elements[0]!;
  const at = seg.offset!.offset;
  expect([bytes[at], bytes[at + 1], bytes[at + 2]]).toEqual([0x41, 0x00, 0x0b]);
  bytes[at + 1] = 0x01;
  return bytes;
}

test.each([
  ['corpus smoke (wit-component 0.226, C)', new URL('smoke.component.wasm', CORPUS)],
  ['corpus numbers (Rust)', new URL('numbers.component.wasm', CORPUS)],
  ['fixture hello (jco new)', new URL('../fixtures/bin/p2/hello.wasm', import.meta.url)],
])('%s: intact, it links; with the fixup shifted, down refuses it in both modes', (_name, url) => {
  const original = new Uint8Array(readFileSync(url));
  for (const keepAdapter of [false, true]) {
    expect(WebAssembly.validate(lower(original, { keepAdapter }).module)).toBe(true);
    const err = errorOf(() => lower(shiftFixup(original), { keepAdapter }));
    expect(err.code).toBe('unresolved');
    expect(err.message).toMatch(/^module \d+'s import \S+ is bound to a trampoline of module \d+ that calls slot \d+ of its table, but nothing linked fills that slot/);
  }
});
