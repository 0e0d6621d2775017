// The p1 bridge (src/lower/p1-bridge.ts) called directly: a bridged p1 function of region 1 over
// a memory whose page 1 is region 1 and page 2 region 2, with mock host functions that read and
// write the absolute addresses they are given, as a p1 host does. Every pointer main passes must
// land in its region (a buffer one byte past it traps before the host is called, and region 2's
// bytes stay as they were), iovecs reach the host absolute, args_get's pointers come back
// region-relative, and a descriptor another region opened is EBADF. The greeter-app compositions
// (fuse-adapters, fuse-encodings) run the bridges end to end on node:wasi and Wasmtime.
import { describe, expect, test } from 'vitest';
import { scratchModule } from '../src/lower/fuse-scratch.js';
import { fdOwnersModule, P1_PARAMS, p1Bridge, p1Type } from '../src/lower/p1-bridge.js';

const PAGE = 65536;
const BASE = PAGE;
const EBADF = 8;

type Host = Record<string, (...args: number[]) => number>;

interface World {
  memory: WebAssembly.Memory;
  bytes: () => Uint8Array;
  view: () => DataView;
  bridge: (name: string, region?: number) => (...args: (number | bigint)[]) => number;
  calls: string[];
}

/** A memory of three pages (region 0 the host's, 1 and 2 two components'), the scratch and the owners table. */
function world(host: (w: World) => Host): World {
  const memory = new WebAssembly.Memory({ initial: 3 });
  const scratch = new WebAssembly.Instance(new WebAssembly.Module(scratchModule(false).bytes), { mem: { memory } }).exports as Record<string, WebAssembly.ExportValue>;
  const owners = new WebAssembly.Instance(new WebAssembly.Module(fdOwnersModule().bytes), { mem: { memory }, kept: { alloc: scratch.kept! } }).exports as Record<string, WebAssembly.ExportValue>;
  const calls: string[] = [];
  const w: World = {
    memory,
    bytes: () => new Uint8Array(memory.buffer),
    view: () => new DataView(memory.buffer),
    calls,
    bridge: (name, region = 1) => {
      const { bytes, imports } = p1Bridge(name, region);
      const funcs = host(w);
      const obj: Record<string, Record<string, WebAssembly.ExportValue>> = {};
      for (const imp of imports) {
        const [module, field] = imp.split('.') as [string, string];
        const value =
          module === 'mem' ? memory
          : module === 'region' ? (field === 'base' ? new WebAssembly.Global({ value: 'i32', mutable: true }, region * PAGE) : () => 1)
          : module === 'scratch' ? scratch[field]!
          : module === 'owners' ? owners[field]!
          : (...args: number[]) => {
              calls.push(field);
              return funcs[field]!(...args);
            };
        (obj[module] ??= {})[field] = value as WebAssembly.ExportValue;
      }
      const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), obj as WebAssembly.Imports).exports;
      return exports.bridge as (...args: (number | bigint)[]) => number;
    },
  };
  return w;
}

/** A p1 host's fd_write and fd_read over the absolute iovecs it is given. */
function iovecHost(w: World, written: number[][]): Host {
  const each = (iovs: number, n: number, f: (buf: number, len: number) => void) => {
    for (let i = 0; i < n; i++) f(w.view().getUint32(iovs + 8 * i, true), w.view().getUint32(iovs + 8 * i + 4, true));
  };
  return {
    fd_write: (_fd, iovs, n, nwritten) => {
      let total = 0;
      each(iovs, n, (buf, len) => {
        written.push([...w.bytes().subarray(buf, buf + len)]);
        total += len;
      });
      w.view().setUint32(nwritten, total, true);
      return 0;
    },
    fd_read: (_fd, iovs, n, nread) => {
      let total = 0;
      each(iovs, n, (buf, len) => {
        w.bytes().fill(0xaa, buf, buf + len);
        total += len;
      });
      w.view().setUint32(nread, total, true);
      return 0;
    },
    path_open: (_fd, _flags, _path, _len, _o, _b, _i, _fl, opened) => {
      w.view().setUint32(opened, 7, true);
      return 0;
    },
    fd_close: () => 0,
    args_sizes_get: (argc, size) => {
      w.view().setUint32(argc, 2, true);
      w.view().setUint32(size, 6, true);
      return 0;
    },
    args_get: (argv, buf) => {
      w.bytes().set([97, 112, 112, 0, 120, 0], buf);
      w.view().setUint32(argv, buf, true);
      w.view().setUint32(argv + 4, buf + 4, true);
      return 0;
    },
  };
}

/** Region 2's bytes, marked so that a write the host made there would show. */
function markRegion2(w: World): Uint8Array {
  w.bytes().fill(0x55, 2 * PAGE, 3 * PAGE);
  return w.bytes().slice(2 * PAGE, 3 * PAGE);
}

