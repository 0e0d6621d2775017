// WASI 0.2 functions at the canonical-ABI core level. Module names carry no
// version: the component wires each one to the interface version it imports.
// Parameters named `ret` are return areas the host fills.

@external("wasi:cli/environment", "get-arguments") export declare function getArguments(ret: u32): void;
@external("wasi:cli/environment", "get-environment") export declare function getEnvironment(ret: u32): void;
@external("wasi:cli/exit", "exit") export declare function exit(isErr: u32): void;
@external("wasi:cli/exit", "exit-with-code") export declare function exitWithCode(code: u32): void;
@external("wasi:cli/stdin", "get-stdin") export declare function getStdin(): u32;
@external("wasi:cli/stdout", "get-stdout") export declare function getStdout(): u32;
@external("wasi:cli/stderr", "get-stderr") export declare function getStderr(): u32;

@external("wasi:io/error", "[resource-drop]error") export declare function dropError(h: u32): void;
@external("wasi:io/poll", "[resource-drop]pollable") export declare function dropPollable(h: u32): void;
@external("wasi:io/poll", "poll") export declare function poll(list: u32, len: u32, ret: u32): void;
@external("wasi:io/streams", "[resource-drop]input-stream") export declare function dropInputStream(h: u32): void;
@external("wasi:io/streams", "[resource-drop]output-stream") export declare function dropOutputStream(h: u32): void;
@external("wasi:io/streams", "[method]input-stream.blocking-read") export declare function blockingRead(h: u32, len: u64, ret: u32): void;
@external("wasi:io/streams", "[method]input-stream.subscribe") export declare function subscribeInput(h: u32): u32;
@external("wasi:io/streams", "[method]output-stream.blocking-write-and-flush") export declare function blockingWriteAndFlush(h: u32, ptr: u32, len: u32, ret: u32): void;
@external("wasi:io/streams", "[method]output-stream.subscribe") export declare function subscribeOutput(h: u32): u32;

@external("wasi:clocks/monotonic-clock", "now") export declare function monotonicNow(): u64;
@external("wasi:clocks/monotonic-clock", "resolution") export declare function monotonicResolution(): u64;
@external("wasi:clocks/monotonic-clock", "subscribe-instant") export declare function subscribeInstant(when: u64): u32;
@external("wasi:clocks/monotonic-clock", "subscribe-duration") export declare function subscribeDuration(d: u64): u32;
@external("wasi:clocks/wall-clock", "now") export declare function wallNow(ret: u32): void;
@external("wasi:clocks/wall-clock", "resolution") export declare function wallResolution(ret: u32): void;

@external("wasi:random/random", "get-random-bytes") export declare function getRandomBytes(len: u64, ret: u32): void;

@external("wasi:filesystem/preopens", "get-directories") export declare function getDirectories(ret: u32): void;
@external("wasi:filesystem/types", "[resource-drop]descriptor") export declare function dropDescriptor(h: u32): void;
@external("wasi:filesystem/types", "[resource-drop]directory-entry-stream") export declare function dropDirStream(h: u32): void;
@external("wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry") export declare function readDirectoryEntry(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.read") export declare function fsRead(h: u32, len: u64, off: u64, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.write") export declare function fsWrite(h: u32, ptr: u32, len: u32, off: u64, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.advise") export declare function fsAdvise(h: u32, off: u64, len: u64, advice: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.sync-data") export declare function fsSyncData(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.sync") export declare function fsSync(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.get-type") export declare function fsGetType(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.set-size") export declare function fsSetSize(h: u32, size: u64, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.set-times") export declare function fsSetTimes(h: u32, ak: u32, asec: u64, an: u32, mk: u32, ms: u64, mn: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.read-directory") export declare function fsReadDirectory(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.stat") export declare function fsStat(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.stat-at") export declare function fsStatAt(h: u32, pf: u32, p: u32, pl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.set-times-at") export declare function fsSetTimesAt(h: u32, pf: u32, p: u32, pl: u32, ak: u32, asec: u64, an: u32, mk: u32, ms: u64, mn: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.link-at") export declare function fsLinkAt(h: u32, pf: u32, p: u32, pl: u32, nh: u32, np: u32, npl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.open-at") export declare function fsOpenAt(h: u32, pf: u32, p: u32, pl: u32, oflags: u32, dflags: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.readlink-at") export declare function fsReadlinkAt(h: u32, p: u32, pl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.create-directory-at") export declare function fsCreateDirectoryAt(h: u32, p: u32, pl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.remove-directory-at") export declare function fsRemoveDirectoryAt(h: u32, p: u32, pl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.rename-at") export declare function fsRenameAt(h: u32, p: u32, pl: u32, nh: u32, np: u32, npl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.symlink-at") export declare function fsSymlinkAt(h: u32, p: u32, pl: u32, np: u32, npl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.unlink-file-at") export declare function fsUnlinkFileAt(h: u32, p: u32, pl: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.metadata-hash") export declare function fsMetadataHash(h: u32, ret: u32): void;
@external("wasi:filesystem/types", "[method]descriptor.metadata-hash-at") export declare function fsMetadataHashAt(h: u32, pf: u32, p: u32, pl: u32, ret: u32): void;

// The guest's allocator, or a stand-in returning 0 when it exports none.
@external("__main_module__", "cabi_realloc") export declare function mainRealloc(old: u32, oldSize: u32, align: u32, size: u32): u32;
@external("__main_module__", "_start") export declare function mainStart(): void;
