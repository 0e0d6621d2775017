// File-system and poll paths the fixtures do not reach: many directory
// entries (several fd_readdir calls continued by cookie), links, times,
// advice, sync, append mode, renumbering, poll_oneoff on a clock and stdin.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  mkdir("/sandbox/many", 0755);
  char path[300];
  for (int i = 0; i < 120; i++) {
    snprintf(path, sizeof path, "/sandbox/many/entry-with-a-rather-long-name-%03d.txt", i);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    write(fd, path, 5);
    close(fd);
  }
  DIR *d = opendir("/sandbox/many");
  char *names[200];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 200) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("entries=%d first=%s last=%s\n", n, names[0], names[n - 1]);

  int fd = open("/sandbox/log.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
  write(fd, "one\n", 4);
  lseek(fd, 0, SEEK_SET);
  write(fd, "two\n", 4);
  printf("append fsync=%d fdatasync=%d\n", fsync(fd), fdatasync(fd));
  printf("fadvise=%d\n", posix_fadvise(fd, 0, 8, POSIX_FADV_SEQUENTIAL));
  close(fd);
  char buf[64] = {0};
  fd = open("/sandbox/log.txt", O_RDONLY);
  printf("read=%zd %s", read(fd, buf, sizeof buf - 1), buf);
  close(fd);

  printf("symlink=%d\n", symlink("log.txt", "/sandbox/link"));
  memset(buf, 0, sizeof buf);
  printf("readlink=%zd %s\n", readlink("/sandbox/link", buf, sizeof buf), buf);
  printf("readlink short=%zd\n", readlink("/sandbox/link", buf, 3));
  struct stat st;
  printf("lstat=%d islnk=%d\n", lstat("/sandbox/link", &st), S_ISLNK(st.st_mode));
  printf("stat=%d size=%lld\n", stat("/sandbox/link", &st), (long long)st.st_size);
  printf("link=%d\n", link("/sandbox/log.txt", "/sandbox/hard.txt"));
  printf("nlink=%d\n", stat("/sandbox/log.txt", &st) == 0 ? (int)st.st_nlink : -1);
  struct timespec times[2] = {{1000000000, 0}, {1200000000, 500000000}};
  printf("utimensat=%d\n", utimensat(AT_FDCWD, "/sandbox/hard.txt", times, 0));
  stat("/sandbox/hard.txt", &st);
  printf("mtime=%lld atime=%lld\n", (long long)st.st_mtim.tv_sec, (long long)st.st_atim.tv_sec);
  printf("unlink link=%d\n", unlink("/sandbox/link"));
  errno = 0;
  printf("rmdir notempty=%d errno=%s\n", rmdir("/sandbox/many"), strerror(errno));

  struct timespec sl = {0, 2000000};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  nanosleep(&sl, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("slept enough=%d\n", ns >= 1000000);
  struct pollfd p = {0, POLLIN, 0};
  printf("poll stdin=%d revents=%d\n", poll(&p, 1, 1000), p.revents & POLLIN);
  printf("stdin=%zd\n", read(0, buf, sizeof buf));
  return 0;
}
