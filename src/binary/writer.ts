const utf8 = new TextEncoder();

/**
 * Growable byte buffer with LEB128 primitives. `fork()` starts a
 * length-prefixed part and `join()` closes it, writing the minimal LEB128
 * length in front, so sections and nested bodies need no size pre-pass.
 */
export class BinaryWriter {
  private buf: Uint8Array;
  private len = 0;
  private readonly stack: { buf: Uint8Array; len: number }[] = [];

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  u32(v: number): this {
    this.reserve(5);
    v >>>= 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.buf[this.len++] = byte;
    } while (v !== 0);
    return this;
  }

  /** Unsigned LEB128 padded to exactly `width` bytes (keeps a padded size field byte-identical). */
  u32Padded(v: number, width: number): this {
    this.reserve(width);
    v >>>= 0;
    for (let i = 0; i < width - 1; i++) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v & 0x7f;
    return this;
  }

  /** Unsigned LEB128 of up to 64 bits. */
  u64(v: bigint): this {
    this.reserve(10);
    v = BigInt.asUintN(64, v);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.buf[this.len++] = byte;
    } while (v !== 0n);
    return this;
  }

  /** Signed LEB128 for any safe integer (s32 and s33 immediates). */
  sleb(v: number): this {
    this.reserve(10);
    for (;;) {
      const byte = v & 0x7f;
      v = Math.floor(v / 128);
      const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
      this.buf[this.len++] = done ? byte : byte | 0x80;
      if (done) return this;
    }
  }

  s64(v: bigint): this {
    this.reserve(10);
    v = BigInt.asIntN(64, v);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
      this.buf[this.len++] = done ? byte : byte | 0x80;
      if (done) return this;
    }
  }

  f32(v: number): this {
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /**
   * Bytes `start..end` of `src` (hot in index rewriting). Spans under 256
   * bytes are copied by a loop, as fast as through a view and without one:
   * a view per span of a 14 MB program was 6 MB of garbage.
   */
  span(src: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.reserve(n);
    if (start === 0 && end === src.length) {
      this.buf.set(src, this.len);
      this.len += n;
    } else if (n < 256) {
      for (let i = start; i < end; i++) this.buf[this.len++] = src[i]!;
    } else {
      this.buf.set(src.subarray(start, end), this.len);
      this.len += n;
    }
    return this;
  }

  /** Overwrites the bytes at `at` (already written) with the shortest LEB128 of `v`; the caller knows it fits. */
  patchU32(at: number, v: number): this {
    v >>>= 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>>= 7;
      if (v === 0) {
        this.buf[at] = byte;
        return this;
      }
      this.buf[at++] = byte | 0x80;
    }
  }

  /** Length-prefixed UTF-8. */
  name(s: string): this {
    const b = utf8.encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** Starts a length-prefixed part; everything written until `join()` goes inside it. */
  fork(): this {
    this.stack.push({ buf: this.buf, len: this.len });
    this.buf = new Uint8Array(256);
    this.len = 0;
    return this;
  }

  /** Closes the innermost `fork()`: writes its length, then its bytes, into the outer part. */
  join(): this {
    const outer = this.stack.pop();
    if (!outer) throw new Error('BinaryWriter.join() without fork()');
    const inner = this.buf.subarray(0, this.len);
    this.buf = outer.buf;
    this.len = outer.len;
    return this.u32(inner.length).bytes(inner);
  }

  /**
   * The bytes written so far, sized exactly. A buffer sized in advance is
   * handed over rather than copied (a fresh copy of a 14 MB module costs more
   * in page faults than the copy itself); the writer is then empty.
   */
  finish(): Uint8Array {
    if (this.stack.length) throw new Error('BinaryWriter.finish() inside an unjoined fork()');
    if (this.len !== this.buf.length) return this.buf.slice(0, this.len);
    const out = this.buf;
    this.buf = new Uint8Array(0);
    this.len = 0;
    return out;
  }
}
