// JSON that keeps what WIT values need and JSON drops: BigInt, typed arrays,
// undefined, NaN/Infinity/-0. Used on both sides of the child-process report.
// No imports: child processes load this file transpiled on its own.

const TYPED_NAMES = [
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'BigUint64Array', 'BigInt64Array', 'Float32Array', 'Float64Array',
] as const;
type TypedName = (typeof TYPED_NAMES)[number];

export function encodeValue(v: unknown): unknown {
  if (v === undefined) return { $u: 1 };
  if (typeof v === 'bigint') return { $b: v.toString() };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $n: 'NaN' };
    if (!Number.isFinite(v) || Object.is(v, -0)) return { $n: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  }
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name as TypedName;
    if (!TYPED_NAMES.includes(name)) throw new Error(`cannot encode a ${name}`);
    return { $t: name, v: Array.from(v as unknown as ArrayLike<unknown>, encodeValue) };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object') {
    // Properties holding undefined are dropped, as JSON does: jco writes a
    // payload-less case as {tag} and the caller may write {tag, val: undefined}.
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return Object.fromEntries(entries.map(([k, x]) => [k.startsWith('$') ? `$${k}` : k, encodeValue(x)]));
  }
  return v;
}

export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$u' in o) return undefined;
  if ('$b' in o) return BigInt(o.$b as string);
  if ('$n' in o) return o.$n === '-0' ? -0 : Number(o.$n);
  if ('$t' in o) {
    const C = (globalThis as unknown as Record<string, new (x: unknown[]) => unknown>)[o.$t as string]!;
    return new C((o.v as unknown[]).map(decodeValue));
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k.startsWith('$$') ? k.slice(1) : k, decodeValue(x)]));
}
