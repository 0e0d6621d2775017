// The componentize-js components (~14 MB, StarlingMonkey): their main module always imports
// wasi:http (StarlingMonkey's fetch), which the polyfill serves in memory (every request fails
// with an error-code). Plain `down` takes them, leaves no import but wasi_snapshot_preview1, and
// the output runs on a second p1 host (@bjorn3/browser_wasi_shim, in-process) exactly as the
// component runs on jco. test/lower-http.test.ts runs them on node:wasi.
import { readFileSync } from 'node:fs';
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { runP2, specOf } from './harness/index.js';
import { componentFixtures } from './lower-helpers.js';

const big = componentFixtures().filter((f) => f.big && f.kind === 'command');

test.each(big.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
  const component = readFileSync(f.p2);
  const { module, report } = lower(component);
  expect(report.unresolvedKept).toEqual([]);
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI(f.args, Object.entries(f.env).map(([k, v]) => `${k}=${v}`), [
    new OpenFile(new File(new TextEncoder().encode(f.stdin))),
    new ConsoleStdout((b) => out.push(b.slice())),
    new ConsoleStdout((b) => err.push(b.slice())),
  ]);
  const compiled = await WebAssembly.compile(module as Uint8Array<ArrayBuffer>);
  expect(WebAssembly.Module.imports(compiled).filter((i) => i.module !== 'wasi_snapshot_preview1')).toEqual([]);
  const instance = await WebAssembly.instantiate(compiled, { wasi_snapshot_preview1: wasi.wasiImport });
  const exitCode = wasi.start(instance as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });

  if (f.expect.stdout !== undefined) expect(Buffer.concat(out).toString()).toBe(f.expect.stdout);
  const reference = await runP2(f.p2, specOf(f));
  expect(Buffer.concat(out).toString()).toBe(reference.stdout.toString());
  expect(Buffer.concat(err).toString()).toBe(reference.stderr.toString());
  expect(exitCode === 0).toBe(reference.exitCode === 0);
}, 300_000);
