// wasi:filesystem 0.3 over p2-on-p1's descriptors (one handle table for both versions):
// streams over a descriptor's fd, and the async path functions, which finish during the
// call (a blocking p1 call) and so return RETURNED with their result already written.
import { DESCRIPTOR, SLOT_FD, slot } from "../../p2-on-p1/assembly/handles";
import { stateAlloc } from "../../p2-on-p1/assembly/mem";
import {
  filesystem_types__method_descriptor_create_directory_at as createDirectoryAt02,
  filesystem_types__method_descriptor_open_at as openAt02,
  filesystem_types__method_descriptor_remove_directory_at as removeDirectoryAt02,
  filesystem_types__method_descriptor_stat as stat02,
  filesystem_types__method_descriptor_stat_at as statAt02,
  filesystem_types__method_descriptor_get_type as getType02,
  filesystem_types__method_descriptor_get_flags as getFlags02,
  filesystem_types__method_descriptor_set_size as setSize02,
  filesystem_types__method_descriptor_sync as sync02,
  filesystem_types__method_descriptor_sync_data as syncData02,
  filesystem_types__method_descriptor_readlink_at as readlinkAt02,
  filesystem_types__method_descriptor_rename_at as renameAt02,
  filesystem_types__method_descriptor_is_same_object as isSameObject02,
  filesystem_types__method_descriptor_advise as advise02,
  filesystem_types__method_descriptor_set_times as setTimes02,
  filesystem_types__method_descriptor_set_times_at as setTimesAt02,
  filesystem_types__method_descriptor_link_at as linkAt02,
  filesystem_types__method_descriptor_symlink_at as symlinkAt02,
  filesystem_types__method_descriptor_metadata_hash as metadataHash02,
  filesystem_types__method_descriptor_metadata_hash_at as metadataHashAt02,
  filesystem_types__method_descriptor_unlink_file_at as unlinkFileAt02,
} from "../../p2-on-p1/assembly/filesystem";
import { hostDirectory, hostSink, hostSource, L_FILESYSTEM, RETURNED } from "./async";

// 0.2's result, before it is rewritten in 0.3's layout (its own block: p2-on-p1 uses its TMP during the call).
let block: usize = 0;
function scratch02(): usize {
  if (block == 0) block = stateAlloc(8, 96);
  return block;
}

function fdOf(self: u32): i32 {
  return load<i32>(slot(self, DESCRIPTOR) + SLOT_FD);
}

export function filesystem_types_0_3__method_descriptor_write_via_stream(self: u32, data: u32, offset: u64): u32 {
  return hostSink(data, fdOf(self), true, offset, L_FILESYSTEM);
}
export function filesystem_types_0_3__method_descriptor_read_via_stream(self: u32, offset: u64, ret: usize): void {
  hostSource(fdOf(self), true, offset, L_FILESYSTEM, ret);
}

/**
 * 0.2's result<T, error-code> at `from` (enum code at +1 or +4) -> 0.3's at `to` (payload at +4,
 * the error a variant whose `other` case's option<string> at +8 is none). `payload`: T is a handle.
 */
function convertResult(from: usize, to: usize, payload: bool): void {
  const err = load<u8>(from);
  store<u8>(to, err);
  if (err == 0) {
    if (payload) store<u32>(to, load<u32>(from, 4), 4);
    return;
  }
  storeError(load<u8>(from + (payload ? 4 : 1)), to + 4);
}

/** 0.3's error-code variant at `to` from 0.2's enum case. */
function storeError(c02: u8, to: usize): void {
  store<u8>(to, c02 == 0 ? 0 : c02 == 1 ? 36 : c02 - 1);
  store<u8>(to, 0, 4);
}

/**
 * stat: 0.2's descriptor-stat (type enum @0, link-count @8, size @16, three option<datetime> of
 * 24 bytes from @24) -> 0.3's (type variant of 16 bytes, `unknown` now other(none); link-count
 * @16, size @24, option<instant> from @32); the result's payload is at +8 in both.
 */
