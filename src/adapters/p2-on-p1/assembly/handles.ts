// The handle table: one table for every resource type, as in a component
// instance. Handle h is slot h (slot 0 is reserved, so 0 is never valid);
// freed slots are reused through a free list, and the table doubles when full.
//
// Slot layout (32 bytes):
//   +0 u8 tag (resource type, 0 = free)   +1 u8 kind   +2 u8 closed
//   +4 i32 fd (errno for error, next free slot when free)
//   +8 u32 parent handle (streams: a descriptor or an outgoing-body)
//   +12 u32 child count (descriptors, outgoing-bodies)
//   +16 u64 offset / deadline / directory cookie
// wasi:http resources use the same 32 bytes their own way (see http.ts).
import { stateAlloc } from "./mem";

export const ERROR: u8 = 1;
export const POLLABLE: u8 = 2;
export const INPUT: u8 = 3;
export const OUTPUT: u8 = 4;
export const TERMINAL_INPUT: u8 = 5;
export const TERMINAL_OUTPUT: u8 = 6;
export const DESCRIPTOR: u8 = 7;
export const DIRECTORY_STREAM: u8 = 8;
export const NETWORK: u8 = 9;
// wasi:http resources that p1 can hold in memory (see http.ts).
export const FIELDS: u8 = 10;
export const OUTGOING_REQUEST: u8 = 11;
export const REQUEST_OPTIONS: u8 = 12;
export const OUTGOING_RESPONSE: u8 = 13;
export const OUTGOING_BODY: u8 = 14;
// Socket resources other than network have no tag: no handle of theirs can
// exist (see sockets.ts).

export const SLOT_KIND: usize = 1;
export const SLOT_CLOSED: usize = 2;
export const SLOT_FD: usize = 4;
export const SLOT_PARENT: usize = 8;
export const SLOT_CHILDREN: usize = 12;
export const SLOT_POS: usize = 16;

// Slot kinds. Streams:
export const STREAM_FD: u8 = 0;     // fd_read / fd_write at the fd's position
export const STREAM_FILE: u8 = 1;   // fd_pread / fd_pwrite at the stream's offset
export const STREAM_APPEND: u8 = 2; // fd_pwrite at the current end of file
export const STREAM_DISCARD: u8 = 3; // an http body: accepts every byte, keeps none (no request is ever sent)
// Pollables:
export const POLL_ALWAYS: u8 = 0;
export const POLL_CLOCK: u8 = 1;
export const POLL_FD_READ: u8 = 2;

let table: usize = 0;
let capacity: u32 = 0;
let next: u32 = 1;
let freeList: u32 = 0;

/**
 * A new handle of type `tag` with a zeroed slot. The table may move, so slot
 * addresses taken before this call are stale afterwards.
 */
export function create(tag: u8): u32 {
  let h = freeList;
  if (h != 0) {
    freeList = load<u32>(table + (<usize>h << 5) + SLOT_FD);
  } else {
    if (next >= capacity) grow(); // also the first handle: the table starts out unallocated (capacity 0)
    h = next++;
  }
  const s = table + (<usize>h << 5);
  memory.fill(s, 0, 32);
  store<u8>(s, tag);
  return h;
}

function grow(): void {
  const cap = capacity == 0 ? <u32>16 : capacity << 1;
  const moved = stateAlloc(8, <usize>cap << 5);
  if (table != 0) memory.copy(moved, table, <usize>capacity << 5);
  table = moved;
  capacity = cap;
}

/** The slot of a live handle of type `tag`; traps on 0, unknown, dropped or wrong-type handles. */
export function slot(h: u32, tag: u8): usize {
  if (h == 0 || h >= next) unreachable();
  const s = table + (<usize>h << 5);
  if (load<u8>(s) != tag) unreachable();
  return s;
}

export function release(h: u32): void {
  const s = table + (<usize>h << 5);
  store<u8>(s, 0);
  store<u32>(s + SLOT_FD, freeList);
  freeList = h;
}

/** Drops a stream handle of type `tag` (trapping like `slot`), releasing its parent. */
export function drop(h: u32, tag: u8): void {
  const parent = load<u32>(slot(h, tag) + SLOT_PARENT);
  release(h);
  if (parent != 0) {
    const p = parentSlot(parent) + SLOT_CHILDREN;
    store<u32>(p, load<u32>(p) - 1);
  }
}

/**
 * Records `child` (of type `tag`) as a stream of `parent` (a descriptor or an
 * outgoing-body), which then cannot be dropped (or finished) first.
 */
export function adopt(child: u32, tag: u8, parent: u32): void {
  store<u32>(slot(child, tag) + SLOT_PARENT, parent);
  const p = parentSlot(parent) + SLOT_CHILDREN;
  store<u32>(p, load<u32>(p) + 1);
}

/** The slot of a live resource that can have child streams. */
function parentSlot(h: u32): usize {
  if (h == 0 || h >= next) unreachable();
  const s = table + (<usize>h << 5);
  const tag = load<u8>(s);
  if (tag != DESCRIPTOR && tag != OUTGOING_BODY) unreachable();
  return s;
}
