// Child process: transpiles components with jco, each into its directory:
//   node transpile-child.mjs shim|instantiation IN1.wasm OUTDIR1 [IN2.wasm OUTDIR2 ...]
// `shim`: bindings on jco's WASI shim; `instantiation`: the test passes the imports object, so
// the same JS import implementations can serve jco and the down output.
// Kept out of the test process because jco's bindgen is heavy and vitest's module runner trips
// over its import.meta.resolve use. Several per call, because the first transpile in a process
// pays ~3 s of bindgen start-up.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpile } from '@bytecodealliance/jco';

const [mode, ...argv] = process.argv.slice(2);
const how = mode === 'instantiation' ? { instantiation: 'async' } : { wasiShim: true };
for (let i = 0; i + 1 < argv.length; i += 2) {
  const [componentPath, outDir] = [argv[i], argv[i + 1]];
  try {
    const { files } = await transpile(readFileSync(componentPath), { name: 'component', noTypescript: true, quiet: true, ...how });
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(outDir, name)), { recursive: true });
      writeFileSync(join(outDir, name), bytes);
    }
  } catch (e) {
    // The error is this component's result; jco's bindgen instance may be poisoned now (a trap
    // leaves it unusable), so the caller gives the rest to a fresh process (exit code 3).
    writeFileSync(join(outDir, 'transpile-error.txt'), String(e?.stack ?? e));
    process.exit(3);
  }
}
// jco's WASI shim keeps a worker alive for a few seconds; leave at once.
process.exit(0);
