// wasi:filesystem over p1 descriptors. A descriptor handle wraps a p1 fd;
// preopens are shared (each get-directories call hands out new handles for
// the same fds), so only descriptors from open-at close their fd on drop.
import * as p1 from "./p1";
import {
  DESCRIPTOR, DIRECTORY_STREAM, INPUT, OUTPUT, create, slot, drop, adopt,
  SLOT_KIND, SLOT_FD, SLOT_CHILDREN, SLOT_POS, STREAM_FILE, STREAM_APPEND, release,
} from "./handles";
import { tmp, scratch, copyOut, alloc, stateAlloc, CHUNK, TMP_STAT, TMP_STAT2 } from "./mem";
import { errorCode, errorErrno } from "./errors";
import { newStream } from "./streams";

const OWNS_FD: u8 = 1; // descriptor kind: close the fd on drop
const ERRNO_NOTDIR: i32 = 54;

function fdOf(h: u32): i32 {
  return load<i32>(slot(h, DESCRIPTOR) + SLOT_FD);
}

// Results carrying error-code (an enum: one byte). `at` is the payload
// offset: 1 for `_`, flags and enums, 4 for handles/lists/strings, 8 for u64 and records with u64.
function fail(ret: usize, at: usize, errno: i32): void {
  store<u8>(ret, 1);
  store<u8>(ret + at, errorCode(errno));
}

/** result<_, error-code> from a p1 errno. */
function unit(ret: usize, errno: i32): void {
  if (errno != 0) return fail(ret, 1, errno);
  store<u8>(ret, 0);
}

/** result<handle, error-code> with the handle at +4. */
function handle(ret: usize, h: u32): void {
  store<u8>(ret, 0);
  store<u32>(ret, h, 4);
}

/** p1 filetype -> descriptor-type. */
function descriptorType(filetype: u8): u8 {
  switch (filetype) {
    case 1: return 1; // block-device
    case 2: return 2; // character-device
    case 3: return 3; // directory
    case 4: return 6; // regular-file
    case 5: return 7; // socket (dgram)
    case 6: return 7; // socket (stream)
    case 7: return 5; // symbolic-link
    default: return 0; // unknown
  }
}

// ---- streams ----

function stream(self: u32, tag: u8, kind: u8, offset: u64, ret: usize): void {
  const h = newStream(tag, kind, fdOf(self), offset);
  adopt(h, tag, self);
  handle(ret, h);
}

export function filesystem_types__method_descriptor_read_via_stream(self: u32, offset: u64, ret: usize): void {
  stream(self, INPUT, STREAM_FILE, offset, ret);
}
export function filesystem_types__method_descriptor_write_via_stream(self: u32, offset: u64, ret: usize): void {
  stream(self, OUTPUT, STREAM_FILE, offset, ret);
}
export function filesystem_types__method_descriptor_append_via_stream(self: u32, ret: usize): void {
  stream(self, OUTPUT, STREAM_APPEND, 0, ret);
}

// ---- descriptor: fd_* ----

export function filesystem_types__method_descriptor_advise(self: u32, offset: u64, len: u64, advice: u32, ret: usize): void {
  unit(ret, p1.fd_advise(fdOf(self), offset, len, advice)); // p1 advice has the same order
}
export function filesystem_types__method_descriptor_sync_data(self: u32, ret: usize): void {
  unit(ret, p1.fd_datasync(fdOf(self)));
}
export function filesystem_types__method_descriptor_sync(self: u32, ret: usize): void {
  unit(ret, p1.fd_sync(fdOf(self)));
}

/** fd_fdstat_get into TMP: filetype +0, fdflags +2, rights_base +8, rights_inheriting +16. */
function fdstat(self: u32, ret: usize, at: usize): bool {
  const e = p1.fd_fdstat_get(fdOf(self), tmp());
  if (e != 0) fail(ret, at, e);
  return e == 0;
}

