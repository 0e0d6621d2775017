// The Canonical ABI's async built-ins for one component instance whose one task is the
// callback-lifted `wasi:cli/run` that `_start` drives (CanonicalABI.md, definitions.py).
// Every copy is asynchronous (the `async` option); a copy whose other end is the host finishes
// at once with a blocking p1 call, so only timers ever make the event loop wait.
import * as p1 from "../../p2-on-p1/assembly/p1";
import { alloc, stateAlloc } from "../../p2-on-p1/assembly/mem";
import { monotonicNow } from "../../p2-on-p1/assembly/poll";
import * as t from "./table";
import { errorCode } from "../../p2-on-p1/assembly/errors";

export const BLOCKED: u32 = 0xffffffff;
// CopyResult
export const COMPLETED: u32 = 0;
export const DROPPED: u32 = 1;
export const CANCELLED: u32 = 2;
// EventCode
export const EVENT_NONE: u32 = 0;
export const EVENT_SUBTASK: u32 = 1;
export const EVENT_STREAM_READ: u32 = 2;
export const EVENT_STREAM_WRITE: u32 = 3;
export const EVENT_FUTURE_READ: u32 = 4;
export const EVENT_FUTURE_WRITE: u32 = 5;
// Subtask.State
export const STARTED: u32 = 1;
export const RETURNED: u32 = 2;
export const CANCELLED_BEFORE_RETURNED: u32 = 4;

// The linker passes an element type as size | log2(alignment) << 24 | NOT_NUMBER when it is
// not a number (nor absent): a copy between two ends of one instance then traps, as the spec's
// `none_or_number_type` check does (both ends are always in this one instance).
const NOT_NUMBER: u32 = 0x80000000;

// ---- events ---------------------------------------------------------------

let eventSeq: u32 = 0;

/** The spec picks among pending events at random; here the oldest goes first, so a run is reproducible. An event updated in place keeps its place. */
export function setEvent(h: u32, code: u32, payload: u32): void {
  const s = t.slot(h);
  if (load<u32>(s + t.S_EVENT) == 0) store<u32>(s + t.S_SEQ, ++eventSeq);
  store<u32>(s + t.S_EVENT, code);
  store<u32>(s + t.S_PAYLOAD, payload);
}

let evCode: u32 = 0;
let evP1: u32 = 0;
let evP2: u32 = 0;

/** get_pending_event of waitable `h`: the event leaves it, and a finished copy or subtask takes its new state. */
function deliver(h: u32): void {
  const s = t.slot(h);
  const code = load<u32>(s + t.S_EVENT);
  const payload = load<u32>(s + t.S_PAYLOAD);
  store<u32>(s + t.S_EVENT, 0);
  if (code == EVENT_SUBTASK) store<u8>(s + t.S_STATE, 1);
  else if (code == EVENT_STREAM_READ || code == EVENT_STREAM_WRITE) {
    store<u8>(s + t.S_STATE, (payload & 0xf) == DROPPED ? t.C_DONE : t.C_IDLE);
    // reclaim_buffer: a buffer partly copied stays the other end's to copy from until now.
    const r = t.record(load<u32>(s + t.S_SHARED));
    if (load<u8>(r + t.R_PENDING) != 0 && load<u32>(r + t.R_HANDLE) == h) store<u8>(r + t.R_PENDING, 0);
  } else store<u8>(s + t.S_STATE, payload == CANCELLED ? t.C_IDLE : t.C_DONE);
  evCode = code;
  evP1 = h;
  evP2 = payload;
}

/** The waitable of set `si` whose pending event is oldest, or 0. */
function pendingIn(si: u32): u32 {
  const n = t.length();
  let best: u32 = 0;
  let bestSeq: u32 = 0;
  for (let h: u32 = 1; h < n; h++) {
    const s = t.slot(h);
    const k = load<u8>(s + t.S_KIND);
    if (!t.isWaitable(k) || load<u32>(s + t.S_SET) != si || load<u32>(s + t.S_EVENT) == 0) continue;
    const seq = load<u32>(s + t.S_SEQ);
    if (best == 0 || seq < bestSeq) {
      best = h;
      bestSeq = seq;
    }
  }
  return best;
}

let pollBlock: usize = 0;
let pollCap: u32 = 0;

/** Room for n subscriptions (48 bytes each) then n events (32 bytes each). */
function pollArea(n: u32): usize {
  if (n > pollCap) {
    pollCap = n < 4 ? 4 : n;
    pollBlock = stateAlloc(8, <usize>pollCap * 80 + 8);
  }
  return pollBlock;
}

const USER_TIMER: u64 = 0xffffffff_ffffffff;

/**
 * Waits in one poll_oneoff for the earliest timer and every stdin-like read that waits, then
 * finishes the reads that are ready and fires every timer due. With neither, nothing can ever
 * happen: trap (a 0.3 host would wait forever).
 */
