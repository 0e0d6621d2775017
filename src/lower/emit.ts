import type { FunctionBody } from '../binary/code.js';
import { lebSize, SectionId } from '../binary/module.js';
import { INDEX_SPACES } from '../binary/opcodes.js';
import { BinaryReader } from '../binary/reader.js';
import { ENC_IMPLICIT_MEMORY, ENC_S33, ENC_U32, scanExpr } from '../binary/scan.js';
import { readValType } from '../binary/types.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';

const SP_TYPE = INDEX_SPACES.indexOf('type');

/** A section after the code section, written straight into the output (`size`: its exact payload size). */
export interface TailSection {
  id: number;
  size: number;
  write(out: BinaryWriter): void;
}

/** A tail section whose payload is already encoded. */
export function encodedSection(id: number, payload: Uint8Array): TailSection {
  return { id, size: payload.length, write: (out) => out.bytes(payload) };
}

/** One body of the output: copied as it is (`maps` null), or with index immediates mapped through `maps[space]` (-1: left out) for the spaces in `mask`. */
export type CodeEntry = { body: FunctionBody; maps: readonly Int32Array[] | null; mask: number } | Uint8Array;

/**
 * The code section as it will be written: each body's size, where it lands,
 * and the edits that rewrite it. Bodies are rewritten in two passes (record
 * the changed immediates here, then copy and patch in `write`), so a 12 MB
 * program costs one copy and no allocation per function. Laid out before
 * anything is written, so the linker can decide what depends on code offsets
 * (DWARF) from the layout that `write` then keeps to.
 */
export class CodeLayout {
  /** Payload size of the code section. */
  readonly size: number;
  /** Where each body's first byte lands, counted from the start of the section's payload (the origin of DWARF code addresses). */
  readonly at: Int32Array;
  /** 1 where `write` changes an index immediate of the body: it is not written as read. */
  readonly rewritten: Uint8Array;
  private readonly sizes: Int32Array;
  private readonly firstEdit: Int32Array;
  private readonly edits: Edits;

  constructor(readonly entries: readonly CodeEntry[]) {
    let scanned = 0;
    for (const c of entries) if (!(c instanceof Uint8Array) && c.maps) scanned += c.body.body.length;
    this.edits = new Edits(scanned);
    this.sizes = new Int32Array(entries.length);
    this.at = new Int32Array(entries.length);
    this.rewritten = new Uint8Array(entries.length);
    this.firstEdit = new Int32Array(entries.length + 1);
    let size = lebSize(entries.length);
    entries.forEach((c, i) => {
      this.firstEdit[i] = this.edits.count;
      const n = c instanceof Uint8Array ? c.length : c.maps ? this.edits.record(c.body, c.maps, c.mask) : c.body.body.length;
      if (this.edits.count > this.firstEdit[i]!) this.rewritten[i] = 1;
      this.sizes[i] = n;
      this.at[i] = size + lebSize(n);
      size += lebSize(n) + n;
    });
    this.firstEdit[entries.length] = this.edits.count;
    this.size = size;
  }

  /** Writes the section's payload; fails if a body does not land where `at` says, since decisions were made on it. */
  write(out: BinaryWriter): void {
    const origin = out.length;
    out.u32(this.entries.length);
    this.entries.forEach((c, i) => {
      out.u32(this.sizes[i]!);
      if (out.length - origin !== this.at[i]) throw new Error(`internal: body ${i} landed at ${out.length - origin}, not ${this.at[i]}`);
      if (c instanceof Uint8Array) out.bytes(c);
      else if (!c.maps) out.bytes(c.body.body);
      else this.edits.apply(out, c.body.body, this.firstEdit[i]!, this.firstEdit[i + 1]!);
    });
  }
}

/**
 * Writes the output module: `head` (header and the sections before code, as
 * `encodeModule` writes them), then the code section straight from the input
 * views into a buffer sized in advance, then the `tail` sections, also in
 * place (the data section of a 14 MB program is 4 MB).
 */
export function assemble(head: Uint8Array, code: CodeLayout, tail: TailSection[]): Uint8Array {
  let total = head.length;
  const sectionSize = (payload: number) => 1 + lebSize(payload) + payload;
  if (code.entries.length) total += sectionSize(code.size);
  for (const s of tail) total += sectionSize(s.size);

  const out = new BinaryWriter(total).bytes(head);
  if (code.entries.length) code.write(out.u8(SectionId.code).u32(code.size));
  for (const s of tail) {
    out.u8(s.id).u32(s.size);
    const at = out.length;
    s.write(out);
    if (out.length - at !== s.size) throw new Error(`internal: section ${s.id} wrote ${out.length - at} bytes, not ${s.size}`);
  }
  return out.finish();
}