export function filesystem_types__method_descriptor_get_flags(self: u32, ret: usize): void {
  if (!fdstat(self, ret, 1)) return;
  const t = tmp();
  const dir = load<u8>(t) == p1.FILETYPE_DIRECTORY;
  const fdflags = load<u16>(t, 2);
  const rights = load<u64>(t, 8);
  let flags: u8 = 0;
  if (dir || (rights & RIGHT_FD_READ) != 0) flags |= 1;                // read
  if ((rights & RIGHT_FD_WRITE) != 0) flags |= 2;                      // write
  if ((fdflags & FDFLAG_SYNC) != 0) flags |= 4;                        // file-integrity-sync
  if ((fdflags & FDFLAG_DSYNC) != 0) flags |= 8;                       // data-integrity-sync
  if ((fdflags & FDFLAG_RSYNC) != 0) flags |= 16;                      // requested-write-sync
  if (dir && (rights & RIGHT_PATH_CREATE_DIRECTORY) != 0) flags |= 32; // mutate-directory
  store<u8>(ret, 0);
  store<u8>(ret, flags, 1);
}

export function filesystem_types__method_descriptor_get_type(self: u32, ret: usize): void {
  if (!fdstat(self, ret, 1)) return;
  store<u8>(ret, 0);
  store<u8>(ret, descriptorType(load<u8>(tmp())), 1);
}

export function filesystem_types__method_descriptor_set_size(self: u32, size: u64, ret: usize): void {
  unit(ret, p1.fd_filestat_set_size(fdOf(self), size));
}

// new-timestamp { no-change, now, timestamp(datetime) } -> p1 fstflags and
// nanoseconds, left in these globals by `times`.
const FST_ATIM: i32 = 1;
const FST_ATIM_NOW: i32 = 2;
const FST_MTIM: i32 = 4;
const FST_MTIM_NOW: i32 = 8;
let atim: u64 = 0;
let mtim: u64 = 0;
let fstflags: i32 = 0;

function nanos(seconds: u64, ns: u32): u64 {
  if (seconds > (u64.MAX_VALUE - ns) / 1_000_000_000) return u64.MAX_VALUE; // overflow marker
  return seconds * 1_000_000_000 + ns;
}

/** Returns an errno (overflow) or 0. */
function times(ad: u32, as: u64, an: u32, md: u32, ms: u64, mn: u32): i32 {
  fstflags = 0;
  atim = 0;
  mtim = 0;
  if (ad == 1) fstflags |= FST_ATIM_NOW;
  if (ad == 2) {
    atim = nanos(as, an);
    fstflags |= FST_ATIM;
  }
  if (md == 1) fstflags |= FST_MTIM_NOW;
  if (md == 2) {
    mtim = nanos(ms, mn);
    fstflags |= FST_MTIM;
  }
  return atim == u64.MAX_VALUE || mtim == u64.MAX_VALUE ? p1.ERRNO_OVERFLOW : 0;
}

export function filesystem_types__method_descriptor_set_times(self: u32, ad: u32, as: u64, an: u32, md: u32, ms: u64, mn: u32, ret: usize): void {
  const fd = fdOf(self);
  const e = times(ad, as, an, md, ms, mn);
  unit(ret, e != 0 ? e : p1.fd_filestat_set_times(fd, atim, mtim, fstflags));
}

// read: result<tuple<list<u8>, bool>, error-code>, payload at +4.
export function filesystem_types__method_descriptor_read(self: u32, len: u64, offset: u64, ret: usize): void {
  const fd = fdOf(self);
  const want = <usize>(len < CHUNK ? len : CHUNK);
  const buf = scratch(want);
  const t = tmp();
  store<u32>(t, buf);
  store<u32>(t, want, 4);
  const e = p1.fd_pread(fd, t, 1, offset, t + 8);
  if (e != 0) return fail(ret, 4, e);
  const n = load<u32>(t, 8);
  store<u8>(ret, 0);
  store<u32>(ret, copyOut(buf, n), 4);
  store<u32>(ret, n, 8);
  store<u8>(ret, want > 0 && n == 0 ? 1 : 0, 12); // end of file: nothing left at offset
}

