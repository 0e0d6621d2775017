// jco transpiles a component to JS + core modules in about a second (20 s
// for the 13 MB componentize-js one), so results are cached by content hash.
// The cache lives under node_modules/ so the generated code resolves the
// same @bytecodealliance/preview2-shim instance as child-p2.mjs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(REPO, 'node_modules', '.cache', 'wasi-adapt-harness');
const CHILD = fileURLToPath(new URL('./transpile-child.mjs', import.meta.url));
// Bump when transpile options change, so stale output is not reused.
const CACHE_VERSION = 'jco-1.35.0-v1';

const pending = new Map<string, Promise<string>>();

/** Returns the path of the transpiled entry module for `component`. */
export function transpiled(component: Uint8Array): Promise<string> {
  const hash = createHash('sha256').update(CACHE_VERSION).update(component).digest('hex').slice(0, 32);
  let p = pending.get(hash);
  if (!p) {
    p = build(hash, component);
    pending.set(hash, p);
    p.catch(() => pending.delete(hash));
  }
  return p;
}

async function build(hash: string, component: Uint8Array): Promise<string> {
  const dir = join(CACHE, hash);
  const entry = join(dir, 'component.js');
  if (existsSync(entry)) return entry;
  mkdirSync(CACHE, { recursive: true });
  // Transpile into a private dir and rename: parallel test workers may race.
  const tmp = join(CACHE, `${hash}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  const input = join(tmp, 'input.wasm');
  await import('node:fs/promises').then((fs) => fs.writeFile(input, component));
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const cp = spawn(process.execPath, ['--no-warnings', CHILD, input, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    cp.stderr.on('data', (d: Buffer) => stderr.push(d));
    cp.on('error', reject);
    cp.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`jco transpile failed: ${Buffer.concat(stderr).toString()}`);
  }
  rmSync(input);
  try {
    renameSync(tmp, dir);
  } catch {
    // Another worker won the race; its output is equivalent.
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(entry)) throw new Error(`transpile produced no ${entry}`);
  return entry;
}

export function readComponent(component: Uint8Array | string): Uint8Array {
  return typeof component === 'string' ? readFileSync(component) : component;
}
