// A composition in the shape wasi-virt makes: fixtures/bin/compositions/virt-app.wasm, a C virt
// (virt.c: no WASI of its own, no adapter) exporting wasi:cli/environment and wasi:filesystem/
// types + preopens (a read-only /virt whose descriptors are its own resources) to a C command
// (virt-app.c, wasi-libc + the official command adapter), plugged by fixtures/compose.mjs; the
// command's other WASI imports (stdout, stderr, exit, clocks) stay the host's. The program must
// see the virt's arguments, environment and files, not the host's: on jco and Wasmtime's
// component host, and in the down output (both adapter modes) on node:wasi and Wasmtime p1. An
// adapter whose WASI a component implements is kept in both modes: dropped, the program's p1
// calls would go to the host past the virt (the program alone shows what that looks like).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseComponent, writeComponent } from '../src/binary/component.js';
import { lower } from '../src/lower/index.js';
import { runP1, runP2, runWasmtime, runWasmtimeComponent, type RunSpec } from './harness/index.js';
import { sameRun } from './helpers/same-run.js';

const bytes = new Uint8Array(readFileSync(new URL('../fixtures/bin/compositions/virt-app.wasm', import.meta.url)));
const HOST: RunSpec = {
  args: ['host-app', 'from-the-host'],
  env: { HOST_ONLY: 'yes', GREETING: 'host greeting' },
  preopens: [{ guest: '/sandbox', files: { 'host.txt': 'the host file\n' } }],
};
// What virt.c serves, as virt-app.c prints it.
const VIRT_LINES = [
  'argv: [virt-app] [--from-virt] [caf\u00e9] []\n',
  'env: [VIRT=1] [GREETING=gr\u00fc\u00dfe aus der virt \u{1f680}] [EQUATION=a=b=c] [EMPTY=]\n',
  'file /virt/hello.txt: 43 bytes, regular 1\n',
  '  @16: [irt: caf\u00e9 \u2713\ns]\n',
  'notes/\n  todo.txt\nfile /virt/notes/todo.txt: 23 bytes, regular 1\n',
  'file /virt/empty.txt: 0 bytes, regular 1\n',
  'stat ..: 43 bytes\n',
  'open /virt/missing.txt: No such file or directory\n',
  'open /virt/hello.txt/x: Not a directory\n',
  'create /virt/new.txt: Read-only file system\n',
  'open /sandbox/host.txt: Capabilities insufficient\n',
];

const reference = Promise.all([runP2(bytes, HOST), runWasmtimeComponent(bytes, HOST)]);

test('compose.mjs: the virt satisfies the program\'s environment and filesystem imports; the rest are the host\'s', () => {
  const imports = parseComponent(bytes)
    .sections.flatMap((s) => (s.kind === 'imports' ? s.items.map((i) => i.name.name) : []))
    .map((n) => n.replace(/@.*/, ''));
  expect(imports).not.toContain('wasi:cli/environment');
  expect(imports).not.toContain('wasi:filesystem/types');
  expect(imports).not.toContain('wasi:filesystem/preopens');
  expect(imports).toEqual(expect.arrayContaining(['wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit', 'wasi:io/streams']));
});

test('the reference hosts agree, and the program sees the virt, not the host', async () => {
  const [jco, wasmtime] = await reference;
  const out = jco.stdout.toString();
  for (const line of VIRT_LINES) expect(out).toContain(line);
  expect(out).not.toContain('HOST_ONLY');
  expect(out).not.toContain('from-the-host');
  expect(jco.stderr.toString()).toBe('[virt-app] listing /virt\n[virt-app] done\n');
  expect(jco.exitCode).toBe(0);
  sameRun(wasmtime, jco);
});

describe.each([false, true])('down (keepAdapter: %s)', (keepAdapter) => {
  const { module, report } = lower(bytes, { keepAdapter });

  test('the program\'s adapter is kept, the virt and the program each in a region of their own', () => {
    expect(report.adapter).toBe('kept');
    expect(report.modules.filter((m) => m.role === 'adapter').length).toBe(1);
    const names = report.modules.map((m) => m.name);
    expect(names.filter((n) => n.includes('(region 1)')).length).toBeGreaterThan(0);
    expect(names.filter((n) => n.includes('(region 2)')).length).toBeGreaterThan(0);
  });

  test('node:wasi and Wasmtime print what jco prints', async () => {
    const [want] = await reference;
    const [p1, wasmtime] = await Promise.all([runP1(module, HOST), runWasmtime(module, HOST)]);
    sameRun(p1, want);
    sameRun(wasmtime, want);
  });
});

// The control: the same program without the virt reads the host's WASI, and its adapter goes.
test('the program alone: its adapter is dropped and it sees the host', async () => {
  const nested = parseComponent(bytes).sections.filter((s) => s.kind === 'component');
  const program = nested[1];
  if (program?.kind !== 'component') throw new Error('virt-app nests no program');
  const { module, report } = lower(writeComponent(program.component));
  expect(report.adapter).toBe('dropped');
  const r = await runP1(module, HOST);
  expect(r.stdout.toString()).toContain('argv: [host-app] [from-the-host]\nenv: [HOST_ONLY=yes] [GREETING=host greeting]\n');
  expect(r.stdout.toString()).toContain('opendir /virt: Capabilities insufficient\n');
  expect(r.stdout.toString()).toContain('open /sandbox/host.txt: opened\n');
  expect(r.exitCode).toBe(3);
});
