// down(up(x)) behaves exactly like x, exit codes included, on node:wasi and on Wasmtime's own
// preview 1 (the reference implementation, strict where node:wasi is lenient): the two adapters
// and the linker, composed, must be invisible to the program.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lift } from '../src/lift/index.js';
import { lower } from '../src/lower/index.js';
import { loadManifest, runP1, runWasmtime, specOf } from './harness/index.js';
import { expectSameRun } from './lower-helpers.js';

const commands = loadManifest().filter((f) => f.kind === 'command' && f.p1 !== null && !f.big);

const HOSTS = [
  { host: 'node:wasi', run: runP1 },
  { host: 'Wasmtime p1', run: runWasmtime },
] as const;

// Dropping the adapter gives back the program itself; keeping it runs our p1-on-p2 adapter on
// our p2-on-p1 polyfill, every p1 call crossing WASI 0.2 twice.
describe.each([
  { mode: 'down(up(x))', keepAdapter: false },
  { mode: 'down --keep-adapter (up(x))', keepAdapter: true },
])('$mode', ({ keepAdapter }) => {
  describe.concurrent.each(HOSTS)('on $host', ({ run }) => {
    test.each(commands.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
      const original = readFileSync(f.p1!);
      // exit-with-code keeps proc_exit's status through WASI 0.2, so it can come back exactly.
      const { component } = lift(original, { exitWithCode: true });
      const { module, report } = lower(component, { keepAdapter });
      expect(report.adapter).toBe(keepAdapter ? 'kept' : 'dropped');
      expect(WebAssembly.validate(module)).toBe(true);
      const spec = specOf(f);
      expectSameRun(await run(module, spec), await run(original, spec), true);
    });
  });
});
