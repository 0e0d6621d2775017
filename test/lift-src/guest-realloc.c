// A guest that exports cabi_realloc: the adapter takes its state from it.
#include <stdio.h>
#include <stdlib.h>

static int calls;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *ptr, size_t old, size_t align, size_t size) {
  (void)old;
  (void)align;
  calls++;
  return realloc(ptr, size);
}

int main(int argc, char **argv) {
  for (int i = 0; i < argc; i++) printf("arg %s\n", argv[i]);
  printf("cabi_realloc calls: %d\n", calls);
  return 0;
}
