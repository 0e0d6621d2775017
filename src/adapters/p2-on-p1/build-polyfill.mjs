// The build both polyfills share (p2-on-p1, and p3-on-p1, which compiles p2-on-p1's sources
// with its own): asc compiles `<dir>/assembly/index.ts`, then the finish step renames exports to
// canonical-ABI names and checks the polyfill's contract. Run by scripts/build-adapters.mjs
// before tsc (tsc compiles the bytes module made from this output), so the finish module is
// bundled here with esbuild rather than taken from dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..', '..');
const dist = join(root, 'dist', 'adapters');

/** Writes dist/adapters/<name>.wasm from `dir`'s AssemblyScript, finished by `finish` (an export of `dir`/finish.ts). */
export async function buildPolyfill(name, dir, finish) {
  const raw = join(dist, `${name}.asc.wasm`);
  mkdirSync(dist, { recursive: true });
  execFileSync(process.execPath, [
    join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'),
    join(dir, 'assembly', 'index.ts'),
    '--runtime', 'stub', // no GC, no heap: the polyfill allocates through cabi.realloc / cabi.state_realloc only
    '--importMemory', '--noExportMemory', // the guest's memory, imported as env.memory
    '--use', 'abort=src/adapters/p2-on-p1/assembly/mem/trap', // abort -> unreachable, no env.abort import
    // asc's default features are exactly the allowed set (MVP, mutable globals, sign extension,
    // non-trapping f2i, bulk memory); the finish step rejects anything else.
    '-O3', '--converge',
    '-o', raw,
  ], { stdio: 'inherit', cwd: root });

  const bundled = await build({ entryPoints: [join(dir, 'finish.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
  const finished = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].contents).toString('base64')}`);
  const out = finished[finish](new Uint8Array(readFileSync(raw)));
  writeFileSync(join(dist, `${name}.wasm`), out);
  rmSync(raw);
  console.log(`${name}.wasm: ${out.length} bytes`);
}