export function filesystem_types_0_3__async__method_descriptor_stat(self: u32, ret: usize): u32 {
  const t = scratch02();
  stat02(self, t);
  return convertStat(t, ret);
}
/** stat-at's 4 flat params fit the stack: self, path-flags, path. */
export function filesystem_types_0_3__async__method_descriptor_stat_at(self: u32, pathFlags: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  statAt02(self, pathFlags, ptr, len, t);
  return convertStat(t, ret);
}

function convertStat(t: usize, ret: usize): u32 {
  const err = load<u8>(t);
  store<u8>(ret, err);
  if (err != 0) {
    storeError(load<u8>(t, 8), ret + 8);
    return RETURNED;
  }
  const from = t + 8;
  const to = ret + 8;
  const c = load<u8>(from);
  store<u8>(to, c == 0 ? 7 : c - 1);
  store<u8>(to, 0, 4);
  store<u64>(to, load<u64>(from, 8), 16);
  store<u64>(to, load<u64>(from, 16), 24);
  memory.copy(to + 32, from + 24, 72);
  return RETURNED;
}

/** open-at's 6 flat params travel in memory: self @0, path-flags @4, path @8/@12, open-flags @16, flags @17. */
export function filesystem_types_0_3__async__method_descriptor_open_at(params: usize, ret: usize): u32 {
  const t = scratch02();
  const openFlags = load<u8>(params, 16);
  let flags = load<u8>(params, 17);
  // A directory's entries are readable whatever its descriptor-flags (as on wasmtime): keep fd_readdir.
  if (openFlags & 2) flags |= 1;
  openAt02(load<u32>(params), load<u8>(params, 4), load<u32>(params, 8), load<u32>(params, 12), openFlags, flags, t);
  convertResult(t, ret, true);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_unlink_file_at(self: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  unlinkFileAt02(self, ptr, len, t);
  convertResult(t, ret, false);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_create_directory_at(self: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  createDirectoryAt02(self, ptr, len, t);
  convertResult(t, ret, false);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_remove_directory_at(self: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  removeDirectoryAt02(self, ptr, len, t);
  convertResult(t, ret, false);
  return RETURNED;
}

/** read-directory: tuple<stream<directory-entry>, future<result<_, error-code>>>; a non-directory's error comes through the future. */
export function filesystem_types_0_3__method_descriptor_read_directory(self: u32, ret: usize): void {
  hostDirectory(fdOf(self), ret);
}

/** 0.3's descriptor-type variant (16 bytes) at `to` from 0.2's enum case (`unknown` is other(none)). */
function storeType(c02: u8, to: usize): void {
  store<u8>(to, c02 == 0 ? 7 : c02 - 1);
  store<u8>(to, 0, 4);
}

/** result<descriptor-type, error-code>: 0.2's payload at +1, 0.3's at +4. */
export function filesystem_types_0_3__async__method_descriptor_get_type(self: u32, ret: usize): u32 {
  const t = scratch02();
  getType02(self, t);
  store<u8>(ret, load<u8>(t));
  if (load<u8>(t) == 0) storeType(load<u8>(t, 1), ret + 4);
  else storeError(load<u8>(t, 1), ret + 4);
  return RETURNED;
}
/** result<descriptor-flags, error-code>: the flags byte at +4. */
export function filesystem_types_0_3__async__method_descriptor_get_flags(self: u32, ret: usize): u32 {
  const t = scratch02();
  getFlags02(self, t);
  store<u8>(ret, load<u8>(t));
  if (load<u8>(t) == 0) store<u8>(ret, load<u8>(t, 1), 4);
  else storeError(load<u8>(t, 1), ret + 4);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_set_size(self: u32, size: u64, ret: usize): u32 {
  const t = scratch02();
  setSize02(self, size, t);
  convertResult(t, ret, false);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_sync(self: u32, ret: usize): u32 {
  const t = scratch02();
  sync02(self, t);
  convertResult(t, ret, false);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_sync_data(self: u32, ret: usize): u32 {
  const t = scratch02();
  syncData02(self, t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** result<string, error-code>: the string (ptr, len) at +4 in both. */
export function filesystem_types_0_3__async__method_descriptor_readlink_at(self: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  readlinkAt02(self, ptr, len, t);
  store<u8>(ret, load<u8>(t));
  if (load<u8>(t) == 0) store<u64>(ret, load<u64>(t, 4), 4);
  else storeError(load<u8>(t, 4), ret + 4);
  return RETURNED;
}
/** rename-at's 6 flat params travel in memory: self @0, old path @4/@8, new descriptor @12, new path @16/@20. */
export function filesystem_types_0_3__async__method_descriptor_rename_at(params: usize, ret: usize): u32 {
  const t = scratch02();
  renameAt02(load<u32>(params), load<u32>(params, 4), load<u32>(params, 8), load<u32>(params, 12), load<u32>(params, 16), load<u32>(params, 20), t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** is-same-object: a bool, no error. */
export function filesystem_types_0_3__async__method_descriptor_is_same_object(self: u32, other: u32, ret: usize): u32 {
  store<u8>(ret, isSameObject02(self, other) ? 1 : 0);
  return RETURNED;
}

export function filesystem_types_0_3__async__method_descriptor_advise(self: u32, offset: u64, length: u64, advice: u32, ret: usize): u32 {
  const t = scratch02();
  advise02(self, offset, length, advice, t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** set-times' 7 flat params travel in memory: self @0, two new-timestamp (disc, instant's seconds @+8, nanoseconds @+16) @8 and @32. */
export function filesystem_types_0_3__async__method_descriptor_set_times(params: usize, ret: usize): u32 {
  const t = scratch02();
  setTimes02(load<u32>(params), load<u8>(params, 8), load<u64>(params, 16), load<u32>(params, 24), load<u8>(params, 32), load<u64>(params, 40), load<u32>(params, 48), t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** set-times-at: self @0, path-flags @4, path @8/@12, the timestamps @16 and @40. */
export function filesystem_types_0_3__async__method_descriptor_set_times_at(params: usize, ret: usize): u32 {
  const t = scratch02();
  setTimesAt02(load<u32>(params), load<u8>(params, 4), load<u32>(params, 8), load<u32>(params, 12),
    load<u8>(params, 16), load<u64>(params, 24), load<u32>(params, 32), load<u8>(params, 40), load<u64>(params, 48), load<u32>(params, 56), t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** link-at: self @0, old-path-flags @4, old path @8/@12, new descriptor @16, new path @20/@24. */
export function filesystem_types_0_3__async__method_descriptor_link_at(params: usize, ret: usize): u32 {
  const t = scratch02();
  linkAt02(load<u32>(params), load<u8>(params, 4), load<u32>(params, 8), load<u32>(params, 12), load<u32>(params, 16), load<u32>(params, 20), load<u32>(params, 24), t);
  convertResult(t, ret, false);
  return RETURNED;
}
/** symlink-at: self @0, old path @4/@8, new path @12/@16. */
export function filesystem_types_0_3__async__method_descriptor_symlink_at(params: usize, ret: usize): u32 {
  const t = scratch02();
  symlinkAt02(load<u32>(params), load<u32>(params, 4), load<u32>(params, 8), load<u32>(params, 12), load<u32>(params, 16), t);
  convertResult(t, ret, false);
  return RETURNED;
}

/** result<metadata-hash-value, error-code>: the payload at +8 in both (the u64s align it). */
function convertHash(t: usize, ret: usize): u32 {
  store<u8>(ret, load<u8>(t));
  if (load<u8>(t) == 0) memory.copy(ret + 8, t + 8, 16);
  else storeError(load<u8>(t, 8), ret + 8);
  return RETURNED;
}
export function filesystem_types_0_3__async__method_descriptor_metadata_hash(self: u32, ret: usize): u32 {
  const t = scratch02();
  metadataHash02(self, t);
  return convertHash(t, ret);
}
export function filesystem_types_0_3__async__method_descriptor_metadata_hash_at(self: u32, pathFlags: u32, ptr: usize, len: usize, ret: usize): u32 {
  const t = scratch02();
  metadataHashAt02(self, pathFlags, ptr, len, t);
  return convertHash(t, ret);
}
