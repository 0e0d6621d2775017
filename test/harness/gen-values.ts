// Deterministic sample values for a WIT type, in jco's JS shapes (see
// cabi.ts): sample 0 is the minimum/empty, 1 the maximum/non-empty, 2 a
// typical value with non-ASCII text. A handle is a placeholder
// {$handle: resource} that the caller replaces with a live handle.
import { camel, type CType } from './cabi.js';

const INTS = {
  u8: [0, 255, 7], s8: [-128, 127, -1], u16: [0, 65535, 300], s16: [-32768, 32767, -300],
  u32: [0, 4294967295, 123456], s32: [-2147483648, 2147483647, -5],
} as const;
const BIGS = { u64: [0n, 2n ** 64n - 1n, 1n << 40n], s64: [-(2n ** 63n), 2n ** 63n - 1n, -7n] } as const;
const TYPED = {
  u8: Uint8Array, s8: Int8Array, u16: Uint16Array, s16: Int16Array, u32: Uint32Array, s32: Int32Array,
  u64: BigUint64Array, s64: BigInt64Array, f32: Float32Array, f64: Float64Array,
} as const;

export const SAMPLES = 3;

export function sample(t: CType, i: number): unknown {
  switch (t.k) {
    case 'bool': return i !== 0;
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32': return INTS[t.k][i];
    case 'u64': case 's64': return BIGS[t.k][i];
    case 'f32': return [0, Math.fround(3.4028234663852886e38), -1.5][i];
    case 'f64': return [0, Number.MAX_VALUE, -1.25][i];
    case 'char': return ['a', '\u{10FFFF}', '🚀'][i];
    case 'string': return ['', 'hello ⚑ world', '🚀🚀🚀 𠈄𓀀'][i];
    case 'list': {
      const items = i === 0 ? [] : i === 1 ? [sample(t.elem, 1), sample(t.elem, 0)] : [sample(t.elem, 2)];
      const Typed = (TYPED as Record<string, { from(x: unknown[]): unknown }>)[t.elem.k];
      return Typed ? Typed.from(items) : items;
    }
    case 'record': return Object.fromEntries(t.fields.map((f) => [camel(f.name), sample(f.type, i)]));
    case 'tuple': return t.types.map((x) => sample(x, i));
    case 'variant': {
      const c = t.cases[i % t.cases.length]!;
      return { tag: c.name, val: c.type ? sample(c.type, i) : undefined };
    }
    case 'enum': return t.names[i % t.names.length];
    case 'option': {
      const some = i === 0 ? undefined : sample(t.type, i);
      if (t.type.k === 'option') return i === 0 ? { tag: 'none' } : { tag: 'some', val: some };
      return some;
    }
    case 'result': {
      const ok = i % 2 === 0;
      const payload = ok ? t.ok : t.err;
      return { tag: ok ? 'ok' : 'err', val: payload ? sample(payload, i) : undefined };
    }
    case 'flags': return Object.fromEntries(t.names.map((n, j) => [camel(n), i === 1 || (i === 2 && j % 2 === 0)]));
    case 'own': case 'borrow': return { $handle: t.resource, ...(t.iface ? { iface: t.iface } : {}) };
  }
}
