#!/usr/bin/env node
// Makes sure `.venv/` holds Wasmtime's Python package, the second p1 host the tests run
// `down` output on (test/harness/run-wasmtime.ts). Run by `npm test` before vitest, so
// `npm ci && npm test` on a fresh clone sets everything up, as the README promises.
// Idempotent: when the venv already imports the right wasmtime it only checks (~0.2 s).
// Fails loudly (exit 1, with pip's output) rather than letting the tests skip a host.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VENV = `${ROOT}.venv`;
const PYTHON = `${VENV}/bin/python`;
/** The major version the harness is written against (its ExitTrap, component and WASI APIs). */
const REQUIREMENT = 'wasmtime>=49,<50';
const MAJOR = '49';

// Engine() loads the native library, so a venv whose wheel is broken or for another
// platform fails here, not in the middle of the tests.
const CHECK = `import importlib.metadata as m, wasmtime; wasmtime.Engine(); print(m.version("wasmtime"))`;

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
}

function installedVersion() {
  if (!existsSync(PYTHON)) return null;
  const r = run(PYTHON, ['-c', CHECK]);
  return r.status === 0 ? r.stdout.trim() : null;
}

function fail(what, r) {
  console.error(`setup-wasmtime: ${what} failed (status ${r.status ?? r.error?.message})`);
  console.error(`${r.stdout ?? ''}${r.stderr ?? ''}`.trim());
  console.error('The tests need Wasmtime\'s Python package: python3 with venv and pip, and `pip install wasmtime` working.');
  process.exit(1);
}

const have = installedVersion();
if (have?.split('.')[0] === MAJOR) process.exit(0);

console.log(have ? `setup-wasmtime: .venv has wasmtime ${have}, reinstalling` : 'setup-wasmtime: creating .venv with wasmtime');
rmSync(VENV, { recursive: true, force: true });
const python = process.env.PYTHON ?? 'python3';
let r = run(python, ['-m', 'venv', VENV]);
if (r.status !== 0) fail(`${python} -m venv .venv`, r);
r = run(PYTHON, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', REQUIREMENT]);
if (r.status !== 0) {
  rmSync(VENV, { recursive: true, force: true });
  fail(`pip install ${REQUIREMENT}`, r);
}
const now = installedVersion();
if (now?.split('.')[0] !== MAJOR) {
  rmSync(VENV, { recursive: true, force: true });
  fail(`import wasmtime after install (got ${now})`, run(PYTHON, ['-c', CHECK]));
}
console.log(`setup-wasmtime: wasmtime ${now} ready in .venv`);
