// `wasi-adapt up` on the command line (upCommand), and `jco run` of its output.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { print } from '@bytecodealliance/jco';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { upCommand } from '../src/cli/up.js';
import { WasiAdaptError } from '../src/errors.js';
import { loadManifest } from './harness/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lift-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hello = loadManifest().find((f) => f.name === 'hello')!;

async function failure(argv: string[]): Promise<WasiAdaptError> {
  const e = await upCommand(argv).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof WasiAdaptError)) throw new Error(`expected a WasiAdaptError, got ${String(e)}`);
  return e;
}

describe('wasi-adapt up', () => {
  it('writes IN.p2.wasm by default, and jco run runs it', async () => {
    const input = join(tmp, 'hello.wasm');
    copyFileSync(hello.p1!, input);
    expect(await upCommand([input])).toBe(0);
    const output = join(tmp, 'hello.p2.wasm');
    expect(existsSync(output)).toBe(true);
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/jco'), ['run', output]);
    expect(stdout).toBe(hello.expect.stdout);
  });

  it('takes -o, --wasi-version, --exit-with-code, --command', async () => {
    const output = join(tmp, 'out.wasm');
    expect(await upCommand([hello.p1!, '-o', output, '--wasi-version', '0.2.3', '--exit-with-code', '--command'])).toBe(0);
    const text = await print(readFileSync(output));
    expect(text).toContain('(import "wasi:cli/stdout@0.2.3"');
    expect(text).toMatch(/\(export .*"wasi:cli\/run@0\.2\.3"/);
  });

  it('--reactor on a command: refused, since _start would need a WIT world', async () => {
    expect((await failure([hello.p1!, '-o', join(tmp, 'r.wasm'), '--reactor'])).message).toMatch(/exports _start.*--wit FILE/);
  });

  it('prints help', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await upCommand(['--help'])).toBe(0);
      expect(String(write.mock.calls[0]?.[0])).toMatch(/^Usage: wasi-adapt up IN\.wasm/);
    } finally {
      write.mockRestore();
    }
  });

  it('reports bad input as one line naming the file', async () => {
    const e = await failure([hello.p2!, '-o', join(tmp, 'x.wasm')]);
    expect(e.describe()).toMatch(new RegExp(`^${hello.p2!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*already a component`));
    expect(e.describe()).not.toContain('\n');
  });

  it('rejects bad arguments', async () => {
    expect((await failure([])).code).toBe('invalid-argument');
    expect((await failure([hello.p1!, '--frob'])).code).toBe('invalid-argument');
    expect((await failure([hello.p1!, '--command', '--reactor'])).code).toBe('invalid-argument');
    expect((await failure([join(tmp, 'missing.wasm')])).code).toBe('io');
  });
});
