import { parse } from '@bytecodealliance/jco';
import { expect } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';

/**
 * Assembles core-module WAT with wasm-tools (bundled in jco, so no system tools are needed).
 * Every proposal is accepted (GC, exnref, legacy exceptions, threads, memory64, ...), nothing is
 * validated, LEBs are minimal, and identifiers become a `name` section.
 */
export async function wat(text: string): Promise<Uint8Array> {
  return new Uint8Array(await parse(text));
}

/** Runs `f`, expecting a WasiAdaptError with `code` (and `offset` when given). */
export function expectError(f: () => unknown, code: string, offset?: number): WasiAdaptError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a WasiAdaptError').toBeInstanceOf(WasiAdaptError);
  const err = caught as WasiAdaptError;
  expect(err.code).toBe(code);
  if (offset !== undefined) expect(err.offset).toBe(offset);
  return err;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
