// fd_* functions. Files are read and written at a position the adapter keeps
// (positioned descriptor.read/write), stdio goes through the cli streams.
import * as host from "./imports";
import {
  ENTRY, KIND_DIR, KIND_FILE, KIND_STDERR, KIND_STDIN, KIND_STDOUT,
  alloc, copy, entry, expectInto, release, resetScratch, zero,
} from "./state";
import { inode, inputStream, newTimestamp, outputStream, putFilestat } from "./shared";
import { BADF, INVAL, IO, ISDIR, NAMETOOLONG, NOTCAPABLE, NOTDIR, NOTSUP, PIPE, SPIPE, SUCCESS, fileType, fromErrorCode, unitResult } from "./errno";
import * as R from "./rights";

const FDFLAG_APPEND: u16 = 1;
const FDFLAG_NONBLOCK: u16 = 4;

function isStdio(e: u32): bool {
  const k = load<u8>(e);
  return k == KIND_STDIN || k == KIND_STDOUT || k == KIND_STDERR;
}

/** A stream-error in a return area at `at`: closed -> `closedErr`, else drop the error and report io. */
function streamError(at: u32, closedErr: u32): u32 {
  if (load<u8>(at) == 1) return closedErr;
  host.dropError(load<u32>(at, 4));
  return IO;
}

// blocking-write-and-flush takes at most 4096 bytes per call.
function writeStream(h: u32, ptr: u32, len: u32, ret: u32): u32 {
  while (len > 0) {
    const n = len > 4096 ? 4096 : len;
    host.blockingWriteAndFlush(h, ptr, n, ret);
    if (load<u8>(ret) != 0) return streamError(ret + 4, PIPE);
    ptr += n;
    len -= n;
  }
  return SUCCESS;
}

/** A descriptor's size via stat (`ret`: a 104-byte return area), or -1 - errno. */
function statSize(h: u32, ret: u32): i64 {
  host.fsStat(h, ret);
  if (load<u8>(ret) != 0) return -1 - <i64>fromErrorCode(load<u8>(ret, 8));
  return load<i64>(ret, 24);
}

export function fd_write(fd: u32, iovs: u32, n: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  const kind = load<u8>(e);
  if (kind == KIND_STDIN || kind == KIND_DIR) return BADF;
  if (R.need(e, R.FD_WRITE) != 0) return NOTCAPABLE;
  resetScratch();
  const ret = alloc(104, 8);
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const ptr = load<u32>(iovs + i * 8);
    const len = load<u32>(iovs + i * 8, 4);
    if (kind != KIND_FILE) {
      const err = writeStream(outputStream(e), ptr, len, ret);
      if (err != SUCCESS) return total > 0 ? finish(out, total) : err;
      total += len;
      continue;
    }
    let pos = load<u64>(e, 8);
    if (load<u8>(e, 1) != 0) {
      const size = statSize(load<u32>(e, 4), ret);
      if (size < 0) return <u32>(-1 - size);
      pos = <u64>size;
    }
    let done: u32 = 0;
    while (done < len) {
      host.fsWrite(load<u32>(e, 4), ptr + done, len - done, pos + done, ret);
      if (load<u8>(ret) != 0) {
        store<u64>(e, pos + done, 8);
        return total + done > 0 ? finish(out, total + done) : fromErrorCode(load<u8>(ret, 8));
      }
      const wrote = <u32>load<u64>(ret, 8);
      if (wrote == 0) break; // a host making no progress: report the short write
      done += wrote;
    }
    store<u64>(e, pos + done, 8);
    total += done;
    if (done < len) break;
  }
  return finish(out, total);
}

function finish(out: u32, n: u32): u32 {
  store<u32>(out, n);
  return SUCCESS;
}

/** Reads into one buffer from a file at `pos` or from stdin; returns bytes read, or -errno-1. */
function readInto(e: u32, buf: u32, len: u32, pos: u64, ret: u32): i64 {
  expectInto(buf, len);
  if (load<u8>(e) == KIND_STDIN) {
    host.blockingRead(inputStream(e), <u64>len, ret);
    if (load<u8>(ret) != 0) {
      const err = streamError(ret + 4, SUCCESS);
      return err == SUCCESS ? 0 : -1 - <i64>err; // closed = end of input
    }
  } else {
    host.fsRead(load<u32>(e, 4), <u64>len, pos, ret);
    if (load<u8>(ret) != 0) return -1 - <i64>fromErrorCode(load<u8>(ret, 4));
  }
  const got = load<u32>(ret, 8);
  copy(buf, load<u32>(ret, 4), got);
  return got;
}