// write: result<filesize, error-code>, payload at +8.
export function filesystem_types__method_descriptor_write(self: u32, ptr: usize, len: usize, offset: u64, ret: usize): void {
  const fd = fdOf(self);
  const t = tmp();
  store<u32>(t, ptr);
  store<u32>(t, len, 4);
  const e = p1.fd_pwrite(fd, t, 1, offset, t + 8);
  if (e != 0) return fail(ret, 8, e);
  store<u8>(ret, 0);
  store<u64>(ret, load<u32>(t, 8), 8);
}

// ---- stat ----

/**
 * p1 filestat (dev +0, ino +8, filetype +16, nlink +24, size +32, atim +40,
 * mtim +48, ctim +56) -> descriptor-stat at `at`: type +0, link-count +8,
 * size +16, then three option<datetime> of 24 bytes at +24, +48, +72.
 */
function writeStat(at: usize, fs: usize): void {
  store<u8>(at, descriptorType(load<u8>(fs, 16)));
  store<u64>(at, load<u64>(fs, 24), 8);
  store<u64>(at, load<u64>(fs, 32), 16);
  for (let i: usize = 0; i < 3; i++) {
    const ns = load<u64>(fs + 40 + (i << 3));
    const o = at + 24 + i * 24;
    store<u8>(o, 1);
    store<u64>(o, ns / 1_000_000_000, 8);
    store<u32>(o, <u32>(ns % 1_000_000_000), 16);
  }
}

export function filesystem_types__method_descriptor_stat(self: u32, ret: usize): void {
  const fs = tmp() + TMP_STAT;
  const e = p1.fd_filestat_get(fdOf(self), fs);
  if (e != 0) return fail(ret, 8, e);
  store<u8>(ret, 0);
  writeStat(ret + 8, fs);
}

export function filesystem_types__method_descriptor_stat_at(self: u32, pathFlags: u32, ptr: usize, len: usize, ret: usize): void {
  const fs = tmp() + TMP_STAT;
  const e = p1.path_filestat_get(fdOf(self), pathFlags & 1, ptr, len, fs);
  if (e != 0) return fail(ret, 8, e);
  store<u8>(ret, 0);
  writeStat(ret + 8, fs);
}

export function filesystem_types__method_descriptor_set_times_at(self: u32, pathFlags: u32, ptr: usize, len: usize, ad: u32, as: u64, an: u32, md: u32, ms: u64, mn: u32, ret: usize): void {
  const fd = fdOf(self);
  const e = times(ad, as, an, md, ms, mn);
  unit(ret, e != 0 ? e : p1.path_filestat_set_times(fd, pathFlags & 1, ptr, len, atim, mtim, fstflags));
}

/** Same object: same device and inode. */
export function filesystem_types__method_descriptor_is_same_object(self: u32, other: u32): bool {
  const t = tmp();
  const a = fdOf(self);
  const b = fdOf(other);
  if (p1.fd_filestat_get(a, t + TMP_STAT) != 0 || p1.fd_filestat_get(b, t + TMP_STAT2) != 0) return false;
  return load<u64>(t + TMP_STAT) == load<u64>(t + TMP_STAT2) && load<u64>(t + TMP_STAT, 8) == load<u64>(t + TMP_STAT2, 8);
}

function mix(x: u64): u64 {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccd;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53;
  return x ^ (x >> 33);
}

/** metadata-hash-value { lower, upper } at +8: identity (dev, ino) mixed with size and times, so changes show. */
function hash(fs: usize, ret: usize): void {
  const dev = load<u64>(fs);
  const ino = load<u64>(fs, 8);
  const size = load<u64>(fs, 32);
  const mtime = load<u64>(fs, 48);
  const ctime = load<u64>(fs, 56);
  store<u8>(ret, 0);
  store<u64>(ret, mix(ino ^ mix(mtime ^ mix(size))), 8);
  store<u64>(ret, mix(dev ^ mix(ctime)), 16);
}

