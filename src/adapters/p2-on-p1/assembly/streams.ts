// wasi:io/streams over p1 fds. Stdio and socket streams use fd_read/fd_write
// (the fd's own position); streams from a descriptor keep their own offset
// and use fd_pread/fd_pwrite, so several streams on one file do not interfere.
// p1 I/O blocks, so the non-blocking variants behave like the blocking ones.
import * as p1 from "./p1";
import {
  INPUT, OUTPUT, POLLABLE, create, slot, drop, SLOT_KIND, SLOT_CLOSED, SLOT_FD, SLOT_POS,
  STREAM_FD, STREAM_FILE, STREAM_APPEND, STREAM_DISCARD, POLL_ALWAYS, POLL_FD_READ,
} from "./handles";
import { tmp, scratch, copyOut, CHUNK, TMP_STAT } from "./mem";
import { newError } from "./errors";

/** check-write's permit: writes block until done, so any size is fine; this bounds one call. */
const PERMIT: u64 = 1 << 20;
/** The blocking convenience functions accept at most 4096 bytes (WIT). */
const BLOCKING_MAX: u64 = 4096;

export function newStream(tag: u8, kind: u8, fd: i32, offset: u64): u32 {
  const h = create(tag);
  const s = slot(h, tag);
  store<u8>(s + SLOT_KIND, kind);
  store<i32>(s + SLOT_FD, fd);
  store<u64>(s + SLOT_POS, offset);
  return h;
}

// Stream results: result<T, stream-error> where stream-error is
// variant { last-operation-failed(error), closed } (u8 case, handle at +4).
// `at` is the payload offset: 4 for `_` and list<u8>, 8 for u64.
function closed(ret: usize, at: usize): void {
  store<u8>(ret, 1);
  store<u8>(ret + at, 1);
}

/** Closes the stream: after last-operation-failed every later call returns `closed`. */
function failed(h: u32, tag: u8, ret: usize, at: usize, errno: i32): void {
  store<u8>(slot(h, tag) + SLOT_CLOSED, 1);
  store<u8>(ret, 1);
  store<u8>(ret + at, 0);
  store<u32>(ret + at + 4, newError(errno));
}

function isClosed(h: u32, tag: u8): bool {
  return load<u8>(slot(h, tag) + SLOT_CLOSED) != 0;
}

/** Writes all of [ptr, ptr+len) to output stream h; returns a p1 errno. */
function put(h: u32, ptr: usize, len: usize): i32 {
  const s = slot(h, OUTPUT);
  const fd = load<i32>(s + SLOT_FD);
  const kind = load<u8>(s + SLOT_KIND);
  if (kind == STREAM_DISCARD) return 0; // an http body no request will ever carry
  const t = tmp();
  while (len > 0) {
    store<u32>(t, ptr);
    store<u32>(t, len, 4);
    let e: i32;
    if (kind == STREAM_FD) {
      e = p1.fd_write(fd, t, 1, t + 8);
    } else {
      let at = load<u64>(s + SLOT_POS);
      if (kind == STREAM_APPEND) {
        e = p1.fd_filestat_get(fd, t + TMP_STAT);
        if (e != 0) return e;
        at = load<u64>(t + TMP_STAT + 32);
      }
      e = p1.fd_pwrite(fd, t, 1, at, t + 8);
      if (e == 0) store<u64>(s + SLOT_POS, at + load<u32>(t + 8));
    }
    if (e != 0) return e;
    const n = load<u32>(t + 8);
    if (n == 0) return p1.ERRNO_IO; // no progress: do not spin
    ptr += n;
    len -= n;
  }
  return 0;
}

/** Reads up to `len` bytes from input stream h into buf; count in readCount, returns a p1 errno. */
export let readCount: usize = 0;
export function pull(h: u32, buf: usize, len: usize): i32 {
  const s = slot(h, INPUT);
  const fd = load<i32>(s + SLOT_FD);
  const t = tmp();
  store<u32>(t, buf);
  store<u32>(t, len, 4);
  let e: i32;
  if (load<u8>(s + SLOT_KIND) == STREAM_FILE) {
    const at = load<u64>(s + SLOT_POS);
    e = p1.fd_pread(fd, t, 1, at, t + 8);
    if (e == 0) store<u64>(s + SLOT_POS, at + load<u32>(t + 8));
  } else {
    e = p1.fd_read(fd, t, 1, t + 8);
  }
  readCount = e == 0 ? <usize>load<u32>(t + 8) : 0;
  return e;
}

function chunk(len: u64): usize {
  return <usize>(len < CHUNK ? len : CHUNK);
}

// ---- input-stream ----

function read(self: u32, len: u64, ret: usize): void {
  if (isClosed(self, INPUT)) return closed(ret, 4);
  const n = chunk(len);
  let count: usize = 0;
  let buf: usize = 0;
  if (n > 0) {
    buf = scratch(n);
    const e = pull(self, buf, n);
    if (e != 0) return failed(self, INPUT, ret, 4, e);
    count = readCount;
    if (count == 0) { // end of stream
      store<u8>(slot(self, INPUT) + SLOT_CLOSED, 1);
      return closed(ret, 4);
    }
  }
  store<u8>(ret, 0);
  store<u32>(ret, copyOut(buf, count), 4);
  store<u32>(ret, count, 8);
}

