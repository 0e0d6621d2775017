import { WasiAdaptError } from '../../src/errors.js';

/** The WasiAdaptError `f` throws; any other exception, or none, fails the test. */
export function errorOf(f: () => unknown): WasiAdaptError {
  try {
    f();
  } catch (e) {
    if (e instanceof WasiAdaptError) return e;
    throw e;
  }
  throw new Error('expected a WasiAdaptError, but nothing was thrown');
}