function block(): void {
  const n = t.length();
  let earliest: u64 = u64.MAX_VALUE;
  let timers = false;
  for (let h: u32 = 1; h < n; h++) {
    const s = t.slot(h);
    if (load<u8>(s + t.S_KIND) == t.K_SUBTASK && load<u32>(s + t.S_SUBSTATE) == STARTED) {
      timers = true;
      const d = load<u64>(s + t.S_DEADLINE);
      if (d < earliest) earliest = d;
    }
  }
  const records = t.recordCount();
  let reads: u32 = 0;
  for (let r: u32 = 1; r < records; r++) if (waitingRead(t.record(r))) reads++;
  if (!timers && reads == 0) unreachable();
  const area = pollArea(reads + 1);
  let count: u32 = 0;
  for (let r: u32 = 1; r < records; r++) {
    const rp = t.record(r);
    if (!waitingRead(rp)) continue;
    const sub = area + <usize>count * 48;
    count++;
    memory.fill(sub, 0, 48);
    store<u64>(sub, <u64>r);
    store<u8>(sub + 8, 1); // fd_read
    store<u32>(sub + 16, load<i32>(rp + t.R_FD));
  }
  let now = monotonicNow();
  if (timers) {
    const sub = area + <usize>count * 48;
    count++;
    memory.fill(sub, 0, 48);
    store<u64>(sub, USER_TIMER);
    store<u32>(sub + 16, p1.CLOCK_MONOTONIC);
    store<u64>(sub + 24, earliest > now ? earliest - now : 0); // relative
  }
  const events = area + <usize>pollCap * 48;
  const out = area + <usize>pollCap * 80;
  if (p1.poll_oneoff(area, events, count, out) != 0) {
    // A host that cannot poll fds: the waiting reads block in turn (timers are then late).
    if (reads == 0) unreachable();
    for (let r: u32 = 1; r < records; r++) if (waitingRead(t.record(r))) finishRead(t.record(r));
  } else {
    const got = load<u32>(out);
    for (let e: u32 = 0; e < got; e++) {
      const ev = events + <usize>e * 32;
      const user = load<u64>(ev);
      if (user != USER_TIMER && load<u8>(ev, 10) == 1) finishRead(t.record(<u32>user));
    }
  }
  now = monotonicNow(); // a clock event may come a little early: only what is due fires
  // Due timers fire earliest deadline first (their events go out in that order).
  for (;;) {
    let due: u32 = 0;
    let at: u64 = 0;
    for (let h: u32 = 1; h < n; h++) {
      const s = t.slot(h);
      if (load<u8>(s + t.S_KIND) != t.K_SUBTASK || load<u32>(s + t.S_SUBSTATE) != STARTED) continue;
      const d = load<u64>(s + t.S_DEADLINE);
      if (d <= now && (due == 0 || d < at)) {
        due = h;
        at = d;
      }
    }
    if (due == 0) break;
    store<u32>(t.slot(due) + t.S_SUBSTATE, RETURNED);
    setEvent(due, EVENT_SUBTASK, RETURNED);
  }
}

/** A guest read waiting on a host source that is not a file (stdin): files are always ready. */
function waitingRead(rp: usize): bool {
  return load<u8>(rp + t.R_HOST) == t.H_SOURCE && load<u8>(rp + t.R_PENDING) == 1;
}

/** The waiting read of host source `rp` is ready: read, and give its end the event. */
function finishRead(rp: usize): void {
  const h = load<u32>(rp + t.R_HANDLE);
  store<u8>(rp + t.R_PENDING, 0);
  const s = t.slot(h);
  store<u8>(s + t.S_STATE, t.C_IDLE);
  setEvent(h, EVENT_STREAM_READ, readNow(rp, s, load<u32>(rp + t.R_PTR), load<u32>(rp + t.R_REMAIN)));
  // The event's delivery sets the end's state from the result; until then it is still copying.
  store<u8>(s + t.S_STATE, t.C_COPYING);
}

/** Is fd ready to read now? (poll_oneoff with a zero timeout; a host that cannot poll fds: yes, the read blocks.) */
function readyNow(fd: i32): bool {
  const area = pollArea(2);
  memory.fill(area, 0, 96);
  store<u8>(area + 8, 1);
  store<u32>(area + 16, fd);
  store<u64>(area + 48, USER_TIMER);
  store<u32>(area + 48 + 16, p1.CLOCK_MONOTONIC);
  const events = area + <usize>pollCap * 48;
  const out = area + <usize>pollCap * 80;
  if (p1.poll_oneoff(area, events, 2, out) != 0) return true;
  const got = load<u32>(out);
  for (let e: u32 = 0; e < got; e++) if (load<u64>(events + <usize>e * 32) == 0) return true;
  return false;
}

function waitOn(si: u32): void {
  t.get(si, t.K_SET);
  const s = t.slot(si);
  store<u32>(s + t.S_SET, load<u32>(s + t.S_SET) + 1); // num_waiting
  let h = pendingIn(si);
  while (h == 0) {
    block();
    h = pendingIn(si);
  }
  store<u32>(s + t.S_SET, load<u32>(s + t.S_SET) - 1);
  deliver(h);
}

// ---- the task -------------------------------------------------------------

let returned = false;
let result: u32 = 0;
let ctx0: u32 = 0;
let ctx1: u32 = 0;
let backpressure: i32 = 0;

