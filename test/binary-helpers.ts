import { parse } from '@bytecodealliance/jco';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';

/** Assembles WAT with wabt (`--enable-all`, names kept), through a temp dir. */
export function wat2wasm(text: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-wat-'));
  try {
    const src = join(dir, 'in.wat');
    const out = join(dir, 'out.wasm');
    writeFileSync(src, text);
    execFileSync('/usr/bin/wat2wasm', ['--enable-all', '--debug-names', src, '-o', out], { stdio: 'pipe' });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles WAT with wasm-tools (via jco) for GC and exnref, which wabt 1.0.32 cannot parse. */
export async function wasmTools(text: string): Promise<Uint8Array> {
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
