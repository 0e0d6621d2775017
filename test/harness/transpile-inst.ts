// jco transpile in instantiation mode (the caller passes the imports object),
// cached by content hash under node_modules/.cache like transpile-cache.ts,
// many components in one child process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/wasi-adapt-harness/', import.meta.url));
const CHILD = fileURLToPath(new URL('./transpile-inst-child.mjs', import.meta.url));
// Bump when the transpile options change.
const CACHE_VERSION = 'jco-1.35.0-instantiation-async-v1';

const keyOf = (component: Uint8Array): string =>
  `inst-${createHash('sha256').update(CACHE_VERSION).update(component).digest('hex').slice(0, 32)}`;
const entryOf = (key: string): string => join(CACHE, key, 'component.js');

const errorOf = (key: string): string => join(CACHE, key, 'transpile-error.txt');

export type Transpiled = { entry: string } | { error: string };

/** The transpiled entry module of each component (instantiation mode), or jco's error; transpiles the ones not cached in one process. */
export async function pretranspileInstantiable(components: Uint8Array[]): Promise<Transpiled[]> {
  const keys = components.map(keyOf);
  const todo = new Map<string, Uint8Array>();
  keys.forEach((k, i) => {
    if (!existsSync(entryOf(k)) && !existsSync(errorOf(k))) todo.set(k, components[i]!);
  });
  if (todo.size > 0) await build(todo);
  return keys.map((k) => (existsSync(entryOf(k)) ? { entry: entryOf(k) } : { error: readFileSync(errorOf(k), 'utf8') }));
}

async function build(todo: Map<string, Uint8Array>): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const jobs = [...todo].map(([key, component]) => {
    const tmp = join(CACHE, `${key}.tmp-${process.pid}-${Date.now()}`);
    mkdirSync(tmp, { recursive: true });
    const input = join(tmp, 'input.wasm');
    writeFileSync(input, component);
    return { key, tmp, input };
  });
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const cp = spawn(process.execPath, ['--no-warnings', CHILD, ...jobs.flatMap((j) => [j.input, j.tmp])], { stdio: ['ignore', 'ignore', 'pipe'] });
    cp.stderr.on('data', (d: Buffer) => stderr.push(d));
    cp.on('error', reject);
    cp.on('exit', resolve);
  });
  for (const j of jobs) {
    if (code === 0) {
      rmSync(j.input);
      try {
        renameSync(j.tmp, join(CACHE, j.key));
      } catch {
        // Another worker won the race; its output is equivalent.
      }
    }
    rmSync(j.tmp, { recursive: true, force: true });
  }
  if (code !== 0) throw new Error(`jco transpile failed: ${Buffer.concat(stderr).toString()}`);
}
