// Builds the preview1-on-WASI-0.2 adapter to dist/adapters/p1-on-p2.wasm.
// MVP only (every post-MVP feature disabled) so any p1 module can take it; no
// runtime, imported memory, and `abort` compiled to `unreachable`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

const here = import.meta.dirname;
const out = join(here, '..', '..', '..', 'dist', 'adapters', 'p1-on-p2.wasm');
mkdirSync(join(out, '..'), { recursive: true });

const { error, stderr } = await asc.main([
  join(here, 'assembly', 'index.ts'),
  '--outFile', out,
  '--optimizeLevel', '3', '--shrinkLevel', '2', '--converge', '--noAssert',
  '--runtime', 'stub',
  '--importMemory', '--noExportMemory',
  '--use', 'abort=',
  '--disable', 'mutable-globals,sign-extension,nontrapping-f2i,bulk-memory',
]);
if (error) {
  console.error(stderr.toString());
  throw error;
}
