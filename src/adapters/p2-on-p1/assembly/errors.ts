// wasi:io/error and the one p1 errno -> wasi:filesystem error-code table.
import { ERROR, create, slot, release, SLOT_FD } from "./handles";
import { alloc } from "./mem";

/** An `error` resource carrying the p1 errno that caused it. */
export function newError(errno: i32): u32 {
  const h = create(ERROR);
  store<i32>(slot(h, ERROR) + SLOT_FD, errno);
  return h;
}

export function errorErrno(h: u32): i32 {
  return load<i32>(slot(h, ERROR) + SLOT_FD);
}

/**
 * p1 errno -> wasi:filesystem/types.error-code (enum index). Errnos with no
 * counterpart (network, process and argument errors) become `io`.
 */
export function errorCode(errno: i32): u8 {
  switch (errno) {
    case 2: return 0;   // acces -> access
    case 76: return 0;  // notcapable -> access
    case 6: return 1;   // again -> would-block
    case 7: return 2;   // already
    case 8: return 3;   // badf -> bad-descriptor
    case 10: return 4;  // busy
    case 16: return 5;  // deadlk -> deadlock
    case 19: return 6;  // dquot -> quota
    case 20: return 7;  // exist
    case 22: return 8;  // fbig -> file-too-large
    case 25: return 9;  // ilseq -> illegal-byte-sequence
    case 26: return 10; // inprogress
    case 27: return 11; // intr -> interrupted
    case 28: return 12; // inval -> invalid
    case 29: return 13; // io
    case 31: return 14; // isdir -> is-directory
    case 32: return 15; // loop
    case 34: return 16; // mlink -> too-many-links
    case 35: return 17; // msgsize -> message-size
    case 37: return 18; // nametoolong
    case 43: return 19; // nodev -> no-device
    case 44: return 20; // noent -> no-entry
    case 46: return 21; // nolck -> no-lock
    case 48: return 22; // nomem -> insufficient-memory
    case 42: return 22; // nobufs -> insufficient-memory
    case 51: return 23; // nospc -> insufficient-space
    case 54: return 24; // notdir -> not-directory
    case 55: return 25; // notempty
    case 56: return 26; // notrecoverable
    case 58: return 27; // notsup -> unsupported
    case 52: return 27; // nosys -> unsupported
    case 59: return 28; // notty -> no-tty
    case 60: return 29; // nxio -> no-such-device
    case 61: return 30; // overflow
    case 63: return 31; // perm -> not-permitted
    case 64: return 32; // pipe
    case 69: return 33; // rofs -> read-only
    case 70: return 34; // spipe -> invalid-seek
    case 74: return 35; // txtbsy -> text-file-busy
    case 75: return 36; // xdev -> cross-device
    default: return 13; // io
  }
}

// wasi:io/error#[method]error.to-debug-string -> string "errno N"
export function io_error__method_error_to_debug_string(self: u32, ret: usize): void {
  let n = <u32>errorErrno(self);
  let digits: usize = 1;
  for (let v = n; v >= 10; v /= 10) digits++;
  const len = <usize>6 + digits;
  const p = alloc(1, len);
  // "errno " as little-endian bytes, written without a string literal (no data segment).
  store<u32>(p, 0x6e727265); // "errn"
  store<u16>(p, 0x206f, 4);  // "o "
  for (let i = len - 1; i >= 6; i--) {
    store<u8>(p + i, 0x30 + n % 10);
    n /= 10;
  }
  store<u32>(ret, p);
  store<u32>(ret, len, 4);
}

export function io_error__resource_drop_error(self: u32): void {
  slot(self, ERROR);
  release(self);
}