/** The event loop's step: given the callback's packed code, 1 when an event is ready for the callback (see event*), 0 when the task exited. */
export function p3_next(packed: u32): u32 {
  const code = packed & 0xf;
  if (code == 0) {
    if (!returned) unreachable(); // exited without task.return
    return 0;
  }
  if (code == 1) {
    evCode = EVENT_NONE;
    evP1 = 0;
    evP2 = 0;
    return 1;
  }
  if (code != 2) unreachable();
  waitOn(packed >> 4);
  return 1;
}
export function p3_event_code(): u32 {
  return evCode;
}
export function p3_event_p1(): u32 {
  return evP1;
}
export function p3_event_p2(): u32 {
  return evP2;
}
/** A new task of an async export the p1 host calls (one at a time: its call returns when the task exits). */
export function p3_begin(): void {
  if (parked) unreachable(); // the previous task's post-return was not called
  keptChunk = keptFirst;
  keptUsed = 0;
  returned = false;
  result = 0;
  ctx0 = 0; // a task's context slots start at 0
  ctx1 = 0;
}

let area: usize = 0;
let areaSize: u32 = 0;

/** The block task.return stores a result of several flat values in (the result's memory layout), valid until the next task returns. */
export function p3_result_area(size: u32, align: u32): u32 {
  if (area == 0 || size > areaSize) {
    areaSize = size < 16 ? 16 : size;
    area = stateAlloc(align < 8 ? 8 : align, areaSize);
  }
  return <u32>area;
}

// A task whose export returned (at task.return) and whose rest runs in the export's post-return.
let parked = false;
let parkedCode: u32 = 0;

/** Whether the current task has called task.return: its export returns then, as a synchronous lift would. */
export function p3_returned(): u32 {
  return returned ? 1 : 0;
}
/** The callback code the export stopped at, for its post-return. */
export function p3_park(code: u32): void {
  parked = true;
  parkedCode = code;
}
/** The parked code; the post-return runs the event loop from it until the task exits. */
export function p3_parked(): u32 {
  if (!parked) unreachable();
  parked = false;
  return parkedCode;
}

// What task.return's result points to, copied (as a 0.3 host lifts it during task.return) into
// chunks of state reused from the next task on: chunk = [next chunk, capacity, bytes...].
let keptFirst: usize = 0;
let keptChunk: usize = 0;
let keptUsed: usize = 0;
const KEPT_HEADER: usize = 8;

/** A copy of `count` elements of `size` bytes at `ptr` (alignment `align`), valid until the next task begins. */
export function p3_keep(ptr: u32, count: u32, size: u32, align: u32): u32 {
  const bytes = <u64>count * <u64>size;
  if (bytes > 0xffffffff) unreachable(); // past any 32-bit memory, as the lift's bounds check traps
  const n = <usize>bytes;
  const a = <usize>(align == 0 ? 1 : align);
  while (true) {
    if (keptChunk != 0) {
      const start = (keptChunk + KEPT_HEADER + keptUsed + a - 1) & ~(a - 1);
      if (start + n <= keptChunk + KEPT_HEADER + load<u32>(keptChunk, 4)) {
        memory.copy(start, ptr, n);
        keptUsed = start + n - keptChunk - KEPT_HEADER;
        return <u32>start;
      }
      const next = load<u32>(keptChunk);
      if (next != 0) {
        keptChunk = next;
        keptUsed = 0;
        continue;
      }
    }
    const cap = n + a > 65536 ? n + a : 65536;
    const chunk = stateAlloc(8, KEPT_HEADER + cap);
    store<u32>(chunk, 0);
    store<u32>(chunk, <u32>cap, 4);
    if (keptChunk != 0) store<u32>(keptChunk, <u32>chunk);
    else keptFirst = chunk;
    keptChunk = chunk;
    keptUsed = 0;
  }
}

/** The task returned through the result area. */
export function p3_task_returned(): void {
  if (returned) unreachable();
  returned = true;
}

/** `run`'s result as task.return gave it (the result's discriminant). */
export function p3_finish(): u32 {
  if (!returned) unreachable();
  return result;
}

export function p3_task_return0(): void {
  if (returned) unreachable();
  returned = true;
}
export function p3_task_return1(v: u32): void {
  if (returned) unreachable();
  returned = true;
  result = v;
}
/** The p1 host never requests cancellation, so no cancel was delivered: trap, as the spec does. */
export function p3_task_cancel(): void {
  unreachable();
}
export function p3_context_get0(): u32 {
  return ctx0;
}
export function p3_context_get1(): u32 {
  return ctx1;
}
export function p3_context_set0(v: u32): void {
  ctx0 = v;
}
export function p3_context_set1(v: u32): void {
  ctx1 = v;
}
/** Nothing else runs in this instance, so yielding resumes at once, never cancelled. */
export function p3_yield(): u32 {
  return 0;
}
// Backpressure only holds back new calls into the instance; the p1 host makes exactly one.
export function p3_backpressure_set(v: u32): void {
  backpressure = v != 0 ? 1 : 0;
}
export function p3_backpressure_inc(): void {
  if (++backpressure >= 0x10000) unreachable();
}
export function p3_backpressure_dec(): void {
  if (--backpressure < 0) unreachable();
}

// ---- waitable sets --------------------------------------------------------

