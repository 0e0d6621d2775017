// Builds dist/adapters/p2-on-p1.wasm: asc compiles assembly/, then the finish
// step renames exports to canonical-ABI names and checks the polyfill's contract.
// Run by scripts/build-adapters.mjs before tsc (tsc compiles the bytes module made
// from this output), so finish.ts is bundled here with esbuild rather than taken from dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

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

const bundled = await build({ entryPoints: [join(here, 'finish.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
const { finishPolyfill } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].contents).toString('base64')}`);
const out = finishPolyfill(new Uint8Array(readFileSync(raw)));
writeFileSync(join(dist, 'p2-on-p1.wasm'), out);
rmSync(raw);
console.log(`p2-on-p1.wasm: ${out.length} bytes`);
