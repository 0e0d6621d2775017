// Builds dist/adapters/p2-on-p1.wasm: asc compiles assembly/, then the
// (tsc-compiled) finish step renames exports to canonical-ABI names and
// checks the polyfill's contract. Run by scripts/build-adapters.mjs after tsc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const dist = join(root, 'dist', 'adapters');
const raw = join(dist, 'p2-on-p1.asc.wasm');
mkdirSync(dist, { recursive: true });

execFileSync(process.execPath, [
  join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'),
  join(here, 'assembly', 'index.ts'),
  '--runtime', 'stub', // no GC, no heap: the polyfill allocates through cabi.realloc / cabi.state_realloc only
  '--importMemory', '--noExportMemory', // the guest's memory, imported as env.memory
  '--use', 'abort=src/adapters/p2-on-p1/assembly/mem/trap', // abort -> unreachable, no env.abort import
  // asc's default features are exactly the allowed set (MVP, mutable globals, sign extension,
  // non-trapping f2i, bulk memory); finish.js rejects anything else.
  '-O3', '--converge',
  '-o', raw,
], { stdio: 'inherit', cwd: root });

const { finishPolyfill } = await import(pathToFileURL(join(root, 'dist', 'adapters', 'p2-on-p1', 'finish.js')).href);
const out = finishPolyfill(new Uint8Array(readFileSync(raw)));
writeFileSync(join(dist, 'p2-on-p1.wasm'), out);
rmSync(raw);
console.log(`p2-on-p1.wasm: ${out.length} bytes`);