export function p3_waitable_set_new(): u32 {
  return t.add(t.K_SET);
}
export function p3_waitable_set_wait(si: u32, ptr: usize): u32 {
  waitOn(si);
  store<u32>(ptr, evP1);
  store<u32>(ptr, evP2, 4);
  return evCode;
}
export function p3_waitable_set_poll(si: u32, ptr: usize): u32 {
  t.get(si, t.K_SET);
  const h = pendingIn(si);
  if (h == 0) {
    store<u32>(ptr, 0);
    store<u32>(ptr, 0, 4);
    return EVENT_NONE;
  }
  deliver(h);
  store<u32>(ptr, evP1);
  store<u32>(ptr, evP2, 4);
  return evCode;
}
export function p3_waitable_set_drop(si: u32): void {
  const s = t.get(si, t.K_SET);
  if (load<u32>(s + t.S_SET) != 0) unreachable();
  const n = t.length();
  for (let h: u32 = 1; h < n; h++) {
    const w = t.slot(h);
    if (t.isWaitable(load<u8>(w + t.S_KIND)) && load<u32>(w + t.S_SET) == si) unreachable();
  }
  t.remove(si);
}
export function p3_waitable_join(wi: u32, si: u32): void {
  if (!t.isWaitable(t.kindOf(wi))) unreachable();
  if (si != 0) t.get(si, t.K_SET);
  store<u32>(t.slot(wi) + t.S_SET, si);
}

// ---- subtasks (the host's async functions: timers) -------------------------

/** An async call of the host that finishes at `deadline`: RETURNED at once when it is due, else a subtask. */
export function startTimer(deadline: u64): u32 {
  if (deadline <= monotonicNow()) return RETURNED;
  const h = t.add(t.K_SUBTASK);
  const s = t.slot(h);
  store<u32>(s + t.S_SUBSTATE, STARTED);
  store<u64>(s + t.S_DEADLINE, deadline);
  return STARTED | (h << 4);
}
export function p3_subtask_drop(h: u32): void {
  const s = t.get(h, t.K_SUBTASK);
  if (load<u8>(s + t.S_STATE) == 0) unreachable(); // resolve not delivered
  t.remove(h);
}
export function p3_subtask_cancel(h: u32): u32 {
  const s = t.get(h, t.K_SUBTASK);
  if (load<u8>(s + t.S_STATE) != 0) unreachable(); // resolve already delivered
  if (load<u32>(s + t.S_SUBSTATE) == STARTED) {
    store<u32>(s + t.S_SUBSTATE, CANCELLED_BEFORE_RETURNED);
    setEvent(h, EVENT_SUBTASK, CANCELLED_BEFORE_RETURNED);
  }
  deliver(h);
  return evP2;
}

// ---- streams and futures ----------------------------------------------------

function pack(lo: u32, hi: u32): u64 {
  return (<u64>hi << 32) | <u64>lo;
}

export function p3_stream_new(type: u32, elem: u32): u64 {
  const r = t.newRecord(1, type, elem);
  const ri = t.add(t.K_STREAM_R);
  store<u32>(t.slot(ri) + t.S_SHARED, r);
  const wi = t.add(t.K_STREAM_W);
  store<u32>(t.slot(wi) + t.S_SHARED, r);
  return pack(ri, wi);
}
export function p3_future_new(type: u32, elem: u32): u64 {
  const r = t.newRecord(2, type, elem);
  const ri = t.add(t.K_FUTURE_R);
  store<u32>(t.slot(ri) + t.S_SHARED, r);
  const wi = t.add(t.K_FUTURE_W);
  store<u32>(t.slot(wi) + t.S_SHARED, r);
  return pack(ri, wi);
}

/** The record behind end `h` of `kind`, checked as stream_copy / future_copy check it. 0 type: a host-made end, any type. */
function endRecord(h: u32, kind: u8, type: u32): usize {
  const s = t.get(h, kind);
  const r = t.record(load<u32>(s + t.S_SHARED));
  const rt = load<u32>(r + t.R_TYPE);
  if (rt != 0 && rt != type) unreachable();
  return r;
}

function elemSize(r: usize): u32 {
  return load<u32>(r + t.R_ELEM) & 0xffffff;
}

function setPending(r: usize, side: u8, h: u32, ptr: u32, n: u32): void {
  store<u8>(r + t.R_PENDING, side);
  store<u32>(r + t.R_HANDLE, h);
  store<u32>(r + t.R_PTR, ptr);
  store<u32>(r + t.R_REMAIN, n);
  store<u32>(r + t.R_PROGRESS, 0);
  store<u8>(t.slot(h) + t.S_STATE, t.C_COPYING);
}

/** The waiting copy ends with `result`: its end gets the event (with the progress for streams). */
function notifyPending(r: usize, result: u32): void {
  const side = load<u8>(r + t.R_PENDING);
  if (side == 0) return;
  store<u8>(r + t.R_PENDING, 0);
  const h = load<u32>(r + t.R_HANDLE);
  if (load<u8>(r + t.R_KIND) == 1) setEvent(h, side == 1 ? EVENT_STREAM_READ : EVENT_STREAM_WRITE, result | (load<u32>(r + t.R_PROGRESS) << 4));
  else setEvent(h, side == 1 ? EVENT_FUTURE_READ : EVENT_FUTURE_WRITE, result);
}

/**
 * on_copy: elements moved through the waiting buffer `k` at a time; its end gets (or has
 * updated) a COMPLETED event with the progress so far, and the buffer stays waiting, so later
 * copies may continue into it, until that event is delivered (or the other end is dropped).
 */
