// The wasi_snapshot_preview1 functions the polyfill is built on. Each returns
// a p1 errno (0 = success); results go through out-pointers.
// sock_* are not imported: see README ("What p1 cannot express").

@external("wasi_snapshot_preview1", "args_get")
export declare function args_get(argv: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "args_sizes_get")
export declare function args_sizes_get(argc: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "environ_get")
export declare function environ_get(env: usize, buf: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function environ_sizes_get(count: usize, size: usize): i32;
@external("wasi_snapshot_preview1", "clock_res_get")
export declare function clock_res_get(id: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function clock_time_get(id: i32, precision: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_advise")
export declare function fd_advise(fd: i32, offset: u64, len: u64, advice: i32): i32;
@external("wasi_snapshot_preview1", "fd_close")
export declare function fd_close(fd: i32): i32;
@external("wasi_snapshot_preview1", "fd_datasync")
export declare function fd_datasync(fd: i32): i32;
@external("wasi_snapshot_preview1", "fd_fdstat_get")
export declare function fd_fdstat_get(fd: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_filestat_get")
export declare function fd_filestat_get(fd: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_filestat_set_size")
export declare function fd_filestat_set_size(fd: i32, size: u64): i32;
@external("wasi_snapshot_preview1", "fd_filestat_set_times")
export declare function fd_filestat_set_times(fd: i32, atim: u64, mtim: u64, flags: i32): i32;
@external("wasi_snapshot_preview1", "fd_pread")
export declare function fd_pread(fd: i32, iovs: usize, n: i32, offset: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_prestat_get")
export declare function fd_prestat_get(fd: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
export declare function fd_prestat_dir_name(fd: i32, buf: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "fd_pwrite")
export declare function fd_pwrite(fd: i32, iovs: usize, n: i32, offset: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_read")
export declare function fd_read(fd: i32, iovs: usize, n: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_readdir")
export declare function fd_readdir(fd: i32, buf: usize, len: usize, cookie: u64, out: usize): i32;
@external("wasi_snapshot_preview1", "fd_sync")
export declare function fd_sync(fd: i32): i32;
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: i32, iovs: usize, n: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "path_create_directory")
export declare function path_create_directory(fd: i32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_get")
export declare function path_filestat_get(fd: i32, flags: i32, path: usize, len: usize, out: usize): i32;
@external("wasi_snapshot_preview1", "path_filestat_set_times")
export declare function path_filestat_set_times(fd: i32, flags: i32, path: usize, len: usize, atim: u64, mtim: u64, fst: i32): i32;
@external("wasi_snapshot_preview1", "path_link")
export declare function path_link(oldFd: i32, oldFlags: i32, oldPath: usize, oldLen: usize, newFd: i32, newPath: usize, newLen: usize): i32;
@external("wasi_snapshot_preview1", "path_open")
export declare function path_open(fd: i32, dirflags: i32, path: usize, len: usize, oflags: i32, rightsBase: u64, rightsInheriting: u64, fdflags: i32, out: usize): i32;
@external("wasi_snapshot_preview1", "path_readlink")
export declare function path_readlink(fd: i32, path: usize, len: usize, buf: usize, bufLen: usize, out: usize): i32;
@external("wasi_snapshot_preview1", "path_remove_directory")
export declare function path_remove_directory(fd: i32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "path_rename")
export declare function path_rename(fd: i32, oldPath: usize, oldLen: usize, newFd: i32, newPath: usize, newLen: usize): i32;
@external("wasi_snapshot_preview1", "path_symlink")
export declare function path_symlink(oldPath: usize, oldLen: usize, fd: i32, newPath: usize, newLen: usize): i32;
@external("wasi_snapshot_preview1", "path_unlink_file")
export declare function path_unlink_file(fd: i32, path: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "poll_oneoff")
export declare function poll_oneoff(subs: usize, events: usize, n: usize, out: usize): i32;
@external("wasi_snapshot_preview1", "proc_exit")
export declare function proc_exit(code: i32): void;
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(buf: usize, len: usize): i32;

// p1 constants used in more than one module.
export const ERRNO_IO: i32 = 29;
export const ERRNO_OVERFLOW: i32 = 61;
export const CLOCK_REALTIME: i32 = 0;
export const CLOCK_MONOTONIC: i32 = 1;
export const FILETYPE_CHARACTER_DEVICE: u8 = 2;
export const FILETYPE_DIRECTORY: u8 = 3;
