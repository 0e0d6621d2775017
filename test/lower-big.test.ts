// The componentize-js component (~14 MB, StarlingMonkey): its main module imports wasi:http,
// which p1 cannot provide. `down` refuses it by default, naming the interfaces and the flag;
// with --allow-unresolved the output keeps those imports, and since hello never calls them it
// runs on a p1 host given trapping stubs (@bjorn3/browser_wasi_shim, in-process) exactly as
// the component runs on jco.
import { readFileSync } from 'node:fs';
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { expect, test } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { lower } from '../src/lower/index.js';
import { runP2, specOf } from './harness/index.js';
import { componentFixtures } from './lower-helpers.js';

const big = componentFixtures().filter((f) => f.big && f.kind === 'command');

test.each(big.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
  const component = readFileSync(f.p2);
  expect(() => lower(component)).toThrow(WasiAdaptError);
  expect(() => lower(component)).toThrow(/wasi:http\/types@0\.2\.\d+.*--allow-unresolved/);

  const { module, report } = lower(component, { allowUnresolved: true });
  expect(report.unresolvedKept.every((i) => i.startsWith('wasi:http/'))).toBe(true);
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = new WASI(f.args, Object.entries(f.env).map(([k, v]) => `${k}=${v}`), [
    new OpenFile(new File(new TextEncoder().encode(f.stdin))),
    new ConsoleStdout((b) => out.push(b.slice())),
    new ConsoleStdout((b) => err.push(b.slice())),
  ]);
  const compiled = await WebAssembly.compile(module);
  const imports: Record<string, Record<string, unknown>> = { wasi_snapshot_preview1: wasi.wasiImport };
  for (const imp of WebAssembly.Module.imports(compiled)) {
    if (imp.module === 'wasi_snapshot_preview1') continue;
    (imports[imp.module] ??= {})[imp.name] = () => {
      throw new Error(`${imp.module}#${imp.name} called`);
    };
  }
  const instance = await WebAssembly.instantiate(compiled, imports as WebAssembly.Imports);
  const exitCode = wasi.start(instance as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });

  if (f.expect.stdout !== undefined) expect(Buffer.concat(out).toString()).toBe(f.expect.stdout);
  const reference = await runP2(f.p2, specOf(f));
  expect(Buffer.concat(out).toString()).toBe(reference.stdout.toString());
  expect(Buffer.concat(err).toString()).toBe(reference.stderr.toString());
  expect(exitCode === 0).toBe(reference.exitCode === 0);
}, 300_000);
