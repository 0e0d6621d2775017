// What a p1 host allocates with the exported cabi_realloc for a host import's results, while an
// import adapter calls it, is released with the call: fixtures/src/compositions/host-results.wat
// (a library in region 1 calling the host's `name() -> string` 10,000 times; region 0's own
// allocator never frees) keeps the output memory's size; outside such a call cabi_realloc is
// still the program's allocator (what the host allocates stays).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const NAME = 'a name from the h\u00f6st, \u{1f600}, '.repeat(40);
const CALLS = 10_000;

interface Output {
  'fetch-many'(n: number): number;
  hello(): number;
  cabi_realloc(old: number, oldSize: number, align: number, size: number): number;
  memory: WebAssembly.Memory;
}

function instantiate(): Output {
  const { module } = lower(new Uint8Array(readFileSync(`${BIN}host-results.wasm`)));
  let out: Output | undefined;
  const bytes = new TextEncoder().encode(NAME);
  const imports = {
    'test:leak/host': {
      // The p1 host's side of `name() -> string`: the string allocated with cabi_realloc, its pointer and length at `ret`.
      name: (ret: number) => {
        const p = out!.cabi_realloc(0, 0, 1, bytes.length);
        new Uint8Array(out!.memory.buffer, p, bytes.length).set(bytes);
        const view = new DataView(out!.memory.buffer);
        view.setUint32(ret, p, true);
        view.setUint32(ret + 4, bytes.length, true);
      },
    },
  };
  out = new WebAssembly.Instance(new WebAssembly.Module(module), imports).exports as unknown as Output;
  return out;
}

test('10,000 host results into region 1: what the host allocated for each is released with the call', () => {
  const out = instantiate();
  const n = new TextEncoder().encode(NAME).length;
  expect(out['fetch-many'](1)).toBe(n);
  const pages = out.memory.buffer.byteLength / 65536;
  expect(out['fetch-many'](CALLS)).toBe((n * CALLS) >>> 0);
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
});

test('outside an import adapter cabi_realloc is the program allocator: its blocks stay', () => {
  const out = instantiate();
  const a = out.cabi_realloc(0, 0, 1, 100);
  const b = out.cabi_realloc(0, 0, 1, 100);
  expect(b).toBeGreaterThanOrEqual(a + 100);
  const pages = out.memory.buffer.byteLength / 65536;
  for (let i = 0; i < 1000; i++) out.cabi_realloc(0, 0, 1, 1000);
  expect(out.memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
  const view = new DataView(out.memory.buffer);
  const at = out.hello();
  expect(new TextDecoder().decode(new Uint8Array(out.memory.buffer, view.getUint32(at, true), view.getUint32(at + 4, true)))).toBe('hello');
});