function copied(r: usize, k: u32): void {
  const progress = load<u32>(r + t.R_PROGRESS) + k;
  store<u32>(r + t.R_PROGRESS, progress);
  const h = load<u32>(r + t.R_HANDLE);
  setEvent(h, load<u8>(r + t.R_PENDING) == 1 ? EVENT_STREAM_READ : EVENT_STREAM_WRITE, COMPLETED | (progress << 4));
}

function checkBuffer(r: usize, ptr: u32, n: u32): void {
  if (n > 0x0fffffff) unreachable(); // Buffer.MAX_LENGTH
  const size = elemSize(r);
  if (size == 0 || n == 0) return;
  const a: u32 = 1 << ((load<u32>(r + t.R_ELEM) >> 24) & 0xf);
  if ((ptr & (a - 1)) != 0) unreachable();
  // A buffer past the end of memory traps at the copy (memory.size is off limits to the polyfill).
}

function sameInstanceCheck(r: usize): void {
  if (load<u32>(r + t.R_ELEM) & NOT_NUMBER) unreachable();
}

function copyElems(r: usize, dst: u32, src: u32, n: u32): void {
  memory.copy(dst, src, <usize>n * <usize>elemSize(r));
}

export function p3_stream_read(h: u32, ptr: u32, n: u32, type: u32): u32 {
  const r = endRecord(h, t.K_STREAM_R, type);
  const s = t.slot(h);
  if (load<u8>(s + t.S_STATE) != t.C_IDLE) unreachable();
  checkBuffer(r, ptr, n);
  const host = load<u8>(r + t.R_HOST);
  if (host == t.H_SOURCE || host == t.H_FILE_SOURCE) return hostRead(r, h, s, ptr, n);
  if (host == t.H_DIRECTORY) return readDirectory(r, s, ptr, n);
  if (load<u8>(r + t.R_DROPPED)) {
    store<u8>(s + t.S_STATE, t.C_DONE);
    return DROPPED;
  }
  if (load<u8>(r + t.R_PENDING) == 2) {
    sameInstanceCheck(r);
    if (load<u32>(r + t.R_REMAIN) > 0) return COMPLETED | (meetPending(r, ptr, n, true) << 4);
    notifyPending(r, COMPLETED);
  }
  setPending(r, 1, h, ptr, n);
  return BLOCKED;
}

/**
 * This side's copy meets the other side's pending one (whose buffer and remaining count the
 * record holds): up to `n` elements move between `ptr` and that buffer, in the direction the
 * reader gets them; returns how many.
 */
function meetPending(r: usize, ptr: u32, n: u32, reading: bool): u32 {
  if (n == 0) return 0;
  const remain = load<u32>(r + t.R_REMAIN);
  const k = n < remain ? n : remain;
  const other = load<u32>(r + t.R_PTR);
  if (reading) copyElems(r, ptr, other, k);
  else copyElems(r, other, ptr, k);
  store<u32>(r + t.R_PTR, other + k * elemSize(r));
  store<u32>(r + t.R_REMAIN, remain - k);
  copied(r, k);
  return k;
}

export function p3_stream_write(h: u32, ptr: u32, n: u32, type: u32): u32 {
  const r = endRecord(h, t.K_STREAM_W, type);
  const s = t.slot(h);
  if (load<u8>(s + t.S_STATE) != t.C_IDLE) unreachable();
  checkBuffer(r, ptr, n);
  const host = load<u8>(r + t.R_HOST);
  if (load<u8>(r + t.R_DROPPED)) {
    store<u8>(s + t.S_STATE, t.C_DONE);
    return DROPPED;
  }
  if (host == t.H_SINK || host == t.H_FILE_SINK) return hostWrite(r, s, ptr, n);
  if (load<u8>(r + t.R_PENDING) == 1) {
    sameInstanceCheck(r);
    if (load<u32>(r + t.R_REMAIN) > 0) return COMPLETED | (meetPending(r, ptr, n, false) << 4);
    if (n == 0 && load<u32>(r + t.R_PROGRESS) == 0) return COMPLETED; // both buffers zero-length
    notifyPending(r, COMPLETED);
  }
  setPending(r, 2, h, ptr, n);
  return BLOCKED;
}

export function p3_future_read(h: u32, ptr: u32, type: u32): u32 {
  const r = endRecord(h, t.K_FUTURE_R, type);
  const s = t.slot(h);
  if (load<u8>(s + t.S_STATE) != t.C_IDLE) unreachable();
  checkBuffer(r, ptr, 1);
  if (load<u8>(r + t.R_HOST) == t.H_RESULT) {
    if (hostResultReady(r, ptr)) {
      store<u8>(s + t.S_STATE, t.C_DONE);
      return COMPLETED;
    }
  } else if (load<u8>(r + t.R_PENDING) == 2) {
    sameInstanceCheck(r);
    copyElems(r, ptr, load<u32>(r + t.R_PTR), 1);
    notifyPending(r, COMPLETED);
    store<u8>(s + t.S_STATE, t.C_DONE);
    return COMPLETED;
  }
  setPending(r, 1, h, ptr, 1);
  return BLOCKED;
}

