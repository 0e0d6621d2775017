// Preview 1 rights. Each table entry keeps its base and inheriting rights
// (entry offsets 32 and 40): what fd_fdstat_get reports, what
// fd_fdstat_set_rights may only narrow, and what operations check, failing
// with notcapable when a right is missing. The sets are those p1 hosts
// report (Wasmtime, the official adapter): a directory has no read, write,
// seek or set-size right; a file has every right its open mode allows. A new
// descriptor gets every right of its type and mode that its directory passes
// on, whatever it asked for, as on those hosts: programs often ask for less
// than they then use.
import { NOTCAPABLE } from "./errno";

export const FD_DATASYNC: u64 = 0x1;
export const FD_READ: u64 = 0x2;
export const FD_SEEK: u64 = 0x4;
export const FD_FDSTAT_SET_FLAGS: u64 = 0x8;
export const FD_SYNC: u64 = 0x10;
export const FD_TELL: u64 = 0x20;
export const FD_WRITE: u64 = 0x40;
export const FD_ADVISE: u64 = 0x80;
export const FD_ALLOCATE: u64 = 0x100;
export const PATH_CREATE_DIRECTORY: u64 = 0x200;
export const PATH_CREATE_FILE: u64 = 0x400;
export const PATH_LINK_SOURCE: u64 = 0x800;
export const PATH_LINK_TARGET: u64 = 0x1000;
export const PATH_OPEN: u64 = 0x2000;
export const FD_READDIR: u64 = 0x4000;
export const PATH_READLINK: u64 = 0x8000;
export const PATH_RENAME_SOURCE: u64 = 0x10000;
export const PATH_RENAME_TARGET: u64 = 0x20000;
export const PATH_FILESTAT_GET: u64 = 0x40000;
export const PATH_FILESTAT_SET_TIMES: u64 = 0x100000;
export const FD_FILESTAT_GET: u64 = 0x200000;
export const FD_FILESTAT_SET_SIZE: u64 = 0x400000;
export const FD_FILESTAT_SET_TIMES: u64 = 0x800000;
export const PATH_SYMLINK: u64 = 0x1000000;
export const PATH_REMOVE_DIRECTORY: u64 = 0x2000000;
export const PATH_UNLINK_FILE: u64 = 0x4000000;
export const POLL_FD_READWRITE: u64 = 0x8000000;

/** Every right preview 1 defines. */
export const ALL: u64 = 0x1fffffff;
// The directory rights Wasmtime and the official adapter report (0x7b7fe00),
// plus the fd_* operations WASI 0.2 also does on a directory (sync, flags,
// advice): a program may fsync a directory after a rename.
export const DIR_BASE: u64 = 0x7b7fe00 | FD_DATASYNC | FD_SYNC | FD_FDSTAT_SET_FLAGS | FD_ADVISE;
// What a directory passes on: every right but path_filestat_set_size (which
// no preview 1 function needs), as those hosts report.
export const DIR_INHERITING: u64 = 0xff7ffff;
// Stdio: no seek or tell, so libc's isatty() sees a terminal-like stream.
export const READ_STREAM: u64 = FD_READ | POLL_FD_READWRITE;
export const WRITE_STREAM: u64 = FD_WRITE | POLL_FD_READWRITE;

export function setRights(e: u32, base: u64, inheriting: u64): void {
  store<u64>(e, base, 32);
  store<u64>(e, inheriting, 40);
}

/** notcapable unless entry `e` has every right in `rights`, else success (0). */
export function need(e: u32, rights: u64): u32 {
  return (load<u64>(e, 32) & rights) == rights ? 0 : NOTCAPABLE;
}
