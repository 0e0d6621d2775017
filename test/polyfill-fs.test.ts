import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, Host, fs, io } from './polyfill-host.js';

const base = mkdtempSync(join(tmpdir(), 'polyfill-fs-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

// open-flags, descriptor-flags, path-flags bits
const CREATE = 1, DIRECTORY = 2, EXCLUSIVE = 4, TRUNCATE = 8;
const READ = 1, WRITE = 2, MUTATE_DIRECTORY = 32;
const FOLLOW = 1;
// descriptor-type
const DIR_TYPE = 3, SYMLINK_TYPE = 5, FILE_TYPE = 6;

let dir: string;
let h: Host;
let ret: number;
let root: number;

beforeEach((ctx) => {
  dir = join(base, ctx.task.name.replace(/\W+/g, '_'));
  mkdirSync(dir);
  h = new Host({ preopens: { '/sandbox': dir } });
  ret = h.ret();
  h.call('wasi:filesystem/preopens#get-directories', ret);
  root = h.u32(h.u32(ret));
});

const code = (at: number): string => ERROR_CODES[h.u8(ret + at)]!;

function openAt(path: string, openFlags: number, flags: number, from = root, pathFlags = 0): number {
  h.call(fs('[method]descriptor.open-at'), from, pathFlags, ...h.put(path), openFlags, flags, ret);
  if (h.u8(ret) !== 0) throw new Error(`open-at ${path}: ${code(4)}`);
  return h.u32(ret + 4);
}

/** Calls a descriptor method returning result<_, error-code>; '' on success, else the code. */
function unit(method: string, ...args: (number | bigint)[]): string {
  h.call(fs(`[method]descriptor.${method}`), ...args, ret);
  return h.u8(ret) === 0 ? '' : code(1);
}

describe('wasi:filesystem/preopens', () => {
  it('get-directories lists every preopen with its name', () => {
    const other = join(base, 'other');
    mkdirSync(other, { recursive: true });
    const h2 = new Host({ preopens: { '/a': dir, 'b/c': other } });
    const r = h2.ret();
    h2.call('wasi:filesystem/preopens#get-directories', r);
    const [list, n] = [h2.u32(r), h2.u32(r + 4)];
    expect(n).toBe(2);
    expect([h2.string(list + 4), h2.string(list + 16)]).toEqual(['/a', 'b/c']);
    expect(h2.u32(list)).not.toBe(h2.u32(list + 12));
    // Preopen handles share the fd: dropping one leaves a second listing usable.
    h2.call(fs('[resource-drop]descriptor'), h2.u32(list));
    h2.call('wasi:filesystem/preopens#get-directories', r);
    h2.call(fs('[method]descriptor.get-type'), h2.u32(h2.u32(r)), r);
    expect([h2.u8(r), h2.u8(r + 1)]).toEqual([0, DIR_TYPE]);
  });

  it('no preopens: an empty list', () => {
    const h2 = new Host();
    const r = h2.ret();
    h2.call('wasi:filesystem/preopens#get-directories', r);
    expect(h2.u32(r + 4)).toBe(0);
  });
});

describe('wasi:filesystem descriptor', () => {
  it('open-at creates, write and read at offsets, stat, set-size', () => {
    const f = openAt('a.txt', CREATE, READ | WRITE);
    h.call(fs('[method]descriptor.write'), f, ...h.put('hello world'), 0n, ret);
    expect([h.u8(ret), h.u64(ret + 8)]).toEqual([0, 11n]);
    h.call(fs('[method]descriptor.read'), f, 5n, 6n, ret);
    expect([h.u8(ret), h.string(ret + 4), h.u8(ret + 12)]).toEqual([0, 'world', 0]);
    h.call(fs('[method]descriptor.read'), f, 5n, 11n, ret);
    expect([h.u8(ret), h.u32(ret + 8), h.u8(ret + 12)]).toEqual([0, 0, 1]); // end of file
    h.call(fs('[method]descriptor.stat'), f, ret);
    expect(h.u8(ret)).toBe(0);
    expect([h.u8(ret + 8), h.u64(ret + 16), h.u64(ret + 24)]).toEqual([FILE_TYPE, 1n, 11n]);
    const st = statSync(join(dir, 'a.txt'));
    expect([h.u8(ret + 56), Number(h.u64(ret + 64))]).toEqual([1, Math.floor(st.mtimeMs / 1000)]);
    expect([h.u8(ret + 32), h.u8(ret + 80)]).toEqual([1, 1]);
    expect(unit('set-size', f, 4n)).toBe('');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('hell');
    expect(unit('sync', f)).toBe('');
    expect(unit('sync-data', f)).toBe('');
    expect(unit('advise', f, 0n, 4n, 1)).toBe('');
    h.call(fs('[resource-drop]descriptor'), f);
  });

  it('get-type and get-flags', () => {
    writeFileSync(join(dir, 'r.txt'), 'r');
    const f = openAt('r.txt', 0, READ);
    h.call(fs('[method]descriptor.get-type'), f, ret);
    expect([h.u8(ret), h.u8(ret + 1)]).toEqual([0, FILE_TYPE]);
    h.call(fs('[method]descriptor.get-flags'), f, ret);
    expect([h.u8(ret), h.u8(ret + 1) & (READ | WRITE)]).toEqual([0, READ]);
    const w = openAt('r.txt', 0, WRITE);
    h.call(fs('[method]descriptor.get-flags'), w, ret);
    expect(h.u8(ret + 1) & (READ | WRITE)).toBe(WRITE);
    h.call(fs('[method]descriptor.get-flags'), root, ret);
    expect(h.u8(ret + 1) & (READ | MUTATE_DIRECTORY)).toBe(READ | MUTATE_DIRECTORY);
    h.call(fs('[method]descriptor.get-type'), root, ret);
    expect(h.u8(ret + 1)).toBe(DIR_TYPE);
  });

  it('open-at flags: exclusive, truncate, directory, missing files', () => {
    writeFileSync(join(dir, 'e.txt'), 'content');
    h.call(fs('[method]descriptor.open-at'), root, 0, ...h.put('e.txt'), CREATE | EXCLUSIVE, WRITE, ret);
    expect([h.u8(ret), code(4)]).toEqual([1, 'exist']);
    openAt('e.txt', TRUNCATE, WRITE);
    expect(readFileSync(join(dir, 'e.txt'), 'utf8')).toBe('');
    h.call(fs('[method]descriptor.open-at'), root, 0, ...h.put('missing.txt'), 0, READ, ret);
    expect([h.u8(ret), code(4)]).toEqual([1, 'no-entry']);
    h.call(fs('[method]descriptor.open-at'), root, 0, ...h.put('e.txt'), DIRECTORY, READ, ret);
    expect([h.u8(ret), code(4)]).toEqual([1, 'not-directory']);
    mkdirSync(join(dir, 'sub'));
    const sub = openAt('sub', DIRECTORY, READ);
    h.call(fs('[method]descriptor.get-type'), sub, ret);
    expect(h.u8(ret + 1)).toBe(DIR_TYPE);
    const nested = openAt('n.txt', CREATE, WRITE, sub);
    h.call(fs('[method]descriptor.write'), nested, ...h.put('n'), 0n, ret);
    expect(readFileSync(join(dir, 'sub', 'n.txt'), 'utf8')).toBe('n');
  });

  it('set-times and set-times-at: no-change, now, timestamp', () => {
    writeFileSync(join(dir, 't.txt'), 't');
    const f = openAt('t.txt', 0, WRITE);
    // set-times(atime: timestamp(1000s, 5ns), mtime: timestamp(2000s, 0))
    expect(unit('set-times', f, 2, 1000n, 5, 2, 2000n, 0)).toBe('');
    let st = statSync(join(dir, 't.txt'), { bigint: true });
    expect([st.atimeNs / 1_000_000_000n, st.mtimeNs]).toEqual([1000n, 2_000_000_000_000n]);
    // atime unchanged, mtime now
    expect(unit('set-times', f, 0, 0n, 0, 1, 0n, 0)).toBe('');
    st = statSync(join(dir, 't.txt'), { bigint: true });
    expect(st.atimeNs / 1_000_000_000n).toBe(1000n);
    expect(Number(st.mtimeNs / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    expect(unit('set-times-at', root, FOLLOW, ...h.put('t.txt'), 2, 3000n, 0, 0, 0n, 0)).toBe('');
    st = statSync(join(dir, 't.txt'), { bigint: true });
    expect(st.atimeNs).toBe(3_000_000_000_000n);
    expect(unit('set-times', f, 2, 1n << 62n, 0, 0, 0n, 0)).toBe('overflow');
    expect(unit('set-times-at', root, 0, ...h.put('nope'), 1, 0n, 0, 1, 0n, 0)).toBe('no-entry');
  });

  it('streams keep their own offsets; append goes to the end', () => {
    writeFileSync(join(dir, 's.txt'), '0123456789');
    const f = openAt('s.txt', 0, READ | WRITE);
    h.call(fs('[method]descriptor.read-via-stream'), f, 4n, ret);
    const in1 = h.u32(ret + 4);
    h.call(fs('[method]descriptor.read-via-stream'), f, 0n, ret);
    const in2 = h.u32(ret + 4);
    h.call(io('[method]input-stream.read'), in1, 2n, ret);
    expect(h.string(ret + 4)).toBe('45');
    h.call(io('[method]input-stream.read'), in2, 2n, ret);
    expect(h.string(ret + 4)).toBe('01');
    h.call(io('[method]input-stream.read'), in1, 2n, ret);
    expect(h.string(ret + 4)).toBe('67');
    h.call(fs('[method]descriptor.write-via-stream'), f, 2n, ret);
    const out = h.u32(ret + 4);
    h.call(io('[method]output-stream.write'), out, ...h.put('ab'), ret);
    h.call(io('[method]output-stream.write'), out, ...h.put('cd'), ret);
    h.call(fs('[method]descriptor.append-via-stream'), f, ret);
    expect(h.u8(ret)).toBe(0);
    const app = h.u32(ret + 4);
    h.call(io('[method]output-stream.write'), app, ...h.put('X'), ret);
    h.call(fs('[method]descriptor.write'), f, ...h.put('!!'), 11n, ret);
    h.call(io('[method]output-stream.blocking-write-and-flush'), app, ...h.put('Y'), ret);
    expect(readFileSync(join(dir, 's.txt'), 'utf8')).toBe('01abcd6789X!!Y');
    // A descriptor with live streams cannot be dropped.
    expect(() => h.call(fs('[resource-drop]descriptor'), f)).toThrow(WebAssembly.RuntimeError);
    for (const s of [in1, in2]) h.call(io('[resource-drop]input-stream'), s);
    for (const s of [out, app]) h.call(io('[resource-drop]output-stream'), s);
    h.call(fs('[resource-drop]descriptor'), f);
    expect(() => h.call(fs('[method]descriptor.stat'), f, ret)).toThrow(WebAssembly.RuntimeError);
  });

  it('read-directory lists entries with types, without . and ..', () => {
    writeFileSync(join(dir, 'file'), '');
    mkdirSync(join(dir, 'folder'));
    symlinkSync('file', join(dir, 'link'));
    const long = 'x'.repeat(250);
    writeFileSync(join(dir, long), '');
    h.call(fs('[method]descriptor.read-directory'), root, ret);
    expect(h.u8(ret)).toBe(0);
    const stream = h.u32(ret + 4);
    const entries: [string, number][] = [];
    for (;;) {
      h.call(fs('[method]directory-entry-stream.read-directory-entry'), stream, ret);
      expect(h.u8(ret)).toBe(0);
      if (h.u8(ret + 4) === 0) break;
      entries.push([h.string(ret + 12), h.u8(ret + 8)]);
    }
    expect(entries.sort()).toEqual([['file', FILE_TYPE], ['folder', DIR_TYPE], ['link', SYMLINK_TYPE], [long, FILE_TYPE]]);
    h.call(fs('[method]directory-entry-stream.read-directory-entry'), stream, ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([0, 0]);
    expect(() => h.call(fs('[resource-drop]descriptor'), root)).toThrow(WebAssembly.RuntimeError);
    h.call(fs('[resource-drop]directory-entry-stream'), stream);
    expect(() => h.call(fs('[resource-drop]directory-entry-stream'), stream)).toThrow(WebAssembly.RuntimeError);
    h.call(fs('[resource-drop]descriptor'), root);
  });

  it('large directories: buffered fills, interleaved streams', () => {
    const names = Array.from({ length: 300 }, (_, i) => `entry-${String(i).padStart(3, '0')}-${'n'.repeat(i % 60)}`);
    for (const n of names) writeFileSync(join(dir, n), '');
    let readdirCalls = 0;
    const h2 = new Host({
      preopens: { '/': dir },
      p1: (real) => ({
        fd_readdir: (...args: never[]) => {
          readdirCalls++;
          return (real.fd_readdir as (...a: never[]) => number)(...args);
        },
      }),
    });
    const r = h2.ret();
    h2.call('wasi:filesystem/preopens#get-directories', r);
    const dirHandle = h2.u32(h2.u32(r));
    const open = (): number => {
      h2.call(fs('[method]descriptor.read-directory'), dirHandle, r);
      return h2.u32(r + 4);
    };
    const next = (stream: number): string | undefined => {
      h2.call(fs('[method]directory-entry-stream.read-directory-entry'), stream, r);
      expect(h2.u8(r)).toBe(0);
      return h2.u8(r + 4) ? h2.string(r + 12) : undefined;
    };
    const a = open();
    const b = open();
    const seenA: string[] = [];
    const seenB: string[] = [];
    for (let i = 0; i < 100; i++) seenA.push(next(a)!); // a alone: few fills
    expect(readdirCalls).toBeLessThan(10);
    for (let n = next(b); n !== undefined; n = next(b)) {
      seenB.push(n);
      const m = next(a); // interleaved: each switch refills from the stream's cookie
      if (m !== undefined) seenA.push(m);
    }
    for (let n = next(a); n !== undefined; n = next(a)) seenA.push(n);
    expect(seenA.sort()).toEqual([...names].sort());
    expect(seenB.sort()).toEqual([...names].sort());
    h2.call(fs('[resource-drop]directory-entry-stream'), a);
    h2.call(fs('[resource-drop]directory-entry-stream'), b);
  });

  it('read-directory on a file is not-directory', () => {
    writeFileSync(join(dir, 'plain'), '');
    const f = openAt('plain', 0, READ);
    h.call(fs('[method]descriptor.read-directory'), f, ret);
    expect([h.u8(ret), code(4)]).toEqual([1, 'not-directory']);
  });

  it('create-directory-at, remove-directory-at, unlink-file-at', () => {
    expect(unit('create-directory-at', root, ...h.put('d'))).toBe('');
    expect(statSync(join(dir, 'd')).isDirectory()).toBe(true);
    expect(unit('create-directory-at', root, ...h.put('d'))).toBe('exist');
    writeFileSync(join(dir, 'd', 'f'), '');
    expect(unit('remove-directory-at', root, ...h.put('d'))).toBe('not-empty');
    expect(unit('unlink-file-at', root, ...h.put('d/f'))).toBe('');
    expect(unit('unlink-file-at', root, ...h.put('d/f'))).toBe('no-entry');
    expect(unit('remove-directory-at', root, ...h.put('d'))).toBe('');
    expect(existsSync(join(dir, 'd'))).toBe(false);
  });

  it('rename-at, link-at, symlink-at, readlink-at', () => {
    writeFileSync(join(dir, 'old'), 'data');
    mkdirSync(join(dir, 'sub'));
    const sub = openAt('sub', DIRECTORY, READ);
    expect(unit('rename-at', root, ...h.put('old'), sub, ...h.put('new'))).toBe('');
    expect(readFileSync(join(dir, 'sub', 'new'), 'utf8')).toBe('data');
    expect(unit('rename-at', root, ...h.put('old'), sub, ...h.put('x'))).toBe('no-entry');
    expect(unit('link-at', sub, 0, ...h.put('new'), root, ...h.put('hard'))).toBe('');
    expect(statSync(join(dir, 'hard')).nlink).toBe(2);
    expect(unit('symlink-at', root, ...h.put('sub/new'), ...h.put('soft'))).toBe('');
    expect(readlinkSync(join(dir, 'soft'))).toBe('sub/new');
    h.call(fs('[method]descriptor.readlink-at'), root, ...h.put('soft'), ret);
    expect([h.u8(ret), h.string(ret + 4)]).toEqual([0, 'sub/new']);
    const target = 't'.repeat(300); // longer than the first readlink buffer
    symlinkSync(target, join(dir, 'longlink'));
    h.call(fs('[method]descriptor.readlink-at'), root, ...h.put('longlink'), ret);
    expect(h.string(ret + 4)).toBe(target);
    h.call(fs('[method]descriptor.readlink-at'), root, ...h.put('hard'), ret);
    expect([h.u8(ret), code(4)]).toEqual([1, 'invalid']);
  });

  it('stat-at follows symlinks only with symlink-follow', () => {
    writeFileSync(join(dir, 'target'), 'abc');
    symlinkSync('target', join(dir, 'sym'));
    h.call(fs('[method]descriptor.stat-at'), root, FOLLOW, ...h.put('sym'), ret);
    expect([h.u8(ret), h.u8(ret + 8), h.u64(ret + 24)]).toEqual([0, FILE_TYPE, 3n]);
    h.call(fs('[method]descriptor.stat-at'), root, 0, ...h.put('sym'), ret);
    expect([h.u8(ret), h.u8(ret + 8), h.u64(ret + 24)]).toEqual([0, SYMLINK_TYPE, BigInt(lstatSync(join(dir, 'sym')).size)]);
    h.call(fs('[method]descriptor.stat-at'), root, 0, ...h.put('none'), ret);
    expect([h.u8(ret), code(8)]).toEqual([1, 'no-entry']);
  });

  it('is-same-object, metadata-hash, metadata-hash-at', () => {
    writeFileSync(join(dir, 'm'), 'x');
    const a = openAt('m', 0, READ | WRITE);
    const b = openAt('m', 0, READ);
    expect(h.call(fs('[method]descriptor.is-same-object'), a, b)).toBe(1);
    expect(h.call(fs('[method]descriptor.is-same-object'), a, root)).toBe(0);
    const hash = (): [bigint, bigint] => {
      expect(h.u8(ret)).toBe(0);
      return [h.u64(ret + 8), h.u64(ret + 16)];
    };
    h.call(fs('[method]descriptor.metadata-hash'), a, ret);
    const ha = hash();
    h.call(fs('[method]descriptor.metadata-hash'), b, ret);
    expect(hash()).toEqual(ha);
    h.call(fs('[method]descriptor.metadata-hash-at'), root, 0, ...h.put('m'), ret);
    expect(hash()).toEqual(ha);
    h.call(fs('[method]descriptor.write'), a, ...h.put('longer'), 0n, ret);
    h.call(fs('[method]descriptor.metadata-hash'), a, ret);
    expect(hash()).not.toEqual(ha);
    h.call(fs('[method]descriptor.metadata-hash-at'), root, 0, ...h.put('none'), ret);
    expect([h.u8(ret), code(8)]).toEqual([1, 'no-entry']);
  });

  it('errors from reads and writes on the wrong kind of descriptor', () => {
    mkdirSync(join(dir, 'd'));
    const d = openAt('d', DIRECTORY, READ);
    h.call(fs('[method]descriptor.read'), d, 1n, 0n, ret);
    expect(h.u8(ret)).toBe(1);
    h.call(fs('[method]descriptor.write'), d, ...h.put('x'), 0n, ret);
    expect(h.u8(ret)).toBe(1);
    expect(code(8)).not.toBe('io');
  });

  it('filesystem-error-code maps the error behind a stream failure', () => {
    writeFileSync(join(dir, 'ro'), '');
    const f = openAt('ro', 0, READ);
    h.call(fs('[method]descriptor.write-via-stream'), f, 0n, ret);
    const s = h.u32(ret + 4);
    h.call(io('[method]output-stream.write'), s, ...h.put('x'), ret);
    const err = h.u32(ret + 8);
    h.call(fs('filesystem-error-code'), err, ret);
    expect(h.u8(ret)).toBe(1);
    expect(['access', 'bad-descriptor', 'not-permitted']).toContain(code(1));
    expect(() => h.call(fs('filesystem-error-code'), s, ret)).toThrow(WebAssembly.RuntimeError);
  });
});

describe('handles', () => {
  it('0, unknown, dropped and wrong-type handles trap', () => {
    expect(() => h.call(fs('[method]descriptor.stat'), 0, ret)).toThrow(WebAssembly.RuntimeError);
    expect(() => h.call(fs('[method]descriptor.stat'), 9999, ret)).toThrow(WebAssembly.RuntimeError);
    const so = h.call('wasi:cli/stdout#get-stdout') as number;
    expect(() => h.call(fs('[method]descriptor.stat'), so, ret)).toThrow(WebAssembly.RuntimeError);
    expect(() => h.call(io('[method]input-stream.read'), so, 1n, ret)).toThrow(WebAssembly.RuntimeError);
    h.call(io('[resource-drop]output-stream'), so);
    expect(() => h.call(io('[method]output-stream.write'), so, 0, 0, ret)).toThrow(WebAssembly.RuntimeError);
  });

  it('the table grows without limit and reuses freed slots', () => {
    const streams = Array.from({ length: 1000 }, () => h.call('wasi:cli/stdout#get-stdout') as number);
    expect(new Set(streams).size).toBe(1000);
    h.call(fs('[method]descriptor.stat'), root, ret); // the preopen handle survived the moves
    expect(h.u8(ret)).toBe(0);
    h.call(io('[resource-drop]output-stream'), streams[500]!);
    expect(h.call('wasi:cli/stdout#get-stdout')).toBe(streams[500]);
  });
});
