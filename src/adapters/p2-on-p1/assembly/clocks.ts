// wasi:clocks over clock_time_get / clock_res_get; pollables for poll_oneoff.
import * as p1 from "./p1";
import { tmp } from "./mem";
import { monotonicNow, newClockPollable } from "./poll";

function res(id: i32): u64 {
  const t = tmp();
  if (p1.clock_res_get(id, t) != 0) unreachable();
  return load<u64>(t);
}

/** datetime { seconds: u64, nanoseconds: u32 } from p1 nanoseconds. */
function datetime(ns: u64, ret: usize): void {
  store<u64>(ret, ns / 1_000_000_000);
  store<u32>(ret, <u32>(ns % 1_000_000_000), 8);
}

export function clocks_monotonic_clock_now(): u64 {
  return monotonicNow();
}
export function clocks_monotonic_clock_resolution(): u64 {
  return res(p1.CLOCK_MONOTONIC);
}
export function clocks_monotonic_clock_subscribe_instant(when: u64): u32 {
  return newClockPollable(when);
}
export function clocks_monotonic_clock_subscribe_duration(when: u64): u32 {
  const now = monotonicNow();
  const deadline = now + when;
  return newClockPollable(deadline < now ? u64.MAX_VALUE : deadline);
}

export function clocks_wall_clock_now(ret: usize): void {
  const t = tmp();
  if (p1.clock_time_get(p1.CLOCK_REALTIME, 1, t) != 0) unreachable();
  datetime(load<u64>(t), ret);
}
export function clocks_wall_clock_resolution(ret: usize): void {
  datetime(res(p1.CLOCK_REALTIME), ret);
}
