// wasi:http/types and wasi:http/outgoing-handler in the polyfill, called the
// way a lowered component calls them (canonical ABI, on node:wasi): fields
// in memory with the WIT's validation and mutability rules, requests and
// responses that keep what they are given, bodies that swallow their bytes,
// and a handler that fails every request with internal-error.
import { describe, expect, it } from 'vitest';
import { POLYFILL_SIGNATURES } from '../src/adapters/p2-on-p1/signatures.js';
import { Host } from './polyfill-host.js';

const http = (f: string): string => `wasi:http/types#${f}`;
const HANDLE = 'wasi:http/outgoing-handler#handle';
// header-error cases
const INVALID_SYNTAX = 0;
const IMMUTABLE = 2;
const INTERNAL_ERROR = 38; // error-code case index

class Http {
  readonly h = new Host();

  num(name: string, ...args: (number | bigint)[]): number {
    return Number(this.h.call(name, ...args));
  }
  fields(entries: [string, string][] = []): number {
    if (entries.length === 0) return this.num(http('[constructor]fields'));
    const ret = this.fromList(entries);
    if (this.h.u8(ret) !== 0) throw new Error('from-list failed');
    return this.h.u32(ret + 4);
  }
  /** Calls from-list; returns the result's address. */
  fromList(entries: [string, string][]): number {
    const list = this.h.alloc(4, entries.length * 16);
    entries.forEach(([name, value], i) => {
      const [np, nl] = this.h.put(name);
      const [vp, vl] = this.h.put(value);
      [np, nl, vp, vl].forEach((v, k) => this.h.setU32(list + i * 16 + k * 4, v));
    });
    const ret = this.h.ret();
    this.h.call(http('[static]fields.from-list'), list, entries.length, ret);
    return ret;
  }
  get(f: number, name: string): string[] {
    const ret = this.h.ret();
    this.h.call(http('[method]fields.get'), f, ...this.h.put(name), ret);
    const [p, n] = [this.h.u32(ret), this.h.u32(ret + 4)];
    return Array.from({ length: n }, (_, i) => new TextDecoder().decode(this.h.list(p + i * 8)));
  }
  has(f: number, name: string): boolean {
    return this.num(http('[method]fields.has'), f, ...this.h.put(name)) === 1;
  }
  entries(f: number): [string, string][] {
    const ret = this.h.ret();
    this.h.call(http('[method]fields.entries'), f, ret);
    const [p, n] = [this.h.u32(ret), this.h.u32(ret + 4)];
    return Array.from({ length: n }, (_, i) => [this.h.string(p + i * 16), this.h.string(p + i * 16 + 8)]);
  }
  /** A header-error result<_, header-error>: undefined for ok, else the error case. */
  private headerResult(ret: number): number | undefined {
    return this.h.u8(ret) === 0 ? undefined : this.h.u8(ret + 1);
  }
  append(f: number, name: string, value: string): number | undefined {
    const ret = this.h.ret();
    this.h.call(http('[method]fields.append'), f, ...this.h.put(name), ...this.h.put(value), ret);
    return this.headerResult(ret);
  }
  set(f: number, name: string, values: string[]): number | undefined {
    const list = this.h.alloc(4, values.length * 8);
    values.forEach((v, i) => {
      const [p, l] = this.h.put(v);
      this.h.setU32(list + i * 8, p);
      this.h.setU32(list + i * 8 + 4, l);
    });
    const ret = this.h.ret();
    this.h.call(http('[method]fields.set'), f, ...this.h.put(name), list, values.length, ret);
    return this.headerResult(ret);
  }
  delete(f: number, name: string): number | undefined {
    const ret = this.h.ret();
    this.h.call(http('[method]fields.delete'), f, ...this.h.put(name), ret);
    return this.headerResult(ret);
  }
  request(entries: [string, string][] = []): number {
    return this.num(http('[constructor]outgoing-request'), this.fields(entries));
  }
  /** Calls a getter with a return area; returns the area. */
  getter(name: string, self: number): number {
    const ret = this.h.ret();
    this.h.call(name, self, ret);
    return ret;
  }
  /** result<own T> (one-shot body / write): the handle, or undefined for err. */
  once(name: string, self: number): number | undefined {
    const ret = this.getter(name, self);
    return this.h.u8(ret) === 0 ? this.h.u32(ret + 4) : undefined;
  }
}

