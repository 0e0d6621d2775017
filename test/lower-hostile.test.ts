// Hostile components: seeded mutations of fixture components. `down` either returns a module
// that validates or throws a WasiAdaptError; any other exception is a bug.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { lower } from '../src/lower/index.js';
import { wat } from './helpers/wat.js';
import { componentFixtures } from './lower-helpers.js';

const SMALL = ['hello', 'p2_hello', 'mixed', 'wat_twice', 'wat_reactor', 'wat_nested_utf16'];
const MUTANTS = 150;

/** mulberry32: a small seeded PRNG, so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, seed: number): Uint8Array {
  const next = rng(seed);
  const at = () => Math.floor(next() * input.length);
  const kind = Math.floor(next() * 4);
  if (kind === 0) return input.subarray(0, at()); // truncated
  const out = Uint8Array.from(input);
  if (kind === 1) {
    for (let i = 0; i < 1 + Math.floor(next() * 4); i++) out[at()] = Math.floor(next() * 256); // bytes replaced
    return out;
  }
  if (kind === 2) {
    const i = at(); // a LEB-ish length blown up
    out[i] = 0xff;
    if (i + 1 < out.length) out[i + 1] = 0xff;
    return out;
  }
  const i = at(); // a span duplicated
  const len = Math.floor(next() * 64);
  return Uint8Array.from([...input.subarray(0, i + len), ...input.subarray(i)]);
}

const fixtures = componentFixtures().filter((f) => SMALL.includes(f.name));

test.each(fixtures.map((f) => [f.name, f] as const))('mutants of %s give a valid module or a WasiAdaptError', (_name, f) => {
  const input = readFileSync(f.p2);
  let errors = 0;
  for (let seed = 1; seed <= MUTANTS; seed++) {
    const mutant = mutate(input, seed);
    for (const keepAdapter of [false, true]) {
      try {
        const { module } = lower(mutant, { keepAdapter });
        expect(WebAssembly.validate(module), `seed ${seed}`).toBe(true);
      } catch (err) {
        if (!(err instanceof WasiAdaptError)) throw new Error(`seed ${seed} (keepAdapter ${keepAdapter}): ${String(err)}`, { cause: err });
        errors++;
      }
    }
  }
  // The mutations must actually reach the error paths.
  expect(errors).toBeGreaterThan(MUTANTS / 4);
});

test('a long chain of re-exports is an error, not a stack overflow', async () => {
  const links: string[] = [];
  for (let i = 1; i <= 3000; i++) {
    links.push(`(alias core export $i${i - 1} "run" (core func $f${i}))`, `(core instance $i${i} (export "run" (func $f${i})))`);
  }
  const component = await wat(`(component
    (core module $M (memory (export "memory") 1) (func (export "run") (result i32) (i32.const 0)))
    (core instance $i0 (instantiate $M))
    ${links.join('\n')}
    (alias core export $i3000 "run" (core func $run-core))
    (type $run-type (func (result (result))))
    (func $run (type $run-type) (canon lift (core func $run-core)))
    (instance $run-inst (export "run" (func $run)))
    (export "wasi:cli/run@0.2.12" (instance $run-inst)))`);
  expect(() => lower(component)).toThrow(expect.objectContaining({ code: 'too-deep' }));
});
