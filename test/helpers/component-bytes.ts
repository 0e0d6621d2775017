import { BinaryWriter } from '../../src/binary/writer.js';

/** Hand-assembled component binaries for encodings jco's text parser no longer accepts. */

export const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/** A component made of `[id, payload]` sections. */
export function componentOf(...sections: [number, Uint8Array | number[]][]): Uint8Array {
  const w = new BinaryWriter();
  w.bytes(Uint8Array.from(PREAMBLE));
  for (const [id, payload] of sections) {
    const p = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
    w.u8(id).u32(p.length).bytes(p);
  }
  return w.finish();
}

/** `levels` components nested inside each other (section 4), innermost empty. */
export function nested(levels: number): Uint8Array {
  let inner: Uint8Array = Uint8Array.from(PREAMBLE);
  for (let i = 0; i < levels; i++) inner = componentOf([4, inner]);
  return inner;
}

