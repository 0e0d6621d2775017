// WASI 0.3 components lowered to WASI preview 1 (docs/p3.md) and run on node:wasi.
// References: jco's own test of these corpus fixtures (jco 1.35 runs them with preview3-shim
// under JSPI, which Node 20 lacks) asserts exit 0 with these args; the stdout expected is what
// the fixtures' sources (wasmtime's test programs) write. Our component-text fixtures' lines
// are derived from CanonicalABI.md's definitions (return codes, handle numbering, event payloads).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { inspect } from '../src/inspect/index.js';
import { lower } from '../src/lower/index.js';
import { runP1 } from './harness/run-p1.js';
import { mutate } from './helpers/mutate.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'p3');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bin', 'p3');
const corpus = (name: string) => new Uint8Array(readFileSync(join(CORPUS, `${name}.wasm`)));
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, `${name}.wasm`)));
const sandbox = [{ guest: '/sandbox' }];

interface CliCase {
  name: string;
  args?: string[];
  stdout?: string;
  stderr?: string;
}

// jco's P3_CLI_RUN_FIXTURES with their args; the environment and an empty stdin pipe as its runner gives them.
const CLI: CliCase[] = [
  { name: 'p3-cli-hello-stdout', stdout: 'hello, world\n' },
  { name: 'p3-cli-hello-stdout-post-return', stdout: 'hello, world\nhello again, after return\n' },
  { name: 'p3-cli-much-stdout', args: ['p3_cli_much_stdout.component', 'hello, world\n', '1'], stdout: 'hello, world\n' },
  { name: 'p3-cli', args: ['p3_cli.component', '.'], stdout: 'hello stdout\n', stderr: 'hello stderr\n' },
  { name: 'p3-clocks-sleep', stdout: '' },
  { name: 'p3-random-imports', stdout: '' },
  { name: 'p3-file-write', stdout: '' },
  { name: 'p3-filesystem-file-read-write', stdout: '' },
  { name: 'p3-readdir', stdout: '' },
];

