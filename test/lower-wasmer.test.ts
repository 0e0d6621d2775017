// `down` output on @wasmer/sdk, a p1 runtime other than node:wasi (slow, so a few fixtures:
// adapter-shaped hello and files, and pure-p2 hello through the polyfill). wasmer cannot show
// the files a run leaves, so output and exit code are compared.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { runP1, runWasmer, specOf } from './harness/index.js';
import { componentFixtures } from './lower-helpers.js';

const PICKED = ['hello', 'files', 'p2_hello'];
const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-wasmer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('down output on @wasmer/sdk', () => {
  for (const f of componentFixtures().filter((x) => PICKED.includes(x.name))) {
    test(f.name, async () => {
      const path = join(dir, `${f.name}.wasm`);
      writeFileSync(path, lower(readFileSync(f.p2)).module);
      const spec = specOf(f);
      // The reference is the p1 original on wasmer too (host quirks cancel out), else node:wasi.
      const [ours, reference] = await Promise.all([runWasmer(path, spec), f.p1 ? runWasmer(f.p1, spec) : runP1(path, spec)]);
      expect(ours.stdout.toString()).toBe(reference.stdout.toString());
      expect(ours.stderr.toString()).toBe(reference.stderr.toString());
      expect(ours.exitCode).toBe(reference.exitCode);
      expect(ours.stdout.length).toBeGreaterThan(0);
    }, 180_000);
  }
});