function readv(e: u32, iovs: u32, n: u32, pos: u64, out: u32): u32 {
  resetScratch();
  const ret = alloc(16, 4);
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const len = load<u32>(iovs + i * 8, 4);
    if (len == 0) continue;
    const got = readInto(e, load<u32>(iovs + i * 8), len, pos + total, ret);
    if (got < 0) {
      if (total > 0) break;
      return <u32>(-1 - got);
    }
    total += <u32>got;
    // A short read, or any read from a stream, ends the call: more might block.
    if (<u32>got < len || load<u8>(e) == KIND_STDIN) break;
  }
  return finish(out, total);
}

export function fd_read(fd: u32, iovs: u32, n: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  const kind = load<u8>(e);
  if (kind == KIND_STDOUT || kind == KIND_STDERR) return BADF;
  if (kind == KIND_DIR) return ISDIR;
  if (R.need(e, R.FD_READ) != 0) return NOTCAPABLE;
  const err = readv(e, iovs, n, load<u64>(e, 8), out);
  if (err == SUCCESS && kind == KIND_FILE) store<u64>(e, load<u64>(e, 8) + load<u32>(out), 8);
  return err;
}

function fileEntry(fd: u32): u32 {
  const e = entry(fd);
  return e != 0 && load<u8>(e) == KIND_FILE ? e : 0;
}

/** errno for a descriptor that is open but not a regular file. */
function notFile(fd: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  return load<u8>(e) == KIND_DIR ? ISDIR : SPIPE;
}

export function fd_pread(fd: u32, iovs: u32, n: u32, offset: u64, out: u32): u32 {
  const e = fileEntry(fd);
  if (e == 0) return notFile(fd);
  if (R.need(e, R.FD_READ | R.FD_SEEK) != 0) return NOTCAPABLE;
  return readv(e, iovs, n, offset, out);
}

export function fd_pwrite(fd: u32, iovs: u32, n: u32, offset: u64, out: u32): u32 {
  const e = fileEntry(fd);
  if (e == 0) return notFile(fd);
  if (R.need(e, R.FD_WRITE | R.FD_SEEK) != 0) return NOTCAPABLE;
  resetScratch();
  const ret = alloc(16, 8);
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const ptr = load<u32>(iovs + i * 8);
    const len = load<u32>(iovs + i * 8, 4);
    let done: u32 = 0;
    while (done < len) {
      host.fsWrite(load<u32>(e, 4), ptr + done, len - done, offset + total + done, ret);
      if (load<u8>(ret) != 0) return total + done > 0 ? finish(out, total + done) : fromErrorCode(load<u8>(ret, 8));
      const wrote = <u32>load<u64>(ret, 8);
      if (wrote == 0) break;
      done += wrote;
    }
    total += done;
    if (done < len) break;
  }
  return finish(out, total);
}

export function fd_seek(fd: u32, offset: i64, whence: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  const kind = load<u8>(e);
  if (kind != KIND_FILE) return kind == KIND_DIR ? BADF : SPIPE;
  // Asking where one is (fd_tell, or a seek by 0 from the current position) needs only fd_tell.
  if (R.need(e, offset == 0 && whence == 1 ? R.FD_TELL : R.FD_SEEK) != 0) return NOTCAPABLE;
  let from: i64 = 0;
  if (whence == 1) from = load<i64>(e, 8);
  else if (whence == 2) {
    resetScratch();
    from = statSize(load<u32>(e, 4), alloc(104, 8));
    if (from < 0) return <u32>(-1 - from);
  } else if (whence != 0) return INVAL;
  const pos = from + offset;
  if (pos < 0) return INVAL;
  store<i64>(e, pos, 8);
  store<i64>(out, pos);
  return SUCCESS;
}

export function fd_tell(fd: u32, out: u32): u32 {
  return fd_seek(fd, 0, 1, out);
}

export function fd_close(fd: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  release(e);
  return SUCCESS;
}

export function fd_renumber(fd: u32, to: u32): u32 {
  const from = entry(fd);
  const target = entry(to);
  if (from == 0 || target == 0) return BADF;
  if (from == target) return SUCCESS;
  release(target);
  copy(target, from, ENTRY);
  zero(from, ENTRY);
  return SUCCESS;
}

