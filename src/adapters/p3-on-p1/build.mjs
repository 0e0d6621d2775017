// Builds dist/adapters/p3-on-p1.wasm: p2-on-p1's sources plus the WASI 0.3 runtime, compiled
// by asc as one module (one state, one set of p1 imports), then finish.ts renames exports to
// canonical-ABI names and checks the contract p2-on-p1 keeps (see p2-on-p1/build.mjs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const dist = join(root, 'dist', 'adapters');
const raw = join(dist, 'p3-on-p1.asc.wasm');
mkdirSync(dist, { recursive: true });

execFileSync(process.execPath, [
  join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'),
  join(here, 'assembly', 'index.ts'),
  '--runtime', 'stub',
  '--importMemory', '--noExportMemory',
  '--use', 'abort=src/adapters/p2-on-p1/assembly/mem/trap',
  '-O3', '--converge',
  '-o', raw,
], { stdio: 'inherit', cwd: root });

const bundled = await build({ entryPoints: [join(here, 'finish.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
const { finishP3Polyfill } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].contents).toString('base64')}`);
const out = finishP3Polyfill(new Uint8Array(readFileSync(raw)));
writeFileSync(join(dist, 'p3-on-p1.wasm'), out);
rmSync(raw);
console.log(`p3-on-p1.wasm: ${out.length} bytes`);
