// path_* functions: each resolves its directory descriptor and calls the
// matching *-at method.
import * as host from "./imports";
import { KIND_DIR, KIND_FILE, alloc, allocFd, copy, entry, slot, expectInto, resetScratch } from "./state";
import { BADF, INVAL, MFILE, NOTCAPABLE, NOTDIR, SUCCESS, fromErrorCode, unitResult } from "./errno";
import { newTimestamp, putFilestat } from "./shared";
import * as R from "./rights";

/** The descriptor handle of a directory fd with `right`, or 0xff00 | errno. */
function dir(fd: u32, right: u64): u32 {
  const e = entry(fd);
  if (e == 0) return 0xff00 | BADF;
  if (load<u8>(e) != KIND_DIR) return 0xff00 | NOTDIR;
  if (R.need(e, right) != 0) return 0xff00 | NOTCAPABLE;
  return load<u32>(e, 4);
}

function unitReturn(): u32 {
  resetScratch();
  return alloc(2, 1);
}

export function path_create_directory(fd: u32, p: u32, pl: u32): u32 {
  const h = dir(fd, R.PATH_CREATE_DIRECTORY);
  if (h >= 0xff00) return h & 0xff;
  const ret = unitReturn();
  host.fsCreateDirectoryAt(h, p, pl, ret);
  return unitResult(ret);
}

export function path_remove_directory(fd: u32, p: u32, pl: u32): u32 {
  const h = dir(fd, R.PATH_REMOVE_DIRECTORY);
  if (h >= 0xff00) return h & 0xff;
  const ret = unitReturn();
  host.fsRemoveDirectoryAt(h, p, pl, ret);
  return unitResult(ret);
}

export function path_unlink_file(fd: u32, p: u32, pl: u32): u32 {
  const h = dir(fd, R.PATH_UNLINK_FILE);
  if (h >= 0xff00) return h & 0xff;
  const ret = unitReturn();
  host.fsUnlinkFileAt(h, p, pl, ret);
  return unitResult(ret);
}

export function path_rename(fd: u32, p: u32, pl: u32, newFd: u32, np: u32, npl: u32): u32 {
  const h = dir(fd, R.PATH_RENAME_SOURCE);
  if (h >= 0xff00) return h & 0xff;
  const nh = dir(newFd, R.PATH_RENAME_TARGET);
  if (nh >= 0xff00) return nh & 0xff;
  const ret = unitReturn();
  host.fsRenameAt(h, p, pl, nh, np, npl, ret);
  return unitResult(ret);
}

export function path_link(fd: u32, flags: u32, p: u32, pl: u32, newFd: u32, np: u32, npl: u32): u32 {
  const h = dir(fd, R.PATH_LINK_SOURCE);
  if (h >= 0xff00) return h & 0xff;
  const nh = dir(newFd, R.PATH_LINK_TARGET);
  if (nh >= 0xff00) return nh & 0xff;
  const ret = unitReturn();
  host.fsLinkAt(h, flags & 1, p, pl, nh, np, npl, ret);
  return unitResult(ret);
}

export function path_symlink(p: u32, pl: u32, fd: u32, np: u32, npl: u32): u32 {
  const h = dir(fd, R.PATH_SYMLINK);
  if (h >= 0xff00) return h & 0xff;
  const ret = unitReturn();
  host.fsSymlinkAt(h, p, pl, np, npl, ret);
  return unitResult(ret);
}

export function path_readlink(fd: u32, p: u32, pl: u32, buf: u32, len: u32, out: u32): u32 {
  const h = dir(fd, R.PATH_READLINK);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ret = alloc(12, 4);
  expectInto(buf, len);
  host.fsReadlinkAt(h, p, pl, ret);
  if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 4));
  const n = load<u32>(ret, 8) < len ? load<u32>(ret, 8) : len; // p1 truncates
  copy(buf, load<u32>(ret, 4), n);
  store<u32>(out, n);
  return SUCCESS;
}

