import { encodeModule, type Import } from '../binary/module.js';
import type { Global } from '../binary/sections.js';
import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import type { CoreType } from '../component/abi.js';
import { Code, OP, type Mem } from './fuse-code.js';

/**
 * The p1 bridge: what a dropped preview1 adapter's p1 exports become when its main lives in
 * region k of a composition's one memory. Main's pointers are region-relative and the p1 host
 * reads the whole output memory, so each wrapper checks every buffer main hands over against
 * region k (`ptr + len <= bytes<k>`, in i64: no overflow passes; a trap otherwise, so no
 * component reaches another's memory through the host) and offsets it by `base<k>`. Arrays of
 * pointers main passes (iovecs) are copied into the scratch, each buffer checked and made
 * absolute; arrays of pointers the host writes (args_get, environ_get) are made region-relative
 * again after the call. docs/compositions.md, "One memory".
 */

/** How one core parameter of a p1 function is passed (from the preview1 witx). */
export type P1Param =
  | { kind: 'value'; type: CoreType }
  /** A descriptor: the caller's own or one no region opened (stdio, preopens), else EBADF. */
  | { kind: 'fd' }
  /** Where the host writes a descriptor it opened (path_open, sock_accept): the caller's from then on. */
  | { kind: 'opened' }
  /** A pointer to a fixed number of bytes (an out-parameter: u32, u64, filestat, fdstat, prestat, roflags). */
  | { kind: 'fixed'; bytes: number }
  /** A pointer to `each` bytes times the value of parameter `count` (a string, a buffer, poll_oneoff's subscriptions and events). */
  | { kind: 'array'; count: number; each: number }
  /** An iovec/ciovec array (buf: pointer, len: u32), `count` entries: copied, each buffer made absolute. */
  | { kind: 'iovecs'; count: number }
  /** An array of pointers the host writes into buffer `buffer` (args_get, environ_get), sized by `sizes`. */
  | { kind: 'pointers'; sizes: string; buffer: number }
  /** The buffer those pointers point into, sized by the second result of `sizes`. */
  | { kind: 'strings'; sizes: string }
  /** poll_oneoff's subscriptions (48 bytes each, `count` of them): an fd_read/fd_write one names a descriptor. */
  | { kind: 'subscriptions'; count: number };

const i32: P1Param = { kind: 'value', type: 'i32' };
const i64: P1Param = { kind: 'value', type: 'i64' };
const fd: P1Param = { kind: 'fd' };
const opened: P1Param = { kind: 'opened' };
const out = (bytes: number): P1Param => ({ kind: 'fixed', bytes });
const bytes = (count: number, each = 1): P1Param => ({ kind: 'array', count, each });
const iovecs = (count: number): P1Param => ({ kind: 'iovecs', count });

/**
 * Every preview1 function's core parameters (wasi_snapshot_preview1.witx: a `string` is a
 * pointer and a length; an `(expected T)` result is an out-pointer to T; sizes: filestat 64,
 * fdstat 24, prestat 8, subscription 48, event 32, iovec 8, roflags 2). All return an errno
 * (i32) except proc_exit.
 */
