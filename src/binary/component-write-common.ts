import type { BinaryWriter } from './writer.js';

/** `vec(T)`: a u32 count, then the items. */
export function vec<T>(w: BinaryWriter, items: readonly T[], write: (item: T) => void): void {
  w.u32(items.length);
  for (const item of items) write(item);
}