describe('p1 bridge', () => {
  test('the witx table: every p1 function, its core type as the adapters export it', () => {
    expect(Object.keys(P1_PARAMS)).toHaveLength(46);
    expect(p1Type('fd_write')).toEqual({ kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] });
    expect(p1Type('path_open')).toEqual({ kind: 'func', params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'], results: ['i32'] });
    expect(p1Type('proc_exit')).toEqual({ kind: 'func', params: ['i32'], results: [] });
  });

  test('fd_write: the host gets absolute iovecs, copied (main\'s array unchanged); the count lands in the region', () => {
    const written: number[][] = [];
    const w = world((w) => iovecHost(w, written));
    const fdWrite = w.bridge('fd_write');
    w.bytes().set([104, 105, 33], BASE + 100);
    w.view().setUint32(BASE + 16, 100, true);
    w.view().setUint32(BASE + 20, 3, true);
    w.view().setUint32(BASE + 24, 101, true);
    w.view().setUint32(BASE + 28, 2, true);
    expect(fdWrite(1, 16, 2, 40)).toBe(0);
    expect(written).toEqual([[104, 105, 33], [105, 33]]);
    expect(w.view().getUint32(BASE + 40, true)).toBe(5);
    expect(w.view().getUint32(BASE + 16, true)).toBe(100);
  });

  test('fd_write whose iovec points one byte past region 1 traps; the host is not called, region 2 untouched', () => {
    const written: number[][] = [];
    const w = world((w) => iovecHost(w, written));
    const fdWrite = w.bridge('fd_write');
    const before = markRegion2(w);
    w.view().setUint32(BASE + 16, PAGE - 4, true);
    w.view().setUint32(BASE + 20, 5, true);
    expect(() => fdWrite(1, 16, 1, 40)).toThrow(WebAssembly.RuntimeError);
    // At the edge exactly, it passes.
    w.view().setUint32(BASE + 20, 4, true);
    expect(fdWrite(1, 16, 1, 40)).toBe(0);
    expect(written).toHaveLength(1);
    expect(w.bytes().slice(2 * PAGE, 3 * PAGE)).toEqual(before);
  });

  test('fd_read into a buffer one byte past region 1, or a length wrapping 4 GiB, traps; region 2 untouched', () => {
    const w = world((w) => iovecHost(w, []));
    const fdRead = w.bridge('fd_read');
    const before = markRegion2(w);
    w.view().setUint32(BASE + 16, 8, true);
    w.view().setUint32(BASE + 20, 4, true);
    w.view().setUint32(BASE + 24, PAGE - 10, true);
    w.view().setUint32(BASE + 28, 11, true);
    expect(() => fdRead(0, 16, 2, 40)).toThrow(WebAssembly.RuntimeError);
    w.view().setUint32(BASE + 28, 0xffffffff, true);
    expect(() => fdRead(0, 16, 2, 40)).toThrow(WebAssembly.RuntimeError);
    // The iovec array itself, and the count's out-pointer, must lie in the region too.
    expect(() => fdRead(0, PAGE - 8, 2, 40)).toThrow(WebAssembly.RuntimeError);
    expect(() => fdRead(0, 16, 0, PAGE - 3)).toThrow(WebAssembly.RuntimeError);
    expect(w.calls).toEqual([]);
    expect(w.bytes().slice(2 * PAGE, 3 * PAGE)).toEqual(before);
    // In bounds, the host writes region 1 only.
    w.view().setUint32(BASE + 28, 10, true);
    expect(fdRead(0, 16, 2, 40)).toBe(0);
    expect(w.view().getUint32(BASE + 40, true)).toBe(14);
    expect(w.bytes()[BASE + PAGE - 1]).toBe(0xaa);
    expect(w.bytes().slice(2 * PAGE, 3 * PAGE)).toEqual(before);
  });

  test('args_get: the host\'s absolute pointers come back relative to the region', () => {
    const w = world((w) => iovecHost(w, []));
    expect(w.bridge('args_get')(200, 300)).toBe(0);
    expect([w.view().getUint32(BASE + 200, true), w.view().getUint32(BASE + 204, true)]).toEqual([300, 304]);
    expect(w.bytes().subarray(BASE + 300, BASE + 306)).toEqual(new Uint8Array([97, 112, 112, 0, 120, 0]));
    // An argv array the host's sizes would run past the region traps before args_get is called.
    expect(() => w.bridge('args_get')(PAGE - 4, 300)).toThrow(WebAssembly.RuntimeError);
    expect(w.calls.filter((c) => c === 'args_get')).toHaveLength(1);
  });

  test('a descriptor another region opened is EBADF to this one, until it is closed', () => {
    const w = world((w) => iovecHost(w, []));
    expect(w.bridge('path_open', 1)(3, 0, 0, 0, 0, 0n, 0n, 0, 40)).toBe(0);
    expect(w.view().getUint32(BASE + 40, true)).toBe(7);
    const write2 = w.bridge('fd_write', 2);
    expect(write2(7, 16, 0, 40)).toBe(EBADF);
    expect(w.bridge('fd_write', 1)(7, 16, 0, 40)).toBe(0);
    // stdio and preopens (no region opened them) are everyone's.
    expect(write2(1, 16, 0, 40)).toBe(0);
    expect(w.bridge('fd_close', 2)(7)).toBe(EBADF);
    expect(w.bridge('fd_close', 1)(7)).toBe(0);
    expect(write2(7, 16, 0, 40)).toBe(0);
  });
});
