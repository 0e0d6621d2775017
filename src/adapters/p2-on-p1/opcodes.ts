import type { BinaryReader } from '../../binary/reader.js';

/**
 * Walks one function body or constant expression (up to its final `end`) and
 * reports every instruction outside the polyfill's feature set: MVP, mutable
 * globals, sign extension, non-trapping float-to-int and bulk memory (without
 * passive data, since the polyfill has none). memory.size/grow are reported
 * too: only the guest manages its memory. Anything unknown counts as outside,
 * so a new proposal cannot slip through unnoticed. Direct call targets are
 * appended to `calls` (for code-size accounting).
 */
export function outsideFeatures(r: BinaryReader, calls?: number[]): string[] {
  const found: string[] = [];
  let depth = 0;
  const memIndexZero = (what: string): void => {
    if (r.u8() !== 0) found.push(`${what} with a memory index (multi-memory)`);
  };
  while (!r.eof()) {
    const at = r.offset;
    const op = r.u8();
    if (op === 0x02 || op === 0x03 || op === 0x04) {
      const bt = r.peek();
      if (bt === 0x40 || (bt >= 0x7c && bt <= 0x7f)) r.u8();
      else found.push(`block type 0x${bt.toString(16)} at ${at} (multi-value or reference types)`), r.s33();
      depth++;
    } else if (op === 0x0b) {
      if (depth-- === 0) return found;
    } else if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0f || op === 0x1a || op === 0x1b) {
      // no immediates
    } else if (op === 0x10) {
      const target = r.u32();
      calls?.push(target);
    } else if (op === 0x0c || op === 0x0d || (op >= 0x20 && op <= 0x24)) {
      r.u32();
    } else if (op === 0x0e) {
      for (let n = r.u32() + 1; n > 0; n--) r.u32();
    } else if (op === 0x11) {
      r.u32();
      if (r.u8() !== 0) found.push(`call_indirect on a table other than 0 at ${at}`);
    } else if (op >= 0x28 && op <= 0x3e) {
      if (r.u32() & 0x40) found.push(`memory access with a memory index at ${at} (multi-memory)`);
      r.u32();
    } else if (op === 0x3f || op === 0x40) {
      found.push(`memory.size/grow at ${at}: the guest owns memory, the polyfill allocates through cabi.realloc / cabi.state_realloc`);
      r.u8();
    } else if (op === 0x41) {
      r.s32();
    } else if (op === 0x42) {
      r.s64();
    } else if (op === 0x43) {
      r.skip(4);
    } else if (op === 0x44) {
      r.skip(8);
    } else if (op >= 0x45 && op <= 0xc4) {
      // numeric, including sign extension (0xc0-0xc4)
    } else if (op === 0xfc) {
      const sub = r.u32();
      if (sub <= 7) continue; // non-trapping float-to-int
      if (sub === 10) {
        memIndexZero(`memory.copy at ${at}`);
        memIndexZero(`memory.copy at ${at}`);
      } else if (sub === 11) {
        memIndexZero(`memory.fill at ${at}`);
      } else {
        found.push(`0xfc ${sub} at ${at} (passive data or table instruction)`);
        return found;
      }
    } else {
      found.push(`opcode 0x${op.toString(16)} at ${at} (outside the allowed features)`);
      return found; // immediates unknown: cannot continue decoding
    }
  }
  found.push('expression without a final end');
  return found;
}
