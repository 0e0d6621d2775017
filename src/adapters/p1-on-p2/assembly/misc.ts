// Arguments, environment, clocks, randomness, process exit, sockets.
import * as host from "./imports";
import { alloc, copy, entry, expectInto, resetScratch } from "./state";
import { datetimeNanos, wallNanos } from "./shared";
import { BADF, INVAL, NOSYS, NOTSOCK, SUCCESS } from "./errno";

// get-arguments / get-environment return lists in scratch; these return the
// return area (list ptr, count). Separate so each p1 pair keeps one import.
function fetchArgs(): u32 {
  resetScratch();
  const ret = alloc(8, 4);
  host.getArguments(ret);
  return ret;
}

function fetchEnv(): u32 {
  resetScratch();
  const ret = alloc(8, 4);
  host.getEnvironment(ret);
  return ret;
}

// Strings arrive as (ptr, len) pairs; args are 8-byte items, environment 16-byte (key, value).
function sizes(ret: u32, env: bool, countOut: u32, sizeOut: u32): u32 {
  const list = load<u32>(ret);
  const n = load<u32>(ret, 4);
  let total: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (env) total += load<u32>(list + i * 16, 4) + load<u32>(list + i * 16, 12) + 2;
    else total += load<u32>(list + i * 8, 4) + 1;
  }
  store<u32>(countOut, n);
  store<u32>(sizeOut, total);
  return SUCCESS;
}

function fill(ret: u32, env: bool, ptrs: u32, buf: u32): u32 {
  const list = load<u32>(ret);
  const n = load<u32>(ret, 4);
  let at = buf;
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(ptrs + i * 4, at);
    const item = list + i * (env ? 16 : 8);
    const len = load<u32>(item, 4);
    copy(at, load<u32>(item), len);
    at += len;
    if (env) {
      store<u8>(at++, 0x3d); // '='
      const vlen = load<u32>(item, 12);
      copy(at, load<u32>(item, 8), vlen);
      at += vlen;
    }
    store<u8>(at++, 0);
  }
  return SUCCESS;
}

export function args_sizes_get(count: u32, size: u32): u32 { return sizes(fetchArgs(), false, count, size); }
export function args_get(argv: u32, buf: u32): u32 { return fill(fetchArgs(), false, argv, buf); }
export function environ_sizes_get(count: u32, size: u32): u32 { return sizes(fetchEnv(), true, count, size); }
export function environ_get(environ: u32, buf: u32): u32 { return fill(fetchEnv(), true, environ, buf); }

export function clock_res_get(id: u32, out: u32): u32 {
  if (id == 0) {
    resetScratch();
    const ret = alloc(16, 8);
    host.wallResolution(ret);
    store<u64>(out, datetimeNanos(ret));
  } else if (id == 1) {
    store<u64>(out, host.monotonicResolution());
  } else {
    return INVAL;
  }
  return SUCCESS;
}

export function clock_time_get(id: u32, precision: u64, out: u32): u32 {
  if (id == 0) {
    resetScratch();
    store<u64>(out, wallNanos());
  } else if (id == 1) store<u64>(out, host.monotonicNow());
  else return INVAL;
  return SUCCESS;
}

export function random_get(buf: u32, len: u32): u32 {
  resetScratch();
  const ret = alloc(8, 4);
  expectInto(buf, len);
  host.getRandomBytes(<u64>len, ret);
  copy(buf, load<u32>(ret), len);
  return SUCCESS;
}

// WASI 0.2's exit only tells success from failure; hosts report failure as status 1.
export function proc_exit(code: u32): void {
  host.exit(code == 0 ? 0 : 1);
  unreachable();
}

// Bound instead of proc_exit when the unstable exit-with-code may be imported.
export function proc_exit_code(code: u32): void {
  host.exitWithCode(code & 0xff);
  unreachable();
}

export function proc_raise(sig: u32): u32 { return NOSYS; }
export function sched_yield(): u32 { return SUCCESS; }

// No descriptor the adapter hands out is a socket.
function notSocket(fd: u32): u32 { return entry(fd) == 0 ? BADF : NOTSOCK; }
export function sock_accept(fd: u32, flags: u32, out: u32): u32 { return notSocket(fd); }
export function sock_recv(fd: u32, data: u32, dataLen: u32, flags: u32, outLen: u32, outFlags: u32): u32 { return notSocket(fd); }
export function sock_send(fd: u32, data: u32, dataLen: u32, flags: u32, outLen: u32): u32 { return notSocket(fd); }
export function sock_shutdown(fd: u32, how: u32): u32 { return notSocket(fd); }

/** wasi:cli/run: the command's entry point. */
export function run(): u32 {
  host.mainStart();
  return 0;
}
