// wasi:io/poll over poll_oneoff. A pollable is one of: always ready (files,
// output streams: p1 writes block until done), a monotonic-clock deadline,
// or an fd to wait on for reading (stdin, sockets).
import * as p1 from "./p1";
import {
  POLLABLE, create, slot, release, SLOT_KIND, SLOT_FD, SLOT_POS, POLL_ALWAYS, POLL_CLOCK,
} from "./handles";
import { tmp, scratch, alloc } from "./mem";

// p1 subscription (48 bytes) and event (32 bytes) layouts.
const SUB_SIZE: usize = 48;
const EVENT_SIZE: usize = 32;
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;

export function monotonicNow(): u64 {
  const t = tmp();
  if (p1.clock_time_get(p1.CLOCK_MONOTONIC, 1, t) != 0) unreachable();
  return load<u64>(t);
}

export function newClockPollable(deadline: u64): u32 {
  const h = create(POLLABLE);
  const s = slot(h, POLLABLE);
  store<u8>(s + SLOT_KIND, POLL_CLOCK);
  store<u64>(s + SLOT_POS, deadline);
  return h;
}

/** Writes the subscription for pollable h (userdata = index) at sub. */
function subscribe(h: u32, index: u32, sub: usize, now: u64): void {
  const s = slot(h, POLLABLE);
  memory.fill(sub, 0, SUB_SIZE);
  store<u64>(sub, index);
  if (load<u8>(s + SLOT_KIND) == POLL_CLOCK) {
    const deadline = load<u64>(s + SLOT_POS);
    store<u8>(sub + 8, EVENTTYPE_CLOCK);
    store<u32>(sub + 16, p1.CLOCK_MONOTONIC);
    // Relative timeouts: some hosts ignore the absolute-time flag.
    store<u64>(sub + 24, deadline > now ? deadline - now : 0);
  } else {
    store<u8>(sub + 8, EVENTTYPE_FD_READ);
    store<i32>(sub + 16, load<i32>(s + SLOT_FD));
  }
}

/** Ready without asking the host: always-ready pollables and passed deadlines. */
function readyNow(h: u32, now: u64): bool {
  const s = slot(h, POLLABLE);
  const kind = load<u8>(s + SLOT_KIND);
  return kind == POLL_ALWAYS || (kind == POLL_CLOCK && load<u64>(s + SLOT_POS) <= now);
}

/** Marks pollables that are ready without asking the host; returns whether any is. */
function markReady(list: usize, n: u32, flags: usize): bool {
  const now = monotonicNow();
  let any = false;
  for (let i: u32 = 0; i < n; i++) {
    if (readyNow(load<u32>(list + (<usize>i << 2)), now)) {
      store<u8>(flags + i, 1);
      any = true;
    }
  }
  return any;
}

/**
 * Waits on pollables [list, list + 4n) and sets flags[i] = 1 for each ready
 * one. Clock events are re-checked against the clock, since hosts may wake
 * early (millisecond timers). When the host cannot poll (poll_oneoff fails),
 * fd pollables count as ready: the next read then blocks, as p1 reads do.
 */
function wait(list: usize, n: u32, flags: usize, subs: usize, events: usize): void {
  memory.fill(flags, 0, n);
  while (!markReady(list, n, flags)) {
    const now = monotonicNow();
    for (let i: u32 = 0; i < n; i++) {
      subscribe(load<u32>(list + (<usize>i << 2)), i, subs + <usize>i * SUB_SIZE, now);
    }
    const t = tmp();
    const failed = p1.poll_oneoff(subs, events, n, t) != 0;
    const count: u32 = failed ? 0 : load<u32>(t);
    let any = false;
    for (let i: u32 = 0; i < n; i++) {
      if (failed && load<u8>(subs + <usize>i * SUB_SIZE + 8) == EVENTTYPE_FD_READ) {
        store<u8>(flags + i, 1);
        any = true;
      }
    }
    for (let i: u32 = 0; i < count; i++) {
      // An fd event with an error is ready too: the next operation reports it.
      const e = events + <usize>i * EVENT_SIZE;
      if (load<u8>(e, 10) == EVENTTYPE_FD_READ) {
        store<u8>(flags + <usize>load<u64>(e), 1);
        any = true;
      }
    }
    if (any) {
      markReady(list, n, flags);
      return;
    }
  }
}

// wasi:io/poll#poll: list<borrow<pollable>> -> list<u32>
export function io_poll_poll(list: usize, n: u32, ret: usize): void {
  if (n == 0) unreachable(); // the WIT makes an empty list a trap
  for (let i: u32 = 0; i < n; i++) slot(load<u32>(list + (<usize>i << 2)), POLLABLE);
  const size = <usize>n;
  const buf = scratch(size * (SUB_SIZE + EVENT_SIZE + 1));
  const subs = buf;
  const events = buf + size * SUB_SIZE;
  const flags = events + size * EVENT_SIZE;
  wait(list, n, flags, subs, events);
  let count: u32 = 0;
  for (let i: usize = 0; i < size; i++) count += load<u8>(flags + i);
  const out = alloc(4, <usize>count << 2);
  let j: usize = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(flags + i) != 0) {
      store<u32>(out + (j << 2), i);
      j++;
    }
  }
  store<u32>(ret, out);
  store<u32>(ret, count, 4);
}

export function io_poll__method_pollable_ready(self: u32): bool {
  const now = monotonicNow();
  if (readyNow(self, now)) return true;
  if (load<u8>(slot(self, POLLABLE) + SLOT_KIND) == POLL_CLOCK) return false;
  // An fd: poll it against an already-expired timer, so this does not block.
  const buf = scratch(2 * (SUB_SIZE + EVENT_SIZE));
  const subs = buf;
  const events = buf + 2 * SUB_SIZE;
  subscribe(self, 0, subs, now);
  memory.fill(subs + SUB_SIZE, 0, SUB_SIZE);
  store<u64>(subs + SUB_SIZE, 1);
  store<u8>(subs + SUB_SIZE + 8, EVENTTYPE_CLOCK);
  store<u32>(subs + SUB_SIZE + 16, p1.CLOCK_MONOTONIC);
  const t = tmp();
  if (p1.poll_oneoff(subs, events, 2, t) != 0) return true;
  const count = load<u32>(t);
  for (let i: u32 = 0; i < count; i++) {
    if (load<u64>(events + <usize>i * EVENT_SIZE) == 0) return true;
  }
  return false;
}

export function io_poll__method_pollable_block(self: u32): void {
  slot(self, POLLABLE);
  const t = tmp();
  store<u32>(t + 8, self); // a one-element list in TMP after the first 8 bytes
  const buf = scratch(SUB_SIZE + EVENT_SIZE + 1);
  wait(t + 8, 1, buf + SUB_SIZE + EVENT_SIZE, buf, buf + SUB_SIZE);
}

export function io_poll__resource_drop_pollable(self: u32): void {
  slot(self, POLLABLE);
  release(self);
}