const traps = (f: () => unknown): void => {
  expect(f).toThrow(WebAssembly.RuntimeError);
};

describe('fields', () => {
  it('append, get, has, entries: names case-insensitive (kept lower-cased), values in insertion order', () => {
    const t = new Http();
    const f = t.fields();
    expect(t.entries(f)).toEqual([]);
    expect(t.append(f, 'Content-Type', 'text/plain')).toBeUndefined();
    expect(t.append(f, 'X-Many', 'a')).toBeUndefined();
    expect(t.append(f, 'x-many', 'b')).toBeUndefined();
    expect(t.get(f, 'X-MANY')).toEqual(['a', 'b']);
    expect(t.get(f, 'content-type')).toEqual(['text/plain']);
    expect(t.get(f, 'absent')).toEqual([]);
    expect(t.has(f, 'CONTENT-type')).toBe(true);
    expect(t.has(f, 'content')).toBe(false);
    expect(t.entries(f)).toEqual([['content-type', 'text/plain'], ['x-many', 'a'], ['x-many', 'b']]);
  });

  it('set replaces every value of a name, delete removes them, the others keep their order', () => {
    const t = new Http();
    const f = t.fields([['a', '1'], ['b', '2'], ['A', '3'], ['c', '4']]);
    expect(t.set(f, 'A', ['x', 'y'])).toBeUndefined();
    expect(t.entries(f)).toEqual([['b', '2'], ['c', '4'], ['a', 'x'], ['a', 'y']]);
    expect(t.delete(f, 'B')).toBeUndefined();
    expect(t.delete(f, 'nothing-here')).toBeUndefined();
    expect(t.entries(f)).toEqual([['c', '4'], ['a', 'x'], ['a', 'y']]);
    expect(t.set(f, 'c', [])).toBeUndefined();
    expect(t.entries(f)).toEqual([['a', 'x'], ['a', 'y']]);
  });

  it('grows past its first block without losing entries', () => {
    const t = new Http();
    const f = t.fields();
    const long = 'v'.repeat(300);
    for (let i = 0; i < 40; i++) expect(t.append(f, `h${i}`, `${i}${long}`)).toBeUndefined();
    const e = t.entries(f);
    expect(e).toHaveLength(40);
    expect(e[39]).toEqual(['h39', `39${long}`]);
    expect(t.get(f, 'H7')).toEqual([`7${long}`]);
  });

  it('from-list and every change check the field syntax (RFC 9110 tokens and values)', () => {
    const t = new Http();
    for (const bad of [[['', 'x']], [['bad name', 'x']], [['x:y', 'x']], [['ok', 'a\nb']], [['ok', 'a\rb']], [['ok', 'nul\0']], [['ok', 'del\x7f']]] as [string, string][][]) {
      const ret = t.fromList([['fine', 'v'], ...bad]);
      expect([t.h.u8(ret), t.h.u8(ret + 4)], JSON.stringify(bad)).toEqual([1, INVALID_SYNTAX]);
    }
    // Tab, obs-text and the token punctuation are fine.
    const ok = t.fields([["!#$%&'*+-.^_`|~09az", 'tab\there \x80\xff']]);
    expect(t.has(ok, "!#$%&'*+-.^_`|~09AZ")).toBe(true);
    const f = t.fields();
    expect(t.append(f, 'bad name', 'x')).toBe(INVALID_SYNTAX);
    expect(t.append(f, 'ok', 'a\nb')).toBe(INVALID_SYNTAX);
    expect(t.set(f, 'ok', ['fine', 'not\nfine'])).toBe(INVALID_SYNTAX);
    expect(t.delete(f, '')).toBe(INVALID_SYNTAX);
    expect(t.entries(f)).toEqual([]); // a failed set changes nothing
  });

  it('clone is an independent, mutable copy', () => {
    const t = new Http();
    const f = t.fields([['a', '1']]);
    const c = t.num(http('[method]fields.clone'), f);
    expect(t.append(c, 'b', '2')).toBeUndefined();
    expect(t.append(f, 'z', '9')).toBeUndefined();
    expect(t.entries(c)).toEqual([['a', '1'], ['b', '2']]);
    expect(t.entries(f)).toEqual([['a', '1'], ['z', '9']]);
    const empty = t.num(http('[method]fields.clone'), t.fields());
    expect(t.entries(empty)).toEqual([]);
  });

  it('values returned to the guest are fresh cabi.realloc allocations of the exact size', () => {
    const t = new Http();
    const f = t.fields([['a', 'xyz'], ['b', '']]);
    t.h.reallocs.length = 0;
    t.entries(f);
    expect(t.h.reallocs.map(({ align, size }) => [align, size])).toEqual([[4, 32], [1, 1], [1, 3], [1, 1], [1, 0]]);
  });

  it('a dropped fields handle is gone; handles of other types trap', () => {
    const t = new Http();
    const f = t.fields();
    t.h.call(http('[resource-drop]fields'), f);
    traps(() => t.has(f, 'a'));
    traps(() => t.h.call(http('[resource-drop]fields'), f));
    const r = t.request();
    traps(() => t.has(r, 'a'));
    traps(() => t.h.call(http('[resource-drop]fields'), 0));
  });
});

