// Child process: transpiles components with jco in instantiation mode (the
// test passes the imports object, so the same JS import implementations can
// serve jco and the down output), each into its directory:
//   node transpile-inst-child.mjs IN1.wasm OUTDIR1 [IN2.wasm OUTDIR2 ...]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpile } from '@bytecodealliance/jco';

const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  const [componentPath, outDir] = [argv[i], argv[i + 1]];
  try {
    const { files } = await transpile(readFileSync(componentPath), {
      name: 'component',
      instantiation: 'async',
      noTypescript: true,
      quiet: true,
    });
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
process.exit(0);
