// Adapter state: a descriptor table and a scratch arena in guest memory,
// obtained on the first call that needs it (never at instantiation, because
// some guest allocators claim every page that exists when they start).
import { mainRealloc, getDirectories, dropDescriptor, dropDirStream, dropInputStream, dropOutputStream } from "./imports";
import { DIR_BASE, DIR_INHERITING, READ_STREAM, WRITE_STREAM, setRights } from "./rights";

export const KIND_FREE: u8 = 0;
export const KIND_STDIN: u8 = 1;
export const KIND_STDOUT: u8 = 2;
export const KIND_STDERR: u8 = 3;
export const KIND_FILE: u8 = 4;
export const KIND_DIR: u8 = 5;

// Entry layout (48 bytes): kind u8 @0, append u8 @1, handle u32 @4, position u64 @8,
// preopen name ptr @16 / len @20, directory stream @24, its next cookie @28,
// base rights u64 @32, inheriting rights u64 @40 (see rights.ts).
export const ENTRY: u32 = 48;
export const MAX_FDS: u32 = 128;
const REGION: u32 = 65536;

let base: u32 = 0;
let scratch: u32 = 0;
let scratchBase: u32 = 0;
let scratchEnd: u32 = 0;
let preopensLoaded: bool = false;
// Where the next host-returned list should land (the caller's own buffer).
let importBuf: u32 = 0;
let importLen: u32 = 0;

function obtain(size: u32): u32 {
  let p = mainRealloc(0, 0, 16, size);
  if (p == 0) {
    const pages = memory.grow(<i32>(size >> 16));
    if (pages < 0) unreachable();
    p = <u32>pages << 16;
  } else {
    zero(p, size);
  }
  return p;
}

// MVP has no memory.fill/memory.copy: move 8 bytes at a time (unaligned i64
// access is valid wasm), then the tail. `n - i` cannot wrap, unlike `i + 8`.
export function zero(p: u32, n: u32): void {
  let i: u32 = 0;
  for (; n - i >= 8; i += 8) store<u64>(p + i, 0);
  for (; i < n; i++) store<u8>(p + i, 0);
}

/** Copies forward; the result equals a byte-by-byte forward copy, also for overlapping ranges. */
export function copy(dst: u32, src: u32, n: u32): void {
  if (dst == src) return;
  let i: u32 = 0;
  // A destination starting inside the source re-reads bytes it just wrote:
  // only the byte loop gives that result; otherwise each 8-byte load precedes
  // any store that could reach it.
  if (dst < src || dst - src >= n) {
    for (; n - i >= 8; i += 8) store<u64>(dst + i, load<u64>(src + i));
  }
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

function init(): void {
  base = obtain(REGION);
  scratchBase = base + MAX_FDS * ENTRY;
  scratch = scratchBase;
  scratchEnd = base + REGION;
  store<u8>(base, KIND_STDIN);
  store<u8>(base + ENTRY, KIND_STDOUT);
  store<u8>(base + 2 * ENTRY, KIND_STDERR);
  setRights(base, READ_STREAM, 0);
  setRights(base + ENTRY, WRITE_STREAM, 0);
  setRights(base + 2 * ENTRY, WRITE_STREAM, 0);
}

/** Forgets every scratch allocation; called at the start of each p1 call that uses scratch. */
export function resetScratch(): void {
  if (base == 0) init();
  scratch = scratchBase;
  importBuf = 0;
}

export function alloc(size: u32, align: u32): u32 {
  if (base == 0) init();
  let p = (scratch + align - 1) & ~(align - 1);
  if (p + size > scratchEnd) {
    // Rare (huge argument lists): a fresh region, kept for later calls.
    const want = (size + align + 0xffff) & ~0xffff;
    scratch = obtain(want);
    scratchEnd = scratch + want;
    p = (scratch + align - 1) & ~(align - 1);
  }
  scratch = p + size;
  return p;
}

/** The next host-returned list of at most `len` bytes goes straight into `buf`. */
export function expectInto(buf: u32, len: u32): void {
  importBuf = buf;
  importLen = len;
}

export function cabiImportRealloc(old: u32, oldSize: u32, align: u32, size: u32): u32 {
  if (old != 0 || oldSize != 0) unreachable();
  if (importBuf != 0 && size <= importLen) {
    const p = importBuf;
    importBuf = 0;
    return p;
  }
  importBuf = 0;
  return alloc(size, align);
}

/** The table entry of `fd`, or 0 when it is not open. */
export function entry(fd: u32): u32 {
  if (base == 0) init();
  if (fd >= 3 && !preopensLoaded) loadPreopens();
  if (fd >= MAX_FDS) return 0;
  const e = base + fd * ENTRY;
  return load<u8>(e) == KIND_FREE ? 0 : e;
}

/** The table slot of a descriptor number below MAX_FDS, open or not. */
export function slot(fd: u32): u32 {
  return base + fd * ENTRY;
}

/** The lowest free descriptor number, or 0 when the table is full (0 is stdin, so never free). */
export function allocFd(): u32 {
  if (!preopensLoaded) loadPreopens();
  for (let fd: u32 = 3; fd < MAX_FDS; fd++) {
    if (load<u8>(base + fd * ENTRY) == KIND_FREE) return fd;
  }
  return 0;
}

function loadPreopens(): void {
  preopensLoaded = true;
  const ret = alloc(8, 4);
  store<u64>(ret, 0); // stays an empty list when the host has no file system
  getDirectories(ret);
  const list = load<u32>(ret);
  const n = load<u32>(ret, 4);
  for (let i: u32 = 0; i < n; i++) {
    const fd = allocFd();
    if (fd == 0) break;
    const e = base + fd * ENTRY;
    const item = list + i * 12;
    store<u8>(e, KIND_DIR);
    store<u32>(e, load<u32>(item), 4);
    store<u32>(e, load<u32>(item, 4), 16);
    store<u32>(e, load<u32>(item, 8), 20);
    setRights(e, DIR_BASE, DIR_INHERITING);
  }
  // The names stay where the host put them: scratch never reaches back below here.
  scratchBase = scratch;
}

/** Releases whatever host handles an entry holds and marks it free. */
export function release(e: u32): void {
  const kind = load<u8>(e);
  const h = load<u32>(e, 4);
  if (kind == KIND_STDIN) {
    if (h != 0) dropInputStream(h);
  } else if (kind == KIND_STDOUT || kind == KIND_STDERR) {
    if (h != 0) dropOutputStream(h);
  } else {
    const ds = load<u32>(e, 24);
    if (ds != 0) dropDirStream(ds);
    dropDescriptor(h);
  }
  zero(e, ENTRY);
}