export function p3_future_write(h: u32, ptr: u32, type: u32): u32 {
  const r = endRecord(h, t.K_FUTURE_W, type);
  const s = t.slot(h);
  if (load<u8>(s + t.S_STATE) != t.C_IDLE) unreachable();
  checkBuffer(r, ptr, 1);
  if (load<u8>(r + t.R_DROPPED)) {
    store<u8>(s + t.S_STATE, t.C_DONE);
    return DROPPED;
  }
  if (load<u8>(r + t.R_PENDING) == 1) {
    sameInstanceCheck(r);
    copyElems(r, load<u32>(r + t.R_PTR), ptr, 1);
    notifyPending(r, COMPLETED);
    store<u8>(s + t.S_STATE, t.C_DONE);
    return COMPLETED;
  }
  setPending(r, 2, h, ptr, 1);
  return BLOCKED;
}

/** cancel_copy: the copy in flight ends now (its other end is the guest, or a host future not ready). */
function cancel(h: u32, kind: u8, type: u32): u32 {
  const r = endRecord(h, kind, type);
  const s = t.slot(h);
  if (load<u8>(s + t.S_STATE) != t.C_COPYING) unreachable();
  if (load<u32>(s + t.S_EVENT) == 0) notifyPending(r, CANCELLED);
  deliver(h);
  return evP2;
}
export function p3_stream_cancel_read(h: u32, type: u32): u32 {
  return cancel(h, t.K_STREAM_R, type);
}
export function p3_stream_cancel_write(h: u32, type: u32): u32 {
  return cancel(h, t.K_STREAM_W, type);
}
export function p3_future_cancel_read(h: u32, type: u32): u32 {
  return cancel(h, t.K_FUTURE_R, type);
}
export function p3_future_cancel_write(h: u32, type: u32): u32 {
  return cancel(h, t.K_FUTURE_W, type);
}

function dropEnd(h: u32, kind: u8, type: u32): void {
  const r = endRecord(h, kind, type);
  const s = t.slot(h);
  const state = load<u8>(s + t.S_STATE);
  if (state == t.C_COPYING) unreachable();
  if (kind == t.K_FUTURE_W && state != t.C_DONE) unreachable();
  t.remove(h);
  if (load<u8>(r + t.R_DROPPED)) return;
  store<u8>(r + t.R_DROPPED, 1);
  notifyPending(r, DROPPED);
  // A host end sees the stream end: the future reporting on it is ready.
  const host = load<u8>(r + t.R_HOST);
  if (host == t.H_SINK || host == t.H_FILE_SINK) hostStreamEnded(r);
}
export function p3_stream_drop_readable(h: u32, type: u32): void {
  dropEnd(h, t.K_STREAM_R, type);
}
export function p3_stream_drop_writable(h: u32, type: u32): void {
  dropEnd(h, t.K_STREAM_W, type);
}
export function p3_future_drop_readable(h: u32, type: u32): void {
  dropEnd(h, t.K_FUTURE_R, type);
}
export function p3_future_drop_writable(h: u32, type: u32): void {
  dropEnd(h, t.K_FUTURE_W, type);
}

// ---- host ends ----------------------------------------------------------------

let io: usize = 0;

function iov(ptr: u32, len: u32): usize {
  if (io == 0) io = stateAlloc(8, 16);
  store<u32>(io, ptr);
  store<u32>(io, len, 4);
  return io;
}

// How a host result future writes result<_, error-code>: wasi:cli's enum, or wasi:filesystem 0.3's variant (with other(option<string>)).
export const L_CLI: u8 = 0;
export const L_FILESYSTEM: u8 = 1;

function resultFuture(stream: u32, layout: u8): u32 {
  const f = t.newRecord(2, 0, layout == L_CLI ? 2 : 20 | (2 << 24));
  const fp = t.record(f);
  store<u8>(fp + t.R_HOST, t.H_RESULT);
  store<u32>(fp + t.R_LINK, stream);
  store<u8>(fp + t.R_LAYOUT, layout);
  store<u32>(t.record(stream) + t.R_LINK, f);
  return f;
}

/** The host takes the readable end `h` (a stream<u8> the guest passed to write-via-stream): what is written goes to `fd`. Returns the future reporting the stream's end. */
export function hostSink(h: u32, fd: i32, file: bool, offset: u64, layout: u8): u32 {
  const s = t.get(h, t.K_STREAM_R);
  if (load<u8>(s + t.S_STATE) != t.C_IDLE) unreachable();
  const ri = load<u32>(s + t.S_SHARED);
  const r = t.record(ri);
  t.remove(h);
  store<u8>(r + t.R_HOST, file ? t.H_FILE_SINK : t.H_SINK);
  store<i32>(r + t.R_FD, fd);
  store<u64>(r + t.R_OFFSET, offset);
  const f = resultFuture(ri, layout);
  // A write already waiting is taken now.
  if (load<u8>(r + t.R_PENDING) == 2) {
    const n = load<u32>(r + t.R_REMAIN);
    const k = writeOut(r, load<u32>(r + t.R_PTR), n);
    store<u32>(r + t.R_PROGRESS, k);
    notifyPending(r, k == n ? COMPLETED : DROPPED);
  }
  if (load<u8>(r + t.R_DROPPED)) hostStreamEnded(r);
  const fi = t.add(t.K_FUTURE_R);
  store<u32>(t.slot(fi) + t.S_SHARED, f);
  return fi;
}

