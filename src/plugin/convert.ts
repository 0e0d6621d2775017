// The one conversion every hook runs, and the one-line message its failures become.
import { lift, lower, WasiAdaptError, type LiftOptions, type LowerOptions } from '../index.js';

export type Direction = 'down' | 'up';

export interface ConvertOptions {
  lower?: LowerOptions | undefined;
  lift?: LiftOptions | undefined;
}

export function convert(bytes: Uint8Array, direction: Direction, options: ConvertOptions): Uint8Array {
  return direction === 'down' ? lower(bytes, options.lower).module : lift(bytes, options.lift).component;
}

/** `app.wasm` -> `app.p1.wasm` (down) or `app.p2.wasm` (up); an `.p1`/`.p2` infix is replaced. */
export function convertedName(file: string, direction: Direction): string {
  return file.replace(/(\.p[12])?\.wasm$/i, direction === 'down' ? '.p1.wasm' : '.p2.wasm');
}

/**
 * wasi-adapt's own errors as `FILE: at offset 0x..: message [code]`, for the
 * bundler's diagnostics; anything else is a bug, so it is rethrown as it is.
 */
export function diagnostic(err: unknown, file: string): string {
  if (err instanceof WasiAdaptError) return err.inFile(file).describe();
  throw err;
}
