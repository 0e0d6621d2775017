// jco transpiles a component to JS + core modules (~1 s each, plus ~3 s of
// start-up per process), so results are cached by content hash, and
// `pretranspile` does many in one process. The cache lives under
// node_modules/ so the generated code resolves the same
// @bytecodealliance/preview2-shim instance as child-p2.mjs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CACHE = join(REPO, 'node_modules', '.cache', 'wasi-adapt-harness');
const CHILD = fileURLToPath(new URL('./transpile-child.mjs', import.meta.url));
// Bump when transpile options change, so stale output is not reused.
const CACHE_VERSION = 'jco-1.35.0-v1';
/** What a child writes into a component's directory when jco fails on it, and its exit code then. */
const ERROR_FILE = 'transpile-error.txt';
const STOPPED = 3;

const pending = new Map<string, Promise<string>>();

export function readComponent(component: Uint8Array | string): Uint8Array {
  return typeof component === 'string' ? readFileSync(component) : component;
}

function keyOf(component: Uint8Array): string {
  return createHash('sha256').update(CACHE_VERSION).update(component).digest('hex').slice(0, 32);
}

const entryOf = (hash: string): string => join(CACHE, hash, 'component.js');

/** Returns the path of the transpiled entry module for `component`. */
export function transpiled(component: Uint8Array): Promise<string> {
  return pretranspile([component]).then(([entry]) => entry!);
}

/** Transpiles every component not cached yet, all in one child process. */
export function pretranspile(components: (Uint8Array | string)[]): Promise<string[]> {
  const bytes = components.map(readComponent);
  const hashes = bytes.map(keyOf);
  const todo = new Map<string, Uint8Array>();
  hashes.forEach((h, i) => {
    if (!pending.has(h) && !existsSync(entryOf(h))) todo.set(h, bytes[i]!);
  });
  if (todo.size > 0) {
    const batch = build(todo);
    for (const h of todo.keys()) {
      const p = batch.then(() => entryOf(h));
      pending.set(h, p);
      p.catch(() => pending.delete(h));
    }
  }
  return Promise.all(hashes.map((h) => pending.get(h) ?? Promise.resolve(entryOf(h))));
}

async function build(todo: Map<string, Uint8Array>): Promise<void> {
  const failed = await transpileInCache(todo, 'shim');
  for (const h of todo.keys()) {
    if (failed.has(h)) throw new Error(`jco transpile failed: ${failed.get(h)}`);
    if (!existsSync(entryOf(h))) throw new Error(`transpile produced no ${entryOf(h)}`);
  }
}

/**
 * Runs `child` (a transpile-*child.mjs) over the components of `todo`, each into CACHE/<key>,
 * and returns jco's error for each one it could not transpile. Only successes are cached: once
 * jco traps, its bindgen instance refuses every later call ("cannot enter component
 * instance"), so the child stops at its first failure (exit code 3) and the rest go to a fresh
 * process. Components are transpiled into private dirs and renamed: parallel test workers may race.
 */
export async function transpileInCache(todo: Map<string, Uint8Array>, mode: 'shim' | 'instantiation'): Promise<Map<string, string>> {
  mkdirSync(CACHE, { recursive: true });
  const failed = new Map<string, string>();
  let jobs = [...todo].map(([key, component]) => {
    const tmp = join(CACHE, `${key}.tmp-${process.pid}-${Date.now()}`);
    mkdirSync(tmp, { recursive: true });
    const input = join(tmp, 'input.wasm');
    writeFileSync(input, component);
    return { key, tmp, input };
  });
  try {
    while (jobs.length > 0) {
      const stderr: Buffer[] = [];
      const code = await new Promise<number | null>((resolve, reject) => {
        const cp = spawn(process.execPath, ['--no-warnings', CHILD, mode, ...jobs.flatMap((j) => [j.input, j.tmp])], { stdio: ['ignore', 'ignore', 'pipe'] });
        cp.stderr.on('data', (d: Buffer) => stderr.push(d));
        cp.on('error', reject);
        cp.on('exit', resolve);
      });
      const left: typeof jobs = [];
      for (const j of jobs) {
        const error = join(j.tmp, ERROR_FILE);
        if (existsSync(error)) {
          failed.set(j.key, readFileSync(error, 'utf8'));
        } else if (existsSync(join(j.tmp, 'component.js')) && (code === 0 || code === STOPPED)) {
          rmSync(j.input);
          try {
            renameSync(j.tmp, join(CACHE, j.key));
          } catch {
            // Another worker won the race; its output is equivalent.
          }
        } else {
          left.push(j);
          continue;
        }
        rmSync(j.tmp, { recursive: true, force: true });
      }
      // A child that neither finished nor stopped at a failure made no progress to build on.
      if (code !== 0 && code !== STOPPED) throw new Error(`jco transpile failed (exit ${code}): ${Buffer.concat(stderr).toString()}`);
      if (left.length === jobs.length) throw new Error(`jco transpile made no progress: ${Buffer.concat(stderr).toString()}`);
      jobs = left;
    }
  } finally {
    for (const j of jobs) rmSync(j.tmp, { recursive: true, force: true });
  }
  return failed;
}