/** Writes n elements to the host end; returns how many were written (fewer: the host end failed, recorded in R_ERROR). */
function writeOut(r: usize, ptr: u32, n: u32): u32 {
  let bytes: u32 = n * elemSize(r);
  let done: u32 = 0;
  const fd = load<i32>(r + t.R_FD);
  const file = load<u8>(r + t.R_HOST) == t.H_FILE_SINK;
  const out = iov(0, 0) + 8;
  while (done < bytes) {
    const v = iov(ptr + done, bytes - done);
    const err = file ? p1.fd_pwrite(fd, v, 1, load<u64>(r + t.R_OFFSET) + <u64>done, out) : p1.fd_write(fd, v, 1, out);
    if (err != 0 || load<u32>(out) == 0) {
      store<u32>(r + t.R_ERROR, err != 0 ? err : p1.ERRNO_IO);
      break;
    }
    done += load<u32>(out);
  }
  if (file) store<u64>(r + t.R_OFFSET, load<u64>(r + t.R_OFFSET) + <u64>done);
  const size = elemSize(r) & 0xffffff;
  return size == 0 ? n : done / size;
}

/** wasi:cli error-code (io, illegal-byte-sequence, pipe) of a failed p1 read or write. */
function cliError(errno: i32): u8 {
  return errno == 64 ? 2 : errno == 25 ? 1 : 0; // EPIPE -> pipe, EILSEQ -> illegal-byte-sequence
}

/** wasi:filesystem 0.3 error-code case: 0.2's enum without would-block, then other (its last case). */
export function fsError(errno: i32): u8 {
  const c = errorCode(errno);
  return c == 0 ? 0 : c == 1 ? 36 : c - 1;
}

function hostWrite(r: usize, s: usize, ptr: u32, n: u32): u32 {
  const k = writeOut(r, ptr, n);
  if (k < n) {
    store<u8>(r + t.R_DROPPED, 1);
    store<u8>(s + t.S_STATE, t.C_DONE);
    hostStreamEnded(r);
    return DROPPED | (k << 4);
  }
  return COMPLETED | (k << 4);
}

/** The host's end of stream `r` is done: the future linked to it resolves. */
function hostStreamEnded(r: usize): void {
  const f = load<u32>(r + t.R_LINK);
  if (f == 0) return;
  const fr = t.record(f);
  store<u8>(fr + t.R_DROPPED, 1); // ready
  if (load<u8>(fr + t.R_PENDING) == 1) {
    hostResultReady(fr, load<u32>(fr + t.R_PTR));
    notifyPending(fr, COMPLETED);
  }
}

/** A host result future: once its stream ended, writes result<_, error-code> at `ptr`. */
function hostResultReady(f: usize, ptr: u32): bool {
  if (!load<u8>(f + t.R_DROPPED)) return false;
  const errno = load<i32>(t.record(load<u32>(f + t.R_LINK)) + t.R_ERROR);
  store<u8>(ptr, errno == 0 ? 0 : 1);
  if (errno == 0) return true;
  if (load<u8>(f + t.R_LAYOUT) == L_CLI) store<u8>(ptr, cliError(errno), 1);
  else {
    store<u8>(ptr, fsError(errno), 4);
    store<u8>(ptr, 0, 8); // other's option<string>, unused: none
  }
  return true;
}

/** A stream<u8> the host writes from `fd` (stdin, a file): returns (readable end, future of its end). */
export function hostSource(fd: i32, file: bool, offset: u64, layout: u8, ret: usize): void {
  const r = t.newRecord(1, 0, 1);
  const rp = t.record(r);
  store<u8>(rp + t.R_HOST, file ? t.H_FILE_SOURCE : t.H_SOURCE);
  store<i32>(rp + t.R_FD, fd);
  store<u64>(rp + t.R_OFFSET, offset);
  const f = resultFuture(r, layout);
  const ri = t.add(t.K_STREAM_R);
  store<u32>(t.slot(ri) + t.S_SHARED, r);
  const fi = t.add(t.K_FUTURE_R);
  store<u32>(t.slot(fi) + t.S_SHARED, f);
  store<u32>(ret, ri);
  store<u32>(ret, fi, 4);
}

/** A read from a host source: a file is always ready; stdin waits in the event loop until poll_oneoff says it is. */
function hostRead(r: usize, h: u32, s: usize, ptr: u32, n: u32): u32 {
  if (load<u8>(r + t.R_DROPPED)) {
    store<u8>(s + t.S_STATE, t.C_DONE);
    return DROPPED;
  }
  if (n == 0) return COMPLETED;
  // stdin with nothing to read yet: the read waits, in the event loop's poll_oneoff.
  if (load<u8>(r + t.R_HOST) == t.H_SOURCE && !readyNow(load<i32>(r + t.R_FD))) {
    setPending(r, 1, h, ptr, n);
    return BLOCKED;
  }
  return readNow(r, s, ptr, n);
}