/** get-type of a descriptor as a p1 filetype, or 0xff00 | errno. */
function descriptorType(h: u32, ret: u32): u32 {
  host.fsGetType(h, ret);
  if (load<u8>(ret) != 0) return 0xff00 | fromErrorCode(load<u8>(ret, 1));
  return fileType(load<u8>(ret, 1));
}

export function fd_fdstat_get(fd: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  zero(out, 24);
  store<u64>(out, load<u64>(e, 32), 8);
  store<u64>(out, load<u64>(e, 40), 16);
  if (isStdio(e)) {
    store<u8>(out, 2); // character device
    return SUCCESS;
  }
  resetScratch();
  const t = descriptorType(load<u32>(e, 4), alloc(2, 1));
  if (t >= 0xff00) return t & 0xff;
  store<u8>(out, <u8>t);
  store<u16>(out, load<u8>(e, 1) != 0 ? FDFLAG_APPEND : 0, 2);
  return SUCCESS;
}

export function fd_fdstat_set_flags(fd: u32, flags: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  if ((flags & ~<u32>(FDFLAG_APPEND | FDFLAG_NONBLOCK)) != 0) return NOTSUP;
  if (load<u8>(e) == KIND_FILE) store<u8>(e, (flags & FDFLAG_APPEND) != 0 ? 1 : 0, 1);
  return SUCCESS;
}

/** Rights can only be dropped: asking for one the descriptor lacks is notcapable. */
export function fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  if ((base & ~load<u64>(e, 32)) != 0 || (inheriting & ~load<u64>(e, 40)) != 0) return NOTCAPABLE;
  R.setRights(e, base, inheriting);
  return SUCCESS;
}

export function fd_filestat_get(fd: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  if (isStdio(e)) {
    zero(out, 64);
    store<u8>(out, 2, 16);
    return SUCCESS;
  }
  if (R.need(e, R.FD_FILESTAT_GET) != 0) return NOTCAPABLE;
  resetScratch();
  const ret = alloc(104, 8);
  const hash = alloc(24, 8);
  host.fsStat(load<u32>(e, 4), ret);
  if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 8));
  host.fsMetadataHash(load<u32>(e, 4), hash);
  putFilestat(out, ret + 8, hash);
  return SUCCESS;
}

/** A descriptor handle for fd with `right`, or 0xff00 | errno; stdio is not a descriptor. */
function descriptorOf(fd: u32, stdioErr: u32, right: u64): u32 {
  const e = entry(fd);
  if (e == 0) return 0xff00 | BADF;
  if (isStdio(e)) return 0xff00 | stdioErr;
  if (R.need(e, right) != 0) return 0xff00 | NOTCAPABLE;
  return load<u32>(e, 4);
}

export function fd_filestat_set_size(fd: u32, size: u64): u32 {
  const h = descriptorOf(fd, INVAL, R.FD_FILESTAT_SET_SIZE);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ret = alloc(2, 1);
  host.fsSetSize(h, size, ret);
  return unitResult(ret);
}

export function fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32): u32 {
  const h = descriptorOf(fd, INVAL, R.FD_FILESTAT_SET_TIMES);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ts = alloc(48, 8);
  if (!newTimestamp(ts, atim, (flags & 1) != 0, (flags & 2) != 0)) return INVAL;
  if (!newTimestamp(ts + 24, mtim, (flags & 4) != 0, (flags & 8) != 0)) return INVAL;
  const ret = alloc(2, 1);
  host.fsSetTimes(h, load<u32>(ts), load<u64>(ts, 8), load<u32>(ts, 16), load<u32>(ts, 24), load<u64>(ts, 32), load<u32>(ts, 40), ret);
  return unitResult(ret);
}

export function fd_advise(fd: u32, offset: u64, len: u64, advice: u32): u32 {
  const h = descriptorOf(fd, SPIPE, R.FD_ADVISE);
  if (h >= 0xff00) return h & 0xff;
  if (advice > 5) return INVAL;
  resetScratch();
  const ret = alloc(2, 1);
  host.fsAdvise(h, offset, len, advice, ret);
  return unitResult(ret);
}

// WASI 0.2 has no allocate; like other adapters, report it unsupported.
export function fd_allocate(fd: u32, offset: u64, len: u64): u32 {
  const h = descriptorOf(fd, SPIPE, R.FD_ALLOCATE);
  return h >= 0xff00 ? h & 0xff : NOTSUP;
}

