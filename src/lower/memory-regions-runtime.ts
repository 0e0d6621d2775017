/**
 * The region runtime: a generated core module that owns the shared memory
 * and, per region, its base and size, memory.size and memory.grow. Regions are
 * packed in order with no gaps, so the memory's used end is the last region's
 * end, and growing region k moves every region above it up by the growth.
 */
import type { Feature } from '../binary/features.js';
import { encodeModule } from '../binary/module.js';
import type { Export, Global } from '../binary/sections.js';
import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { regionNames, type RegionLayout } from './memory-regions-layout.js';

const PAGE_LOG2 = 16;
const MAX_PAGES = 65536;

const SIZE_TYPE: FuncType = { kind: 'func', params: [], results: ['i32'] };
const GROW_TYPE: FuncType = { kind: 'func', params: ['i32'], results: ['i32'] };

export function buildRegionRuntime(layout: RegionLayout, features: ReadonlySet<Feature>): Uint8Array {
  const n = layout.regions.length;
  const bulk = features.has('bulk-memory');
  // Globals: base0, bytes0, base1, bytes1, ...; functions: size0, grow0, size1, grow1, ...
  const globals: Global[] = layout.regions.flatMap((r) => [
    { type: { type: 'i32', mutable: true }, init: constExpr((w) => w.u8(0x41).sleb(r.base | 0)) },
    { type: { type: 'i64', mutable: true }, init: constExpr((w) => w.u8(0x42).sleb(r.initial * 2 ** PAGE_LOG2)) },
  ]);
  const exports: Export[] = [{ name: 'memory', kind: 'memory', index: 0 }];
  const code: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const names = regionNames(k);
    exports.push(
      { name: names.base, kind: 'global', index: 2 * k },
      { name: names.bytes, kind: 'global', index: 2 * k + 1 },
      { name: names.size, kind: 'func', index: 2 * k },
      { name: names.grow, kind: 'func', index: 2 * k + 1 },
    );
    code.push(sizeBody(k), growBody(k, n, layout.regions[k]!.maximum ?? MAX_PAGES, bulk));
  }
  return encodeModule({
    types: [SIZE_TYPE, GROW_TYPE],
    functions: layout.regions.flatMap(() => [0, 1]),
    memories: [layout.memory],
    globals,
    exports,
    code,
  });
}

function constExpr(emit: (w: BinaryWriter) => void): { bytes: Uint8Array; offset: number } {
  const w = new BinaryWriter(16);
  emit(w);
  return { bytes: w.u8(0x0b).finish(), offset: 0 };
}

const base = (k: number) => 2 * k;
const bytes = (k: number) => 2 * k + 1;

/** Pages of region k: bytes >> 16. */
function sizeBody(k: number): Uint8Array {
  const w = new BinaryWriter(16);
  w.u8(0).u8(0x23).u32(bytes(k)).u8(0x42).u8(PAGE_LOG2).u8(0x88).u8(0xa7).u8(0x0b); // global.get; i64.const 16; i64.shr_u; i32.wrap_i64
  return w.finish();
}

// Locals of grow: param delta, then old (pages), end (old end of region k), moved (bytes above it), step (bytes of growth, i32), zero (bytes to clear).
const DELTA = 0;
const OLD = 1;
const END = 2;
const MOVED = 3;
const STEP = 4;
const ZERO = 5;

/**
 * memory.grow for region k: -1 if the region's maximum or the memory's would
 * be passed; else grow the memory by delta pages, move the regions above k up
 * by delta pages (from the top down, as they overlap their destination), zero
 * the part of the new pages that held moved bytes (the rest is fresh memory),
 * and return the old size.
 */