function skip(self: u32, len: u64, ret: usize): void {
  if (isClosed(self, INPUT)) return closed(ret, 8);
  const n = chunk(len);
  let count: usize = 0;
  if (n > 0) {
    const e = pull(self, scratch(n), n);
    if (e != 0) return failed(self, INPUT, ret, 8, e);
    count = readCount;
    if (count == 0) {
      store<u8>(slot(self, INPUT) + SLOT_CLOSED, 1);
      return closed(ret, 8);
    }
  }
  store<u8>(ret, 0);
  store<u64>(ret, count, 8);
}

export function io_streams__method_input_stream_read(self: u32, len: u64, ret: usize): void {
  read(self, len, ret);
}
export function io_streams__method_input_stream_blocking_read(self: u32, len: u64, ret: usize): void {
  read(self, len, ret);
}
export function io_streams__method_input_stream_skip(self: u32, len: u64, ret: usize): void {
  skip(self, len, ret);
}
export function io_streams__method_input_stream_blocking_skip(self: u32, len: u64, ret: usize): void {
  skip(self, len, ret);
}

/** Files are always ready; other fds are polled with an fd_read subscription. */
export function io_streams__method_input_stream_subscribe(self: u32): u32 {
  const s = slot(self, INPUT);
  const fd = load<i32>(s + SLOT_FD);
  const file = load<u8>(s + SLOT_KIND) == STREAM_FILE;
  const p = create(POLLABLE);
  const q = slot(p, POLLABLE);
  store<u8>(q + SLOT_KIND, file ? POLL_ALWAYS : POLL_FD_READ);
  store<i32>(q + SLOT_FD, fd);
  return p;
}

export function io_streams__resource_drop_input_stream(self: u32): void {
  drop(self, INPUT);
}

// ---- output-stream ----

function write(self: u32, ptr: usize, len: usize, max: u64, ret: usize): void {
  if (isClosed(self, OUTPUT)) return closed(ret, 4);
  if (<u64>len > max) unreachable(); // the WIT makes exceeding the permit a trap
  const e = put(self, ptr, len);
  if (e != 0) return failed(self, OUTPUT, ret, 4, e);
  store<u8>(ret, 0);
}

function writeZeroes(self: u32, len: u64, max: u64, ret: usize): void {
  if (len > max) unreachable();
  const n = <usize>len;
  const buf = scratch(n);
  memory.fill(buf, 0, n);
  write(self, buf, n, max, ret);
}

function flush(self: u32, ret: usize): void {
  if (isClosed(self, OUTPUT)) return closed(ret, 4);
  store<u8>(ret, 0); // writes are never buffered
}

function splice(self: u32, src: u32, len: u64, ret: usize): void {
  if (isClosed(self, OUTPUT)) return closed(ret, 8);
  if (isClosed(src, INPUT)) return closed(ret, 8);
  const n = chunk(len);
  if (n == 0) {
    store<u8>(ret, 0);
    store<u64>(ret, 0, 8);
    return;
  }
  const buf = scratch(n);
  let e = pull(src, buf, n);
  if (e != 0) return failed(src, INPUT, ret, 8, e);
  const count = readCount;
  if (count == 0) {
    store<u8>(slot(src, INPUT) + SLOT_CLOSED, 1);
    return closed(ret, 8);
  }
  e = put(self, buf, count);
  if (e != 0) return failed(self, OUTPUT, ret, 8, e);
  store<u8>(ret, 0);
  store<u64>(ret, count, 8);
}

export function io_streams__method_output_stream_check_write(self: u32, ret: usize): void {
  if (isClosed(self, OUTPUT)) return closed(ret, 8);
  store<u8>(ret, 0);
  store<u64>(ret, PERMIT, 8);
}
export function io_streams__method_output_stream_write(self: u32, ptr: usize, len: usize, ret: usize): void {
  write(self, ptr, len, PERMIT, ret);
}
export function io_streams__method_output_stream_blocking_write_and_flush(self: u32, ptr: usize, len: usize, ret: usize): void {
  write(self, ptr, len, BLOCKING_MAX, ret);
}
export function io_streams__method_output_stream_flush(self: u32, ret: usize): void {
  flush(self, ret);
}
export function io_streams__method_output_stream_blocking_flush(self: u32, ret: usize): void {
  flush(self, ret);
}
/** Writes block until done, so an output stream is always ready. */
export function io_streams__method_output_stream_subscribe(self: u32): u32 {
  slot(self, OUTPUT);
  const p = create(POLLABLE);
  store<u8>(slot(p, POLLABLE) + SLOT_KIND, POLL_ALWAYS);
  return p;
}
export function io_streams__method_output_stream_write_zeroes(self: u32, len: u64, ret: usize): void {
  writeZeroes(self, len, PERMIT, ret);
}
export function io_streams__method_output_stream_blocking_write_zeroes_and_flush(self: u32, len: u64, ret: usize): void {
  writeZeroes(self, len, BLOCKING_MAX, ret);
}
export function io_streams__method_output_stream_splice(self: u32, src: u32, len: u64, ret: usize): void {
  splice(self, src, len, ret);
}
export function io_streams__method_output_stream_blocking_splice(self: u32, src: u32, len: u64, ret: usize): void {
  splice(self, src, len, ret);
}
export function io_streams__resource_drop_output_stream(self: u32): void {
  drop(self, OUTPUT);
}

