// `wasi-adapt down` on the command line: files in and out, flags, and one-line errors.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { downCommand } from '../src/cli/down.js';
import { WasiAdaptError } from '../src/errors.js';
import { componentFixtures } from './lower-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-down-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hello = componentFixtures().find((f) => f.name === 'hello')!.p2;
const p2Hello = componentFixtures().find((f) => f.name === 'p2_hello')!.p2;

/** Runs downCommand, capturing what it writes to stdout and stderr. */
async function run(argv: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  const err: string[] = [];
  // Writers may pass a completion callback last; call it, as the real stream would.
  const done = (rest: unknown[]) => {
    const cb = rest.findLast((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest: unknown[]) => (out.push(Buffer.from(chunk as Uint8Array)), done(rest)));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk, ...rest: unknown[]) => (err.push(String(chunk)), done(rest)));
  try {
    const code = await downCommand(argv);
    return { code, stdout: Buffer.concat(out), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

test('writes IN.p1.wasm next to the input by default', async () => {
  const input = join(dir, 'hello.wasm');
  copyFileSync(hello, input);
  expect((await run([input])).code).toBe(0);
  expect(WebAssembly.validate(readFileSync(join(dir, 'hello.p1.wasm')))).toBe(true);
});

test('-o - writes the module to stdout; --verbose reports to stderr', async () => {
  const r = await run([p2Hello, '-o', '-', '--verbose']);
  expect(r.code).toBe(0);
  expect(WebAssembly.validate(r.stdout)).toBe(true);
  expect(r.stderr).toMatch(/polyfill functions: .*wasi:cli\/stdout#get-stdout/);
  expect(r.stderr).toMatch(/^  _start: wasi:cli\/run@0\.2\.\d+#run/m);
});

test('--keep-adapter keeps the adapter; --optimize still gives a valid module', async () => {
  const out = join(dir, 'kept.wasm');
  const r = await run([hello, '-o', out, '--keep-adapter', '--optimize', '--verbose']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/adapter kept/);
  expect(WebAssembly.validate(readFileSync(out))).toBe(true);
});

test('--help', async () => {
  const r = await run(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout.toString()).toMatch(/--allow-unresolved/);
});

test('a broken input is one error naming the file and the offset', async () => {
  const input = join(dir, 'broken.wasm');
  writeFileSync(input, readFileSync(hello).subarray(0, 5000));
  const err = await run([input, '-o', join(dir, 'never.wasm')]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WasiAdaptError);
  const line = (err as WasiAdaptError).describe();
  expect(line).toMatch(new RegExp(`^${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at offset 0x[0-9a-f]+: .+ \\[\\w+\\]$`));
  expect(line).not.toContain('\n');
  expect(existsSync(join(dir, 'never.wasm'))).toBe(false);
});

test('unknown flags and missing inputs are usage errors', async () => {
  await expect(run(['--frobnicate', hello])).rejects.toMatchObject({ code: 'invalid-argument' });
  await expect(run([])).rejects.toMatchObject({ code: 'invalid-argument' });
});
