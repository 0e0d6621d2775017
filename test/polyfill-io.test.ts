import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Host, fs, io } from './polyfill-host.js';

const dir = mkdtempSync(join(tmpdir(), 'polyfill-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPEN_CREATE = 1;
const READ = 1;
const WRITE = 2;

/** A host with `dir` preopened, and a descriptor for `name` opened with `flags`. */
function openFile(name: string, flags: number, create = false): { h: Host; desc: number; ret: number } {
  const h = new Host({ preopens: { '/': dir } });
  const ret = h.ret();
  h.call('wasi:filesystem/preopens#get-directories', ret);
  const root = h.u32(h.u32(ret));
  h.call(fs('[method]descriptor.open-at'), root, 0, ...h.put(name), create ? OPEN_CREATE : 0, flags, ret);
  expect(h.u8(ret)).toBe(0);
  return { h, desc: h.u32(ret + 4), ret };
}

function outputStream(h: Host, desc: number, ret: number, offset = 0n): number {
  h.call(fs('[method]descriptor.write-via-stream'), desc, offset, ret);
  expect(h.u8(ret)).toBe(0);
  return h.u32(ret + 4);
}

function inputStream(h: Host, desc: number, ret: number, offset = 0n): number {
  h.call(fs('[method]descriptor.read-via-stream'), desc, offset, ret);
  expect(h.u8(ret)).toBe(0);
  return h.u32(ret + 4);
}

describe('wasi:io/streams output-stream', () => {
  it('check-write, write, flush, blocking-flush', () => {
    const { h, desc, ret } = openFile('out1.txt', WRITE, true);
    const s = outputStream(h, desc, ret);
    h.call(io('[method]output-stream.check-write'), s, ret);
    expect(h.u8(ret)).toBe(0);
    expect(h.u64(ret + 8)).toBe(1n << 20n);
    h.call(io('[method]output-stream.write'), s, ...h.put('abc'), ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.flush'), s, ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.blocking-write-and-flush'), s, ...h.put('def'), ret);
    h.call(io('[method]output-stream.blocking-flush'), s, ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[resource-drop]output-stream'), s);
    expect(readFileSync(join(dir, 'out1.txt'), 'utf8')).toBe('abcdef');
  });

  it('write-zeroes and blocking-write-zeroes-and-flush', () => {
    const { h, desc, ret } = openFile('zeroes.bin', WRITE, true);
    const s = outputStream(h, desc, ret);
    h.call(io('[method]output-stream.write'), s, ...h.put('x'), ret);
    h.call(io('[method]output-stream.write-zeroes'), s, 3n, ret);
    expect(h.u8(ret)).toBe(0);
    h.call(io('[method]output-stream.blocking-write-zeroes-and-flush'), s, 2n, ret);
    expect(h.u8(ret)).toBe(0);
    expect([...readFileSync(join(dir, 'zeroes.bin'))]).toEqual([0x78, 0, 0, 0, 0, 0]);
  });

  it('exceeding the permit or the 4096-byte blocking limit traps', () => {
    const { h, desc, ret } = openFile('big.bin', WRITE, true);
    const s = outputStream(h, desc, ret);
    const [p] = h.put(new Uint8Array(4097));
    expect(() => h.call(io('[method]output-stream.blocking-write-and-flush'), s, p, 4097, ret)).toThrow(WebAssembly.RuntimeError);
    expect(() => h.call(io('[method]output-stream.blocking-write-zeroes-and-flush'), s, 4097n, ret)).toThrow(WebAssembly.RuntimeError);
    expect(() => h.call(io('[method]output-stream.write-zeroes'), s, (1n << 20n) + 1n, ret)).toThrow(WebAssembly.RuntimeError);
    const [q] = h.put(new Uint8Array((1 << 20) + 1));
    expect(() => h.call(io('[method]output-stream.write'), s, q, (1 << 20) + 1, ret)).toThrow(WebAssembly.RuntimeError);
  });

  it('a failed write is last-operation-failed(error), then closed', () => {
    writeFileSync(join(dir, 'readonly.txt'), 'r');
    const { h, desc, ret } = openFile('readonly.txt', READ);
    const s = outputStream(h, desc, ret);
    h.call(io('[method]output-stream.write'), s, ...h.put('no'), ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 0]);
    const err = h.u32(ret + 8);
    h.call('wasi:io/error#[method]error.to-debug-string', err, ret);
    expect(h.string(ret)).toMatch(/^errno \d+$/);
    h.call(fs('filesystem-error-code'), err, ret);
    expect(h.u8(ret)).toBe(1); // some(code)
    h.call('wasi:io/error#[resource-drop]error', err);
    expect(() => h.call('wasi:io/error#[resource-drop]error', err)).toThrow(WebAssembly.RuntimeError);
    for (const f of ['write', 'blocking-write-and-flush']) {
      h.call(io(`[method]output-stream.${f}`), s, ...h.put('x'), ret);
      expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]);
    }
    for (const f of ['flush', 'blocking-flush']) {
      h.call(io(`[method]output-stream.${f}`), s, ret);
      expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]);
    }
    h.call(io('[method]output-stream.check-write'), s, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, 1]);
    h.call(io('[method]output-stream.write-zeroes'), s, 1n, ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]);
  });

  it('splice and blocking-splice copy from an input stream', () => {
    writeFileSync(join(dir, 'src.txt'), 'splice me');
    const src = openFile('src.txt', READ);
    const h = src.h;
    const ret = src.ret;
    const input = inputStream(h, src.desc, ret);
    h.call('wasi:filesystem/preopens#get-directories', ret);
    const root = h.u32(h.u32(ret));
    h.call(fs('[method]descriptor.open-at'), root, 0, ...h.put('dst.txt'), OPEN_CREATE, WRITE, ret);
    const dst = h.u32(ret + 4);
    const out = outputStream(h, dst, ret);
    h.call(io('[method]output-stream.splice'), out, input, 6n, ret);
    expect(h.u8(ret)).toBe(0);
    expect(h.u64(ret + 8)).toBe(6n);
    h.call(io('[method]output-stream.blocking-splice'), out, input, 100n, ret);
    expect(h.u64(ret + 8)).toBe(3n);
    h.call(io('[method]output-stream.blocking-splice'), out, input, 100n, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, 1]); // source at end: closed
    h.call(io('[method]output-stream.splice'), out, input, 0n, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, 1]); // source stays closed
    expect(readFileSync(join(dir, 'dst.txt'), 'utf8')).toBe('splice me');
  });
});

