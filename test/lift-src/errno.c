// Calls preview1 functions directly and prints each errno, for exactness tests.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define SHOW(name, call) printf("%s=%d\n", name, (int)(call))

int main(void) {
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n = 0;
  __wasi_filesize_t pos = 0;
  __wasi_fdstat_t st;
  __wasi_filestat_t fst;
  __wasi_prestat_t pre;
  __wasi_fd_t fd = 0;
  __wasi_timestamp_t t = 0;
  uint8_t buf[256];
  __wasi_iovec_t riov = {buf, sizeof buf};
  SHOW("fd_write_badf_zero_iovs", __wasi_fd_write(99, &iov, 0, &n));
  SHOW("fd_write_badf", __wasi_fd_write(99, &iov, 1, &n));
  SHOW("fd_read_badf", __wasi_fd_read(99, &riov, 1, &n));
  SHOW("fd_close_badf", __wasi_fd_close(99));
  SHOW("fd_seek_badf", __wasi_fd_seek(99, 0, __WASI_WHENCE_SET, &pos));
  SHOW("fd_fdstat_get_badf", __wasi_fd_fdstat_get(99, &st));
  SHOW("fd_filestat_get_badf", __wasi_fd_filestat_get(99, &fst));
  SHOW("fd_prestat_get_badf", __wasi_fd_prestat_get(99, &pre));
  SHOW("fd_renumber_badf", __wasi_fd_renumber(99, 1));
  SHOW("fd_sync_badf", __wasi_fd_sync(99));
  SHOW("fd_fdstat_get_stdout", __wasi_fd_fdstat_get(1, &st));
  SHOW("clock_time_get_inval", __wasi_clock_time_get(99, 0, &t));
  SHOW("clock_time_get_monotonic", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t));
  SHOW("poll_oneoff_none", __wasi_poll_oneoff(NULL, NULL, 0, &n));
  // An absolute realtime deadline 1 ms ahead beats a relative 10 s monotonic one.
  __wasi_subscription_t subs[2];
  __wasi_event_t ev[2];
  memset(subs, 0, sizeof subs);
  SHOW("clock_time_get_realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
  subs[0].userdata = 7;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
  subs[0].u.u.clock.timeout = t + 1000000;
  subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  subs[1].userdata = 8;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 10000000000ull;
  SHOW("poll_oneoff_clocks", __wasi_poll_oneoff(subs, ev, 2, &n));
  printf("poll events=%u userdata=%u type=%d error=%d\n", (unsigned)n, (unsigned)ev[0].userdata, ev[0].type, ev[0].error);
  // A bad descriptor is reported as an event with badf, at once.
  subs[1].userdata = 9;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[1].u.u.fd_read.file_descriptor = 99;
  SHOW("poll_oneoff_badf", __wasi_poll_oneoff(subs + 1, ev, 1, &n));
  printf("poll events=%u userdata=%u error=%d\n", (unsigned)n, (unsigned)ev[0].userdata, ev[0].error);
  SHOW("sched_yield", __wasi_sched_yield());
  SHOW("random_get", __wasi_random_get(buf, 16));
  SHOW("sock_shutdown_badf", __wasi_sock_shutdown(99, __WASI_SDFLAGS_RD));
  SHOW("path_open_badf", __wasi_path_open(99, 0, "x", 0, 0, 0, 0, &fd));
  // fd 3 is the first preopen (a directory).
  SHOW("fd_write_dir", __wasi_fd_write(3, &iov, 1, &n));
  SHOW("path_open_noent", __wasi_path_open(3, 0, "missing.txt", 0, ~0ull, ~0ull, 0, &fd));
  SHOW("path_open_create", __wasi_path_open(3, 0, "new.txt", __WASI_OFLAGS_CREAT, ~0ull, ~0ull, 0, &fd));
  SHOW("path_open_excl", __wasi_path_open(3, 0, "new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, ~0ull, ~0ull, 0, &fd));
  __wasi_fd_t file = 0;
  SHOW("path_open_rw", __wasi_path_open(3, 0, "new.txt", 0, ~0ull, ~0ull, 0, &file));
  SHOW("fd_write_file", __wasi_fd_write(file, &iov, 1, &n));
  printf("written=%u\n", (unsigned)n);
  SHOW("fd_seek_end", __wasi_fd_seek(file, 0, __WASI_WHENCE_END, &pos));
  printf("size=%u\n", (unsigned)pos);
  SHOW("fd_seek_negative", __wasi_fd_seek(file, -5, __WASI_WHENCE_SET, &pos));
  SHOW("fd_tell", __wasi_fd_tell(file, &pos));
  printf("tell=%u\n", (unsigned)pos);
  SHOW("fd_readdir_file", __wasi_fd_readdir(file, buf, sizeof buf, 0, &n));
  SHOW("fd_filestat_get_file", __wasi_fd_filestat_get(file, &fst));
  printf("filetype=%d size=%u\n", fst.filetype, (unsigned)fst.size);
  SHOW("fd_filestat_set_size", __wasi_fd_filestat_set_size(file, 10));
  SHOW("fd_filestat_get_file2", __wasi_fd_filestat_get(file, &fst));
  printf("size=%u\n", (unsigned)fst.size);
  SHOW("fd_pwrite", __wasi_fd_pwrite(file, &iov, 1, 20, &n));
  SHOW("fd_pread", __wasi_fd_pread(file, &riov, 1, 0, &n));
  printf("pread=%u\n", (unsigned)n);
  SHOW("fd_seek_stdout", __wasi_fd_seek(1, 0, __WASI_WHENCE_CUR, &pos));
  SHOW("fd_renumber", __wasi_fd_renumber(file, 10));
  SHOW("fd_close_old", __wasi_fd_close(file));
  SHOW("fd_close_new", __wasi_fd_close(10));
  SHOW("path_create_directory", __wasi_path_create_directory(3, "sub"));
  SHOW("path_create_directory_exist", __wasi_path_create_directory(3, "sub"));
  SHOW("path_open_sub_file", __wasi_path_open(3, 0, "sub/f", __WASI_OFLAGS_CREAT, ~0ull, ~0ull, 0, &fd));
  SHOW("fd_close_sub_file", __wasi_fd_close(fd));
  SHOW("path_remove_directory_notempty", __wasi_path_remove_directory(3, "sub"));
  SHOW("path_filestat_get_noent", __wasi_path_filestat_get(3, 0, "nope", &fst));
  SHOW("path_filestat_get_dir", __wasi_path_filestat_get(3, 0, "sub", &fst));
  printf("filetype=%d\n", fst.filetype);
  SHOW("path_rename", __wasi_path_rename(3, "new.txt", 3, "sub/renamed.txt"));
  SHOW("path_unlink_noent", __wasi_path_unlink_file(3, "new.txt"));
  SHOW("path_unlink", __wasi_path_unlink_file(3, "sub/renamed.txt"));
  SHOW("path_unlink_f", __wasi_path_unlink_file(3, "sub/f"));
  SHOW("path_remove_directory", __wasi_path_remove_directory(3, "sub"));
  SHOW("path_open_dir_as_dir", __wasi_path_open(3, 0, "missing", __WASI_OFLAGS_DIRECTORY, ~0ull, ~0ull, 0, &fd));
  SHOW("sock_accept_notsock", __wasi_sock_accept(1, 0, &fd));
  SHOW("fd_prestat_get_stdout", __wasi_fd_prestat_get(1, &pre));
  SHOW("fd_prestat_get_3", __wasi_fd_prestat_get(3, &pre));
  printf("prestat len=%u\n", (unsigned)pre.u.dir.pr_name_len);
  return 0;
}
