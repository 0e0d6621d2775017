// An AssemblyScript p1 command with two declarations of the same import, as libraries and
// programs often end up with: a build without optimization imports fd_write twice
// (test/lift-p1-semantics.test.ts).
@external("wasi_snapshot_preview1", "fd_write")
declare function write_a(fd: u32, iovs: usize, n: u32, written: usize): u16;
@external("wasi_snapshot_preview1", "fd_write")
declare function write_b(fd: u32, iovs: usize, n: u32, written: usize): u16;

function iov(s: string): usize {
  const bytes = String.UTF8.encode(s);
  const at = changetype<usize>(new ArrayBuffer(12));
  store<u32>(at, changetype<usize>(bytes));
  store<u32>(at, bytes.byteLength, 4);
  return at;
}

export function _start(): void {
  const a = iov("from a\n");
  write_a(1, a, 1, a + 8);
  const b = iov("from b\n");
  write_b(1, b, 1, b + 8);
}
