// Preview 1 semantics of `up` output that the fixtures do not pin, on Wasmtime (the strict 0.2
// host) and jco: duplicate imports, rights, fd_readdir's d_ino, directories opened without
// O_DIRECTORY. The references for preview 1 are the hosts that implement it directly: node:wasi
// (uvwasi, which tracks rights as the p1 spec describes) and Wasmtime's own p1; each line the
// test pins is checked against whichever of them implements that part.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentNew, parse, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { afterAll, describe, expect, it } from 'vitest';
import { targets } from '../fixtures/build.mjs';
import { parseModule } from '../src/binary/module.js';
import { lift } from '../src/lift/index.js';
import { lower } from '../src/lower/index.js';
import { runP1, runP2, runWasmtime, runWasmtimeComponent, type RunResult } from './harness/index.js';
import { FIXTURES_DIR } from './harness/manifest.js';

/** A committed unit-test input of this file (fixtures/build.mjs, `test` set). */
function unitInput(name: string): Uint8Array {
  const t = targets.find((x) => x.name === name && x.test === 'test/lift-p1-semantics.test.ts');
  if (!t) throw new Error(`fixtures/build.mjs has no lift-p1-semantics target ${name}`);
  return readFileSync(join(FIXTURES_DIR, t.out));
}

const tmp = mkdtempSync(join(tmpdir(), 'lift-p1-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lines = (r: RunResult) => r.stdout.toString().trimEnd().split('\n');

describe('a module importing the same preview1 function twice', () => {
  // What AssemblyScript emits when two declarations name the same import.
  const twice = `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $a (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $b (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "one\\ntwo\\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 4))
      (drop (call $a (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 0) (i32.const 20))
      (drop (call $b (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

  it('lifts to a component Wasmtime accepts, which runs on Wasmtime and jco as the official adapter\'s does', async () => {
    const module = await parse(twice);
    const official = await componentNew(module, [['wasi_snapshot_preview1', readFileSync(preview1AdapterCommandPath())]]);
    const { component } = lift(module);
    // Wasmtime refuses a component whose core module repeats an import name.
    const runs = await Promise.all([runWasmtimeComponent(component), runP2(component), runWasmtimeComponent(official)]);
    for (const r of runs) {
      expect(r.stdout.toString()).toBe('one\ntwo\n');
      expect(r.exitCode).toBe(0);
    }
  });

  it('an AssemblyScript build without optimization (two declarations, two imports) runs on Wasmtime and jco', async () => {
    const out = join(tmp, 'as-twice.wasm');
    // The npm compiler run by this node (not through its `#!/usr/bin/env node` shim).
    const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
    const src = fileURLToPath(new URL('./lift-src/as-twice.ts', import.meta.url));
    execFileSync(process.execPath, [asc, src, '--outFile', out, '--use', 'abort=']);
    const module = readFileSync(out);
    expect(parseModule(module).imports.filter((i) => i.name === 'fd_write')).toHaveLength(2);
    const { component } = lift(module);
    for (const r of await Promise.all([runWasmtimeComponent(component), runP2(component)])) {
      expect(r.stdout.toString()).toBe('from a\nfrom b\n');
      expect(r.exitCode).toBe(0);
    }
  }, 120_000);

  it('goes back down to a module with one import', async () => {
    const { module } = lower(lift(await parse(twice)).component);
    expect(parseModule(module).imports.map((i) => `${i.module}.${i.name}`)).toEqual(['wasi_snapshot_preview1.fd_write']);
    const r = await runWasmtime(module);
    expect(r.stdout.toString()).toBe('one\ntwo\n');
  });
});

describe('rights, d_ino, directories without O_DIRECTORY (lift_rights.c)', () => {
  const spec = { args: ['rights'], preopens: [{ guest: '/sandbox' }] };
  // What ours prints, on Wasmtime and on jco alike.
  const EXPECTED = [
    // A directory has no read, write, seek or set-size right; it passes on every right but
    // path_filestat_set_size (the masks Wasmtime and the official adapter report, plus sync,
    // datasync, advise and fdstat_set_flags, which WASI 0.2 does on a directory).
    'preopen type=3 base=7b7fe99 inheriting=ff7ffff read=0 write=0 seek=0 set_size=0 readdir=1 path_open=1',
    'open rw=0',
    'rw type=4 base=ff7ffff inheriting=ff7ffff read=1 write=1 seek=1 set_size=1 readdir=1 path_open=1',
    'write rw=0',
    'open ro=0',
    'ro type=4 base=ff7ffbf inheriting=ff7ffbf read=1 write=0 seek=1 set_size=1 readdir=1 path_open=1',
    'write ro=76',
    'set_size ro=28',
    'drop write=0',
    'dropped type=4 base=ff7ffbb inheriting=ff7ffff read=1 write=0 seek=0 set_size=1 readdir=1 path_open=1',
    'write dropped=76',
    'seek dropped=76',
    'regain write=76',
    'pread dropped=76 n=0',
    'drop read=0',
    'pread none=76',
    'filestat none=76',
    'mkdir=0',
    'open dir=0',
    'dir type=3 base=7b7fe99 inheriting=ff7ffff read=0 write=0 seek=0 set_size=0 readdir=1 path_open=1',
    'write dir=8',
    'create in dir=0',
    'filestat file=0 dir=0',
    'readdir dir=0',
    'd_ino . matches=1 nonzero=1',
    'd_ino g.txt matches=1 nonzero=1',
    'open dir write=31',
    'open dir trunc=31',
  ];
  /** Our lines a reference host prints too (the rights masks differ between hosts: compared without them). */
  const SHARED = {
    // Wasmtime's p1 does not track rights (fd_fdstat_set_rights is notsup, a write without the
    // right is badf), but reports the same rights for directories and open modes.
    wasmtimeP1: ['preopen', 'rw', 'ro', 'open dir', 'write dir', 'd_ino .', 'd_ino g.txt', 'open dir write', 'open dir trunc'],
    // node:wasi tracks rights as the spec says (d_ino is always 0 there; a write to a directory
    // is notcapable, not badf).
    node: ['preopen', 'write ro', 'drop write', 'write dropped', 'seek dropped', 'regain write', 'pread dropped', 'drop read', 'pread none', 'filestat none', 'open dir', 'dir', 'open dir write', 'open dir trunc'],
  };
  const withoutMasks = (l: string) => l.replace(/ base=\S+ inheriting=\S+/, '');
  const line = (all: string[], key: string) => all.map(withoutMasks).find((l) => l.startsWith(`${key} `) || l.startsWith(`${key}=`));

  it('match preview1 on Wasmtime and jco, and agree with node:wasi and Wasmtime p1 where each implements it', async () => {
    const module = unitInput('lift_rights');
    const { component } = lift(module);
    const [wasmtime, jco, node, wasmtimeP1] = await Promise.all([
      runWasmtimeComponent(component, spec),
      runP2(component, spec),
      runP1(module, spec),
      runWasmtime(module, spec),
    ]);
    expect(lines(wasmtime)).toEqual(EXPECTED);
    expect(lines(jco)).toEqual(EXPECTED);
    for (const [host, r] of [['wasmtimeP1', wasmtimeP1], ['node', node]] as const) {
      for (const key of SHARED[host]) expect(line(lines(r), key), `${host}: ${key}`).toBe(line(EXPECTED, key));
    }
  });
});