/** One p1 read into the guest's buffer: 0 bytes (end of input) or an error ends the stream. */
function readNow(r: usize, s: usize, ptr: u32, n: u32): u32 {
  const fd = load<i32>(r + t.R_FD);
  const file = load<u8>(r + t.R_HOST) == t.H_FILE_SOURCE;
  const v = iov(ptr, n);
  const out = v + 8;
  const err = file ? p1.fd_pread(fd, v, 1, load<u64>(r + t.R_OFFSET), out) : p1.fd_read(fd, v, 1, out);
  const k: u32 = err == 0 ? load<u32>(out) : 0;
  if (err != 0) store<i32>(r + t.R_ERROR, err);
  if (k == 0) {
    store<u8>(r + t.R_DROPPED, 1);
    store<u8>(s + t.S_STATE, t.C_DONE);
    hostStreamEnded(r);
    return DROPPED;
  }
  if (file) store<u64>(r + t.R_OFFSET, load<u64>(r + t.R_OFFSET) + <u64>k);
  return COMPLETED | (k << 4);
}

/** A stream<directory-entry> the host writes from directory `fd` (. and .. left out). */
export function hostDirectory(fd: i32, ret: usize): void {
  const r = t.newRecord(1, 0, 24 | (2 << 24) | NOT_NUMBER);
  const rp = t.record(r);
  store<u8>(rp + t.R_HOST, t.H_DIRECTORY);
  store<i32>(rp + t.R_FD, fd);
  const f = resultFuture(r, L_FILESYSTEM);
  const ri = t.add(t.K_STREAM_R);
  store<u32>(t.slot(ri) + t.S_SHARED, r);
  const fi = t.add(t.K_FUTURE_R);
  store<u32>(t.slot(fi) + t.S_SHARED, f);
  store<u32>(ret, ri);
  store<u32>(ret, fi, 4);
}

let dirBuf: usize = 0;
let dirCap: usize = 0;

/** p1 filetype -> 0.3 descriptor-type case (unknown -> other). */
function descriptorType(ft: u8): u8 {
  switch (ft) {
    case 1: return 0; // block-device
    case 2: return 1; // character-device
    case 3: return 2; // directory
    case 4: return 5; // regular-file
    case 5: case 6: return 6; // socket
    case 7: return 4; // symbolic-link
  }
  return 7; // other(none)
}

/**
 * Up to n directory-entry { type: descriptor-type (16 bytes), name: string (@16) } from the
 * record's cookie, names in fresh guest memory (the read's realloc); none left: the stream ends.
 */
function readDirectory(r: usize, s: usize, ptr: u32, n: u32): u32 {
  if (load<u8>(r + t.R_DROPPED)) {
    store<u8>(s + t.S_STATE, t.C_DONE);
    return DROPPED;
  }
  if (n == 0) return COMPLETED;
  if (dirBuf == 0) {
    dirCap = 4096;
    dirBuf = stateAlloc(8, dirCap);
  }
  const fd = load<i32>(r + t.R_FD);
  const out = iov(0, 0) + 8;
  let k: u32 = 0;
  while (k < n) {
    const err = p1.fd_readdir(fd, dirBuf, dirCap, load<u64>(r + t.R_OFFSET), out);
    if (err != 0) {
      store<i32>(r + t.R_ERROR, err);
      break;
    }
    const used = <usize>load<u32>(out);
    let pos: usize = 0;
    let whole = 0;
    while (k < n && pos + 24 <= used) {
      const e = dirBuf + pos;
      const len = <usize>load<u32>(e, 16);
      if (pos + 24 + len > used) break;
      whole++;
      store<u64>(r + t.R_OFFSET, load<u64>(e));
      pos += 24 + len;
      const dot = len == 1 && load<u8>(e, 24) == 46;
      const dotdot = len == 2 && load<u16>(e, 24) == 0x2e2e;
      if (dot || dotdot) continue;
      const el = ptr + k * 24;
      store<u8>(el, descriptorType(load<u8>(e, 20)));
      store<u8>(el, 0, 4);
      const name = alloc(1, len);
      memory.copy(name, e + 24, len);
      store<u32>(el, <u32>name, 16);
      store<u32>(el, <u32>len, 20);
      k++;
    }
    if (k > 0) break;
    if (used < dirCap && pos >= used) break; // the end: nothing more to read
    if (whole == 0) {
      // one entry larger than the buffer
      dirCap <<= 1;
      dirBuf = stateAlloc(8, dirCap);
    }
  }
  if (k > 0) return COMPLETED | (k << 4);
  store<u8>(r + t.R_DROPPED, 1);
  store<u8>(s + t.S_STATE, t.C_DONE);
  hostStreamEnded(r);
  return DROPPED;
}

// ---- error contexts ---------------------------------------------------------------

/** The debug message is the empty string: a host may drop it (definitions.py does under its deterministic profile), and p1 has nowhere to show it. */
export function p3_error_context_new(ptr: u32, units: u32): u32 {
  return t.add(t.K_ERROR_CONTEXT);
}
export function p3_error_context_debug_message(i: u32, ptr: usize): void {
  t.get(i, t.K_ERROR_CONTEXT);
  store<u32>(ptr, <u32>alloc(1, 0));
  store<u32>(ptr, 0, 4);
}
export function p3_error_context_drop(i: u32): void {
  t.get(i, t.K_ERROR_CONTEXT);
  t.remove(i);
}