export function path_filestat_get(fd: u32, flags: u32, p: u32, pl: u32, out: u32): u32 {
  const h = dir(fd, R.PATH_FILESTAT_GET);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ret = alloc(104, 8);
  const hash = alloc(24, 8);
  host.fsStatAt(h, flags & 1, p, pl, ret);
  if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 8));
  host.fsMetadataHashAt(h, flags & 1, p, pl, hash);
  putFilestat(out, ret + 8, hash);
  return SUCCESS;
}

export function path_filestat_set_times(fd: u32, flags: u32, p: u32, pl: u32, atim: u64, mtim: u64, fst: u32): u32 {
  const h = dir(fd, R.PATH_FILESTAT_SET_TIMES);
  if (h >= 0xff00) return h & 0xff;
  resetScratch();
  const ts = alloc(48, 8);
  if (!newTimestamp(ts, atim, (fst & 1) != 0, (fst & 2) != 0)) return INVAL;
  if (!newTimestamp(ts + 24, mtim, (fst & 4) != 0, (fst & 8) != 0)) return INVAL;
  const ret = alloc(2, 1);
  host.fsSetTimesAt(h, flags & 1, p, pl, load<u32>(ts), load<u64>(ts, 8), load<u32>(ts, 16), load<u32>(ts, 24), load<u64>(ts, 32), load<u32>(ts, 40), ret);
  return unitResult(ret);
}

const OFLAG_CREAT: u32 = 1;
const OFLAG_DIRECTORY: u32 = 2;

export function path_open(fd: u32, dirflags: u32, p: u32, pl: u32, oflags: u32, rights: u64, inheriting: u64, fdflags: u32, out: u32): u32 {
  const h = dir(fd, (oflags & OFLAG_CREAT) != 0 ? R.PATH_OPEN | R.PATH_CREATE_FILE : R.PATH_OPEN);
  if (h >= 0xff00) return h & 0xff;
  const nfd = allocFd();
  if (nfd == 0) return MFILE;
  // descriptor-flags: read 1, write 2, file-integrity-sync 4, data-integrity-sync 8, requested-write-sync 16.
  // Read unless the program asked for neither reading nor listing: a directory opened with its
  // parent's rights (readdir, no read) must be readable; write never for a directory.
  let flags: u32 = 0;
  if ((rights & (R.FD_READ | R.FD_READDIR)) != 0 || (oflags & OFLAG_DIRECTORY) != 0) flags |= 1;
  if ((rights & R.FD_WRITE) != 0 && (oflags & OFLAG_DIRECTORY) == 0) flags |= 2;
  if ((fdflags & 16) != 0) flags |= 4; // sync
  if ((fdflags & 2) != 0) flags |= 8; // dsync
  if ((fdflags & 8) != 0) flags |= 16; // rsync
  resetScratch();
  const ret = alloc(8, 4);
  host.fsOpenAt(h, dirflags & 1, p, pl, oflags & 15, flags, ret);
  if (load<u8>(ret) != 0) return fromErrorCode(load<u8>(ret, 4));
  const nh = load<u32>(ret, 4);
  host.fsGetType(nh, ret);
  const e = slot(nfd);
  const isDir = load<u8>(ret) == 0 && load<u8>(ret, 1) == 3;
  store<u8>(e, isDir ? KIND_DIR : KIND_FILE);
  store<u8>(e, (fdflags & 1) != 0 ? 1 : 0, 1);
  store<u32>(e, nh, 4);
  // The rights of its type and open mode, as far as the directory passes them on (see rights.ts).
  const passed = load<u64>(entry(fd), 40);
  let own = isDir ? R.DIR_BASE : R.ALL;
  if (!isDir && (flags & 1) == 0) own &= ~R.FD_READ;
  if (!isDir && (flags & 2) == 0) own &= ~R.FD_WRITE;
  R.setRights(e, own & passed, (isDir ? R.DIR_INHERITING : own) & passed);
  store<u32>(out, nfd);
  return SUCCESS;
}
