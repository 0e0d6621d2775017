// jco transpile in instantiation mode (the caller passes the imports object),
// cached by content hash under node_modules/.cache like transpile-cache.ts,
// many components in one child process.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, transpileInCache } from './transpile-cache.js';

// Bump when the transpile options change.
// v2: errors are no longer cached (v1 directories may hold one).
const CACHE_VERSION = 'jco-1.35.0-instantiation-async-v2';

const keyOf = (component: Uint8Array): string =>
  `inst-${createHash('sha256').update(CACHE_VERSION).update(component).digest('hex').slice(0, 32)}`;
const entryOf = (key: string): string => join(CACHE, key, 'component.js');

export type Transpiled = { entry: string } | { error: string };

/**
 * The transpiled entry module of each component (instantiation mode), or jco's error; transpiles
 * the ones not cached. Errors are not cached: the next run tries again.
 */
export async function pretranspileInstantiable(components: Uint8Array[]): Promise<Transpiled[]> {
  const keys = components.map(keyOf);
  const todo = new Map<string, Uint8Array>();
  keys.forEach((k, i) => {
    if (!existsSync(entryOf(k))) todo.set(k, components[i]!);
  });
  const failed = todo.size > 0 ? await transpileInCache(todo, 'instantiation') : new Map<string, string>();
  return keys.map((k) => (failed.has(k) ? { error: failed.get(k)! } : { entry: entryOf(k) }));
}
