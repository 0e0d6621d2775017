// The component instance's one table of waitables (streams, futures, subtasks, waitable sets),
// as the Canonical ABI's `inst.handles`: index 0 is never valid, freed slots are reused last-in
// first-out. Slots and the shared stream/future records live in state memory (no data segment).
import { stateAlloc } from "../../p2-on-p1/assembly/mem";

// Slot layout (40 bytes).
export const K_FREE: u8 = 0;
export const K_SET: u8 = 1;
export const K_STREAM_R: u8 = 2;
export const K_STREAM_W: u8 = 3;
export const K_FUTURE_R: u8 = 4;
export const K_FUTURE_W: u8 = 5;
export const K_SUBTASK: u8 = 6;
export const K_ERROR_CONTEXT: u8 = 7;

/** Streams, futures and subtasks: what a waitable set can hold. */
export function isWaitable(kind: u8): bool {
  return kind >= K_STREAM_R && kind <= K_SUBTASK;
}
const SLOT: usize = 40;
export const S_KIND: usize = 0; // u8
export const S_STATE: usize = 1; // u8: copy state, or for subtasks whether the resolve was delivered
export const S_SHARED: usize = 4; // i32: shared record (streams, futures); next free (free slots)
export const S_SET: usize = 8; // i32: the waitable set joined (0: none); sets: waiters
export const S_EVENT: usize = 12; // i32: pending event code (0: none)
export const S_PAYLOAD: usize = 16; // i32: pending event payload
export const S_SUBSTATE: usize = 20; // i32: subtask state
export const S_DEADLINE: usize = 24; // u64: subtask timer deadline (monotonic ns)
export const S_SEQ: usize = 32; // u32: when the pending event was set (events go out first come, first served)

// Copy states (CanonicalABI CopyState; SYNC_COPYING never happens: every copy here is async).
export const C_IDLE: u8 = 0;
export const C_COPYING: u8 = 1;
export const C_DONE: u8 = 3;

let base: usize = 0;
let cap: u32 = 0;
let len: u32 = 1; // slot 0 is reserved
let free: u32 = 0;

export function slot(i: u32): usize {
  return base + <usize>i * SLOT;
}

export function add(kind: u8): u32 {
  let i: u32;
  if (free != 0) {
    i = free;
    free = load<u32>(slot(i) + S_SHARED);
  } else {
    if (len >= cap) grow();
    i = len++;
  }
  if (i > 0x0fffffff) unreachable(); // Table.MAX_LENGTH
  const s = slot(i);
  memory.fill(s, 0, SLOT);
  store<u8>(s + S_KIND, kind);
  return i;
}

function grow(): void {
  const next: u32 = cap == 0 ? 16 : cap << 1;
  const b = stateAlloc(8, <usize>next * SLOT);
  if (base != 0) memory.copy(b, base, <usize>cap * SLOT);
  base = b;
  cap = next;
}

/** The slot of handle `i`, which must be of `kind` (a wrong kind, a free slot or 0 traps, as Table.get and the isinstance checks do). */
export function get(i: u32, kind: u8): usize {
  if (i == 0 || i >= len) unreachable();
  const s = slot(i);
  if (load<u8>(s + S_KIND) != kind) unreachable();
  return s;
}

export function kindOf(i: u32): u8 {
  if (i == 0 || i >= len) unreachable();
  return load<u8>(slot(i) + S_KIND);
}

export function remove(i: u32): void {
  const s = slot(i);
  store<u8>(s + S_KIND, K_FREE);
  store<u32>(s + S_SHARED, free);
  free = i;
}

export function length(): u32 {
  return len;
}

// Shared stream/future records (56 bytes), indexed from 1, never reused: a record outlives
// whichever end is dropped first.
export const R_KIND: usize = 0; // u8: 1 stream, 2 future
export const R_DROPPED: usize = 1; // u8: an end was dropped
export const R_HOST: usize = 2; // u8: H_* below
export const R_PENDING: usize = 3; // u8: 0 none, 1 a read waits, 2 a write waits
export const R_TYPE: usize = 4; // i32: type id (the linker's, per element type)
export const R_ELEM: usize = 8; // i32: element size
export const R_HANDLE: usize = 12; // i32: the guest end whose copy waits
export const R_PTR: usize = 16; // i32
export const R_REMAIN: usize = 20; // i32: elements left in the waiting buffer
export const R_PROGRESS: usize = 24; // i32: elements copied into / out of it
export const R_FD: usize = 28; // i32: host fd of a host end
export const R_ERROR: usize = 32; // i32: 0, or 1 + error-code case a host end failed with
export const R_LINK: usize = 36; // i32: the future reporting a host stream's end / the stream a host future reports on
export const R_OFFSET: usize = 40; // u64: file offset of a host file end
export const R_LAYOUT: usize = 48; // u8: a host result future's error-code (L_* in async.ts)
const RECORD: usize = 56;

// A guest-guest stream/future has both ends in the table; otherwise the host holds one end.
export const H_NONE: u8 = 0;
export const H_SINK: u8 = 1; // the host reads: every write goes to fd R_FD at once
export const H_SOURCE: u8 = 2; // the host writes: reads come from fd R_FD
export const H_RESULT: u8 = 3; // a host future: result<_, error-code> of the stream R_LINK, ready once it ended
export const H_FILE_SINK: u8 = 4; // as H_SINK, with fd_pwrite at R_OFFSET
export const H_FILE_SOURCE: u8 = 5; // as H_SOURCE, with fd_pread at R_OFFSET
export const H_DIRECTORY: u8 = 6; // the host writes directory entries of fd R_FD from cookie R_OFFSET

let rbase: usize = 0;
let rcap: u32 = 0;
let rlen: u32 = 1;

export function record(r: u32): usize {
  return rbase + <usize>r * RECORD;
}

export function recordCount(): u32 {
  return rlen;
}

export function newRecord(kind: u8, type: u32, elem: u32): u32 {
  if (rlen >= rcap) {
    const next: u32 = rcap == 0 ? 16 : rcap << 1;
    const b = stateAlloc(8, <usize>next * RECORD);
    if (rbase != 0) memory.copy(b, rbase, <usize>rcap * RECORD);
    rbase = b;
    rcap = next;
  }
  const r = rlen++;
  const p = record(r);
  memory.fill(p, 0, RECORD);
  store<u8>(p + R_KIND, kind);
  store<u32>(p + R_TYPE, type);
  store<u32>(p + R_ELEM, elem);
  return r;
}
