/**
 * One memory out of several: each component memory becomes a region of one
 * output memory. A module is rebased onto its region (every access offset by
 * the region's base and bounds-checked against its current size); a generated
 * runtime module owns the output memory and moves regions when one grows.
 * See docs/memory-regions.md.
 */
import { WasiAdaptError } from '../errors.js';
import type { Feature } from '../binary/features.js';
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

/**
 * Lays the memories out one after the other at their initial sizes. Refuses
 * shared, 64-bit and custom-page-size memories, and layouts over 4 GiB.
 */
export function layoutRegions(memories: readonly Limits[]): RegionLayout {
  void memories;
  throw new WasiAdaptError('unsupported', 'memory regions: not implemented yet');
}

/**
 * A copy of `module` whose one memory is region `k`: it imports the output
 * memory as (import "env" "memory"), and from "wasi-adapt:regions" the
 * globals "base<k>" (mut i32) and "bytes<k>" (mut i64) and the functions
 * "size<k>" (result i32) and "grow<k>" (param i32) (result i32), appended
 * after its own imports (defined functions and globals shift up; every
 * reference is renumbered). Every load/store/memory.* is rebased by base<k>
 * and bounds-checked against region k (trap outside it); active data segments
 * land in region k. Callers that hold an address across a call that may grow
 * any region must re-read base<k>: regions above a growing one move.
 */
export function rebaseModule(module: Uint8Array, k: number, layout: RegionLayout): Uint8Array {
  void module, k, layout;
  throw new WasiAdaptError('unsupported', 'memory regions: not implemented yet');
}

/**
 * The core module that owns the output memory and exports "memory", and
 * "base<k>", "bytes<k>", "size<k>", "grow<k>" for every region (grow moves the
 * regions above, keeping each one's contents, and zeroes the new pages).
 * `features` are those the inputs use: bulk memory instructions are emitted
 * only if they include 'bulk-memory'.
 */
export function regionRuntime(layout: RegionLayout, features: ReadonlySet<Feature>): Uint8Array {
  void layout, features;
  throw new WasiAdaptError('unsupported', 'memory regions: not implemented yet');
}
