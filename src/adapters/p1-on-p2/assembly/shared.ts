// Helpers shared by several p1 functions (kept out of index.ts's exports).
import * as host from "./imports";
import { KIND_STDOUT, alloc } from "./state";
import { fileType } from "./errno";

/** The stdin stream of an entry, fetched from the host on first use. */
export function inputStream(e: u32): u32 {
  let h = load<u32>(e, 4);
  if (h == 0) {
    h = host.getStdin();
    store<u32>(e, h, 4);
  }
  return h;
}

/** The stdout or stderr stream of an entry, fetched from the host on first use. */
export function outputStream(e: u32): u32 {
  let h = load<u32>(e, 4);
  if (h == 0) {
    h = load<u8>(e) == KIND_STDOUT ? host.getStdout() : host.getStderr();
    store<u32>(e, h, 4);
  }
  return h;
}

function nanos(opt: u32): u64 {
  return load<u8>(opt) == 0 ? 0 : load<u64>(opt, 8) * 1_000_000_000 + <u64>load<u32>(opt, 16);
}

/** The p1 inode from a metadata-hash result at `hash` (its lower half), 0 when the host had none. */
export function inode(hash: u32): u64 {
  return load<u8>(hash) == 0 ? load<u64>(hash, 8) : 0;
}

/** Writes a p1 filestat from a descriptor-stat at `stat` and a metadata-hash result at `hash`. */
export function putFilestat(out: u32, stat: u32, hash: u32): void {
  // Every field is stored, so no zeroing pass (this is on fstat's hot path).
  store<u64>(out, 0); // dev: WASI 0.2 has none
  store<u64>(out, inode(hash), 8);
  store<u64>(out, 0, 16); // filetype's padding
  store<u8>(out, fileType(load<u8>(stat)), 16);
  store<u64>(out, load<u64>(stat, 8), 24);
  store<u64>(out, load<u64>(stat, 16), 32);
  store<u64>(out, nanos(stat + 24), 40);
  store<u64>(out, nanos(stat + 48), 48);
  store<u64>(out, nanos(stat + 72), 56);
}

/** Encodes one new-timestamp (kind, seconds, nanoseconds) at `at` from p1 fstflags; false if contradictory. */
export function newTimestamp(at: u32, t: u64, set: bool, now: bool): bool {
  if (set && now) return false;
  store<u32>(at, now ? 1 : set ? 2 : 0);
  store<u64>(at, t / 1_000_000_000, 8);
  store<u32>(at, <u32>(t % 1_000_000_000), 16);
  return true;
}

export function datetimeNanos(p: u32): u64 {
  return load<u64>(p) * 1_000_000_000 + <u64>load<u32>(p, 8);
}

/** Wall-clock time in nanoseconds; its return area comes from scratch, which callers reset. */
export function wallNanos(): u64 {
  const ret = alloc(16, 8);
  host.wallNow(ret);
  return datetimeNanos(ret);
}
