import { wasm } from '../adapters/generated/p1-on-p2.js';
import { parseModule, type CoreModule } from '../binary/module.js';

let cached: CoreModule | undefined;

/** The preview1 adapter (built from src/adapters/p1-on-p2/), parsed once per process. */
export function loadAdapter(): CoreModule {
  return (cached ??= parseModule(wasm()));
}