describe.skipIf(!existsSync(CORPUS))('corpus CLI components (../shared/corpus/p3)', () => {
  test.each(CLI.flatMap((c) => [false, true].map((keepAdapter) => [c.name, keepAdapter, c] as const)))(
    '%s (keepAdapter %s) runs on node:wasi as jco runs it',
    async (_name, keepAdapter, c) => {
      const { module, report } = lower(corpus(c.name), { keepAdapter });
      expect(WebAssembly.validate(module)).toBe(true);
      expect(report.modules).toContainEqual({ name: 'p3-on-p1 polyfill', role: 'polyfill' });
      const r = await runP1(module, { args: c.args ?? [c.name], env: { HOME: '/sandbox' }, stdin: '', preopens: sandbox });
      expect(r.stderr.toString(), r.stderr.toString()).toBe(c.stderr ?? '');
      expect(r.exitCode).toBe(0);
      if (c.stdout !== undefined) expect(r.stdout.toString()).toBe(c.stdout);
    },
  );

  test('stackful async lifts are refused, naming the export and why', () => {
    for (const name of ['async-round-trip-stackful', 'async-round-trip-many-stackful']) {
      expect(() => lower(corpus(name))).toThrowError(/lifted async without a callback \(a stackful WASI 0\.3 task\): running it needs stack switching/);
    }
  });

  // jco's round-trip scenario (ported from wasmtime's component-async-tests): the host's foo
  // appends " - entered host - exited host"; the guest's wraps that in "entered/exited guest".
  const INPUTS = ['hello, world!', '¡hola, mundo!', "hi y'all!"];
  test.each([
    ['async-round-trip-stackless', 'local:local/baz', 'local:local/baz#foo'],
    ['async-round-trip-stackless-sync-import', 'local:local/baz', 'local:local/baz#foo'],
    ['async-round-trip-wait', 'local:local/baz', 'local:local/baz#foo'],
    ['async-round-trip-synchronous', 'local:local/baz', 'local:local/baz#foo'],
    ['async-round-trip-direct-stackless', '$root', 'foo'],
  ])('%s: its exported foo called by the p1 host as jco\'s test calls it', async (name, importModule, exportName) => {
    const outputs = await roundTrip(lower(corpus(name)).module, importModule, exportName, INPUTS);
    expect(outputs).toEqual(INPUTS.map((i) => `${i} - entered guest - entered host - exited host - exited guest`));
  });

  test('async exports passing handles are refused', () => {
    expect(() => lower(corpus('p3-cli-serve-hello-world'))).toThrowError(/async export passing resource handles \(wasi:http\/handler@0\.3\.0#handle\)/);
    expect(() => lower(corpus('async-transmit-callee'))).toThrowError(/async export passing streams or futures .*a p1 host cannot hold a stream or future end/);
  });

  test('inspect states down\'s verdict on a 0.3 component', () => {
    const ok = inspect(corpus('p3-cli-hello-stdout'));
    expect(ok.verdict.convert).toBe('down');
    const refused = inspect(corpus('async-round-trip-stackful'));
    expect(refused.verdict.convert).toBe('none');
    expect(refused.verdict.reason).toMatch(/stack switching/);
  });
});

describe('component-text fixtures (fixtures/src/p3)', () => {
  test('every built-in and event gives the Canonical ABI\'s codes and payloads', async () => {
    const { module } = lower(fixture('p3_builtins'));
    const r = await runP1(module, { args: ['p3_builtins'] });
    expect(r.stderr.toString()).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().split('\n').map((l) => l.trimEnd())).toEqual([
      // stream.new -> readable 1, writable 2 (one table, from 1); the read waits (BLOCKED); the write
      // completes 2 into it (COMPLETED | 2 << 4); set 3; its poll: STREAM_READ, end 1, COMPLETED | 2 << 4; "ab"
      '00000001 00000002 ffffffff 00000020 00000003 00000002 00000001 00000020 00006261',
      // a zero-length write waits; a zero-length read completes it and waits itself; cancel-read:
      // CANCELLED | 0; the writer's event: STREAM_WRITE, end 2, COMPLETED | 0
      'ffffffff ffffffff 00000002 00000003 00000002 00000000',
      // a write of 3 waits; a read takes 2; the reader drops before the writer's event is
      // delivered: STREAM_WRITE, end 2, DROPPED | 2 << 4
      'ffffffff 00000020 00000003 00000002 00000021',
      // future.new reuses the freed slots last-in first-out (readable 2, writable 1); the write waits;
      // the read completes with the value; the writer's event: FUTURE_WRITE, end 1, COMPLETED
      '00000002 00000001 ffffffff 00000000 11223344 00000005 00000001 00000000',
      // the reader drops first: the write returns DROPPED
      '00000001 00000002 00000001',
      // context.get returns what context.set stored; yield is not cancelled; error-context.new takes
      // slot 2 (last freed); its debug message is the empty string (length 0)
      '00001234 00000000 00000002 00000000',
      // a timer already due returns RETURNED; a started one is subtask 2 (STARTED | 2 << 4); cancelled: CANCELLED_BEFORE_RETURNED
      '00000002 00000021 00000004',
      // three timers (30, 10, 20 ms) joined to one set
      '00000021 00000011 00000041',
      // the callback gets them as they fall due: SUBTASK, subtask, RETURNED
      '00000001 00000001 00000002',
      '00000001 00000004 00000002',
      '00000001 00000002 00000002',
      // after YIELD: EVENT_NONE
      '00000000 00000000 00000000',
      '',
    ]);
  });

  test('a run whose task.return is err exits 1', async () => {
    const r = await runP1(lower(fixture('p3_fail')).module, { args: ['p3_fail'] });
    expect(r.exitCode).toBe(1);
  });

  test('an async import p1 cannot serve finishes at once with the WIT\'s error (RETURNED, err(case 0))', async () => {
    const { module, report } = lower(fixture('p3_standin'));
    expect(report.stubbed).toEqual(['wasi:sockets/ip-name-lookup@0.3.0#resolve-addresses: returns err']);
    const r = await runP1(module, { args: ['p3_standin'] });
    expect(r.exitCode).toBe(0);
    expect(() => lower(fixture('p3_standin'), { strict: true })).toThrowError(/wasi:sockets\/ip-name-lookup@0\.3\.0 have no WASI preview 1 equivalent/);
    expect(() => lower(fixture('p3_standin'), { allowUnresolved: true })).toThrowError(/lowered async \(WASI 0\.3\); a p1 host's imports are synchronous calls/);
  });

  test('stdin read through a 0.3 stream (reads that find nothing wait in poll_oneoff) is echoed to stdout', async () => {
    const { module } = lower(fixture('p3_stdin'));
    const input = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    const r = await runP1(module, { args: ['p3_stdin'], stdin: input });
    expect(r.stderr.toString()).toBe('');
    expect(r.exitCode).toBe(0);
    expect(Buffer.compare(r.stdout, input)).toBe(0);
  });

  test('the output does not depend on what was lowered before (type ids are hashes)', () => {
    const first = lower(fixture('p3_builtins')).module;
    lower(fixture('p3_stdin'));
    expect(Buffer.compare(Buffer.from(lower(fixture('p3_builtins')).module), Buffer.from(first))).toBe(0);
  });

  test('wasi:filesystem 0.3 async descriptor functions: RETURNED with 0.3\'s layouts', async () => {
    const { module } = lower(fixture('p3_fs'));
    const r = await runP1(module, { args: ['p3_fs'], preopens: [{ guest: '/sandbox', files: { 'a.txt': 'hello' } }] });
    expect(r.stderr.toString()).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().split('\n').map((l) => l.trimEnd())).toEqual([
      '00000001', // one preopen
      '00000002 00000000 00000002', // get-type: RETURNED, ok, directory (0.3's case 2)
      '00000002 00000000', // get-flags: ok
      '00000002 00000000 00000005 00000005', // stat-at a.txt: ok, regular-file (case 5), size 5
      '00000002 00000001 0000000b', // readlink-at a file: err(invalid), 0.3's case 11 (0.2's 12: would-block is gone)
      '00000002 00000000', // rename-at a.txt -> b.txt: ok
      '00000002 00000000 00000005 00000005', // stat-at b.txt
      '00000002 00000001 00000013', // stat-at a.txt: err(no-entry), case 19
      '00000002 00000001', // is-same-object(dir, dir): true
      // symlink-at c.lnk -> b.txt: ok; readlink-at c.lnk: ok, 5 bytes, "b.tx..."
      '00000002 00000000 00000002 00000000 00000005 78742e62',
      '00000002 00000000 00000002 00000002', // link-at b.txt -> d.txt: ok; stat-at d.txt: 2 links
      '00000002 00000000 00000002 00000000', // metadata-hash: ok; set-times(no-change, no-change): ok
      '',
    ]);
    expect(Object.keys(r.files).sort()).toEqual(['/sandbox/b.txt', '/sandbox/c.lnk', '/sandbox/d.txt']);
  });

  test('a stackful run is refused, and inspect says so', () => {
    expect(() => lower(fixture('p3_stackful'))).toThrowError(WasiAdaptError);
    expect(() => lower(fixture('p3_stackful'))).toThrowError(/export wasi:cli\/run@0\.3\.0#run is lifted async without a callback/);
    expect(inspect(fixture('p3_stackful')).verdict.reason).toMatch(/needs stack switching, which WASI preview 1 runtimes lack/);
  });
});

/**
 * Instantiates a lowered reactor on node:wasi with the host's foo (synchronous, as a p1 host's
 * imports are: string in, string out through the output's cabi_realloc) and calls its foo, then its post-return.
 */
async function roundTrip(module: Uint8Array, importModule: string, exportName: string, inputs: string[]): Promise<string[]> {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  let exports: Record<string, WebAssembly.ExportValue> = {};
  const memory = () => new DataView((exports.memory as WebAssembly.Memory).buffer);
  const text = (p: number, n: number) => new TextDecoder().decode(new Uint8Array((exports.memory as WebAssembly.Memory).buffer, p, n));
  const put = (s: string): [number, number] => {
    const bytes = new TextEncoder().encode(s);
    const p = (exports.cabi_realloc as (...a: number[]) => number)(0, 0, 1, bytes.length);
    new Uint8Array((exports.memory as WebAssembly.Memory).buffer, p, bytes.length).set(bytes);
    return [p, bytes.length];
  };
  const foo = (p: number, n: number, ret: number) => {
    const [q, len] = put(`${text(p, n)} - entered host - exited host`);
    memory().setUint32(ret, q, true);
    memory().setUint32(ret + 4, len, true);
  };
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(module), {
    wasi_snapshot_preview1: wasi.wasiImport,
    [importModule]: { foo },
  } as WebAssembly.Imports);
  exports = instance.exports;
  return inputs.map((input) => {
    const r = (exports[exportName] as (...a: number[]) => number)(...put(input));
    const output = text(memory().getUint32(r, true), memory().getUint32(r + 4, true));
    // The result is valid until the post-return, which runs the rest of the task.
    (exports[`cabi_post_${exportName}`] as (r: number) => void)(r);
    return output;
  });
}

test('mutated 0.3 components give a valid module or a WasiAdaptError, nothing else', () => {
  const inputs = [fixture('p3_builtins'), fixture('p3_fail'), fixture('p3_stdin'), ...(existsSync(CORPUS) ? [corpus('p3-cli-hello-stdout'), corpus('async-round-trip-stackless')] : [])];
  let errors = 0;
  for (const input of inputs) {
    for (let seed = 1; seed <= 150; seed++) {
      try {
        expect(WebAssembly.validate(lower(mutate(input, seed)).module), `seed ${seed}`).toBe(true);
      } catch (err) {
        if (!(err instanceof WasiAdaptError)) throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
        errors++;
      }
    }
  }
  expect(errors).toBeGreaterThan(0);
});