/** Changed index immediates of all bodies, in order, four ints each: span in the body, new value, encoding. */
class Edits {
  count = 0;
  private buf: Int32Array;
  private maps: readonly Int32Array[] = [];
  private src: Uint8Array = new Uint8Array(0);
  private growth = 0;

  /**
   * Sized for one edit per 32 bytes scanned (programs have about one per 100): growing by
   * copies costs fresh pages, while pages of the slack are never touched.
   */
  constructor(scannedBytes: number) {
    this.buf = new Int32Array(Math.max(1024, scannedBytes >> 3));
  }

  /** Bound once: a closure per body would cost more than the scan on a 12 MB program. */
  private readonly sink = (space: number, v: number, s: number, e: number, encoding: number): void => {
    const map = this.maps[space]!;
    const next = v < map.length ? map[v]! : -1;
    if (next === v) return;
    if (next < 0) throw new WasiAdaptError('bad-value', `${INDEX_SPACES[space]} index ${v} is out of range or refers to something left out`);
    let at = this.count * 4;
    if (at + 4 > this.buf.length) {
      const grown = new Int32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[at++] = s;
    this.buf[at++] = e;
    this.buf[at++] = next;
    this.buf[at] = encoding;
    this.count++;
    this.growth += newSize(this.src, s, e, next, encoding) - (e - s);
  };

  /** Scans a body, recording every immediate whose mapped value differs; returns the body's new size. */
  record(fb: FunctionBody, maps: readonly Int32Array[], mask: number): number {
    this.maps = maps;
    this.src = fb.body;
    this.growth = 0;
    const r = new BinaryReader(fb.body, fb.offset);
    const groups = r.count(2);
    const typeSink = mask & (1 << SP_TYPE) ? (v: number, s: number, e: number) => this.sink(SP_TYPE, v, s, e, ENC_S33) : undefined;
    for (let i = 0; i < groups; i++) {
      r.u32();
      readValType(r, typeSink);
    }
    scanExpr(r, this.sink, mask, null);
    if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the function body`);
    return fb.body.length + this.growth;
  }

  /**
   * Writes a body with its edits. An index whose new LEB is as long as the old
   * one (most of them: indices shift by a few hundred) is patched in place
   * after a bulk copy, so a body is copied in as few spans as there are
   * length-changing edits, usually one.
   */
  apply(out: BinaryWriter, src: Uint8Array, from: number, to: number): void {
    let copied = 0;
    let pending = from * 4;
    for (let k = from * 4; k < to * 4; k += 4) {
      const s = this.buf[k]!;
      const e = this.buf[k + 1]!;
      const v = this.buf[k + 2]!;
      const enc = this.buf[k + 3]!;
      if (enc === ENC_U32 && lebSize(v) === e - s) continue;
      this.copyPatched(out, src, copied, s, pending, k);
      pending = k + 4;
      if (enc === ENC_S33) out.sleb(v);
      else if (enc === ENC_IMPLICIT_MEMORY) out.u32(new BinaryReader(src, 0, s, e).u32() | 0x40).u32(v);
      else out.u32(v);
      copied = e;
    }
    this.copyPatched(out, src, copied, src.length, pending, to * 4);
  }

  /** Copies `src[start..end]`, then rewrites the same-length edits `from..to` (positions in ints) that fall in it. */
  private copyPatched(out: BinaryWriter, src: Uint8Array, start: number, end: number, from: number, to: number): void {
    const at = out.length - start;
    out.span(src, start, end);
    for (let k = from; k < to; k += 4) out.patchU32(at + this.buf[k]!, this.buf[k + 2]!);
  }
}

function newSize(src: Uint8Array, s: number, e: number, v: number, encoding: number): number {
  if (encoding === ENC_S33) return slebSize(v);
  // A memarg whose memory 0 was implied: bit 6 of the alignment is set and the index follows.
  if (encoding === ENC_IMPLICIT_MEMORY) return lebSize(new BinaryReader(src, 0, s, e).u32() | 0x40) + lebSize(v);
  return lebSize(v);
}

function slebSize(v: number): number {
  let n = 1;
  while (v >= 64 || v < -64) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