export function filesystem_types__method_descriptor_metadata_hash(self: u32, ret: usize): void {
  const fs = tmp() + TMP_STAT;
  const e = p1.fd_filestat_get(fdOf(self), fs);
  if (e != 0) return fail(ret, 8, e);
  hash(fs, ret);
}

export function filesystem_types__method_descriptor_metadata_hash_at(self: u32, pathFlags: u32, ptr: usize, len: usize, ret: usize): void {
  const fs = tmp() + TMP_STAT;
  const e = p1.path_filestat_get(fdOf(self), pathFlags & 1, ptr, len, fs);
  if (e != 0) return fail(ret, 8, e);
  hash(fs, ret);
}

// ---- paths ----

export function filesystem_types__method_descriptor_create_directory_at(self: u32, ptr: usize, len: usize, ret: usize): void {
  unit(ret, p1.path_create_directory(fdOf(self), ptr, len));
}
export function filesystem_types__method_descriptor_remove_directory_at(self: u32, ptr: usize, len: usize, ret: usize): void {
  unit(ret, p1.path_remove_directory(fdOf(self), ptr, len));
}
export function filesystem_types__method_descriptor_unlink_file_at(self: u32, ptr: usize, len: usize, ret: usize): void {
  unit(ret, p1.path_unlink_file(fdOf(self), ptr, len));
}
export function filesystem_types__method_descriptor_link_at(self: u32, oldFlags: u32, oldPtr: usize, oldLen: usize, target: u32, newPtr: usize, newLen: usize, ret: usize): void {
  unit(ret, p1.path_link(fdOf(self), oldFlags & 1, oldPtr, oldLen, fdOf(target), newPtr, newLen));
}
export function filesystem_types__method_descriptor_rename_at(self: u32, oldPtr: usize, oldLen: usize, target: u32, newPtr: usize, newLen: usize, ret: usize): void {
  unit(ret, p1.path_rename(fdOf(self), oldPtr, oldLen, fdOf(target), newPtr, newLen));
}
export function filesystem_types__method_descriptor_symlink_at(self: u32, oldPtr: usize, oldLen: usize, newPtr: usize, newLen: usize, ret: usize): void {
  unit(ret, p1.path_symlink(oldPtr, oldLen, fdOf(self), newPtr, newLen));
}

// readlink-at: result<string, error-code>, payload at +4. Retries with a
// larger buffer while the target may have been cut off (a full buffer, or
// nobufs from hosts that refuse to truncate), up to 1 MiB.
const ERRNO_NOBUFS: i32 = 42;
export function filesystem_types__method_descriptor_readlink_at(self: u32, ptr: usize, len: usize, ret: usize): void {
  const fd = fdOf(self);
  const t = tmp();
  let size: usize = 256;
  for (;;) {
    const buf = scratch(size);
    const e = p1.path_readlink(fd, ptr, len, buf, size, t);
    const n = e == 0 ? <usize>load<u32>(t) : size;
    if (e != 0 && (e != ERRNO_NOBUFS || size >= 1 << 20)) return fail(ret, 4, e);
    if (n < size) {
      store<u8>(ret, 0);
      store<u32>(ret, copyOut(buf, n), 4);
      store<u32>(ret, n, 8);
      return;
    }
    size <<= 1;
  }
}

// p1 rights and fdflags for open-at.
const RIGHT_FD_DATASYNC: u64 = 1 << 0;
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const RIGHT_FD_ALLOCATE: u64 = 1 << 8;
const RIGHT_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
const RIGHT_FD_READDIR: u64 = 1 << 14;
const RIGHT_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
// Hosts derive the open mode from rights: these imply reading / writing.
const RIGHTS_READ: u64 = RIGHT_FD_READ | RIGHT_FD_READDIR;
const RIGHTS_WRITE: u64 = RIGHT_FD_DATASYNC | RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE;
const FDFLAG_DSYNC: u16 = 2;
const FDFLAG_RSYNC: u16 = 8;
const FDFLAG_SYNC: u16 = 16;

