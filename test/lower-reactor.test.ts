// `down` of a reactor: each lifted function becomes a core export under its core name, with
// memory, cabi_realloc and post-return exported too; calling them by the canonical ABI gives
// the results the manifest records for the component.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { componentFixtures } from './lower-helpers.js';

const reactors = componentFixtures().filter((f) => f.kind === 'reactor');

test.each(reactors.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
  const { module, report } = lower(readFileSync(f.p2));
  expect(WebAssembly.validate(module)).toBe(true);
  const { instance } = await WebAssembly.instantiate(module, {});
  const ex = instance.exports as Record<string, unknown>;
  const memory = ex.memory as WebAssembly.Memory;
  const realloc = ex.cabi_realloc as (a: number, b: number, c: number, d: number) => number;
  const results = f.calls.map((call) => {
    const core = `${call.export}#${call.func}`;
    expect(report.exports.map((e) => e.name)).toContain(core);
    const fn = ex[core] as (...a: number[]) => number;
    const flat: number[] = [];
    for (const a of call.args) {
      if (typeof a === 'number') flat.push(a | 0);
      else {
        const bytes = new TextEncoder().encode(a);
        const ptr = realloc(0, 0, 1, bytes.length);
        new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
        flat.push(ptr, bytes.length);
      }
    }
    const r = fn(...flat);
    if (!call.args.some((a) => typeof a === 'string')) return r >>> 0;
    // string -> string: the result is a pointer to (ptr, len), then post-return frees it.
    const [ptr, len] = new Uint32Array(memory.buffer.slice(r, r + 8));
    const s = new TextDecoder().decode(new Uint8Array(memory.buffer, ptr!, len!));
    (ex[`cabi_post_${core}`] as (p: number) => void)(r);
    return s;
  });
  expect(results).toEqual(f.expect.results);
});