describe('outgoing-request', () => {
  it('starts as GET with no path, scheme or authority, and keeps what is set', () => {
    const t = new Http();
    const h = t.h;
    const r = t.request();
    expect(h.u8(t.getter(http('[method]outgoing-request.method'), r))).toBe(0); // get
    for (const g of ['path-with-query', 'scheme', 'authority']) expect(h.u8(t.getter(http(`[method]outgoing-request.${g}`), r)), g).toBe(0);

    expect(t.num(http('[method]outgoing-request.set-method'), r, 2, 0, 0)).toBe(0); // post
    expect(h.u8(t.getter(http('[method]outgoing-request.method'), r))).toBe(2);
    expect(t.num(http('[method]outgoing-request.set-method'), r, 9, ...h.put('PURGE'))).toBe(0); // other
    let ret = t.getter(http('[method]outgoing-request.method'), r);
    expect([h.u8(ret), h.string(ret + 4)]).toEqual([9, 'PURGE']);
    expect(t.num(http('[method]outgoing-request.set-method'), r, 9, ...h.put('BAD METHOD'))).toBe(1);
    expect(t.num(http('[method]outgoing-request.set-method'), r, 9, ...h.put(''))).toBe(1);
    expect(h.string(t.getter(http('[method]outgoing-request.method'), r) + 4)).toBe('PURGE'); // unchanged

    expect(t.num(http('[method]outgoing-request.set-path-with-query'), r, 1, ...h.put('/a/b?c=d'))).toBe(0);
    ret = t.getter(http('[method]outgoing-request.path-with-query'), r);
    expect([h.u8(ret), h.string(ret + 4)]).toEqual([1, '/a/b?c=d']);
    expect(t.num(http('[method]outgoing-request.set-path-with-query'), r, 1, ...h.put('/a b'))).toBe(1);
    expect(t.num(http('[method]outgoing-request.set-path-with-query'), r, 1, ...h.put('/a#frag'))).toBe(1);

    expect(t.num(http('[method]outgoing-request.set-scheme'), r, 1, 1, 0, 0)).toBe(0); // HTTPS
    ret = t.getter(http('[method]outgoing-request.scheme'), r);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]);
    expect(t.num(http('[method]outgoing-request.set-scheme'), r, 1, 2, ...h.put('coap+tcp'))).toBe(0);
    ret = t.getter(http('[method]outgoing-request.scheme'), r);
    expect([h.u8(ret), h.u8(ret + 4), h.string(ret + 8)]).toEqual([1, 2, 'coap+tcp']);
    expect(t.num(http('[method]outgoing-request.set-scheme'), r, 1, 2, ...h.put('1http'))).toBe(1);

    expect(t.num(http('[method]outgoing-request.set-authority'), r, 1, ...h.put('example.com:8080'))).toBe(0);
    ret = t.getter(http('[method]outgoing-request.authority'), r);
    expect([h.u8(ret), h.string(ret + 4)]).toEqual([1, 'example.com:8080']);
    expect(t.num(http('[method]outgoing-request.set-authority'), r, 1, ...h.put('a/b'))).toBe(1);
    expect(t.num(http('[method]outgoing-request.set-authority'), r, 0, 0, 0)).toBe(0);
    expect(h.u8(t.getter(http('[method]outgoing-request.authority'), r))).toBe(0);
  });

  it('keeps its own copy of strings the guest passed', () => {
    const t = new Http();
    const r = t.request();
    const [p, l] = t.h.put('/first');
    t.h.call(http('[method]outgoing-request.set-path-with-query'), r, 1, p, l);
    t.h.bytes(p, l).fill(0x41);
    expect(t.h.string(t.getter(http('[method]outgoing-request.path-with-query'), r) + 4)).toBe('/first');
  });

  it('traps on discriminants the canonical ABI cannot lift', () => {
    const t = new Http();
    const r = t.request();
    traps(() => t.h.call(http('[method]outgoing-request.set-method'), r, 10, 0, 0));
    traps(() => t.h.call(http('[method]outgoing-request.set-scheme'), r, 1, 3, 0, 0));
    traps(() => t.h.call(http('[method]outgoing-request.set-authority'), r, 2, 0, 0));
  });

  it('consumes its headers; headers() is an immutable view of them', () => {
    const t = new Http();
    const f = t.fields([['Host', 'example.com']]);
    const r = t.num(http('[constructor]outgoing-request'), f);
    traps(() => t.has(f, 'host')); // moved into the request
    const view = t.num(http('[method]outgoing-request.headers'), r);
    expect(t.entries(view)).toEqual([['host', 'example.com']]);
    expect(t.append(view, 'x', 'y')).toBe(IMMUTABLE);
    expect(t.set(view, 'x', ['y'])).toBe(IMMUTABLE);
    expect(t.delete(view, 'host')).toBe(IMMUTABLE);
    expect(t.append(view, 'bad name', 'y')).toBe(INVALID_SYNTAX); // syntax is checked first
    const copy = t.num(http('[method]fields.clone'), view);
    expect(t.append(copy, 'x', 'y')).toBeUndefined();
    expect(t.entries(t.num(http('[method]outgoing-request.headers'), r))).toEqual([['host', 'example.com']]);
  });

  it('gives its body once', () => {
    const t = new Http();
    const r = t.request();
    expect(t.once(http('[method]outgoing-request.body'), r)).toBeGreaterThan(0);
    expect(t.once(http('[method]outgoing-request.body'), r)).toBeUndefined();
    t.h.call(http('[resource-drop]outgoing-request'), r);
    traps(() => t.once(http('[method]outgoing-request.body'), r));
  });
});

