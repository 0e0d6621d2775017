import { expect } from 'vitest';
import type { WasiAdaptError } from '../src/errors.js';
import { errorOf } from './helpers/errors.js';

/**
 * Assembles WAT with wasm-tools, bundled in jco, so no system tools are needed. It takes every
 * proposal (GC, exnref, threads, memory64, ...; legacy exceptions only in the flat
 * `try ... catch ... end` form), doesn't validate, writes minimal LEBs, and turns
 * identifiers into a `name` section.
 */
export { wat } from './helpers/wat.js';

/** Runs `f`, expecting a WasiAdaptError with `code` (and `offset` when given). */
export function expectError(f: () => unknown, code: string, offset?: number): WasiAdaptError {
  const err = errorOf(f);
  expect(err.code).toBe(code);
  if (offset !== undefined) expect(err.offset).toBe(offset);
  return err;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