export const P1_PARAMS: Readonly<Record<string, readonly P1Param[]>> = {
  args_get: [{ kind: 'pointers', sizes: 'args_sizes_get', buffer: 1 }, { kind: 'strings', sizes: 'args_sizes_get' }],
  args_sizes_get: [out(4), out(4)],
  environ_get: [{ kind: 'pointers', sizes: 'environ_sizes_get', buffer: 1 }, { kind: 'strings', sizes: 'environ_sizes_get' }],
  environ_sizes_get: [out(4), out(4)],
  clock_res_get: [i32, out(8)],
  clock_time_get: [i32, i64, out(8)],
  fd_advise: [fd, i64, i64, i32],
  fd_allocate: [fd, i64, i64],
  fd_close: [fd],
  fd_datasync: [fd],
  fd_fdstat_get: [fd, out(24)],
  fd_fdstat_set_flags: [fd, i32],
  fd_fdstat_set_rights: [fd, i64, i64],
  fd_filestat_get: [fd, out(64)],
  fd_filestat_set_size: [fd, i64],
  fd_filestat_set_times: [fd, i64, i64, i32],
  fd_pread: [fd, iovecs(2), i32, i64, out(4)],
  fd_prestat_get: [fd, out(8)],
  fd_prestat_dir_name: [fd, bytes(2), i32],
  fd_pwrite: [fd, iovecs(2), i32, i64, out(4)],
  fd_read: [fd, iovecs(2), i32, out(4)],
  fd_readdir: [fd, bytes(2), i32, i64, out(4)],
  fd_renumber: [fd, fd],
  fd_seek: [fd, i64, i32, out(8)],
  fd_sync: [fd],
  fd_tell: [fd, out(8)],
  fd_write: [fd, iovecs(2), i32, out(4)],
  path_create_directory: [fd, bytes(2), i32],
  path_filestat_get: [fd, i32, bytes(3), i32, out(64)],
  path_filestat_set_times: [fd, i32, bytes(3), i32, i64, i64, i32],
  path_link: [fd, i32, bytes(3), fd, i32, bytes(6), i32],
  path_open: [fd, i32, bytes(3), i32, i32, i64, i64, i32, opened],
  path_readlink: [fd, bytes(2), i32, bytes(4), i32, out(4)],
  path_remove_directory: [fd, bytes(2), i32],
  path_rename: [fd, bytes(2), i32, fd, bytes(5), i32],
  path_symlink: [bytes(1), i32, fd, bytes(4), i32],
  path_unlink_file: [fd, bytes(2), i32],
  poll_oneoff: [{ kind: 'subscriptions', count: 2 }, bytes(2, 32), i32, out(4)],
  proc_exit: [i32],
  proc_raise: [i32],
  sched_yield: [],
  random_get: [bytes(1), i32],
  sock_accept: [fd, i32, opened],
  sock_recv: [fd, iovecs(2), i32, i32, out(4), out(2)],
  sock_send: [fd, iovecs(2), i32, i32, out(4)],
  sock_shutdown: [fd, i32],
};

/** The core type of p1 function `name`. */
export function p1Type(name: string): FuncType {
  const params = P1_PARAMS[name]!.map((p) => (p.kind === 'value' ? p.type : 'i32'));
  return { kind: 'func', params, results: name === 'proc_exit' ? [] : ['i32'] };
}

/** Whether `name` passes the host a pointer or a descriptor (else main may call the host's function directly). */
export function p1Bridged(name: string): boolean {
  return P1_PARAMS[name]!.some((p) => p.kind !== 'value');
}

/** What a successful call does to its descriptor parameters: fd_close ends the caller's, fd_renumber moves it. */
const FD_EFFECTS: Readonly<Record<string, 'close' | 'renumber'>> = { fd_close: 'close', fd_renumber: 'renumber' };

const EBADF = 8;
const SUBSCRIPTION = { size: 48, tag: 8, fd: 16 };
/** subscription's eventtype for fd_read and fd_write, the two naming a descriptor. */
const FD_READ = 1;
const FD_WRITE = 2;

/** The imports of a bridge's function index space, in order. */
const FUNCS = ['region.size', 'scratch.mark', 'scratch.alloc', 'scratch.release', 'owners.owner', 'owners.own'] as const;

/**
 * The bridge of p1 function `name` for main of region `region`: a module exporting `bridge`.
 * Its imports, in order (their names in `imports`): `mem.memory`, `region.base` (the region's
 * base global), `region.size` (its size in pages), `scratch.mark`/`alloc`/`release`,
 * `owners.owner`/`own` (the descriptor owners, `fdOwnersModule`), `host.<name>` and, for
 * args_get and environ_get, `host.<their sizes function>`.
 */