describe('request-options', () => {
  it('keeps each timeout', () => {
    const t = new Http();
    const o = t.num(http('[constructor]request-options'));
    const names = ['connect-timeout', 'first-byte-timeout', 'between-bytes-timeout'];
    for (const n of names) expect(t.h.u8(t.getter(http(`[method]request-options.${n}`), o))).toBe(0);
    names.forEach((n, i) => expect(t.num(http(`[method]request-options.set-${n}`), o, 1, BigInt(i + 1) * 1_000_000_000n)).toBe(0));
    names.forEach((n, i) => {
      const ret = t.getter(http(`[method]request-options.${n}`), o);
      expect([t.h.u8(ret), t.h.u64(ret + 8)]).toEqual([1, BigInt(i + 1) * 1_000_000_000n]);
    });
    expect(t.num(http('[method]request-options.set-first-byte-timeout'), o, 0, 0n)).toBe(0);
    expect(t.h.u8(t.getter(http('[method]request-options.first-byte-timeout'), o))).toBe(0);
    expect(t.h.u8(t.getter(http('[method]request-options.connect-timeout'), o))).toBe(1);
    t.h.call(http('[resource-drop]request-options'), o);
    traps(() => t.getter(http('[method]request-options.connect-timeout'), o));
  });
});

describe('outgoing-response', () => {
  it('has status 200 until set to a three-digit code, immutable headers, one body', () => {
    const t = new Http();
    const r = t.num(http('[constructor]outgoing-response'), t.fields([['a', 'b']]));
    expect(t.num(http('[method]outgoing-response.status-code'), r)).toBe(200);
    expect(t.num(http('[method]outgoing-response.set-status-code'), r, 404)).toBe(0);
    expect(t.num(http('[method]outgoing-response.status-code'), r)).toBe(404);
    expect(t.num(http('[method]outgoing-response.set-status-code'), r, 99)).toBe(1);
    expect(t.num(http('[method]outgoing-response.set-status-code'), r, 1000)).toBe(1);
    expect(t.num(http('[method]outgoing-response.status-code'), r)).toBe(404);
    const view = t.num(http('[method]outgoing-response.headers'), r);
    expect(t.entries(view)).toEqual([['a', 'b']]);
    expect(t.append(view, 'c', 'd')).toBe(IMMUTABLE);
    expect(t.once(http('[method]outgoing-response.body'), r)).toBeGreaterThan(0);
    expect(t.once(http('[method]outgoing-response.body'), r)).toBeUndefined();
    t.h.call(http('[resource-drop]outgoing-response'), r);
  });
});

