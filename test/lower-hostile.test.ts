// Hostile components: seeded mutations of fixture components. `down` either returns a module
// that validates or throws a WasiAdaptError; any other exception is a bug.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { lower } from '../src/lower/index.js';
import { mutate } from './helpers/mutate.js';
import { wat } from './helpers/wat.js';
import { componentFixtures } from './lower-helpers.js';

const SMALL = ['hello', 'p2_hello', 'mixed', 'wat_twice', 'wat_reactor', 'wat_nested_utf16'];
const MUTANTS = 150;

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

// Compositions: fused adapters, regions, handle holders and the host boundary under mutation.
const COMPOSITIONS = ['resources-borrow', 'host-borrow', 'wasi-borrow', 'library-twice', 'host-results', 'export-borrow', 'greeter-app', 'virt-app'];

test.each(COMPOSITIONS)('mutants of the composition %s give a valid module or a WasiAdaptError', (name) => {
  const input = readFileSync(new URL(`../fixtures/bin/compositions/${name}.wasm`, import.meta.url));
  let errors = 0;
  for (let seed = 1; seed <= MUTANTS; seed++) {
    const mutant = mutate(input, seed);
    try {
      const { module } = lower(mutant);
      expect(WebAssembly.validate(module), `seed ${seed}`).toBe(true);
    } catch (err) {
      if (!(err instanceof WasiAdaptError)) throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
      errors++;
    }
  }
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
