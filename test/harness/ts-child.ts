// Child scripts written in TypeScript: node 20 runs only JS, so the harness
// files a child needs are transpiled (type-stripped, no type check) into a
// cache directory keyed by their content, once per test process.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HARNESS = fileURLToPath(new URL('./', import.meta.url));
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/wasi-adapt-harness/', import.meta.url));

/** Transpiles harness files (names relative to test/harness/) into one directory; returns it. */
export function compileHarness(files: string[]): string {
  const sources = files.map((f) => [f, readFileSync(join(HARNESS, f), 'utf8')] as const);
  const hash = createHash('sha256');
  for (const [f, s] of sources) hash.update(f).update('\0').update(s).update('\0');
  const dir = join(CACHE, `ts-${hash.digest('hex').slice(0, 24)}`);
  if (existsSync(dir)) return dir;
  // Write to a private directory and rename: parallel workers may race.
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  for (const [f, s] of sources) {
    const out = ts.transpileModule(s, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: f,
    });
    writeFileSync(join(tmp, basename(f).replace(/\.ts$/, '.js')), out.outputText);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