// open-at: path-flags, open-flags (create, directory, exclusive, truncate:
// the same bits as p1 oflags) and descriptor-flags -> path_open.
export function filesystem_types__method_descriptor_open_at(self: u32, pathFlags: u32, ptr: usize, len: usize, openFlags: u32, flags: u32, ret: usize): void {
  if (!fdstat(self, ret, 4)) return;
  // Ask for no more than the directory passes on: hosts refuse anything beyond it.
  const inheriting = load<u64>(tmp(), 16);
  let rights = inheriting;
  if ((flags & 1) == 0) rights &= ~RIGHTS_READ;
  if ((flags & 2) == 0) rights &= ~RIGHTS_WRITE;
  let fdflags: i32 = 0;
  if ((flags & 4) != 0) fdflags |= FDFLAG_SYNC;
  if ((flags & 8) != 0) fdflags |= FDFLAG_DSYNC;
  if ((flags & 16) != 0) fdflags |= FDFLAG_RSYNC;
  const t = tmp();
  const e = p1.path_open(fdOf(self), pathFlags & 1, ptr, len, openFlags & 15, rights, inheriting, fdflags, t);
  if (e != 0) return fail(ret, 4, e);
  const opened = load<i32>(t);
  const h = create(DESCRIPTOR);
  const s = slot(h, DESCRIPTOR);
  store<u8>(s + SLOT_KIND, OWNS_FD);
  store<i32>(s + SLOT_FD, opened);
  handle(ret, h);
}

export function filesystem_types__resource_drop_descriptor(self: u32): void {
  const s = slot(self, DESCRIPTOR);
  if (load<u32>(s + SLOT_CHILDREN) != 0) unreachable(); // its streams must be dropped first
  if (load<u8>(s + SLOT_KIND) == OWNS_FD) p1.fd_close(load<i32>(s + SLOT_FD));
  release(self);
}

// ---- directories ----

export function filesystem_types__method_descriptor_read_directory(self: u32, ret: usize): void {
  if (!fdstat(self, ret, 4)) return;
  if (load<u8>(tmp()) != p1.FILETYPE_DIRECTORY) return fail(ret, 4, ERRNO_NOTDIR);
  const fd = fdOf(self);
  const h = create(DIRECTORY_STREAM);
  store<i32>(slot(h, DIRECTORY_STREAM) + SLOT_FD, fd);
  adopt(h, DIRECTORY_STREAM, self);
  handle(ret, h);
}

// Directory entries are fetched a buffer at a time. One buffer serves all
// directory-entry streams: it holds entries of `dirOwner` only, and another
// stream's read refills it from that stream's cookie (slot +16, the d_next of
// its last entry). p1 entries: d_next u64 +0, d_ino +8, d_namlen u32 +16,
// d_type u8 +20, then the name at +24.
let dirBuf: usize = 0;
let dirCap: usize = 0;
let dirOwner: u32 = 0;
let dirUsed: usize = 0;
let dirPos: usize = 0;
let dirEnd = false; // the last fill was short: nothing follows what is buffered

/** Refills the buffer from the stream's cookie, first growing it to `cap`; returns a p1 errno. */
function fillDirectory(fd: i32, cookie: u64, cap: usize): i32 {
  if (cap > dirCap) {
    dirBuf = stateAlloc(8, cap);
    dirCap = cap;
  }
  const t = tmp();
  const e = p1.fd_readdir(fd, dirBuf, dirCap, cookie, t);
  dirUsed = e == 0 ? <usize>load<u32>(t) : 0;
  dirPos = 0;
  dirEnd = dirUsed < dirCap;
  if (e != 0) dirOwner = 0;
  return e;
}

