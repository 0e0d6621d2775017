// A composition in the shape `wac plug` makes from real toolchains: fixtures/bin/compositions/
// greeter-app.wasm, a C library (reactor) and a C command, each wasi-libc + the official
// preview1 adapter (main, adapter, shim, fixup; the fixup starts main's `_initialize`), the
// command's test:greeter/api import wired to the library's export by fixtures/compose.mjs. The
// down output (adapter dropped or kept) on node:wasi and on Wasmtime's preview1 must print what
// jco and Wasmtime's component host print, and write the same file; 10,000 rounds of library
// calls (WASI from both memories) must end with the output memory the size one round leaves.
// greeter-app-lazy is the same programs without `_initialize` (they run their constructors
// themselves): nothing starts, the fixups are not needed. Dropped, the adapters' mains call the
// host's p1 through bridges (pointers checked against their region and made absolute,
// descriptors their own): the library scans its preopens after the app opened app.log, and must
// stop at that descriptor (EBADF) as in its own table (node:wasi answers EINVAL for it, which
// wasi-libc takes for a fatal error: exit 71).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { describe, expect, test } from 'vitest';
import { parseComponent, writeComponent } from '../src/binary/component.js';
import { parseModule } from '../src/binary/module.js';
import { lower } from '../src/lower/index.js';
import { pagesAfterRun } from './helpers/pages-after-run.js';
import { runP1, runP2, runWasmtime, runWasmtimeComponent, type RunSpec } from './harness/index.js';
import { sameRun } from './helpers/same-run.js';

const BIN = fileURLToPath(new URL('../fixtures/bin/compositions/', import.meta.url));
const MOTD = 'message of the day: caf\u00e9 \u2713 \u{1f680}\nsecond line\n';
const SPEC: RunSpec = {
  args: ['app', 'Ada', 'caf\u00e9 \u{1f680}', ''],
  // EMPTY last: jco 1.35's adapter runs an empty value into the next variable (fixtures/README.md, Host limits).
  env: { GREETING: 'gr\u00fc\u00dfe', OTHER: 'a=b', EMPTY: '' },
  preopens: [{ guest: '/sandbox', files: { 'motd.txt': MOTD } }],
};