export function fd_datasync(fd: u32): u32 {
  const h = descriptorOf(fd, INVAL, R.FD_DATASYNC);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ret = alloc(2, 1);
  host.fsSyncData(h, ret);
  return unitResult(ret);
}

export function fd_sync(fd: u32): u32 {
  const h = descriptorOf(fd, INVAL, R.FD_SYNC);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ret = alloc(2, 1);
  host.fsSync(h, ret);
  return unitResult(ret);
}

export function fd_prestat_get(fd: u32, out: u32): u32 {
  const e = entry(fd);
  if (e == 0 || load<u32>(e, 16) == 0) return BADF;
  store<u32>(out, 0);
  store<u32>(out, load<u32>(e, 20), 4);
  return SUCCESS;
}

export function fd_prestat_dir_name(fd: u32, path: u32, len: u32): u32 {
  const e = entry(fd);
  if (e == 0 || load<u32>(e, 16) == 0) return BADF;
  const n = load<u32>(e, 20);
  if (len < n) return NAMETOOLONG;
  copy(path, load<u32>(e, 16), n);
  return SUCCESS;
}

/** One directory entry as a p1 dirent (24-byte header + name), cut to what fits. */
function putDirent(out: u32, room: u32, next: u64, ino: u64, type: u8, name: u32, nameLen: u32, tmp: u32): u32 {
  zero(tmp, 24);
  store<u64>(tmp, next);
  store<u64>(tmp, ino, 8);
  store<u32>(tmp, nameLen, 16);
  store<u8>(tmp, type, 20);
  const head = room < 24 ? room : 24;
  copy(out, tmp, head);
  const rest = room - head < nameLen ? room - head : nameLen;
  copy(out + head, name, rest);
  return head + rest;
}

// Cookies count entries: 0 is ".", 1 is "..", n >= 2 the (n-2)th host entry.
// The open entry stream is kept with the cookie it will produce next, so
// sequential calls continue it and any other cookie restarts and skips.
// d_ino is the entry's metadata-hash (not following symlinks), the inode
// fd_filestat_get and path_filestat_get report, so programs can compare them.
export function fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32): u32 {
  const e = entry(fd);
  if (e == 0) return BADF;
  if (load<u8>(e) != KIND_DIR) return isStdio(e) ? BADF : NOTDIR;
  if (R.need(e, R.FD_READDIR) != 0) return NOTCAPABLE;
  const h = load<u32>(e, 4);
  resetScratch();
  const tmp = alloc(24, 8);
  const hash = alloc(24, 8);
  const ret = alloc(24, 4);
  const dots = alloc(2, 1);
  store<u8>(dots, 0x2e);
  store<u8>(dots, 0x2e, 1);
  let used: u32 = 0;
  let c = cookie;
  while (used < len) {
    if (c < 2) {
      if (c == 0) host.fsMetadataHash(h, hash);
      else host.fsMetadataHashAt(h, 0, dots, 2, hash); // 0 when the host keeps ".." out of reach
      used += putDirent(buf + used, len - used, c + 1, inode(hash), 3, dots, <u32>c + 1, tmp);
      c++;
      continue;
    }
    let stream = load<u32>(e, 24);
    if (stream == 0 || <u64>load<u32>(e, 28) != c) {
      if (stream != 0) host.dropDirStream(stream);
      store<u32>(e, 0, 24);
      host.fsReadDirectory(h, ret);
      if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 4));
      stream = load<u32>(ret, 4);
      store<u32>(e, stream, 24);
      for (let skip: u64 = 2; skip < c; skip++) {
        host.readDirectoryEntry(stream, ret);
        if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 4));
        if (load<u8>(ret, 4) == 0) break;
      }
    }
    host.readDirectoryEntry(stream, ret);
    if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 4));
    store<u32>(e, <u32>c + 1, 28);
    if (load<u8>(ret, 4) == 0) {
      store<u32>(e, <u32>c, 28); // the stream stays at the end
      break;
    }
    host.fsMetadataHashAt(h, 0, load<u32>(ret, 12), load<u32>(ret, 16), hash);
    used += putDirent(buf + used, len - used, c + 1, inode(hash), fileType(load<u8>(ret, 8)), load<u32>(ret, 12), load<u32>(ret, 16), tmp);
    c++;
  }
  return finish(out, used);
}