// read-directory-entry: result<option<directory-entry>, error-code>:
// option case at +4, entry type at +8, name (ptr, len) at +12.
export function filesystem_types__method_directory_entry_stream_read_directory_entry(self: u32, ret: usize): void {
  const s = slot(self, DIRECTORY_STREAM);
  const fd = load<i32>(s + SLOT_FD);
  if (dirOwner != self) {
    dirOwner = self;
    dirUsed = 0;
    dirPos = 0;
    dirEnd = false;
  }
  for (;;) {
    const entry = dirBuf + dirPos;
    const nameLen = dirPos + 24 <= dirUsed ? <usize>load<u32>(entry, 16) : 0;
    if (dirPos + 24 <= dirUsed && dirPos + 24 + nameLen <= dirUsed) {
      dirPos += 24 + nameLen;
      store<u64>(s + SLOT_POS, load<u64>(entry));
      const name = entry + 24;
      const dot = nameLen >= 1 && nameLen <= 2 && load<u8>(name) == 0x2e && (nameLen == 1 || load<u8>(name, 1) == 0x2e);
      if (dot) continue; // p2 lists neither "." nor ".."
      store<u8>(ret, 0);
      store<u8>(ret, 1, 4);
      store<u8>(ret, descriptorType(load<u8>(entry, 20)), 8);
      store<u32>(ret, copyOut(name, nameLen), 12);
      store<u32>(ret, nameLen, 16);
      return;
    }
    if (dirEnd) { // no more entries
      store<u8>(ret, 0);
      store<u8>(ret, 0, 4);
      return;
    }
    // The next entry is not wholly buffered. If it is cut off at the start
    // of a full buffer, the buffer is too small for it.
    let cap = dirCap < 4096 ? <usize>4096 : dirCap;
    if (dirPos == 0 && dirUsed > 0) cap = nameLen + 24 > cap << 1 ? nameLen + 24 : cap << 1;
    const e = fillDirectory(fd, load<u64>(s + SLOT_POS), cap);
    if (e != 0) return fail(ret, 4, e);
  }
}

export function filesystem_types__resource_drop_directory_entry_stream(self: u32): void {
  drop(self, DIRECTORY_STREAM);
  if (dirOwner == self) dirOwner = 0; // the handle may be reused for another stream
}

// filesystem-error-code: option<error-code> (case +0, code +1). Every error
// the polyfill creates carries a p1 errno, so there is always a code.
export function filesystem_types_filesystem_error_code(err: u32, ret: usize): void {
  const errno = errorErrno(err);
  store<u8>(ret, 1);
  store<u8>(ret, errorCode(errno), 1);
}

// ---- preopens ----

const PREOPEN_FIRST_FD: i32 = 3;

/** Name of preopen fd into scratch, trailing NULs removed; length returned. */
function preopenName(fd: i32, len: usize): usize {
  const buf = scratch(len);
  if (p1.fd_prestat_dir_name(fd, buf, len) != 0) unreachable();
  while (len > 0 && load<u8>(buf + len - 1) == 0) len--;
  return len;
}

/** Whether fd is a directory preopen (its name length left at TMP+4). */
function isPreopen(fd: i32): bool {
  const t = tmp();
  return p1.fd_prestat_get(fd, t) == 0 && load<u8>(t) == 0;
}

// get-directories: list<tuple<descriptor, string>> (12-byte elements).
// Preopens are numbered from fd 3 up; the first fd that is not one ends them.
export function filesystem_preopens_get_directories(ret: usize): void {
  let count: u32 = 0;
  while (isPreopen(PREOPEN_FIRST_FD + count)) count++;
  const list = alloc(4, <usize>count * 12);
  for (let i: u32 = 0; i < count; i++) {
    const fd = PREOPEN_FIRST_FD + i;
    isPreopen(fd);
    const len = preopenName(fd, load<u32>(tmp(), 4));
    const h = create(DESCRIPTOR); // kind 0: shared preopen, never closed
    store<i32>(slot(h, DESCRIPTOR) + SLOT_FD, fd);
    const e = list + <usize>i * 12;
    store<u32>(e, h);
    store<u32>(e, copyOut(scratch(0), len), 4);
    store<u32>(e, len, 8);
  }
  store<u32>(ret, list);
  store<u32>(ret, count, 4);
}