describe('wasi:io/streams input-stream', () => {
  it('read, blocking-read, skip, blocking-skip keep the stream offset', () => {
    writeFileSync(join(dir, 'in.txt'), '0123456789');
    const { h, desc, ret } = openFile('in.txt', READ);
    const s = inputStream(h, desc, ret, 2n);
    h.call(io('[method]input-stream.read'), s, 3n, ret);
    expect(h.string(ret + 4)).toBe('234');
    h.call(io('[method]input-stream.skip'), s, 2n, ret);
    expect([h.u8(ret), h.u64(ret + 8)]).toEqual([0, 2n]);
    h.call(io('[method]input-stream.blocking-read'), s, 1n, ret);
    expect(h.string(ret + 4)).toBe('7');
    h.call(io('[method]input-stream.read'), s, 0n, ret);
    expect([h.u8(ret), h.u32(ret + 8)]).toEqual([0, 0]); // empty read is ok
    h.call(io('[method]input-stream.blocking-skip'), s, 100n, ret);
    expect(h.u64(ret + 8)).toBe(2n);
    h.call(io('[method]input-stream.blocking-skip'), s, 1n, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, 1]);
    h.call(io('[method]input-stream.blocking-read'), s, 1n, ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]);
    h.call(io('[resource-drop]input-stream'), s);
  });

  it('returns exactly as many bytes as were read, in a fresh allocation', () => {
    writeFileSync(join(dir, 'short.txt'), 'ab');
    const { h, desc, ret } = openFile('short.txt', READ);
    const s = inputStream(h, desc, ret);
    const before = h.reallocs.length;
    h.call(io('[method]input-stream.read'), s, 1000n, ret);
    const lists = h.reallocs.slice(before).filter((r) => r.align === 1);
    expect(lists.map((r) => r.size)).toEqual([2]);
    expect(h.u32(ret + 4)).toBe(lists[0]!.ptr);
  });

  it('a failed read is last-operation-failed, then closed', () => {
    const { h, desc, ret } = openFile('out1.txt', WRITE);
    const s = inputStream(h, desc, ret);
    h.call(io('[method]input-stream.read'), s, 4n, ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 0]);
    h.call('wasi:io/error#[resource-drop]error', h.u32(ret + 8));
    h.call(io('[method]input-stream.skip'), s, 4n, ret);
    expect([h.u8(ret), h.u8(ret + 8)]).toEqual([1, 1]);
  });
});

