import type { FunctionBody } from '../binary/code.js';
import { lebSize, SectionId, type DataSegment } from '../binary/module.js';
import { BinaryReader } from '../binary/reader.js';
import { ENC_IMPLICIT_MEMORY, ENC_S33, scanExpr } from '../binary/scan.js';
import { readValType } from '../binary/types.js';

const SP_TYPE = 4;

/** One body of the output: copied as it is, or with index immediates mapped (`maps[space]`, null = unchanged space). */
export type CodeEntry = { body: FunctionBody; maps: ((i: number) => number)[] | null; mask: number } | Uint8Array;

/**
 * Writes the output module in one buffer: small sections as encoded, then
 * the code and data sections straight from the input views. Bodies are
 * rewritten in two passes (record the changed immediates, then copy spans
 * and write the new LEBs), so a 12 MB program costs one copy and no
 * allocation per function.
 */
export function assemble(head: { id: number; payload: Uint8Array }[], code: CodeEntry[], data: DataSegment[], tail: { id: number; payload: Uint8Array }[]): Uint8Array {
  const edits = new Edits();
  const sizes = new Int32Array(code.length);
  const firstEdit = new Int32Array(code.length + 1);
  let codeSize = lebSize(code.length);
  code.forEach((c, i) => {
    firstEdit[i] = edits.count;
    const size = c instanceof Uint8Array ? c.length : c.maps ? edits.record(c.body, c.maps, c.mask) : c.body.body.length;
    sizes[i] = size;
    codeSize += lebSize(size) + size;
  });
  firstEdit[code.length] = edits.count;
  let dataSize = lebSize(data.length);
  for (const d of data) dataSize += dataSegmentSize(d);

  let total = 8;
  const sectionSize = (payload: number) => 1 + lebSize(payload) + payload;
  for (const s of head) total += sectionSize(s.payload.length);
  if (code.length) total += sectionSize(codeSize);
  if (data.length) total += sectionSize(dataSize);
  for (const s of tail) total += sectionSize(s.payload.length);

  const out = new Out(total);
  out.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  for (const s of head) out.u8(s.id).u32(s.payload.length).bytes(s.payload);
  if (code.length) {
    out.u8(SectionId.code).u32(codeSize).u32(code.length);
    code.forEach((c, i) => {
      out.u32(sizes[i]!);
      if (c instanceof Uint8Array) out.bytes(c);
      else if (!c.maps) out.bytes(c.body.body);
      else edits.apply(out, c.body.body, firstEdit[i]!, firstEdit[i + 1]!);
    });
  }
  if (data.length) {
    out.u8(SectionId.data).u32(dataSize).u32(data.length);
    for (const d of data) writeDataSegment(out, d);
  }
  for (const s of tail) out.u8(s.id).u32(s.payload.length).bytes(s.payload);
  if (out.pos !== total) throw new Error(`internal: assembled ${out.pos} bytes, expected ${total}`);
  return out.buf;
}

/** Changed index immediates of all bodies, in order: span in the body, new value, encoding. */
class Edits {
  count = 0;
  private start: number[] = [];
  private end: number[] = [];
  private value: number[] = [];
  private enc: number[] = [];

  /** Scans a body, recording every immediate whose mapped value differs; returns the body's new size. */
  record(fb: FunctionBody, maps: ((i: number) => number)[], mask: number): number {
    let size = fb.body.length;
    const sink = (space: number, v: number, s: number, e: number, encoding: number) => {
      const next = maps[space]!(v);
      if (next === v) return;
      this.start.push(s);
      this.end.push(e);
      this.value.push(next);
      this.enc.push(encoding);
      this.count++;
      size += newSize(fb.body, s, e, next, encoding) - (e - s);
    };
    const r = new BinaryReader(fb.body, fb.offset);
    const groups = r.count(2);
    for (let i = 0; i < groups; i++) {
      r.u32();
      readValType(r, mask & (1 << SP_TYPE) ? (v, s, e) => sink(SP_TYPE, v, s, e, ENC_S33) : undefined);
    }
    scanExpr(r, sink, mask, null);
    if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the function body`);
    return size;
  }

  apply(out: Out, src: Uint8Array, from: number, to: number): void {
    let copied = 0;
    for (let k = from; k < to; k++) {
      const s = this.start[k]!;
      const e = this.end[k]!;
      out.span(src, copied, s);
      const v = this.value[k]!;
      const enc = this.enc[k]!;
      if (enc === ENC_S33) out.s33(v);
      else if (enc === ENC_IMPLICIT_MEMORY) out.u32(new BinaryReader(src, 0, s, e).u32() | 0x40).u32(v);
      else out.u32(v);
      copied = e;
    }
    out.span(src, copied, src.length);
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

function dataSegmentSize(d: DataSegment): number {
  const flags = dataFlags(d);
  let n = lebSize(flags) + lebSize(d.init.length) + d.init.length;
  if (flags === 2) n += lebSize(d.memory);
  if (flags !== 1) n += d.offset!.bytes.length;
  return n;
}

function dataFlags(d: DataSegment): number {
  return d.mode === 'passive' ? 1 : d.memory === 0 ? 0 : 2;
}

function writeDataSegment(out: Out, d: DataSegment): void {
  const flags = dataFlags(d);
  out.u32(flags);
  if (flags === 2) out.u32(d.memory);
  if (flags !== 1) out.bytes(d.offset!.bytes);
  out.u32(d.init.length).bytes(d.init);
}

/** A fixed-size output buffer (the size is computed first, so nothing grows or copies twice). */
class Out {
  readonly buf: Uint8Array;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  u8(v: number): this {
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      this.buf[this.pos++] = b;
    } while (v);
    return this;
  }

  s33(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.buf[this.pos++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  bytes(b: Uint8Array): this {
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  span(src: Uint8Array, start: number, end: number): void {
    if (end - start < 16) for (let i = start; i < end; i++) this.buf[this.pos++] = src[i]!;
    else {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += end - start;
    }
  }
}
