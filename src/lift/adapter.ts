import { readFileSync } from 'node:fs';
import { parseModule, type CoreModule } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';

let cached: CoreModule | undefined;

/**
 * The built adapter (dist/adapters/p1-on-p2.wasm), parsed once per process.
 * Compiled code sits in dist/lift/ next to dist/adapters/; tests run the
 * sources in src/lift/, so the dist copy is the second place to look.
 */
export function loadAdapter(): CoreModule {
  if (cached) return cached;
  for (const rel of ['../adapters/p1-on-p2.wasm', '../../dist/adapters/p1-on-p2.wasm']) {
    try {
      cached = parseModule(readFileSync(new URL(rel, import.meta.url)));
      return cached;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new WasiAdaptError('io', 'the preview1 adapter is not built (run `npm run build`)');
}
