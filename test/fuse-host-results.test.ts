// What a p1 host allocates with the exported cabi_realloc is released with the call it is for
// (fixtures/src/compositions/host-results.wat; the app's own allocator never frees): a host
// import's results (a library calling the host's `name() -> string` 10,000 times), and an
// export's arguments (10,000 strings passed to `measure`, lifted over the library's memory, each
// followed by its post-return). The adapters at the host boundary make cabi_realloc the scratch,
// so an export lifted over the app's memory that takes a string (`count`) gets an adapter too:
// the app must never be handed a block its own allocator did not make.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const NAME = 'a name from the h\u00f6st, \u{1f600}, '.repeat(40);
const CALLS = 10_000;

interface Output {
  'fetch-many'(n: number): number;
  measure(p: number, n: number): number;
  cabi_post_measure(r: number): void;
  count(p: number, n: number): number;
  cabi_post_count(r: number): void;
  hello(): number;
  cabi_realloc(old: number, oldSize: number, align: number, size: number): number;
  memory: WebAssembly.Memory;
}

/** `reenter`: the host's `name` first calls the export `count` (another component instance: the component model allows it). */
function instantiate(reenter = false): Output {
  const { module } = lower(new Uint8Array(readFileSync(`${BIN}host-results.wasm`)));
  let out: Output | undefined;
  const bytes = new TextEncoder().encode(NAME);
  const imports = {
    'test:leak/host': {
      // The p1 host's side of `name() -> string`: the string allocated with cabi_realloc, its pointer and length at `ret`.
      name: (ret: number) => {
        if (reenter) {
          const q = out!.cabi_realloc(0, 0, 1, 3);
          new Uint8Array(out!.memory.buffer, q, 3).set([65, 66, 67]);
          const r = out!.count(q, 3);
          out!.cabi_post_count(r);
          if (r !== 3 + 65 * 1000) throw new Error(`count answered ${r}`);
        }
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

test("10,000 host results into the library's memory: what the host allocated for each is released with the call", () => {
  const out = instantiate();
  const n = new TextEncoder().encode(NAME).length;
  expect(out['fetch-many'](1)).toBe(n);
  const pages = out.memory.buffer.byteLength / 65536;
  expect(out['fetch-many'](CALLS)).toBe((n * CALLS) >>> 0);
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
});

test("10,000 strings passed to an export over the library's memory: what the host allocated for each is released by its post-return", () => {
  const out = instantiate();
  const bytes = new TextEncoder().encode(NAME);
  const call = () => {
    const p = out.cabi_realloc(0, 0, 1, bytes.length);
    new Uint8Array(out.memory.buffer, p, bytes.length).set(bytes);
    const r = out.measure(p, bytes.length);
    out.cabi_post_measure(r);
    return r;
  };
  const want = bytes.length + bytes[bytes.length - 1]! * 1000;
  expect(call()).toBe(want);
  const pages = out.memory.buffer.byteLength / 65536;
  for (let i = 0; i < CALLS; i++) expect(call()).toBe(want);
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
});

test("an export over the app's memory taking a string goes through an adapter: the block the host allocated is not handed to the program", () => {
  const out = instantiate();
  const p = out.cabi_realloc(0, 0, 1, 3);
  new Uint8Array(out.memory.buffer, p, 3).set([65, 66, 67]);
  // The scratch's pages sit in region 0, the host's, past its unused first page (the app's blocks are in its own region).
  expect(p).toBeGreaterThanOrEqual(65536);
  const r = out.count(p, 3);
  out.cabi_post_count(r);
  expect(r).toBe(3 + 65 * 1000);
  const view = new DataView(out.memory.buffer);
  const at = out.hello();
  expect(new TextDecoder().decode(new Uint8Array(out.memory.buffer, view.getUint32(at, true), view.getUint32(at + 4, true)))).toBe('hello');
});

test('a host calling an export while an import adapter waits for it: the export releases only what the host allocated for it', () => {
  const out = instantiate(true);
  const n = new TextEncoder().encode(NAME).length;
  expect(out['fetch-many'](1)).toBe(n);
  const pages = out.memory.buffer.byteLength / 65536;
  expect(out['fetch-many'](1000)).toBe(n * 1000);
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
});
