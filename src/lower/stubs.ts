import type { FuncType } from '../binary/types.js';
import { MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, discriminantSize, flatten, payloadOffset, signatureOf, size, zeroIsValid, type CoreType, type Shape } from '../component/abi.js';
import type { FuncTypeRef } from '../component/evaluate.js';
import { funcTypeEquals } from '../binary/types.js';
import { WasiAdaptError } from '../errors.js';

/**
 * What the stand-in for a WASI function p1 cannot serve does. A function whose
 * WIT result can say "failed" (a `result`, or an `option`'s none) says so, so
 * the program's own error handling runs; any other traps, after writing a line
 * naming the function to stderr.
 */
export type StubBehaviour =
  /** Return this i32 (a result or option flattened to its discriminant alone). */
  | { kind: 'return'; value: number }
  /** Zero `size` bytes at the return pointer (the last parameter), then store these discriminants. */
  | { kind: 'store'; size: number; stores: { offset: number; bytes: 1 | 2 | 4; value: number }[]; value: string }
  | { kind: 'trap'; message: string };

/**
 * Interfaces the polyfill serves without the capability behind them (p1 has no
 * network): linked by default like any other, refused by --strict, kept as
 * imports by --allow-unresolved, and listed as stand-ins in the report.
 */
export const STAND_IN_INTERFACES: ReadonlyMap<string, string> = new Map([
  ['wasi:http/types', 'polyfill stand-in (in-memory requests and responses)'],
  ['wasi:http/outgoing-handler', 'polyfill stand-in (every request fails with an error-code)'],
]);


/** The stub for `iface#func` of WIT type `type`, whose lowering has the core type `sig`. */
export function stubFor(iface: string, func: string, type: FuncTypeRef | undefined, sig: FuncType): StubBehaviour {
  const trap: StubBehaviour = { kind: 'trap', message: `wasi-adapt: ${iface}#${func} cannot work on WASI preview 1 (this program called it)\n` };
  if (!type) return trap;
  let signature: { params: Shape[]; results: Shape[] };
  try {
    signature = signatureOf(type);
  } catch (err) {
    if (err instanceof WasiAdaptError) return trap;
    throw err;
  }
  if (signature.results.length > 1) return trap;
  const result = signature.results[0];
  let params: CoreType[] = signature.params.flatMap(flatten);
  if (params.length > MAX_FLAT_PARAMS) params = ['i32'];
  const flatResults = result ? flatten(result) : [];
  const viaMemory = flatResults.length > MAX_FLAT_RESULTS;
  const expected: FuncType = { kind: 'func', params: viaMemory ? [...params, 'i32'] : params, results: viaMemory ? [] : flatResults };
  // The lowering's own core type is what the caller was compiled against: never stub a different one.
  if (!funcTypeEquals(expected, sig) || result?.k !== 'variant') return trap;
  const failure = failureOf(result);
  if (!failure) return trap;
  if (!viaMemory) return failure.stores.length === 1 ? { kind: 'return', value: failure.stores[0]!.value } : trap;
  return { kind: 'store', size: size(result), stores: failure.stores, value: failure.value };
}

/** The value saying "failed": err of a result (with the first error case zeros can express), none of an option. */
function failureOf(t: Extract<Shape, { k: 'variant' }>): { stores: { offset: number; bytes: 1 | 2 | 4; value: number }[]; value: string } | undefined {
  const disc = discriminantSize(t.cases.length);
  if (t.of === 'option') return { stores: [{ offset: 0, bytes: disc, value: 0 }], value: 'none' };
  if (t.of !== 'result') return undefined;
  const err = t.cases[1];
  const stores = [{ offset: 0, bytes: disc, value: 1 }];
  if (err === undefined || zeroIsValid(err)) return { stores, value: 'err' };
  if (err.k !== 'variant') return undefined;
  const c = err.cases.findIndex((x) => x === undefined || zeroIsValid(x));
  if (c < 0) return undefined;
  stores.push({ offset: payloadOffset(t), bytes: discriminantSize(err.cases.length), value: c });
  return { stores, value: `err(case ${c})` };
}
