import { encodeModule, type Import } from '../binary/module.js';
import type { Global } from '../binary/sections.js';
import type { FuncType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { Code, OP } from './fuse-code.js';

/**
 * The scratch allocator: where fused adapters put what they hand to the host's side only for the
 * duration of one call (arguments copied for the polyfill or a host import, the results area
 * of a host import, what the polyfill returns to an adapter), so that nothing piles up in the
 * host's memory call after call. A bump pointer in a chunk of pages of its own; `mark` before
 * a call, `release(mark)` once the adapter has copied the results out (for an export, in its
 * post-return). Marks nest (calls nest), so a release never frees what an outer call still holds.
 *
 * Its pages come from growing the host's memory (`grow`: the region runtime's `grow0`, else
 * `memory.grow`), so no allocator of the program ever hands them out. A request that does not
 * fit starts a new chunk at least twice as large as the last; the chunks left behind are never
 * reused, and together are smaller than the current one: the scratch never holds more than
 * twice its current chunk, itself at most twice the largest amount live at once (or one page).
 *
 * It also exports `kept`, the same allocator over chunks of its own that are never released:
 * what must stay (the polyfill's state) when the host's memory is region 0 of several, where
 * growing the output memory past the regions would be overwritten by the next region's move.
 *
 * When adapters stand at the host boundary, `host` (the same allocator) is the output's
 * `cabi_realloc`: what the p1 host allocates (an export's arguments, an import's results) is then
 * released with the adapter's call (plan.ts `hostScratch`). The host allocates an export's
 * arguments before the adapter runs, so the first such allocation since the last `mark` or
 * `release` records where it started, and the next `mark` (the export adapter's, on entry) answers
 * that: its release frees the arguments with its results.
 *
 * Imports: `mem.memory`, and `grow` (`(i32) -> i32`, the host region's grow) when
 * `regions`. Exports `alloc` (a Canonical ABI realloc), `host`, `mark`, `release` and `kept`.
 */
export function scratchModule(regions: boolean): { bytes: Uint8Array; imports: string[] } {
  const realloc: FuncType = { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };
  const markT: FuncType = { kind: 'func', params: [], results: ['i32'] };
  const releaseT: FuncType = { kind: 'func', params: ['i32'], results: [] };
  const growT: FuncType = { kind: 'func', params: ['i32'], results: ['i32'] };
  const imports: Import[] = [{ module: 'mem', name: 'memory', desc: { kind: 'memory', type: { min: 0 } } }];
  if (regions) imports.push({ module: 'regions', name: 'grow', desc: { kind: 'func', typeIndex: 3 } });
  const fn = regions ? 1 : 0;
  const global = (v: number): Global => ({ type: { type: 'i32', mutable: true }, init: { bytes: new BinaryWriter(4).u8(OP.i32Const).sleb(v).u8(OP.end).finish(), offset: 0 } });
  return {
    bytes: encodeModule({
      types: [realloc, markT, releaseT, growT],
      imports,
      functions: [0, 1, 2, 0, 0],
      globals: [global(0), global(0), global(0), global(0), global(0), global(0), global(-1)],
      exports: [
        { name: 'alloc', kind: 'func', index: fn },
        { name: 'mark', kind: 'func', index: fn + 1 },
        { name: 'release', kind: 'func', index: fn + 2 },
        { name: 'kept', kind: 'func', index: fn + 3 },
        { name: 'host', kind: 'func', index: fn + 4 },
      ],
      code: [
        allocBody(regions ? 0 : undefined, SCRATCH),
        markBody(),
        releaseBody(),
        allocBody(regions ? 0 : undefined, KEPT),
        hostAllocBody(fn),
      ],
    }),
    imports: imports.map((i) => `${i.module}.${i.name}`),
  };
}

/** The globals of a chunked bump allocator. */
interface Chunk {
  start: number;
  top: number;
  end: number;
}
const SCRATCH: Chunk = { start: 0, top: 1, end: 2 };
const KEPT: Chunk = { start: 3, top: 4, end: 5 };
const { start: START, top: TOP } = SCRATCH;
/** Where the host's allocations since the last mark or release began, or -1. */
const HOST_MARK = 6;
/** realloc(old, oldSize, align, size): in place when `old` is the last block and still fits, else a new block (and a copy of the old bytes). */
function allocBody(grow: number | undefined, { start: START, top: TOP, end: END }: Chunk): Uint8Array {
  const [OLD, OLD_SIZE, ALIGN, SIZE] = [0, 1, 2, 3];
  const c = new Code(['i32', 'i32', 'i32', 'i32']);
  const p = c.local('i32');
  const pages = c.local('i32');
  const i = c.local('i32');
  const fits = (at: number) => c.get(at).op(OP.i64ExtendI32U).get(SIZE).op(OP.i64ExtendI32U).op(OP.i64Add).op(OP.globalGet).u(END).op(OP.i64ExtendI32U).op(OP.i64LeU);
  // The last block grows or shrinks where it is.
  c.get(OLD).op(OP.i32Eqz, OP.i32Eqz).get(OLD).get(OLD_SIZE).op(OP.i32Add).op(OP.globalGet).u(TOP).op(OP.i32Eq).op(OP.i32And);
  c.op(OP.if, 0x40);
  fits(OLD).op(OP.if, 0x40).get(OLD).get(SIZE).op(OP.i32Add).op(OP.globalSet).u(TOP).get(OLD).op(OP.return, OP.end);
  c.op(OP.end);
  // p = align(top)
  c.op(OP.globalGet).u(TOP).get(ALIGN).op(OP.i32Add).i32(1).op(OP.i32Sub).i32(0).get(ALIGN).op(OP.i32Sub).op(OP.i32And).set(p);
  fits(p).op(OP.i32Eqz, OP.if, 0x40);
  // A new chunk: enough pages for this request, and at least twice the last chunk.
  c.get(SIZE).op(OP.i64ExtendI32U).get(ALIGN).op(OP.i64ExtendI32U).op(OP.i64Add).i64(0xffffn).op(OP.i64Add).i64(16n).op(OP.i64ShrU).op(OP.i32WrapI64).set(pages);
  c.op(OP.globalGet).u(END).op(OP.globalGet).u(START).op(OP.i32Sub).i32(15).op(OP.i32ShrU).tee(i);
  c.get(pages).get(i).get(pages).op(OP.i32GtU).op(OP.select).set(pages);
  c.get(pages);
  if (grow === undefined) c.op(OP.memoryGrow, 0);
  else c.call(grow);
  c.tee(p).i32(-1).op(OP.i32Eq).trapIf();
  c.get(p).i32(16).op(OP.i32Shl).tee(p).op(OP.globalSet).u(START);
  c.get(p).get(pages).i32(16).op(OP.i32Shl).op(OP.i32Add).op(OP.globalSet).u(END);
  c.op(OP.end);
  c.get(p).get(SIZE).op(OP.i32Add).op(OP.globalSet).u(TOP);
  // A reallocation keeps min(oldSize, size) bytes (a byte loop: rare, and no feature needed).
  c.get(OLD).op(OP.if, 0x40);
  c.get(OLD_SIZE).get(SIZE).op(OP.i32GtU).op(OP.if, 0x40).get(SIZE).set(OLD_SIZE).op(OP.end);
  c.i32(0).set(i);
  c.op(OP.block, 0x40, OP.loop, 0x40);
  c.get(i).get(OLD_SIZE).op(OP.i32Eq).op(OP.brIf).u(1);
  c.get(p).get(i).op(OP.i32Add).get(OLD).get(i).op(OP.i32Add).mem(OP.i32Load8u, 0).mem(OP.i32Store8, 0);
  c.get(i).i32(1).op(OP.i32Add).set(i).op(OP.br).u(0);
  c.op(OP.end, OP.end, OP.end);
  c.get(p);
  return c.finish();
}

/** top = max(mark, start): a mark in an older chunk means everything in the current one came after it. */
function releaseBody(): Uint8Array {
  const c = new Code(['i32']);
  c.get(0).op(OP.globalGet).u(START).get(0).op(OP.globalGet).u(START).op(OP.i32GeU).op(OP.select).op(OP.globalSet).u(TOP);
  c.i32(-1).op(OP.globalSet).u(HOST_MARK);
  return c.finish();
}

/** mark() -> where the host's pending allocations began, if any, else top. */
function markBody(): Uint8Array {
  const c = new Code([]);
  const m = c.local('i32');
  c.op(OP.globalGet).u(HOST_MARK).tee(m).i32(-1).op(OP.i32Eq).op(OP.if, 0x40).op(OP.globalGet).u(TOP).op(OP.return, OP.end);
  c.i32(-1).op(OP.globalSet).u(HOST_MARK).get(m);
  return c.finish();
}

/** The host's realloc: `alloc` (function `alloc`), the first since a mark or release noting where it began. */
function hostAllocBody(alloc: number): Uint8Array {
  const c = new Code(['i32', 'i32', 'i32', 'i32']);
  c.op(OP.globalGet).u(HOST_MARK).i32(-1).op(OP.i32Eq).op(OP.if, 0x40).op(OP.globalGet).u(TOP).op(OP.globalSet).u(HOST_MARK).op(OP.end);
  c.get(0).get(1).get(2).get(3).call(alloc);
  return c.finish();
}
