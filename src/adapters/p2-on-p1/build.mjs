// Builds dist/adapters/p2-on-p1.wasm (see build-polyfill.mjs).
import { buildPolyfill } from './build-polyfill.mjs';

await buildPolyfill('p2-on-p1', import.meta.dirname, 'finishPolyfill');
