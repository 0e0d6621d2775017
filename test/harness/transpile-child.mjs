// Child process: transpiles components with jco, each into its directory:
//   node transpile-child.mjs IN1.wasm OUTDIR1 [IN2.wasm OUTDIR2 ...]
// Kept out of the test process because jco's bindgen is heavy and vitest's
// module runner trips over its import.meta.resolve use. Several per call,
// because the first transpile in a process pays ~3 s of bindgen start-up.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpile } from '@bytecodealliance/jco';

const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  const [componentPath, outDir] = [argv[i], argv[i + 1]];
  try {
    const { files } = await transpile(readFileSync(componentPath), {
      name: 'component',
      noTypescript: true,
      wasiShim: true,
      quiet: true,
    });
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(outDir, name)), { recursive: true });
      writeFileSync(join(outDir, name), bytes);
    }
  } catch (e) {
    // As in transpile-inst-child.mjs: report, and leave the rest to a fresh process.
    writeFileSync(join(outDir, 'transpile-error.txt'), String(e?.stack ?? e));
    process.exit(3);
  }
}
// jco's WASI shim keeps a worker alive for a few seconds; leave at once.
process.exit(0);
