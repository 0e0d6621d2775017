// Memory the polyfill owns. It defines no memory and no data: everything it
// keeps lives in blocks obtained on first use, so it never collides with the
// guest's layout. Two allocators, because the lowering's realloc (an
// adapter's cabi_import_realloc, say) may serve only the one allocation the
// canonical ABI makes for the call in progress:
//   cabi.realloc        values returned to the guest (strings, lists), nothing else;
//   cabi.state_realloc  the polyfill's own state (TMP, scratch, handle table, directory buffer).

@external("cabi", "realloc")
declare function cabi_realloc(ptr: usize, oldSize: usize, align: usize, newSize: usize): usize;
@external("cabi", "state_realloc")
declare function cabi_state_realloc(ptr: usize, oldSize: usize, align: usize, newSize: usize): usize;

/** Fresh guest memory for a returned value (canonical ABI: realloc(0, 0, align, size), even for size 0). */
export function alloc(align: usize, size: usize): usize {
  return cabi_realloc(0, 0, align, size);
}

/** A fresh block of the polyfill's own state; never grown or freed. */
export function stateAlloc(align: usize, size: usize): usize {
  return cabi_state_realloc(0, 0, align, size);
}

/** A fresh guest copy of `len` bytes at `src`: how strings and byte lists are returned. */
export function copyOut(src: usize, len: usize): usize {
  const p = alloc(1, len);
  memory.copy(p, src, len);
  return p;
}

// TMP is a small 8-aligned area for p1 out-parameters and iovecs:
// [0, 64) call results, [64, 128) a filestat, [128, 192) a second filestat.
export const TMP_SIZE: usize = 192;
export const TMP_STAT: usize = 64;
export const TMP_STAT2: usize = 128;
let tmpBase: usize = 0;

export function tmp(): usize {
  if (tmpBase == 0) tmpBase = stateAlloc(8, TMP_SIZE);
  return tmpBase;
}

// One growable buffer for bulk data on its way through (reads, argument
// strings, poll arrays). Growing allocates a new block: the old one is left
// to the state allocator, which may be a bump allocator that cannot free.
let bufBase: usize = 0;
let bufCap: usize = 0;

export function scratch(size: usize): usize {
  if (bufBase == 0 || size > bufCap) {
    let cap = bufCap < 4096 ? <usize>4096 : bufCap << 1;
    if (cap < size) cap = size;
    bufBase = stateAlloc(8, cap);
    bufCap = cap;
  }
  return bufBase;
}

/** Largest single read or splice chunk: bounds scratch use, the ABI allows short reads. */
export const CHUNK: u64 = 65536;

/** Routed from AssemblyScript's `abort` (see build.mjs): any internal failure traps. */
export function trap(_msg: usize, _file: usize, _line: u32, _col: u32): void {
  unreachable();
}
