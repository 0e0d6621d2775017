// Builds every wasm-side adapter: each src/adapters/<name>/build.mjs writes dist/adapters/<name>.wasm.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', 'src', 'adapters');
for (const name of readdirSync(root).sort()) {
  const script = join(root, name, 'build.mjs');
  if (existsSync(script)) await import(pathToFileURL(script).href);
}
