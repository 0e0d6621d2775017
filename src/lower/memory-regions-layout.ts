/** Where each component memory lives in the one output memory, and the names the runtime exports for it. */
import { WasiAdaptError } from '../errors.js';
import type { Limits } from '../binary/types.js';

/** Where each component memory lives inside the one output memory. */
export interface RegionLayout {
  regions: Region[];
  /** Limits of the output memory: the runtime defines it with these, rebased modules import it with these. */
  memory: Limits;
}

export interface Region {
  /** Initial byte offset in the output memory (regions are packed in order, so this is where active data segments land). */
  base: number;
  /** Pages. */
  initial: number;
  /** Pages; absent means up to what the 4 GiB output memory leaves. */
  maximum?: number;
}

/** Module name of the runtime's exports as rebased modules and fused adapters import them. */
export const REGIONS_MODULE = 'wasi-adapt:regions';

/** Export names of the runtime for region `k`. */
export const regionNames = (k: number) => ({
  /** (global (mut i32)): current byte offset of region k in the output memory; moves when a region below grows. */
  base: `base${k}`,
  /** (global (mut i64)): current size of region k in bytes; what bounds checks compare against. */
  bytes: `bytes${k}`,
  /** (func (result i32)): current size of region k in pages, as memory.size. */
  size: `size${k}`,
  /** (func (param i32) (result i32)): grows region k by n pages, as memory.grow (old size or -1). */
  grow: `grow${k}`,
});

const PAGE = 65536;
const MAX_PAGES = 65536;

/**
 * Lays the memories out one after the other at their initial sizes. Refuses
 * shared, 64-bit and custom-page-size memories, and layouts over 4 GiB.
 */
export function layoutRegions(memories: readonly Limits[]): RegionLayout {
  let pages = 0;
  let maxPages = 0;
  let bounded = true;
  const regions = memories.map((l, k): Region => {
    checkMergeable(l, `memory ${k}`);
    const region: Region = { base: pages * PAGE, initial: l.min };
    if (l.max !== undefined) region.maximum = l.max;
    pages += l.min;
    if (l.max === undefined) bounded = false;
    else maxPages += l.max;
    return region;
  });
  if (pages > MAX_PAGES) {
    throw new WasiAdaptError('too-large', `the memories' initial sizes add up to ${pages} pages, over the 65536 (4 GiB) of one memory; they cannot be merged`);
  }
  const memory: Limits = { min: pages };
  if (bounded) memory.max = Math.min(maxPages, MAX_PAGES);
  return { regions, memory };
}

/** Refuses what one shared 32-bit memory of 64 KiB pages cannot hold. */
export function checkMergeable(l: Limits, what: string): void {
  const refuse = (why: string) => {
    throw new WasiAdaptError('unsupported', `${what} is ${why}; only unshared 32-bit memories with 64 KiB pages can be merged into one`);
  };
  if (l.shared) refuse('shared (threads)');
  if (l.index64) refuse('64-bit (memory64)');
  if (l.pageSizeLog2 !== undefined && l.pageSizeLog2 !== 16) refuse(`of ${2 ** l.pageSizeLog2}-byte pages (custom-page-sizes)`);
  if (l.min > MAX_PAGES || (l.max ?? 0) > MAX_PAGES || (l.max !== undefined && l.max < l.min)) {
    throw new WasiAdaptError('bad-value', `${what} has invalid limits (min ${l.min}, max ${l.max}); a 32-bit memory has at most 65536 pages and min <= max`);
  }
}
