// WASI 0.3 functions whose 0.2 namesakes do not fit (the rest bind to the 0.2 exports):
// stdio as streams, timers as subtasks, the renamed getters.
import * as p1 from "../../p2-on-p1/assembly/p1";
import { tmp } from "../../p2-on-p1/assembly/mem";
import { monotonicNow } from "../../p2-on-p1/assembly/poll";
import { hostSink, hostSource, startTimer, L_CLI } from "./async";

export function cli_stdout_0_3_write_via_stream(data: u32): u32 {
  return hostSink(data, 1, false, 0, L_CLI);
}
export function cli_stderr_0_3_write_via_stream(data: u32): u32 {
  return hostSink(data, 2, false, 0, L_CLI);
}
export function cli_stdin_0_3_read_via_stream(ret: usize): void {
  hostSource(0, false, 0, L_CLI, ret);
}
/** p1 has no working directory. */
export function cli_environment_0_3_get_initial_cwd(ret: usize): void {
  store<u8>(ret, 0);
}

export function clocks_monotonic_clock_0_3__async_wait_for(howLong: u64): u32 {
  const now = monotonicNow();
  const deadline = now + howLong;
  return startTimer(deadline < now ? u64.MAX_VALUE : deadline);
}
export function clocks_monotonic_clock_0_3__async_wait_until(when: u64): u32 {
  return startTimer(when);
}
export function clocks_monotonic_clock_0_3_get_resolution(): u64 {
  const t = tmp();
  if (p1.clock_res_get(p1.CLOCK_MONOTONIC, t) != 0) unreachable();
  return load<u64>(t);
}

/** instant { seconds: s64, nanoseconds: u32 } */
export function clocks_system_clock_0_3_now(ret: usize): void {
  const t = tmp();
  if (p1.clock_time_get(p1.CLOCK_REALTIME, 1, t) != 0) unreachable();
  const ns = load<u64>(t);
  store<u64>(ret, ns / 1_000_000_000);
  store<u32>(ret, <u32>(ns % 1_000_000_000), 8);
}
export function clocks_system_clock_0_3_get_resolution(): u64 {
  const t = tmp();
  if (p1.clock_res_get(p1.CLOCK_REALTIME, t) != 0) unreachable();
  return load<u64>(t);
}

// The seed is drawn once: the WIT asks that every call return the same value.
let seeded = false;
let seed0: u64 = 0;
let seed1: u64 = 0;

/** tuple<u64, u64> from random_get (p1 has one source of randomness). */
export function random_insecure_seed_0_3_get_insecure_seed(ret: usize): void {
  if (!seeded) {
    if (p1.random_get(ret, 16) != 0) unreachable();
    seed0 = load<u64>(ret);
    seed1 = load<u64>(ret, 8);
    seeded = true;
  }
  store<u64>(ret, seed0);
  store<u64>(ret, seed1, 8);
}
