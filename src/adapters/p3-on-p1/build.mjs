// Builds dist/adapters/p3-on-p1.wasm: p2-on-p1's sources plus the WASI 0.3 runtime, compiled
// by asc as one module (one state, one set of p1 imports), finished and checked as p2-on-p1 is
// (see p2-on-p1/build-polyfill.mjs).
import { buildPolyfill } from '../p2-on-p1/build-polyfill.mjs';

await buildPolyfill('p3-on-p1', import.meta.dirname, 'finishP3Polyfill');