describe.each(['greeter-app', 'greeter-app-lazy'])('%s: two adapter-shaped C components composed', (name) => {
  const bytes = new Uint8Array(readFileSync(`${BIN}${name}.wasm`));
  const reference = Promise.all([runP2(bytes, SPEC), runWasmtimeComponent(bytes, SPEC)]);

  test('the reference hosts agree (jco and Wasmtime run the composition)', async () => {
    const [jco, wasmtime] = await reference;
    expect(jco.stdout.toString()).toContain('greet: gr\u00fc\u00dfe, caf\u00e9 \u{1f680}!\n');
    expect(jco.stdout.toString()).toContain('motd: ok(message of the day: caf\u00e9 \u2713 \u{1f680})\n');
    expect(jco.stdout.toString()).toContain('split: 6 words: [the] [quick] [brown] [fox] [caf\u00e9] [\u{1f680}]\n');
    expect(jco.stdout.toString()).toMatch(/app done\n$/);
    expect(jco.stderr.toString()).toContain('[greeter] first env\n');
    expect(jco.files['/sandbox/app.log']?.kind).toBe('file');
    sameRun(wasmtime, jco);
  });

  for (const keepAdapter of [false, true]) {
    describe(keepAdapter ? 'keepAdapter' : 'default', () => {
      const { module, report } = lower(bytes, { keepAdapter });

      test(keepAdapter ? 'no component memory is region 0; both adapters run' : 'no component memory is region 0; both adapters dropped, main\'s p1 calls bridged per region', () => {
        const names = report.modules.map((m) => m.name);
        expect(names.some((n) => n.includes('(region 0)'))).toBe(false);
        expect(names.filter((n) => n.includes('(region 1)')).length).toBeGreaterThan(0);
        expect(names.filter((n) => n.includes('(region 2)')).length).toBeGreaterThan(0);
        expect(report.adapter).toBe(keepAdapter ? 'kept' : 'dropped');
        expect(report.modules.filter((m) => m.role === 'adapter').length).toBe(keepAdapter ? 2 : 0);
        // Dropped, each main's p1 calls go to the host through its region's bridges (p1-bridge.ts).
        const bridges = names.filter((n) => n.startsWith('p1 bridge ('));
        expect(bridges.some((n) => n.includes('fd_write, region 1'))).toBe(!keepAdapter);
        expect(bridges.some((n) => n.includes('fd_write, region 2'))).toBe(!keepAdapter);
        // Both fixups start their main's `_initialize`: in `_start`, before `run`, not as a start
        // section (p1 hosts serve WASI from `_start` on) nor as an export of its own.
        const m = parseModule(module);
        expect(m.start).toBeUndefined();
        expect(m.exports.map((e) => e.name).sort()).toEqual(['_start', 'memory']);
        expect(report.exports.map((e) => e.name).sort()).toEqual(['_start', 'memory']);
      });

      test('node:wasi and Wasmtime print and write what jco prints and writes', async () => {
        const [want] = await reference;
        const [p1, wasmtime] = await Promise.all([runP1(module, SPEC), runWasmtime(module, SPEC)]);
        sameRun(p1, want);
        sameRun(wasmtime, want);
      });

      test('10,000 rounds of library calls: the output memory does not grow', () => {
        const once = pagesAfterRun(module, { args: ['app', 'loop', '1'], env: { GREETING: 'hi' }, files: { 'motd.txt': MOTD }, stderr: true });
        const loop = pagesAfterRun(module, { args: ['app', 'loop', '10000'], env: { GREETING: 'hi' }, files: { 'motd.txt': MOTD }, stderr: true });
        expect(once.stdout).toMatch(/^loop: 1 rounds, checksum \d+$/m);
        const perRound = Number(/checksum (\d+)/.exec(once.stdout)![1]);
        expect(loop.stdout).toContain(`loop: 10000 rounds, checksum ${perRound * 10000}\n`);
        expect(loop.pages).toBe(once.pages);
      });
    });
  }
});

// The library alone is a reactor of the same shape (its fixup starts main's `_initialize`): a
// start that only calls an import is that call, without the fixup, so the adapter can still be
// dropped, and the output's `_initialize` is main's, run by the host before any export.
test('greeter alone (a reactor whose fixup starts _initialize): the adapter is dropped, _initialize runs the constructors', () => {
  const outer = parseComponent(new Uint8Array(readFileSync(`${BIN}greeter-app.wasm`)));
  const nested = outer.sections.find((s) => s.kind === 'component');
  if (nested?.kind !== 'component') throw new Error('greeter-app nests no component');
  const { module, report } = lower(writeComponent(nested.component));
  expect(report.adapter).toBe('dropped');
  expect(report.modules.map((m) => m.role).filter((r) => r !== 'generated')).toEqual(['main']);
  const m = parseModule(module);
  expect(m.start).toBeUndefined();
  expect(m.exports.map((e) => e.name)).toContain('_initialize');
  const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-fuse-adapters-'));
  try {
    writeFileSync(join(dir, 'motd.txt'), MOTD);
    const err = openSync(join(dir, 'stderr'), 'w');
    const wasi = new WASI({ version: 'preview1', env: { GREETING: 'hi' }, preopens: { '/sandbox': dir }, returnOnExit: true, stderr: err });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module), wasi.getImportObject() as WebAssembly.Imports);
    wasi.initialize(instance);
    // motd opens /sandbox/motd.txt: the preopens the constructors registered.
    const at = (instance.exports['test:greeter/api#motd'] as () => number)();
    const view = new DataView((instance.exports.memory as WebAssembly.Memory).buffer);
    const text = new Uint8Array(view.buffer, view.getUint32(at + 4, true), view.getUint32(at + 8, true));
    expect(view.getUint8(at)).toBe(0);
    expect(new TextDecoder().decode(text)).toBe(MOTD.split('\n')[0]);
    closeSync(err);
    expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe('[greeter] first motd\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
