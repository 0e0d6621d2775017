// An AssemblyScript p1 command (compiled by test/lift.test.ts). Its allocator
// claims every memory page that exists when it starts, then grows memory
// itself: the adapter must take its state from pages obtained later.
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, n: u32, written: usize): u16;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(count: usize, size: usize): u16;

function print(s: string): void {
  const bytes = String.UTF8.encode(s);
  const iov = new ArrayBuffer(12);
  const at = changetype<usize>(iov);
  store<u32>(at, changetype<usize>(bytes));
  store<u32>(at, bytes.byteLength, 4);
  fd_write(1, at, 1, at + 8);
}

// Allocated before any WASI call: the allocator starts here.
const lines = new Array<string>();
print("hello from AssemblyScript\n");
for (let i = 0; i < 6000; i++) lines.push("line " + i.toString());
let intact = true;
for (let i = 0; i < 6000; i++) if (lines[i] != "line " + i.toString()) intact = false;
const sizes = new ArrayBuffer(8);
args_sizes_get(changetype<usize>(sizes), changetype<usize>(sizes) + 4);
print("argc " + load<u32>(changetype<usize>(sizes)).toString() + "\n");
print("pages " + (memory.size() > 1 ? "grown" : "not grown") + "\n");
print(intact ? "memory intact\n" : "memory corrupted\n");
