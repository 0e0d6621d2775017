// The WASI 0.3 corpus's CLI components lowered to p1, on a second p1 host: Wasmtime's preview1
// (wasmtime-py 49, Winch: Cranelift takes long on these modules here) must print what node:wasi
// prints (test/lower-p3.test.ts) and exit 0.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { runP1 } from './harness/run-p1.js';
import { runWasmtime, WASMTIME_PYTHON } from './harness/run-wasmtime.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'p3');

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bin', 'p3');

const CASES: [string, string[], string][] = [
  ['p3-cli', ['p3_cli.component', '.'], 'hello stdout\n'],
  ['p3-cli-much-stdout', ['p3_cli_much_stdout.component', 'hello, world\n', '1'], 'hello, world\n'],
  ['p3-file-write', ['p3-file-write'], ''],
  ['p3-cli-hello-stdout', ['p3-cli-hello-stdout'], 'hello, world\n'],
  ['p3-cli-hello-stdout-post-return', ['p3-cli-hello-stdout-post-return'], 'hello, world\nhello again, after return\n'],
  ['p3-clocks-sleep', ['p3-clocks-sleep'], ''],
  ['p3-random-imports', ['p3-random-imports'], ''],
  ['p3-filesystem-file-read-write', ['p3-filesystem-file-read-write'], ''],
  ['p3-readdir', ['p3-readdir'], ''],
];

describe.skipIf(!existsSync(CORPUS) || !existsSync(WASMTIME_PYTHON))('corpus CLI components on Wasmtime p1', () => {
  test.each(CASES)('%s', async (name, args, stdout) => {
    const { module } = lower(new Uint8Array(readFileSync(join(CORPUS, `${name}.wasm`))));
    const r = await runWasmtime(module, { args, env: { HOME: '/sandbox' }, stdin: '', preopens: [{ guest: '/sandbox' }], compiler: 'winch' });
    expect(r.stderr.toString()).toBe(name === 'p3-cli' ? 'hello stderr\n' : '');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(stdout);
  }, 120_000);
});

describe.skipIf(!existsSync(WASMTIME_PYTHON))('component-text fixtures: Wasmtime p1 prints what node:wasi prints', () => {
  test.each([
    ['p3_builtins', ''],
    ['p3_stdin', 'line one\nline two\n'],
    ['p3_fs', ''],
  ])('%s', async (name, stdin) => {
    const { module } = lower(new Uint8Array(readFileSync(join(FIXTURES, `${name}.wasm`))));
    const preopens = [{ guest: '/sandbox', files: { 'a.txt': 'hello' } }];
    const [wasmtime, node] = await Promise.all([
      runWasmtime(module, { args: [name], stdin, preopens, compiler: 'winch' }),
      runP1(module, { args: [name], stdin, preopens }),
    ]);
    expect(wasmtime.exitCode).toBe(0);
    expect(wasmtime.stderr.toString()).toBe('');
    expect(wasmtime.stdout.toString()).toBe(node.stdout.toString());
    expect(wasmtime.stdout.length).toBeGreaterThan(0);
  }, 120_000);
});