describe('wasi:io/poll', () => {
  it('file and output-stream pollables are always ready', () => {
    writeFileSync(join(dir, 'p.txt'), 'p');
    const { h, desc, ret } = openFile('p.txt', READ | WRITE);
    const input = inputStream(h, desc, ret);
    const output = outputStream(h, desc, ret);
    const a = h.call(io('[method]input-stream.subscribe'), input) as number;
    const b = h.call(io('[method]output-stream.subscribe'), output) as number;
    expect(h.call('wasi:io/poll#[method]pollable.ready', a)).toBe(1);
    expect(h.call('wasi:io/poll#[method]pollable.ready', b)).toBe(1);
    h.call('wasi:io/poll#[method]pollable.block', a);
    h.call('wasi:io/poll#[resource-drop]pollable', a);
    h.call('wasi:io/poll#[resource-drop]pollable', b);
    expect(() => h.call('wasi:io/poll#[resource-drop]pollable', b)).toThrow(WebAssembly.RuntimeError);
  });

  it('stdin pollables poll the fd', () => {
    writeFileSync(join(dir, 'stdin.txt'), 'x');
    const fd = openSync(join(dir, 'stdin.txt'), 'r');
    try {
      const h = new Host({ stdin: fd });
      const s = h.call('wasi:cli/stdin#get-stdin') as number;
      const p = h.call(io('[method]input-stream.subscribe'), s) as number;
      expect(h.call('wasi:io/poll#[method]pollable.ready', p)).toBe(1);
      h.call('wasi:io/poll#[method]pollable.block', p);
      const list = h.ret(4);
      h.setU32(list, p);
      const ret = h.ret();
      h.call('wasi:io/poll#poll', list, 1, ret);
      expect([h.u32(ret + 4), h.u32(h.u32(ret))]).toEqual([1, 0]);
    } finally {
      closeSync(fd);
    }
  });

  it('poll returns the ready indices; clocks wait', () => {
    const h = new Host();
    const ret = h.ret();
    const now = h.call('wasi:clocks/monotonic-clock#now') as bigint;
    const far = h.call('wasi:clocks/monotonic-clock#subscribe-instant', now + 3_600_000_000_000n) as number;
    const past = h.call('wasi:clocks/monotonic-clock#subscribe-instant', 0n) as number;
    const soon = h.call('wasi:clocks/monotonic-clock#subscribe-duration', 20_000_000n) as number;
    expect(h.call('wasi:io/poll#[method]pollable.ready', far)).toBe(0);
    expect(h.call('wasi:io/poll#[method]pollable.ready', past)).toBe(1);
    const list = h.ret(12);
    [far, past, soon].forEach((p, i) => h.setU32(list + i * 4, p));
    h.call('wasi:io/poll#poll', list, 3, ret);
    expect(h.u32(ret + 4)).toBe(1);
    expect(h.u32(h.u32(ret))).toBe(1);
    // Only `far` and `soon`: poll_oneoff sleeps until `soon`.
    h.setU32(list + 4, soon);
    const t0 = process.hrtime.bigint();
    h.call('wasi:io/poll#poll', list, 2, ret);
    expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(10_000_000n);
    expect([h.u32(ret + 4), h.u32(h.u32(ret))]).toEqual([1, 1]);
    expect(h.call('wasi:io/poll#[method]pollable.ready', soon)).toBe(1);
  });

  it('block waits for a clock', () => {
    const h = new Host();
    const p = h.call('wasi:clocks/monotonic-clock#subscribe-duration', 30_000_000n) as number;
    const t0 = process.hrtime.bigint();
    h.call('wasi:io/poll#[method]pollable.block', p);
    expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(25_000_000n);
  });

  it('an empty list or a non-pollable handle traps', () => {
    const h = new Host();
    const ret = h.ret();
    expect(() => h.call('wasi:io/poll#poll', ret, 0, ret)).toThrow(WebAssembly.RuntimeError);
    const so = h.call('wasi:cli/stdout#get-stdout') as number;
    const list = h.ret(4);
    h.setU32(list, so);
    expect(() => h.call('wasi:io/poll#poll', list, 1, ret)).toThrow(WebAssembly.RuntimeError);
    expect(() => h.call('wasi:io/poll#[method]pollable.ready', 0)).toThrow(WebAssembly.RuntimeError);
  });

  it('subscribe-duration saturates instead of wrapping', () => {
    const h = new Host();
    const p = h.call('wasi:clocks/monotonic-clock#subscribe-duration', (1n << 64n) - 1n) as number;
    expect(h.call('wasi:io/poll#[method]pollable.ready', p)).toBe(0);
  });
});

