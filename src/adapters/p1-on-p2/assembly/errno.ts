// wasi_snapshot_preview1 errno values used by the adapter, and the mapping
// from wasi:filesystem error-code (by case index) to them.
export const SUCCESS: u32 = 0;
export const BADF: u32 = 8;
export const INVAL: u32 = 28;
export const IO: u32 = 29;
export const ISDIR: u32 = 31;
export const NAMETOOLONG: u32 = 37;
export const MFILE: u32 = 33;
export const NOSYS: u32 = 52;
export const NOTDIR: u32 = 54;
export const NOTSOCK: u32 = 57;
export const NOTSUP: u32 = 58;
export const PIPE: u32 = 64;
export const SPIPE: u32 = 70;
export const NOTCAPABLE: u32 = 76;

export function fromErrorCode(code: u32): u32 {
  switch (code) {
    case 0: return 2; // access
    case 1: return 6; // would-block -> again
    case 2: return 7; // already
    case 3: return 8; // bad-descriptor
    case 4: return 10; // busy
    case 5: return 16; // deadlock
    case 6: return 19; // quota
    case 7: return 20; // exist
    case 8: return 22; // file-too-large
    case 9: return 25; // illegal-byte-sequence
    case 10: return 26; // in-progress
    case 11: return 27; // interrupted
    case 12: return 28; // invalid
    case 13: return 29; // io
    case 14: return 31; // is-directory
    case 15: return 32; // loop
    case 16: return 34; // too-many-links
    case 17: return 35; // message-size
    case 18: return 37; // name-too-long
    case 19: return 43; // no-device
    case 20: return 44; // no-entry
    case 21: return 46; // no-lock
    case 22: return 48; // insufficient-memory
    case 23: return 51; // insufficient-space
    case 24: return 54; // not-directory
    case 25: return 55; // not-empty
    case 26: return 56; // not-recoverable
    case 27: return 58; // unsupported
    case 28: return 59; // no-tty
    case 29: return 60; // no-such-device
    case 30: return 61; // overflow
    case 31: return 63; // not-permitted
    case 32: return 64; // pipe
    case 33: return 69; // read-only
    case 34: return 70; // invalid-seek
    case 35: return 74; // text-file-busy
    case 36: return 75; // cross-device
  }
  return IO;
}

/** A `result<_, error-code>` return area: 0 on success, else the errno. */
export function unitResult(ret: u32): u32 {
  return load<u8>(ret) == 0 ? SUCCESS : fromErrorCode(load<u8>(ret, 1));
}

/** wasi:filesystem descriptor-type -> p1 filetype. */
export function fileType(t: u32): u8 {
  switch (t) {
    case 1: return 1; // block-device
    case 2: return 2; // character-device
    case 3: return 3; // directory
    case 5: return 7; // symbolic-link
    case 6: return 4; // regular-file
    case 7: return 6; // socket -> socket_stream
  }
  return 0;
}
