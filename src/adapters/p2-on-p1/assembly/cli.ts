// wasi:cli: arguments and environment (args_get / environ_get), exit
// (proc_exit), stdio streams on fds 0-2, and terminals (fd_fdstat_get).
import * as p1 from "./p1";
import {
  INPUT, OUTPUT, TERMINAL_INPUT, TERMINAL_OUTPUT, STREAM_FD, create, slot, release,
} from "./handles";
import { tmp, scratch, copyOut, alloc } from "./mem";
import { newStream } from "./streams";

function strlen(p: usize): usize {
  let n: usize = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

/**
 * Fetches a p1 string vector (args or environ) into scratch: returns its
 * count and leaves the address of its pointer array in vectorBase.
 */
let vectorBase: usize = 0;
function readVector(environ: bool): u32 {
  const t = tmp();
  if ((environ ? p1.environ_sizes_get(t, t + 4) : p1.args_sizes_get(t, t + 4)) != 0) unreachable();
  const count = load<u32>(t);
  const size = load<u32>(t, 4);
  const base = scratch((<usize>count << 2) + size);
  vectorBase = base;
  if (count == 0) return 0; // some hosts (uvwasi) reject *_get on an empty vector
  const e = environ ? p1.environ_get(base, base + (<usize>count << 2)) : p1.args_get(base, base + (<usize>count << 2));
  if (e != 0) unreachable();
  return count;
}

/** Stores a fresh copy of [src, src+len) as a string (ptr, len) at dst. */
function putString(dst: usize, src: usize, len: usize): void {
  store<u32>(dst, copyOut(src, len));
  store<u32>(dst, len, 4);
}

export function cli_environment_get_environment(ret: usize): void {
  const count = readVector(true);
  const base = vectorBase;
  const list = alloc(4, <usize>count << 4);
  for (let i: usize = 0; i < count; i++) {
    const p = <usize>load<u32>(base + (i << 2));
    const len = strlen(p);
    let k: usize = 0;
    while (k < len && load<u8>(p + k) != 0x3d) k++; // '='
    const value = k < len ? k + 1 : len;
    putString(list + (i << 4), p, k);
    putString(list + (i << 4) + 8, p + value, len - value);
  }
  store<u32>(ret, list);
  store<u32>(ret, count, 4);
}

export function cli_environment_get_arguments(ret: usize): void {
  const count = readVector(false);
  const base = vectorBase;
  const list = alloc(4, <usize>count << 3);
  for (let i: usize = 0; i < count; i++) {
    const p = <usize>load<u32>(base + (i << 2));
    putString(list + (i << 3), p, strlen(p));
  }
  store<u32>(ret, list);
  store<u32>(ret, count, 4);
}

/** p1 has no working directory: option::none. */
export function cli_environment_initial_cwd(ret: usize): void {
  store<u8>(ret, 0);
}

export function cli_exit_exit(status: u32): void {
  p1.proc_exit(status == 0 ? 0 : 1);
}
export function cli_exit_exit_with_code(code: u8): void {
  p1.proc_exit(code);
}

export function cli_stdin_get_stdin(): u32 {
  return newStream(INPUT, STREAM_FD, 0, 0);
}
export function cli_stdout_get_stdout(): u32 {
  return newStream(OUTPUT, STREAM_FD, 1, 0);
}
export function cli_stderr_get_stderr(): u32 {
  return newStream(OUTPUT, STREAM_FD, 2, 0);
}

/** option<terminal>: some when the fd is a character device. */
function terminal(fd: i32, tag: u8, ret: usize): void {
  const t = tmp();
  if (p1.fd_fdstat_get(fd, t) == 0 && load<u8>(t) == p1.FILETYPE_CHARACTER_DEVICE) {
    const h = create(tag);
    store<u8>(ret, 1);
    store<u32>(ret, h, 4);
  } else {
    store<u8>(ret, 0);
  }
}

export function cli_terminal_stdin_get_terminal_stdin(ret: usize): void {
  terminal(0, TERMINAL_INPUT, ret);
}
export function cli_terminal_stdout_get_terminal_stdout(ret: usize): void {
  terminal(1, TERMINAL_OUTPUT, ret);
}
export function cli_terminal_stderr_get_terminal_stderr(ret: usize): void {
  terminal(2, TERMINAL_OUTPUT, ret);
}
export function cli_terminal_input__resource_drop_terminal_input(self: u32): void {
  slot(self, TERMINAL_INPUT);
  release(self);
}
export function cli_terminal_output__resource_drop_terminal_output(self: u32): void {
  slot(self, TERMINAL_OUTPUT);
  release(self);
}
