/**
 * WIT from disk (WIT.md, "Filesystem structure"): a file is a root package (dependencies inline
 * as `package ... { }`); a directory is a root package made of its `*.wit` files, with each entry
 * of its `deps/` (a file or a directory of `*.wit` files) a dependency. Node-only: the parser and
 * resolver take text, so the library stays browser-safe.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WasiAdaptError } from '../errors.js';
import type { WitFile } from './ast.js';
import { parseWit } from './parser.js';
import { resolveWit, type ResolvedWit } from './resolve.js';

export interface LoadOptions {
  /** More dependency packages outside the root's `deps/`: files, or directories (with their own `deps/`). */
  readonly deps?: readonly string[];
}

export function loadWit(path: string, options: LoadOptions = {}): ResolvedWit {
  const [root, ...deps] = packageGroups(path);
  for (const extra of options.deps ?? []) deps.push(...packageGroups(extra));
  return resolveWit(root!, deps);
}

/** The root group of files at `path`, then one group per dependency in its `deps/`. */
function packageGroups(path: string): WitFile[][] {
  if (!isDirectory(path)) return [[parseFile(path)]];
  const groups = [witFiles(path)];
  const deps = join(path, 'deps');
  if (statSync(deps, { throwIfNoEntry: false })?.isDirectory()) {
    for (const entry of readdirSync(deps).sort()) {
      const p = join(deps, entry);
      if (isDirectory(p)) groups.push(witFiles(p));
      else if (entry.endsWith('.wit')) groups.push([parseFile(p)]);
    }
  }
  return groups;
}

function witFiles(dir: string): WitFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.wit'))
    .sort()
    .map((name) => parseFile(join(dir, name)));
}

function parseFile(path: string): WitFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new WasiAdaptError('io', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new WasiAdaptError('bad-utf8', `${path}: a WIT file must be UTF-8`);
  }
  return parseWit(text, path);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (cause) {
    throw new WasiAdaptError('io', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}