describe('outgoing-body', () => {
  const body = (t: Http): number => t.once(http('[method]outgoing-request.body'), t.request())!;
  const io = (f: string): string => `wasi:io/streams#${f}`;

  it('write gives one output-stream that accepts every byte', () => {
    const t = new Http();
    const h = t.h;
    const b = body(t);
    const s = t.once(http('[method]outgoing-body.write'), b)!;
    expect(s).toBeGreaterThan(0);
    expect(t.once(http('[method]outgoing-body.write'), b)).toBeUndefined();
    const ret = h.ret();
    h.call(io('[method]output-stream.check-write'), s, ret);
    expect(h.u8(ret)).toBe(0);
    expect(h.u64(ret + 8)).toBeGreaterThan(0n);
    h.call(io('[method]output-stream.write'), s, ...h.put('x'.repeat(10_000)), ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.blocking-write-and-flush'), s, ...h.put('abc'), ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.blocking-write-zeroes-and-flush'), s, 100n, ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.blocking-flush'), s, ret);
    expect(h.u8(ret)).toBe(0);
    const p = t.num(io('[method]output-stream.subscribe'), s);
    expect(t.num('wasi:io/poll#[method]pollable.ready', p)).toBe(1);
    t.h.call('wasi:io/poll#[resource-drop]pollable', p);
    h.call(io('[resource-drop]output-stream'), s);
  });

  it('cannot be finished or dropped while its stream lives (WIT: child resource)', () => {
    const t = new Http();
    const b = body(t);
    const s = t.once(http('[method]outgoing-body.write'), b)!;
    traps(() => t.h.call(http('[static]outgoing-body.finish'), b, 0, 0, t.h.ret()));
    traps(() => t.h.call(http('[resource-drop]outgoing-body'), b));
    t.h.call('wasi:io/streams#[resource-drop]output-stream', s);
    const ret = t.h.ret();
    t.h.ret();
    t.h.call(http('[static]outgoing-body.finish'), b, 0, 0, ret);
    expect(t.h.u8(ret)).toBe(0);
    traps(() => t.h.call(http('[resource-drop]outgoing-body'), b)); // finish consumed it
  });

  it('finish consumes the trailers; drop without finish is fine', () => {
    const t = new Http();
    const b = body(t);
    const trailers = t.fields([['checksum', 'abc']]);
    const ret = t.h.ret();
    t.h.call(http('[static]outgoing-body.finish'), b, 1, trailers, ret);
    expect(t.h.u8(ret)).toBe(0);
    traps(() => t.has(trailers, 'checksum'));
    t.h.call(http('[resource-drop]outgoing-body'), body(t));
  });
});