export function p1Bridge(name: string, region: number): { bytes: Uint8Array; imports: string[] } {
  const params = P1_PARAMS[name]!;
  const type = p1Type(name);
  const sizesFn = params.find((p) => p.kind === 'pointers')?.sizes;
  const types: FuncType[] = [
    type,
    { kind: 'func', params: [], results: ['i32'] },
    { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
    { kind: 'func', params: ['i32'], results: [] },
    { kind: 'func', params: ['i32'], results: ['i32'] },
    { kind: 'func', params: ['i32', 'i32'], results: [] },
    { kind: 'func', params: ['i32', 'i32'], results: ['i32'] },
  ];
  const funcType = [1, 1, 2, 3, 4, 5];
  const imports: Import[] = [
    { module: 'mem', name: 'memory', desc: { kind: 'memory', type: { min: 0 } } },
    { module: 'region', name: 'base', desc: { kind: 'global', type: { type: 'i32', mutable: true } } },
    ...FUNCS.map((f, i): Import => {
      const [module, field] = f.split('.') as [string, string];
      return { module, name: field, desc: { kind: 'func', typeIndex: funcType[i]! } };
    }),
    { module: 'host', name, desc: { kind: 'func', typeIndex: 0 } },
  ];
  if (sizesFn) imports.push({ module: 'host', name: sizesFn, desc: { kind: 'func', typeIndex: 6 } });
  const funcs = imports.length - 2;
  return {
    bytes: encodeModule({
      types,
      imports,
      functions: [0],
      exports: [{ name: 'bridge', kind: 'func', index: funcs }],
      code: [bridgeBody(name, params, type, region)],
    }),
    imports: imports.map((i) => `${i.module}.${i.name}`),
  };
}

const BASE = 0;
const [SIZE, MARK, ALLOC, RELEASE, OWNER, OWN, HOST, SIZES] = [0, 1, 2, 3, 4, 5, 6, 7];

function bridgeBody(name: string, params: readonly P1Param[], type: FuncType, region: number): Uint8Array {
  const c = new Code(type.params as CoreType[]);
  const mem: Mem = { base: BASE, size: SIZE };
  const length = (count: number, each: number) => (k: Code) => {
    k.get(count).op(OP.i64ExtendI32U);
    if (each !== 1) k.i64(BigInt(each)).op(OP.i64Mul);
  };
  const errno = c.local('i32');
  const fail = (code: number) => c.op(OP.if, 0x40).i32(code).op(OP.return, OP.end);
  /** Returns EBADF unless descriptor `fd` (a local) is the caller's or no region's. */
  const checkFd = (fd: number) => {
    c.get(fd).call(OWNER).tee(errno).op(OP.i32Eqz).get(errno).i32(region).op(OP.i32Eq).op(OP.i32Or, OP.i32Eqz);
    fail(EBADF);
  };
  // Every buffer main passes lies in its region (those sized by the host: below).
  params.forEach((p, i) => {
    if (p.kind === 'fixed') c.checkRange(mem, i, (k) => k.i64(BigInt(p.bytes)));
    else if (p.kind === 'opened') c.checkRange(mem, i, (k) => k.i64(4n));
    else if (p.kind === 'array') c.checkRange(mem, i, length(p.count, p.each));
    else if (p.kind === 'iovecs') c.checkRange(mem, i, length(p.count, 8));
    else if (p.kind === 'subscriptions') c.checkRange(mem, i, length(p.count, SUBSCRIPTION.size));
  });
  params.forEach((p, i) => {
    if (p.kind === 'fd') checkFd(i);
    if (p.kind !== 'subscriptions') return;
    // An fd_read or fd_write subscription names a descriptor: the caller's or no region's.
    const at = c.local('i32');
    const end = c.local('i32');
    const fd = c.local('i32');
    c.get(i).op(OP.globalGet).u(BASE).op(OP.i32Add).tee(at).get(p.count).i32(SUBSCRIPTION.size).op(OP.i32Mul).op(OP.i32Add).set(end);
    c.op(OP.block, 0x40, OP.loop, 0x40);
    c.get(at).get(end).op(OP.i32Eq).op(OP.brIf).u(1);
    c.get(at).mem(OP.i32Load8u, SUBSCRIPTION.tag).tee(fd).i32(FD_READ).op(OP.i32Eq).get(fd).i32(FD_WRITE).op(OP.i32Eq).op(OP.i32Or);
    c.op(OP.if, 0x40).get(at).mem(OP.i32Load, SUBSCRIPTION.fd).set(fd);
    checkFd(fd);
    c.op(OP.end);
    c.get(at).i32(SUBSCRIPTION.size).op(OP.i32Add).set(at).op(OP.br).u(0);
    c.op(OP.end, OP.end);
  });
  const pointers = params.findIndex((p) => p.kind === 'pointers');
  const scratch = pointers >= 0 || params.some((p) => p.kind === 'iovecs');
  const mark = scratch ? c.local('i32') : -1;
  if (scratch) c.call(MARK).set(mark);
  // Scratch allocations first: growing region 0 moves every region, so `base` is read after them.
  const copies = new Map<number, number>();
  params.forEach((p, i) => {
    if (p.kind !== 'iovecs') return;
    const to = c.local('i32');
    c.i32(0).i32(0).i32(4).get(p.count).i32(3).op(OP.i32Shl).call(ALLOC).set(to);
    copies.set(i, to);
  });
  const count = pointers >= 0 ? c.local('i32') : -1;
  if (pointers >= 0) {
    // How many pointers the host will write, and how many bytes: its own sizes function says.
    const p = params[pointers] as Extract<P1Param, { kind: 'pointers' }>;
    const sizes = c.local('i32');
    const bufSize = c.local('i32');
    c.i32(0).i32(0).i32(4).i32(8).call(ALLOC).tee(sizes).get(sizes).i32(4).op(OP.i32Add).call(SIZES).tee(errno);
    c.op(OP.if, 0x40).get(mark).call(RELEASE).get(errno).op(OP.return, OP.end);
    c.get(sizes).mem(OP.i32Load, 0).set(count).get(sizes).mem(OP.i32Load, 4).set(bufSize);
    c.checkRange(mem, pointers, length(count, 4));
    c.checkRange(mem, p.buffer, (k) => k.get(bufSize).op(OP.i64ExtendI32U));
  }
  // Each iovec's buffer checked and made absolute in the copy.
  for (const [i, to] of copies) {
    const n = (params[i] as Extract<P1Param, { kind: 'iovecs' }>).count;
    const j = c.local('i32');
    const buf = c.local('i32');
    const len = c.local('i32');
    c.i32(0).set(j);
    c.op(OP.block, 0x40, OP.loop, 0x40);
    c.get(j).get(n).i32(3).op(OP.i32Shl).op(OP.i32Eq).op(OP.brIf).u(1);
    c.get(i).get(j).op(OP.i32Add).op(OP.globalGet).u(BASE).op(OP.i32Add).tee(buf).mem(OP.i32Load, 4).set(len);
    c.get(buf).mem(OP.i32Load, 0).set(buf);
    c.checkRange(mem, buf, (k) => k.get(len).op(OP.i64ExtendI32U));
    c.get(to).get(j).op(OP.i32Add).get(buf).op(OP.globalGet).u(BASE).op(OP.i32Add).mem(OP.i32Store, 0);
    c.get(to).get(j).op(OP.i32Add).get(len).mem(OP.i32Store, 4);
    c.get(j).i32(8).op(OP.i32Add).set(j).op(OP.br).u(0);
    c.op(OP.end, OP.end);
  }
  params.forEach((p, i) => {
    const copy = copies.get(i);
    if (copy !== undefined) c.get(copy);
    else if (p.kind === 'value' || p.kind === 'fd') c.get(i);
    else c.get(i).op(OP.globalGet).u(BASE).op(OP.i32Add);
  });
  c.call(HOST);
  if (type.results.length === 0) return c.finish();
  c.set(errno);
  c.get(errno).op(OP.i32Eqz, OP.if, 0x40);
  // The host wrote absolute pointers into main's array: made region-relative again.
  if (pointers >= 0) {
    const a = c.local('i32');
    const end = c.local('i32');
    c.get(pointers).op(OP.globalGet).u(BASE).op(OP.i32Add).tee(a).get(count).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
    c.op(OP.block, 0x40, OP.loop, 0x40);
    c.get(a).get(end).op(OP.i32Eq).op(OP.brIf).u(1);
    c.get(a).get(a).mem(OP.i32Load, 0).op(OP.globalGet).u(BASE).op(OP.i32Sub).mem(OP.i32Store, 0);
    c.get(a).i32(4).op(OP.i32Add).set(a).op(OP.br).u(0);
    c.op(OP.end, OP.end);
  }
  // Descriptors opened are the caller's; `own` may grow region 0, so each reads `base` afresh.
  params.forEach((p, i) => {
    if (p.kind === 'opened') c.get(i).op(OP.globalGet).u(BASE).op(OP.i32Add).mem(OP.i32Load, 0).i32(region).call(OWN);
  });
  const effect = FD_EFFECTS[name];
  if (effect === 'close') c.get(0).i32(0).call(OWN);
  if (effect === 'renumber') c.get(1).get(0).call(OWNER).call(OWN).get(0).i32(0).call(OWN);
  c.op(OP.end);
  if (scratch) c.get(mark).call(RELEASE);
  c.get(errno);
  return c.finish();
}

/**
 * The descriptor owners: which region opened each host descriptor (0: none, stdio and preopens,
 * which every component is given, as a component host gives each its own handles to them). A
 * component cannot use a descriptor another opened, as it could not use another's handle; the
 * preopens scan of wasi-libc (fd_prestat_get from 3 until EBADF) stops at the first descriptor
 * another component opened, as in its own table. One i32 per descriptor, in region 0 (`kept`:
 * it grows by doubling, never freed). Imports `mem.memory`, `kept.alloc`; exports
 * `owner(fd) -> region` and `own(fd, region)`.
 */
export function fdOwnersModule(): { bytes: Uint8Array; imports: string[] } {
  const types: FuncType[] = [
    { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
    { kind: 'func', params: ['i32'], results: ['i32'] },
    { kind: 'func', params: ['i32', 'i32'], results: [] },
  ];
  const imports: Import[] = [
    { module: 'mem', name: 'memory', desc: { kind: 'memory', type: { min: 0 } } },
    { module: 'kept', name: 'alloc', desc: { kind: 'func', typeIndex: 0 } },
  ];
  const global = (): Global => ({ type: { type: 'i32', mutable: true }, init: { bytes: new BinaryWriter(4).u8(OP.i32Const).sleb(0).u8(OP.end).finish(), offset: 0 } });
  const [AT, CAP] = [0, 1];
  const owner = new Code(['i32']);
  owner.get(0).op(OP.globalGet).u(CAP).op(OP.i32LtU, OP.if, 0x7f);
  owner.get(0).i32(2).op(OP.i32Shl).op(OP.globalGet).u(AT).op(OP.i32Add).mem(OP.i32Load, 0);
  owner.op(OP.else).i32(0).op(OP.end);
  const own = new Code(['i32', 'i32']);
  const cap = own.local('i32');
  own.get(0).op(OP.globalGet).u(CAP).op(OP.i32GeU, OP.if, 0x40);
  // Nothing to record for no region past the end; else the table grows to twice, or to fd + 1.
  own.get(1).op(OP.i32Eqz, OP.if, 0x40, OP.return, OP.end);
  const doubled = () => own.op(OP.globalGet).u(CAP).i32(1).op(OP.i32Shl);
  const needed = () => own.get(0).i32(16).op(OP.i32Add);
  doubled();
  needed();
  doubled();
  needed();
  own.op(OP.i32GtU, OP.select).set(cap);
  own.op(OP.globalGet).u(AT).op(OP.globalGet).u(CAP).i32(2).op(OP.i32Shl).i32(4).get(cap).i32(2).op(OP.i32Shl).call(0).op(OP.globalSet).u(AT);
  own.get(cap).op(OP.globalSet).u(CAP);
  own.op(OP.end);
  own.get(0).i32(2).op(OP.i32Shl).op(OP.globalGet).u(AT).op(OP.i32Add).get(1).mem(OP.i32Store, 0);
  return {
    bytes: encodeModule({
      types,
      imports,
      functions: [1, 2],
      globals: [global(), global()],
      exports: [{ name: 'owner', kind: 'func', index: 1 }, { name: 'own', kind: 'func', index: 2 }],
      code: [owner.finish(), own.finish()],
    }),
    imports: imports.map((i) => `${i.module}.${i.name}`),
  };
}
