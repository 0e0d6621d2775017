import type { CoreSignature } from './signatures.js';

const i32 = 'i32' as const;
const i64 = 'i64' as const;
const sig = (params: CoreSignature['params'], results: CoreSignature['results'] = [i32]): CoreSignature => ({ params, results });

/**
 * Core types of the wasi_snapshot_preview1 functions the polyfill may import
 * (from the preview1 witx). A JS host accepts any signature, so the build
 * checks these: a wrong i32/i64 would only fail on a real runtime.
 */
export const P1_SIGNATURES: ReadonlyMap<string, CoreSignature> = new Map([
  ['args_get', sig([i32, i32])],
  ['args_sizes_get', sig([i32, i32])],
  ['environ_get', sig([i32, i32])],
  ['environ_sizes_get', sig([i32, i32])],
  ['clock_res_get', sig([i32, i32])],
  ['clock_time_get', sig([i32, i64, i32])],
  ['fd_advise', sig([i32, i64, i64, i32])],
  ['fd_close', sig([i32])],
  ['fd_datasync', sig([i32])],
  ['fd_fdstat_get', sig([i32, i32])],
  ['fd_filestat_get', sig([i32, i32])],
  ['fd_filestat_set_size', sig([i32, i64])],
  ['fd_filestat_set_times', sig([i32, i64, i64, i32])],
  ['fd_pread', sig([i32, i32, i32, i64, i32])],
  ['fd_prestat_get', sig([i32, i32])],
  ['fd_prestat_dir_name', sig([i32, i32, i32])],
  ['fd_pwrite', sig([i32, i32, i32, i64, i32])],
  ['fd_read', sig([i32, i32, i32, i32])],
  ['fd_readdir', sig([i32, i32, i32, i64, i32])],
  ['fd_sync', sig([i32])],
  ['fd_write', sig([i32, i32, i32, i32])],
  ['path_create_directory', sig([i32, i32, i32])],
  ['path_filestat_get', sig([i32, i32, i32, i32, i32])],
  ['path_filestat_set_times', sig([i32, i32, i32, i32, i64, i64, i32])],
  ['path_link', sig([i32, i32, i32, i32, i32, i32, i32])],
  ['path_open', sig([i32, i32, i32, i32, i32, i64, i64, i32, i32])],
  ['path_readlink', sig([i32, i32, i32, i32, i32, i32])],
  ['path_remove_directory', sig([i32, i32, i32])],
  ['path_rename', sig([i32, i32, i32, i32, i32, i32])],
  ['path_symlink', sig([i32, i32, i32, i32, i32])],
  ['path_unlink_file', sig([i32, i32, i32])],
  ['poll_oneoff', sig([i32, i32, i32, i32])],
  ['proc_exit', sig([i32], [])],
  ['random_get', sig([i32, i32])],
]);