describe('outgoing-handler.handle', () => {
  it('fails every request with internal-error("wasi-adapt: no network on WASI preview 1")', () => {
    const t = new Http();
    const h = t.h;
    const r = t.request([['accept', '*/*']]);
    const o = t.num(http('[constructor]request-options'));
    const ret = h.ret(48);
    h.reallocs.length = 0;
    h.call(HANDLE, r, 1, o, ret);
    expect(h.u8(ret)).toBe(1); // err
    expect(h.u8(ret + 8)).toBe(INTERNAL_ERROR);
    expect(h.u8(ret + 16)).toBe(1); // some
    expect(h.string(ret + 20)).toBe('wasi-adapt: no network on WASI preview 1');
    expect(h.reallocs.map(({ align, size }) => [align, size])).toEqual([[1, 40]]);
    // Both the request and the options were moved into the call.
    traps(() => t.getter(http('[method]outgoing-request.method'), r));
    traps(() => t.getter(http('[method]request-options.connect-timeout'), o));
    // Without options, and after the request's body was taken: the same.
    const r2 = t.request();
    const b = t.once(http('[method]outgoing-request.body'), r2)!;
    h.call(HANDLE, r2, 0, 0, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, INTERNAL_ERROR]);
    h.call(http('[static]outgoing-body.finish'), b, 0, 0, h.ret());
  });

  it('traps on handles that are not a request / request-options', () => {
    const t = new Http();
    const f = t.fields();
    traps(() => t.h.call(HANDLE, f, 0, 0, t.h.ret(48)));
    traps(() => t.h.call(HANDLE, t.request(), 1, f, t.h.ret(48)));
  });
});

describe('http-error-code', () => {
  it('is none for every io error (none comes from HTTP) and traps on non-errors', () => {
    const fail = new Host({ p1: () => ({ fd_write: () => 29 }) });
    const ret = fail.ret();
    const out = Number(fail.call('wasi:cli/stdout#get-stdout'));
    fail.call('wasi:io/streams#[method]output-stream.blocking-write-and-flush', out, ...fail.put('x'), ret);
    expect(fail.u8(ret + 4)).toBe(0); // last-operation-failed(error)
    const err = fail.u32(ret + 8);
    const area = fail.ret(48);
    fail.bytes(area, 48).fill(0xee);
    fail.call(http('http-error-code'), err, area);
    expect(fail.u8(area)).toBe(0);
    expect(() => fail.call(http('http-error-code'), out, area)).toThrow(WebAssembly.RuntimeError);
  });
});

describe('resources no call can create', () => {
  // No server side (incoming-request, response-outparam, incoming-body, future-trailers) and no
  // successful handle (future-incoming-response, incoming-response): any handle is unknown.
  const impossible = /#\[(method|static|resource-drop)\](incoming-request|response-outparam|incoming-response|incoming-body|future-trailers|future-incoming-response)\b/;
  const functions = [...POLYFILL_SIGNATURES].filter(([name]) => impossible.test(name));
  it('covers every method and drop of them', () => {
    expect(functions.length).toBe(22);
  });
  it.each(functions)('%s traps on any handle', (name, sig) => {
    const t = new Http();
    const f = t.fields();
    const args = sig.params.map((ty, i) => (ty === 'i64' ? 0n : i === 0 ? f : t.h.ret()));
    traps(() => t.h.call(name, ...args));
  });
});
