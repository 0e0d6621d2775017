// `wasi-adapt run` as a user runs it: the built CLI in a child process, with real stdio and
// exit codes, on the fixtures in both forms (p1 module, and the component lowered in memory).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadManifest, type Fixture } from './harness/manifest.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['wasi-adapt']!);
const fixtures = new Map(loadManifest().map((f) => [f.name, f]));
const fixture = (name: string): Fixture => fixtures.get(name)!;
const tmp = mkdtempSync(join(tmpdir(), 'wasi-adapt-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `wasi-adapt run ARGV...`, with `env` as the CLI's own environment. */
function run(argv: string[], env: Record<string, string> = {}, cwd?: string): Ran {
  const r = spawnSync(process.execPath, [BIN, 'run', ...argv], { cwd, encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The manifest's argv and environment as `run` options: --env per variable, --argv0, FILE, then the arguments. */
function argvOf(f: Fixture, file: string): string[] {
  return [...Object.entries(f.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), '--argv0', f.args[0]!, file, ...f.args.slice(1)];
}

/** Guest path -> content (null for a directory), as the manifest writes a preopen's final state. */
function snapshot(host: string, guest: string, out: Record<string, string | null> = {}): Record<string, string | null> {
  for (const name of readdirSync(host).sort()) {
    const h = join(host, name);
    const g = `${guest}/${name}`;
    if (statSync(h).isDirectory()) {
      out[g] = null;
      snapshot(h, g, out);
    } else {
      out[g] = readFileSync(h, 'utf8');
    }
  }
  return out;
}

const FORMS = ['p1', 'p2'] as const;

describe.each(FORMS)('%s form', (form) => {
  test.each(['hello', 'args_env', 'exit_0', 'exit_3'])('%s: stdout, stderr and exit code as the manifest says', (name) => {
    const f = fixture(name);
    const r = run(argvOf(f, f[form]!));
    expect(r).toEqual({ status: f.expect.exitP1, stdout: f.expect.stdout, stderr: f.expect.stderr });
  });

  test('files: a preopened directory (--dir HOST::GUEST) is read and changed', () => {
    const f = fixture('files');
    const [pre] = f.preopens;
    const host = join(tmp, `files-${form}`);
    mkdirSync(host);
    for (const [path, content] of Object.entries(pre!.files ?? {})) writeFileSync(join(host, path), content);
    const r = run(['--dir', `${host}::${pre!.guest}`, ...argvOf(f, f[form]!)]);
    expect(r).toEqual({ status: 0, stdout: f.expect.stdout, stderr: '' });
    expect(snapshot(host, pre!.guest)).toEqual(f.expect.files);
  });

  test('trap: output so far, then exit 1 with one line naming the file', () => {
    const f = fixture('trap');
    const r = run([f[form]!]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(f.expect.stdout);
    expect(r.stderr).toBe(`wasi-adapt: ${f[form]}: the program trapped: unreachable\n`);
  });
});

test('--dir PATH: the same path on both sides (here relative, which wasi-libc matches against /sandbox)', () => {
  const f = fixture('files');
  const cwd = join(tmp, 'same-path');
  const host = join(cwd, 'sandbox');
  mkdirSync(host, { recursive: true });
  for (const [path, content] of Object.entries(f.preopens[0]!.files ?? {})) writeFileSync(join(host, path), content);
  expect(run(['--dir', 'sandbox', f.p1!], {}, cwd)).toEqual({ status: 0, stdout: f.expect.stdout, stderr: '' });
  expect(snapshot(host, '/sandbox')).toEqual(f.expect.files);
});

test('nothing of the environment is inherited unless --inherit-env', () => {
  const f = fixture('args_env');
  const parent = { NOT_SET_ANYWHERE: 'from the parent' };
  expect(run([f.p1!], parent).stdout).toContain('NOT_SET_ANYWHERE=(unset)\n');
  expect(run(['--inherit-env', f.p1!], parent).stdout).toContain('NOT_SET_ANYWHERE=from the parent\n');
  expect(run(['--inherit-env', '--env', 'NOT_SET_ANYWHERE=mine', f.p1!], parent).stdout).toContain('NOT_SET_ANYWHERE=mine\n');
});

test("everything after FILE is the program's, options included; argv[0] is FILE", () => {
  const file = fixture('args_env').p2!;
  const r = run([file, '--env', 'X=1', '--']);
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`argc=4\nargv[0]=${file}\nargv[1]=--env\nargv[2]=X=1\nargv[3]=--\n`);
});

test('a component lower refuses is one line naming the file and the offset, exit 1', () => {
  const broken = join(tmp, 'broken.wasm');
  writeFileSync(broken, readFileSync(fixture('hello').p2!).subarray(0, 5000));
  const r = run([broken]);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^wasi-adapt: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: at offset 0x[0-9a-f]+: .+ \\[\\w+\\]\\n$`));
});

test('a reactor has nothing to run: one line, exit 1', () => {
  const r = run([join(ROOT, 'fixtures', 'bin', 'p2', 'wat_reactor.wasm')]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^wasi-adapt: .*wat_reactor\.wasm: no _start export: .* \[unsupported\]\n$/);
});

test('usage: --help, no FILE, bad --env and --dir', () => {
  const help = run(['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/--dir HOST::GUEST/);
  expect(run([]).status).toBe(2);
  expect(run(['--env', 'NOEQUALS', fixture('hello').p1!])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--env takes NAME=VALUE/) });
  expect(run(['--dir', join(tmp, 'missing'), fixture('hello').p1!])).toMatchObject({ status: 1, stderr: expect.stringMatching(/missing: cannot give the program this directory/) });
});
