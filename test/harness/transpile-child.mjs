// Child process: transpiles one component with jco into a directory. Kept out
// of the test process because jco's bindgen is heavy and vitest's module
// runner trips over its import.meta.resolve use.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transpile } from '@bytecodealliance/jco';

const [componentPath, outDir] = process.argv.slice(2);
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
