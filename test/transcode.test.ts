// String transcoding in fused adapters (src/lower/transcode.ts), per CanonicalABI.md's
// load_string_from_range / store_string_into_range: every pair of encodings, strings of every
// code point class, invalid input (traps), and the realloc calls the specification makes.
// The adapter of `func(s: string) -> string` runs on V8 with a JS callee that echoes its string:
// the callee must receive the string in its encoding and the caller get it back in its own.
import { describe, expect, test } from 'vitest';
import type { StringEncoding } from '../src/component/evaluate.js';
import { fuseAdapter } from '../src/lower/fuse.js';

const ENCODINGS: StringEncoding[] = ['utf8', 'utf16', 'latin1+utf16'];
const TAG = 0x8000_0000;

const SAMPLES: Record<string, string> = {
  empty: '',
  ascii: 'hello, world',
  latin1: 'caf\u00e9 \u00ff\u00e0',
  bmp: 'snow \u2603 and \u4e2d\u6587',
  astral: 'emoji \u{1f600} \u{10ffff}',
  mixed: 'a\u00e9\u2603\u{1f600}z',
  long: 'x'.repeat(5000) + '\u00e9' + 'y'.repeat(3000) + '\u{1f600}',
  longLatin1: '\u00e9'.repeat(4000),
};

type Call = [number, number, number, number];

/** Encodes `s` as a side with `enc` stores it: [bytes, tagged code units, alignment]. */
function encode(s: string, enc: StringEncoding): [Uint8Array, number] {
  if (enc === 'utf8') {
    const b = new TextEncoder().encode(s);
    return [b, b.length];
  }
  const units = [...s].flatMap((ch) => {
    const cp = ch.codePointAt(0)!;
    return cp < 0x10000 ? [cp] : [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)];
  });
  if (enc === 'latin1+utf16' && units.every((u) => u < 256)) return [Uint8Array.from(units), units.length];
  const b = new Uint8Array(units.length * 2);
  units.forEach((u, i) => {
    b[2 * i] = u & 0xff;
    b[2 * i + 1] = u >> 8;
  });
  return [b, enc === 'latin1+utf16' ? (units.length | TAG) >>> 0 : units.length];
}

function decode(mem: Uint8Array, ptr: number, tagged: number, enc: StringEncoding): string {
  if (enc === 'utf8') return new TextDecoder('utf-8', { fatal: true }).decode(mem.subarray(ptr, ptr + tagged));
  if (enc === 'latin1+utf16' && !(tagged & TAG)) return String.fromCharCode(...mem.subarray(ptr, ptr + tagged));
  const units = tagged & ~TAG;
  expect(ptr % 2).toBe(0);
  return new TextDecoder('utf-16le', { fatal: true }).decode(mem.subarray(ptr, ptr + 2 * units));
}

/** The realloc calls store_string_into_range makes for `s` from `from` into `to` (the spec's functions, in JS). */
function expectedReallocs(s: string, from: StringEncoding, to: StringEncoding): Call[] {
  const [srcBytes, tagged] = encode(s, from);
  const simple = from === 'latin1+utf16' ? (tagged & TAG ? 'utf16' : 'latin1') : from;
  const units = from === 'utf8' ? srcBytes.length : tagged & ~TAG;
  const utf8 = new TextEncoder().encode(s).length;
  const utf16 = encode(s, 'utf16')[1];
  const big = [...s].some((ch) => ch.codePointAt(0)! >= 256);
  const out: Call[] = [];
  const P = -1; // any pointer
  if (to === 'utf8') {
    if (simple === 'utf8') return [[0, 0, 1, units]];
    const worst = units * (simple === 'utf16' ? 3 : 2);
    out.push([0, 0, 1, units]);
    if (units < utf8) {
      out.push([P, units, 1, worst]);
      if (worst > utf8) out.push([P, worst, 1, utf8]);
    }
    return out;
  }
  if (to === 'utf16') {
    if (simple !== 'utf8') return [[0, 0, 2, 2 * units]];
    out.push([0, 0, 2, 2 * units]);
    if (2 * utf16 < 2 * units) out.push([P, 2 * units, 2, 2 * utf16]);
    return out;
  }
  if (simple === 'latin1') return [[0, 0, 2, units]];
  if (from === 'latin1+utf16') {
    out.push([0, 0, 2, 2 * units]);
    if (!big) out.push([P, 2 * units, 1, units]);
    return out;
  }
  out.push([0, 0, 2, units]);
  if (big) {
    out.push([P, units, 2, 2 * units]);
    if (2 * units > 2 * utf16) out.push([P, 2 * units, 2, 2 * utf16]);
  } else if (utf16 < units) out.push([P, units, 2, utf16]);
  return out;
}

interface Harness {
  mem: Uint8Array;
  call(s: string | Uint8Array, tagged?: number): { result: string; received: string; reallocs: { caller: Call[]; callee: Call[] } };
}

