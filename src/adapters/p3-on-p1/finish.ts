import { finishPolyfill } from '../p2-on-p1/finish.js';
import { P3_POLYFILL_SIGNATURES } from './signatures.js';

/**
 * asc output -> the WASI 0.3 polyfill: p2-on-p1's finishing (exports renamed to their
 * canonical names, helpers and custom sections dropped) and its whole contract, checked
 * against the 0.2 and 0.3 signatures together, since the 0.3 build compiles both.
 */
export function finishP3Polyfill(asc: Uint8Array): Uint8Array {
  return finishPolyfill(asc, P3_POLYFILL_SIGNATURES);
}
