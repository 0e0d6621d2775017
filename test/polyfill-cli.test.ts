import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exit, Host, io } from './polyfill-host.js';

const dir = mkdtempSync(join(tmpdir(), 'polyfill-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wasi:cli/environment', () => {
  it('get-arguments returns each argument as its own allocation', () => {
    const h = new Host({ args: ['prog', 'héllo', ''] });
    const ret = h.ret();
    h.call('wasi:cli/environment#get-arguments', ret);
    const [list, n] = [h.u32(ret), h.u32(ret + 4)];
    expect(n).toBe(3);
    expect([0, 1, 2].map((i) => h.string(list + i * 8))).toEqual(['prog', 'héllo', '']);
    const stringAllocs = h.reallocs.filter((r) => r.align === 1).map((r) => r.size);
    expect(stringAllocs).toEqual([4, 6, 0]);
  });

  it('get-environment splits at the first = only', () => {
    const h = new Host({ env: { A: '1', B: 'x=y', EMPTY: '' } });
    const ret = h.ret();
    h.call('wasi:cli/environment#get-environment', ret);
    const [list, n] = [h.u32(ret), h.u32(ret + 4)];
    const pairs = Array.from({ length: n }, (_, i) => [h.string(list + i * 16), h.string(list + i * 16 + 8)]);
    expect(Object.fromEntries(pairs)).toEqual({ A: '1', B: 'x=y', EMPTY: '' });
  });

  it('empty argument and environment lists', () => {
    const h = new Host();
    const ret = h.ret();
    h.call('wasi:cli/environment#get-arguments', ret);
    expect(h.u32(ret + 4)).toBe(0);
    h.call('wasi:cli/environment#get-environment', ret);
    expect(h.u32(ret + 4)).toBe(0);
  });

  it('initial-cwd is none (p1 has no working directory)', () => {
    const h = new Host();
    const ret = h.ret();
    h.bytes(ret, 1)[0] = 7;
    h.call('wasi:cli/environment#initial-cwd', ret);
    expect(h.u8(ret)).toBe(0);
  });
});

describe('wasi:cli/exit', () => {
  const exitCode = (f: () => unknown): number => {
    try {
      f();
    } catch (e) {
      if (e instanceof Exit) return e.code;
      throw e;
    }
    throw new Error('did not exit');
  };
  it('exit(ok) -> proc_exit(0), exit(err) -> proc_exit(1)', () => {
    const h = new Host();
    expect(exitCode(() => h.call('wasi:cli/exit#exit', 0))).toBe(0);
    expect(exitCode(() => h.call('wasi:cli/exit#exit', 1))).toBe(1);
  });
  it('exit-with-code passes the code', () => {
    const h = new Host();
    expect(exitCode(() => h.call('wasi:cli/exit#exit-with-code', 42))).toBe(42);
    expect(exitCode(() => h.call('wasi:cli/exit#exit-with-code', 255))).toBe(255);
  });
});

describe('wasi:cli stdio', () => {
  it('stdout and stderr write to fds 1 and 2', () => {
    const out = join(dir, 'out.txt');
    const err = join(dir, 'err.txt');
    const outFd = openSync(out, 'w');
    const errFd = openSync(err, 'w');
    try {
      const h = new Host({ stdout: outFd, stderr: errFd });
      const ret = h.ret();
      const so = h.call('wasi:cli/stdout#get-stdout') as number;
      const se = h.call('wasi:cli/stderr#get-stderr') as number;
      expect(so).not.toBe(0);
      expect(se).not.toBe(so);
      h.call(io('[method]output-stream.blocking-write-and-flush'), so, ...h.put('hello, '), ret);
      expect(h.u8(ret)).toBe(0);
      h.call(io('[method]output-stream.write'), so, ...h.put('world\n'), ret);
      expect(h.u8(ret)).toBe(0);
      h.call(io('[method]output-stream.blocking-write-and-flush'), se, ...h.put('oops'), ret);
      h.call(io('[resource-drop]output-stream'), so);
      h.call(io('[resource-drop]output-stream'), se);
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    expect(readFileSync(out, 'utf8')).toBe('hello, world\n');
    expect(readFileSync(err, 'utf8')).toBe('oops');
  });

  it('stdin reads until end of stream, then closed', () => {
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'abc');
    const inFd = openSync(input, 'r');
    try {
      const h = new Host({ stdin: inFd });
      const ret = h.ret();
      const s = h.call('wasi:cli/stdin#get-stdin') as number;
      h.call(io('[method]input-stream.blocking-read'), s, 100n, ret);
      expect(h.u8(ret)).toBe(0);
      expect(h.string(ret + 4)).toBe('abc');
      h.call(io('[method]input-stream.read'), s, 100n, ret);
      expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 1]); // err(closed)
      h.call(io('[resource-drop]input-stream'), s);
    } finally {
      closeSync(inFd);
    }
  });
});

describe('wasi:cli terminals', () => {
  const ttyOn = (ttyFds: number[]) => (real: Record<string, (...a: never[]) => unknown>, host: Host) => ({
    fd_fdstat_get: (fd: number, out: number) => {
      if (!ttyFds.includes(fd)) return (real.fd_fdstat_get as (fd: number, out: number) => number)(fd, out);
      host.bytes(out, 24).fill(0);
      host.bytes(out, 1)[0] = 2; // character device
      return 0;
    },
  });

  it('some(terminal) for character devices, none otherwise', () => {
    const file = openSync(join(dir, 'plain.txt'), 'w');
    try {
      const h = new Host({ stdout: file, p1: ttyOn([0, 2]) });
      const ret = h.ret();
      h.call('wasi:cli/terminal-stdin#get-terminal-stdin', ret);
      expect(h.u8(ret)).toBe(1);
      const tin = h.u32(ret + 4);
      h.call('wasi:cli/terminal-stderr#get-terminal-stderr', ret);
      expect(h.u8(ret)).toBe(1);
      const terr = h.u32(ret + 4);
      h.call('wasi:cli/terminal-stdout#get-terminal-stdout', ret);
      expect(h.u8(ret)).toBe(0); // a regular file
      h.call('wasi:cli/terminal-input#[resource-drop]terminal-input', tin);
      h.call('wasi:cli/terminal-output#[resource-drop]terminal-output', terr);
      // Dropped handles and handles of another type trap.
      expect(() => h.call('wasi:cli/terminal-input#[resource-drop]terminal-input', tin)).toThrow(WebAssembly.RuntimeError);
      const so = h.call('wasi:cli/stdout#get-stdout') as number;
      expect(() => h.call('wasi:cli/terminal-output#[resource-drop]terminal-output', so)).toThrow(WebAssembly.RuntimeError);
    } finally {
      closeSync(file);
    }
  });
});