/**
 * One memory, the caller's data at 1024, each realloc (from 64 KiB) a bump allocator (realloc with an old
 * pointer moves: copies the old bytes to a fresh block, as a real allocator may).
 */
async function harness(caller: StringEncoding, callee: StringEncoding, bulk = false): Promise<Harness> {
  const { bytes, imports } = fuseAdapter({
    params: [{ k: 'string' }],
    results: [{ k: 'string' }],
    caller: { encoding: caller, memory: true, region: false, realloc: true, postReturn: false },
    callee: { encoding: callee, memory: true, region: false, realloc: true, postReturn: true },
    bulk,
  });
  const memory = new WebAssembly.Memory({ initial: 4 });
  const mem = () => new Uint8Array(memory.buffer);
  let next = 65536;
  const log: { caller: Call[]; callee: Call[] } = { caller: [], callee: [] };
  const realloc = (side: 'caller' | 'callee') => (old: number, oldSize: number, align: number, size: number) => {
    log[side].push([old === 0 ? 0 : -1, oldSize, align, size]);
    next = Math.ceil(next / align) * align;
    const p = next;
    next += size;
    if (old) mem().copyWithin(p, old, old + Math.min(oldSize, size));
    return p;
  };
  let received = '';
  let postReturned = 0;
  const env: Record<string, unknown> = {
    'callee.func': (p: number, n: number) => {
      received = decode(mem(), p, n >>> 0, callee);
      const ret = 64;
      new DataView(memory.buffer).setUint32(ret, p, true);
      new DataView(memory.buffer).setUint32(ret + 4, n, true);
      return ret;
    },
    'callee.realloc': realloc('callee'),
    'callee.post-return': () => void postReturned++,
    'caller.realloc': realloc('caller'),
    'mem.memory': memory,
  };
  const importObject: Record<string, Record<string, unknown>> = {};
  for (const name of imports) {
    const [m, f] = name.split('.') as [string, string];
    (importObject[m] ??= {})[f] = env[name];
  }
  const { instance } = await WebAssembly.instantiate(bytes, importObject as WebAssembly.Imports);
  const adapter = instance.exports.adapter as (p: number, n: number, ret: number) => void;
  return {
    get mem() {
      return mem();
    },
    call(s, taggedIn) {
      const [b, tagged] = typeof s === 'string' ? encode(s, caller) : [s, taggedIn ?? s.length];
      next = 65536;
      log.caller = [];
      log.callee = [];
      mem().set(b, 1024);
      const before = postReturned;
      adapter(1024, tagged, 128);
      expect(postReturned).toBe(before + 1);
      const dv = new DataView(memory.buffer);
      const result = decode(mem(), dv.getUint32(128, true), dv.getUint32(132, true), caller);
      return { result, received, reallocs: log };
    },
  };
}

describe.each(ENCODINGS.flatMap((a) => ENCODINGS.map((b) => [a, b] as const)))('%s caller, %s callee', (caller, callee) => {
  test.each(Object.entries(SAMPLES))('%s', async (_name, s) => {
    for (const bulk of [false, true]) {
      const h = await harness(caller, callee, bulk);
      const { result, received, reallocs } = h.call(s);
      expect(received).toBe(s);
      expect(result).toBe(s);
      const norm = (calls: Call[]) => calls.map(([p, ...rest]) => [p === 0 ? 0 : -1, ...rest]);
      expect(norm(reallocs.callee)).toEqual(expectedReallocs(s, caller, callee));
      expect(norm(reallocs.caller)).toEqual(expectedReallocs(s, callee, caller));
    }
  });

  test('invalid strings and pointers trap', async () => {
    const h = await harness(caller, callee);
    const bad: [string, Uint8Array, number][] =
      caller === 'utf8'
        ? [
            ['truncated', Uint8Array.from([0x61, 0xc3]), 2],
            ['overlong', Uint8Array.from([0xc0, 0x80]), 2],
            ['surrogate', Uint8Array.from([0xed, 0xa0, 0x80]), 3],
            ['past U+10FFFF', Uint8Array.from([0xf4, 0x90, 0x80, 0x80]), 4],
            ['stray continuation', Uint8Array.from([0x80]), 1],
          ]
        : [
            ['lone high surrogate', Uint8Array.from([0x00, 0xd8, 0x61, 0x00]), caller === 'utf16' ? 2 : (2 | TAG) >>> 0],
            ['lone low surrogate', Uint8Array.from([0x00, 0xdc]), caller === 'utf16' ? 1 : (1 | TAG) >>> 0],
            ['high surrogate at the end', Uint8Array.from([0x00, 0xd8]), caller === 'utf16' ? 1 : (1 | TAG) >>> 0],
          ];
    for (const [what, bytes, tagged] of bad) expect(() => h.call(bytes, tagged), what).toThrow(WebAssembly.RuntimeError);
    // Out of range: 4 pages = 262144 bytes.
    expect(() => h.call(new Uint8Array(0), 300_000)).toThrow(WebAssembly.RuntimeError);
  });
});