describe('wasi:clocks', () => {
  it('monotonic now advances; resolution is positive', () => {
    const h = new Host();
    const a = h.call('wasi:clocks/monotonic-clock#now') as bigint;
    const b = h.call('wasi:clocks/monotonic-clock#now') as bigint;
    expect(b).toBeGreaterThanOrEqual(a);
    expect(h.call('wasi:clocks/monotonic-clock#resolution') as bigint).toBeGreaterThan(0n);
  });

  it('wall-clock now and resolution are datetimes', () => {
    const h = new Host();
    const ret = h.ret();
    h.call('wasi:clocks/wall-clock#now', ret);
    const seconds = Number(h.u64(ret));
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(5);
    expect(h.u32(ret + 8)).toBeLessThan(1_000_000_000);
    h.call('wasi:clocks/wall-clock#resolution', ret);
    expect(h.u64(ret) * 1_000_000_000n + BigInt(h.u32(ret + 8))).toBeGreaterThan(0n);
  });
});

describe('wasi:random', () => {
  it('random and insecure bytes have the requested length and vary', () => {
    const h = new Host();
    const ret = h.ret();
    for (const name of ['wasi:random/random#get-random-bytes', 'wasi:random/insecure#get-insecure-random-bytes']) {
      h.call(name, 32n, ret);
      const a = h.list(ret);
      h.call(name, 32n, ret);
      expect(a.length).toBe(32);
      expect(Buffer.from(h.list(ret)).equals(Buffer.from(a))).toBe(false);
      h.call(name, 0n, ret);
      expect(h.u32(ret + 4)).toBe(0);
    }
    expect(() => h.call('wasi:random/random#get-random-bytes', 1n << 32n, ret)).toThrow(WebAssembly.RuntimeError);
  });

  it('u64 values and the insecure seed vary', () => {
    const h = new Host();
    const ret = h.ret();
    for (const name of ['wasi:random/random#get-random-u64', 'wasi:random/insecure#get-insecure-random-u64']) {
      expect(h.call(name)).not.toBe(h.call(name));
    }
    h.call('wasi:random/insecure-seed#insecure-seed', ret);
    const seed = [h.u64(ret), h.u64(ret + 8)];
    h.call('wasi:random/insecure-seed#insecure-seed', ret);
    expect([h.u64(ret), h.u64(ret + 8)]).not.toEqual(seed);
  });
});