function growBody(k: number, n: number, maximum: number, bulk: boolean): Uint8Array {
  const w = new BinaryWriter(256);
  w.u32(1).u32(5).u8(0x7f); // 5 locals of i32
  const get = (l: number) => w.u8(0x20).u32(l);
  const set = (l: number) => w.u8(0x21).u32(l);
  const fail = () => w.u8(0x04).u8(0x40).u8(0x41).u8(0x7f).u8(0x0f).u8(0x0b); // if; i32.const -1; return; end

  // old = bytes_k >> 16; old + delta > maximum → -1 (in i64: no wrap)
  w.u8(0x23).u32(bytes(k)).u8(0x42).u8(PAGE_LOG2).u8(0x88).u8(0xa7);
  set(OLD);
  get(OLD).u8(0xad);
  get(DELTA).u8(0xad).u8(0x7c).u8(0x42).sleb(maximum).u8(0x56);
  fail();
  // memory.grow delta == -1 → -1 (the memory's own limits)
  get(DELTA).u8(0x40).u8(0x00).u8(0x41).u8(0x7f).u8(0x46);
  fail();
  // step = delta << 16; end = base_k + bytes_k
  get(DELTA).u8(0x41).u8(PAGE_LOG2).u8(0x74);
  set(STEP);
  w.u8(0x23).u32(base(k)).u8(0x23).u32(bytes(k)).u8(0xa7).u8(0x6a);
  set(END);
  if (k < n - 1) {
    // moved = base_last + bytes_last - end
    w.u8(0x23).u32(base(n - 1)).u8(0x23).u32(bytes(n - 1)).u8(0xa7).u8(0x6a);
    get(END).u8(0x6b);
    set(MOVED);
    // zero = min(moved, step)
    get(MOVED);
    get(STEP);
    get(MOVED);
    get(STEP);
    w.u8(0x49).u8(0x1b); // i32.lt_u; select
    set(ZERO);
    if (bulk) {
      get(END);
      get(STEP);
      w.u8(0x6a);
      get(END);
      get(MOVED);
      w.u8(0xfc).u32(10).u8(0).u8(0); // memory.copy
      get(END);
      w.u8(0x41).u8(0);
      get(ZERO);
      w.u8(0xfc).u32(11).u8(0); // memory.fill
    } else {
      // Regions are whole pages, so 8 bytes at a time covers them exactly.
      w.u8(0x02).u8(0x40).u8(0x03).u8(0x40); // block loop
      get(MOVED);
      w.u8(0x45).u8(0x0d).u8(1); // i32.eqz; br_if 1
      get(MOVED);
      w.u8(0x41).u8(8).u8(0x6b);
      set(MOVED);
      get(END);
      get(STEP);
      w.u8(0x6a);
      get(MOVED);
      w.u8(0x6a);
      get(END);
      get(MOVED);
      w.u8(0x6a).u8(0x29).u8(3).u8(0).u8(0x37).u8(3).u8(0); // i32.add; i64.load; i64.store
      w.u8(0x0c).u8(0).u8(0x0b).u8(0x0b); // br 0; end; end
      w.u8(0x02).u8(0x40).u8(0x03).u8(0x40);
      get(ZERO);
      w.u8(0x45).u8(0x0d).u8(1);
      get(ZERO);
      w.u8(0x41).u8(8).u8(0x6b);
      w.u8(0x22).u32(ZERO); // local.tee
      get(END);
      w.u8(0x6a).u8(0x42).u8(0).u8(0x37).u8(3).u8(0); // i32.add; i64.const 0; i64.store
      w.u8(0x0c).u8(0).u8(0x0b).u8(0x0b);
    }
    for (let j = k + 1; j < n; j++) {
      w.u8(0x23).u32(base(j));
      get(STEP);
      w.u8(0x6a).u8(0x24).u32(base(j)); // i32.add; global.set
    }
  }
  // bytes_k += delta << 16 (in i64: a region may reach 4 GiB)
  w.u8(0x23).u32(bytes(k));
  get(DELTA);
  w.u8(0xad).u8(0x42).u8(PAGE_LOG2).u8(0x86).u8(0x7c).u8(0x24).u32(bytes(k)); // i64.extend_i32_u; i64.const 16; i64.shl; i64.add; global.set
  get(OLD);
  return w.u8(0x0b).finish();
}
