import { WasiAdaptError, type ErrorCode } from '../errors.js';

// ignoreBOM keeps a leading U+FEFF in names, so re-encoding a name gives back its exact bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Cursor over a byte view. Every read is bounds-checked and every failure is a
 * WasiAdaptError carrying the absolute file offset (`base` is where `buf[0]`
 * sits in the original input), so nested views still report true positions.
 * Nothing is copied: `bytes()` and `fork()` return subarrays of the input.
 */
export class BinaryReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    readonly base = 0,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Absolute offset of the next byte in the original input. */
  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  fail(code: ErrorCode, message: string, at = this.offset): never {
    throw new WasiAdaptError(code, message, { offset: at });
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      this.fail('truncated', `unexpected end of input reading ${what} (need ${n} bytes, ${this.end - this.pos} left)`);
    }
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input reading a byte');
    return this.buf[this.pos++]!;
  }

  peek(): number {
    if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input reading a byte');
    return this.buf[this.pos]!;
  }

  /** Unsigned LEB128 of at most 32 bits (5 bytes, unused high bits zero). */
  u32(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input inside a LEB128 number', this.base + start);
      const byte = this.buf[this.pos++]!;
      if (shift === 28) {
        if (byte & 0xf0) this.fail('bad-leb', 'LEB128 u32 is too long or overflows 32 bits', this.base + start);
        return (result | (byte << 28)) >>> 0;
      }
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }

  /** Unsigned LEB128 of at most 64 bits (memory64 limits and offsets). */
  u64(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input inside a LEB128 number', this.base + start);
      const byte = this.buf[this.pos++]!;
      // The 10th byte carries bit 63 only.
      if (i === 9 && byte > 0x01) this.fail('bad-leb', 'LEB128 u64 is too long or overflows 64 bits', this.base + start);
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  /** Signed LEB128 of at most `bits` bits (<= 33), as a JS number. */
  private signed(bits: number): number {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input inside a LEB128 number', this.base + start);
      const byte = this.buf[this.pos++]!;
      if (i === maxBytes - 1) {
        // The last byte's spare bits must all equal the sign bit.
        const used = bits - shift; // bits this byte contributes, including the sign bit
        const rest = (byte & 0x7f) >> (used - 1);
        if (byte & 0x80 || (rest !== 0 && rest !== (0x7f >> (used - 1)))) {
          this.fail('bad-leb', `LEB128 s${bits} is too long or out of range`, this.base + start);
        }
      }
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (shift < 64 && byte & 0x40) result -= 2 ** shift;
        return result;
      }
    }
  }

  s32(): number {
    return this.signed(32);
  }

  /** Block types and some GC immediates are s33. */
  s33(): number {
    return this.signed(33);
  }

  s64(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input inside a LEB128 number', this.base + start);
      const byte = this.buf[this.pos++]!;
      if (i === 9) {
        // 10th byte carries bit 63 only: 0x00 or 0x7f.
        if (byte !== 0x00 && byte !== 0x7f) this.fail('bad-leb', 'LEB128 s64 is too long or out of range', this.base + start);
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if (shift < 64n && byte & 0x40) result -= 1n << shift;
        return BigInt.asIntN(64, result);
      }
    }
  }

  /** Skips a LEB128 of at most `maxBytes` bytes without decoding it (hot path for i64.const). */
  skipLeb(maxBytes: number): void {
    const start = this.pos;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'unexpected end of input inside a LEB128 number', this.base + start);
      if ((this.buf[this.pos++]! & 0x80) === 0) return;
    }
    this.fail('bad-leb', 'LEB128 number is too long', this.base + start);
  }

  f32(): number {
    this.need(4, 'an f32');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8, 'an f64');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  skip(n: number): void {
    this.need(n, `${n} bytes`);
    this.pos += n;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    this.need(n, `${n} bytes`);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** A length-prefixed UTF-8 name. */
  name(): string {
    const at = this.offset;
    const len = this.u32();
    const raw = this.bytes(len);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('bad-utf8', 'name is not valid UTF-8', at);
    }
  }

  /**
   * A vector length, checked against what is left so a hostile count cannot
   * make a caller allocate or loop past the input: each item takes at least
   * `minItemBytes` bytes.
   */
  count(minItemBytes = 1): number {
    const at = this.offset;
    const n = this.u32();
    if (n * minItemBytes > this.end - this.pos) {
      this.fail('too-large', `vector declares ${n} items but only ${this.end - this.pos} bytes remain`, at);
    }
    return n;
  }

  /** A reader over the next `len` bytes; this reader moves past them. */
  fork(len: number): BinaryReader {
    this.need(len, `a ${len}-byte part`);
    const sub = new BinaryReader(this.buf, this.base, this.pos, this.pos + len);
    this.pos += len;
    return sub;
  }

  /** Fails unless every byte of this reader was consumed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      this.fail('bad-section', `${what} has ${this.end - this.pos} unexpected trailing bytes`);
    }
  }
}
