// The copies adapters make on the host's side are freed when the Canonical ABI says the caller
// is done with them: fixtures/src/compositions/host-copies.wat (a utf16 export calling a utf16
// host import, allocating nothing itself) called 10,000 times on the down output: the
// transcoded argument of each host call is released when the host returns, each result when
// the host calls the export's post-return, so the output memory does not grow.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const TEXT = 'h\u00e9llo \u2603 from utf16, \u{1d11e}';
const CALLS = 10_000;

interface Output {
  greet(n: number): number;
  'log-many'(n: number): void;
  posts(): number;
  memory: WebAssembly.Memory;
  'cabi_post_greet'?: (p: number) => void;
}

function instantiate(logged: string[]): Output {
  const { module } = lower(new Uint8Array(readFileSync(`${BIN}host-copies.wasm`)));
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    'test:leak/host': {
      log: (ptr: number, len: number) => logged.push(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(memory!.buffer, ptr, len))),
    },
  };
  const exports = new WebAssembly.Instance(new WebAssembly.Module(module), imports).exports as unknown as Output;
  memory = exports.memory;
  return exports;
}

/** greet(n) as a p1 host calls it: the string at the returned pointer, then (if asked) post-return. */
function greet(out: Output, n: number, post: boolean): string {
  const at = out.greet(n);
  const view = new DataView(out.memory.buffer);
  const s = new TextDecoder().decode(new Uint8Array(out.memory.buffer, view.getUint32(at, true), view.getUint32(at + 4, true)));
  if (post) out.cabi_post_greet!(at);
  return s;
}

test('10,000 calls with post-return: every host-side copy is released, the memory does not grow', () => {
  const logged: string[] = [];
  const out = instantiate(logged);
  expect(typeof out.cabi_post_greet).toBe('function');
  expect(greet(out, 22, true)).toBe(TEXT);
  const pages = out.memory.buffer.byteLength / 65536;
  // n code units of UTF-16 are n JS code units (21 would split the surrogate pair, which traps).
  for (let i = 0; i < CALLS; i++) {
    const n = i % 2 ? 22 : i % 21;
    expect(greet(out, n, true)).toBe(TEXT.slice(0, n));
  }
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
  expect(logged).toHaveLength(CALLS + 1);
  expect(new Set(logged)).toEqual(new Set(['h\u00e9llo \u2603']));
  // The component's own post-return ran inside the adapter, once a call.
  expect(out.posts()).toBe(CALLS + 1);
});

test('10,000 host calls from an export without an adapter: each transcoded argument is released when the host returns', () => {
  const logged: string[] = [];
  const out = instantiate(logged);
  out['log-many'](1);
  const pages = out.memory.buffer.byteLength / 65536;
  out['log-many'](CALLS);
  expect(out.memory.buffer.byteLength / 65536).toBe(pages);
  expect(logged).toHaveLength(CALLS + 1);
  expect(new Set(logged)).toEqual(new Set([TEXT]));
});

test('without post-return the results stay (the test above would see a leak)', () => {
  const out = instantiate([]);
  const pages = out.memory.buffer.byteLength / 65536;
  for (let i = 0; i < CALLS; i++) greet(out, 22, false);
  expect(out.memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
});
