// `up` beyond the fixtures: errno exactness of the adapter, an
// AssemblyScript guest, exit codes, what the component imports, and refusals.
// No system tool at test time: the C programs are committed binaries built by
// fixtures/build.mjs (sources fixtures/src/c/lift_*.c), the hand-written core
// modules are assembled here with jco's `parse`, the AssemblyScript guest
// with the npm `asc`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentNew, parse, preview1AdapterCommandPath, print } from '@bytecodealliance/jco';
import { afterAll, describe, expect, it } from 'vitest';
import { targets } from '../fixtures/build.mjs';
import { lift } from '../src/lift/index.js';
import { lower } from '../src/lower/index.js';
import { callExports, loadManifest, runP1, runP2, runWasmtime, runWasmtimeComponent } from './harness/index.js';
import { FIXTURES_DIR } from './harness/manifest.js';
import { errorOf } from './helpers/errors.js';

const SRC = fileURLToPath(new URL('./lift-src/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lift-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixture = (name: string) => readFileSync(loadManifest().find((f) => f.name === name)!.p1!);

/** A committed unit-test input of this file (fixtures/build.mjs, `test` set), e.g. `lift_errno`. */
function unitInput(name: string): Uint8Array {
  const t = targets.find((x) => x.name === name && x.test === 'test/lift-unit.test.ts');
  if (!t) throw new Error(`fixtures/build.mjs has no lift-unit target ${name}`);
  return readFileSync(join(FIXTURES_DIR, t.out));
}

/** The `(import "...")` names of a component, via jco's printer. */
async function importNames(component: Uint8Array): Promise<string[]> {
  const text = await print(component);
  return [...text.matchAll(/^ {2}\(import "([^"]+)"/gm)].map((m) => m[1]!);
}

/** A core module from hand-written text (jco's wasm-tools `parse`, in process). */
async function wat(text: string): Promise<Uint8Array> {
  const bytes = await parse(text);
  // Guard: a core module (version 1), not a component, whatever parse accepts.
  expect([...bytes.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  return bytes;
}


describe('adapter errno values', () => {
  it('match preview1 exactly', async () => {
    const r = await runP2(lift(unitInput('lift_errno')).component, { args: ['errno'], preopens: [{ guest: '/sandbox' }] });
    expect(r.stderr.toString()).toBe('');
    expect(r.exitCode).toBe(0);
    const got = Object.fromEntries(
      r.stdout
        .toString()
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    expect(r.stdout.toString()).toContain('poll events=1 userdata=7 type=0 error=0\npoll_oneoff_badf=0\npoll events=1 userdata=9 error=8\n');
    expect(got).toMatchObject({
      fd_write_badf_zero_iovs: '8', // badf, not success, even with nothing to write
      fd_write_badf: '8',
      fd_read_badf: '8',
      fd_close_badf: '8',
      fd_seek_badf: '8',
      fd_fdstat_get_badf: '8',
      fd_filestat_get_badf: '8',
      fd_prestat_get_badf: '8',
      fd_renumber_badf: '8',
      fd_sync_badf: '8',
      fd_fdstat_get_stdout: '0',
      clock_time_get_inval: '28',
      clock_time_get_monotonic: '0',
      clock_time_get_realtime: '0',
      poll_oneoff_none: '28',
      poll_oneoff_clocks: '0',
      poll_oneoff_badf: '0',
      sched_yield: '0',
      random_get: '0',
      sock_shutdown_badf: '8',
      path_open_badf: '8',
      fd_write_dir: '8',
      path_open_noent: '44',
      path_open_create: '0',
      path_open_excl: '20',
      path_open_rw: '0',
      fd_write_file: '0',
      written: '1',
      fd_seek_end: '0',
      size: '10',
      fd_seek_negative: '28',
      tell: '1',
      fd_readdir_file: '54',
      fd_filestat_set_size: '0',
      fd_pwrite: '0',
      pread: '21',
      fd_seek_stdout: '70',
      fd_renumber: '8',
      fd_close_new: '8',
      path_create_directory: '0',
      path_create_directory_exist: '20',
      path_open_sub_file: '0',
      path_remove_directory_notempty: '55',
      path_filestat_get_noent: '44',
      path_filestat_get_dir: '0',
      filetype: '3',
      path_rename: '0',
      path_unlink_noent: '44',
      path_unlink: '0',
      path_remove_directory: '0',
      path_open_dir_as_dir: '44',
      sock_accept_notsock: '57',
      fd_prestat_get_stdout: '8',
      fd_prestat_get_3: '0',
      'prestat len': '8',
    });
  });
});

describe('paths the fixtures do not reach', () => {
  it('readdir by cookie, links, times, append, sync, poll: like jco new, and like node:wasi where it follows p1', async () => {
    const module = unitInput('lift_fs_more');
    const official = await componentNew(module, [['wasi_snapshot_preview1', readFileSync(preview1AdapterCommandPath())]]);
    const spec = { args: ['fs-more'], preopens: [{ guest: '/sandbox' }], stdin: 'input\n' };
    const [ours, theirs, node] = await Promise.all([runP2(lift(module).component, spec), runP2(official, spec), runP1(module, spec)]);
    const lines = (r: { stdout: Buffer }) => r.stdout.toString().split('\n');
    expect(ours.exitCode).toBe(0);
    expect(lines(ours)).toEqual(lines(theirs));
    // node:wasi fails a readlink into a short buffer (p1 truncates) and cannot poll stdin.
    const differs = /^(readlink short|poll stdin)=/;
    expect(lines(ours).filter((l) => !differs.test(l))).toEqual(lines(node).filter((l) => !differs.test(l)));
    expect(lines(ours)).toEqual(expect.arrayContaining(['readlink short=3', 'poll stdin=1 revents=1', 'entries=120 first=entry-with-a-rather-long-name-000.txt last=entry-with-a-rather-long-name-119.txt']));
  });
});

describe('an AssemblyScript guest', () => {
  it('keeps its heap intact: adapter state comes from pages obtained after its allocator started', async () => {
    const out = join(tmp, 'as-guest.wasm');
    // The npm compiler run by this node (not through its `#!/usr/bin/env node` shim).
    const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
    execFileSync(process.execPath, [asc, join(SRC, 'as-guest.ts'), '--outFile', out, '--exportStart', '_start', '--use', 'abort=', '-O2']);
    const r = await runP2(lift(readFileSync(out)).component, { args: ['as', 'x'] });
    expect(r.stdout.toString()).toBe('hello from AssemblyScript\nargc 2\npages grown\nmemory intact\n');
    expect(r.exitCode).toBe(0);
  });
});

describe("a guest exporting cabi_realloc", () => {
  it('lends the adapter its state', async () => {
    const r = await runP2(lift(unitInput('lift_guest_realloc')).component, { args: ['guest', 'one'] });
    expect(r.stdout.toString()).toBe('arg guest\narg one\ncabi_realloc calls: 1\n');
  });
});

describe('exit codes', () => {
  it('proc_exit(3) is a failure (status 1) by default', async () => {
    const { component } = lift(fixture('exit_3'));
    expect((await print(component)).includes('exit-with-code')).toBe(false);
    expect((await runP2(component, { args: ['exit_code', '3'] })).exitCode).toBe(1);
  });
  it('--exit-with-code imports wasi:cli/exit.exit-with-code and keeps the code', async () => {
    const { component } = lift(fixture('exit_3'), { exitWithCode: true });
    const text = await print(component);
    expect(text).toMatch(/\(export "exit-with-code" \(func/);
    expect(text).not.toMatch(/\(export "exit" \(func/);
    expect((await runP2(component, { args: ['exit_code', '3'] })).exitCode).toBe(3);
    expect((await runP2(component, { args: ['exit_code', '0'] })).exitCode).toBe(0);
  });
});

describe('what the component imports', () => {
  it('hello world: stdout and io streams, no file system, no stdin', async () => {
    const { component, report } = lift(fixture('hello'));
    const names = await importNames(component);
    expect(names).toEqual(report.interfaces);
    expect(names).toEqual(expect.arrayContaining(['wasi:cli/stdout@0.2.0', 'wasi:io/streams@0.2.0']));
    // exit only when the module imports proc_exit
    expect(names.includes('wasi:cli/exit@0.2.0')).toBe(report.p1Imports.includes('proc_exit'));
    expect(names.some((n) => n.startsWith('wasi:filesystem/') || n.startsWith('wasi:cli/stdin'))).toBe(false);
    expect(report.componentBytes - report.moduleBytes).toBeLessThan(10_000);
  });
  it('a file-using program imports the file system', async () => {
    const names = await importNames(lift(fixture('files')).component);
    expect(names).toEqual(expect.arrayContaining(['wasi:filesystem/types@0.2.0', 'wasi:filesystem/preopens@0.2.0']));
  });
  it('uses the requested WASI version and exports wasi:cli/run with it', async () => {
    const { component } = lift(fixture('hello'), { wasiVersion: '0.2.12' });
    const text = await print(component);
    expect(text).toContain('(import "wasi:cli/stdout@0.2.12"');
    expect(text).toContain('(export (;');
    expect(text).toMatch(/\(export .*"wasi:cli\/run@0\.2\.12"/);
  });
  it('is smaller than jco new for the same module', async () => {
    const f = loadManifest().find((x) => x.name === 'files')!;
    expect(lift(readFileSync(f.p1!)).component.length).toBeLessThan(readFileSync(f.p2!).length);
  });
});

describe('a module with a start function', () => {
  // $say writes "start\n" (at 16) or "main\n" (at 32) to stdout with fd_write.
  const module = (start: string) => `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $g (mut i32) (i32.const 0))
    (data (i32.const 16) "start\\n") (data (i32.const 32) "main\\n")
    (table 1 funcref) (elem (i32.const 0) $say_start)
    (func $say (param $at i32) (param $len i32)
      (i32.store (i32.const 0) (local.get $at)) (i32.store (i32.const 4) (local.get $len))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
    (func $say_start (call $say (i32.const 16) (i32.const 6)))
    ${start}
    (func (export "_start") (if (i32.eq (global.get $g) (i32.const 7)) (then (call $say (i32.const 32) (i32.const 5))))))`;

  it('that calls WASI, directly or through a table, runs on jco and Wasmtime as on Wasmtime\'s p1', async () => {
    for (const init of ['(call $say_start)', '(call_indirect (i32.const 0))']) {
      const m = await wat(module(`(func $init (global.set $g (i32.const 7)) ${init}) (start $init)`));
      // node:wasi cannot run it: it refuses calls before wasi.start(), which needs the instance.
      const { component } = lift(m);
      // down brings it back to one p1 module, which Wasmtime's p1 runs as it runs the original.
      const down = lower(component).module;
      const runs = await Promise.all([runWasmtime(m, {}), runP2(component, {}), runWasmtimeComponent(component, {}), runWasmtime(down, {})]);
      for (const r of runs) {
        expect(r.stdout.toString()).toBe('start\nmain\n');
        expect(r.exitCode).toBe(0);
      }
    }
  });

  it('is refused, naming the start function, when it calls a WASI 0.2 import that needs the module\'s cabi_realloc', async () => {
    const m = await wat(`(module (import "wasi:cli/environment@0.2.0" "get-arguments" (func $args (param i32)))
      (memory (export "memory") 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
      (func $init (call $args (i32.const 0))) (start $init) (func (export "_start")))`);
    const e = errorOf(() => lift(m));
    expect(e.code).toBe('unsupported');
    expect(e.message).toBe(
      "the start function (func 2 (init)) calls wasi:cli/environment@0.2.0.get-arguments while the component instantiates the module, and its result goes to memory from the module's cabi_realloc, which does not exist before the module is instantiated; call it from _start or _initialize instead",
    );
  });

  it('that does not call WASI lifts, and runs it first on jco and Wasmtime as node:wasi does', async () => {
    const m = await wat(module('(func $init (global.set $g (i32.const 7))) (start $init)'));
    const { component } = lift(m);
    const runs = await Promise.all([runP1(m, {}), runP2(component, {}), runWasmtimeComponent(component, {})]);
    for (const r of runs) {
      expect(r.stdout.toString()).toBe('main\n');
      expect(r.exitCode).toBe(0);
    }
  });
});

describe('reactors and refusals', () => {
  it('lifts a reactor that only has _initialize', async () => {
    const m = await wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1) (func (export "_initialize")))`);
    const { component, report } = lift(m);
    expect(report.kind).toBe('reactor');
    expect(await print(component)).not.toContain('wasi:cli/run');
  });
  it("runs a reactor's _initialize when the component is instantiated", async () => {
    const reactor = async (body: string) =>
      lift(await wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (memory (export "memory") 1) (func (export "_initialize") ${body}))`)).component;
    expect(await callExports(await reactor('nop'), [])).toEqual([]);
    await expect(callExports(await reactor('unreachable'), [])).rejects.toThrow();
  });
  it('refuses a component', () => {
    const e = errorOf(() => lift(readFileSync(loadManifest().find((f) => f.name === 'hello')!.p2!)));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/already a component/);
  });
  it('refuses a reactor with its own exports, pointing at --wit', async () => {
    const m = await wat(`(module (memory (export "memory") 1) (func (export "add") (param i32 i32) (result i32) local.get 0))`);
    const e = errorOf(() => lift(m));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/exports add.*--wit FILE/);
  });
  it('refuses imports that are not WASI preview1, pointing at --wit', async () => {
    const m = await wat(`(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))`);
    const e = errorOf(() => lift(m));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/env\.f.*--wit FILE/);
  });
  it('refuses a preview1 import with the wrong type or an unknown name', async () => {
    const wrong = await wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
      (memory (export "memory") 1) (func (export "_start")))`);
    expect(errorOf(() => lift(wrong)).message).toMatch(/fd_write is imported with a type/);
    const unknown = await wat(`(module (import "wasi_snapshot_preview1" "fd_frobnicate" (func))
      (memory (export "memory") 1) (func (export "_start")))`);
    expect(errorOf(() => lift(unknown)).message).toMatch(/fd_frobnicate, which is not a preview1 function/);
  });
  it('refuses a WASI version that is not 0.2.x', () => {
    expect(errorOf(() => lift(fixture('hello'), { wasiVersion: '0.3.0' })).code).toBe('invalid-argument');
  });
});
