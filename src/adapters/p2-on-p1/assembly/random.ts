// wasi:random over random_get. p1 has a single source, so the insecure
// functions use it too (stronger than required).
import * as p1 from "./p1";
import { tmp, alloc } from "./mem";

function fill(buf: usize, len: usize): void {
  if (p1.random_get(buf, len) != 0) unreachable();
}

function bytes(len: u64, ret: usize): void {
  if (len > <u64>u32.MAX_VALUE) unreachable(); // cannot be allocated in a 32-bit memory
  const n = <usize>len;
  const p = alloc(1, n);
  fill(p, n);
  store<u32>(ret, p);
  store<u32>(ret, n, 4);
}

function u64Value(): u64 {
  const t = tmp();
  fill(t, 8);
  return load<u64>(t);
}

export function random_random_get_random_bytes(len: u64, ret: usize): void {
  bytes(len, ret);
}
export function random_random_get_random_u64(): u64 {
  return u64Value();
}
export function random_insecure_get_insecure_random_bytes(len: u64, ret: usize): void {
  bytes(len, ret);
}
export function random_insecure_get_insecure_random_u64(): u64 {
  return u64Value();
}
/** tuple<u64, u64> written straight to the return area. */
export function random_insecure_seed_insecure_seed(ret: usize): void {
  fill(ret, 16);
}
