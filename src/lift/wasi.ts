/**
 * The WASI 0.2 functions the preview1 adapter may import, in a compact
 * WIT-like notation: just enough of each interface to type its component
 * import. Interfaces are listed providers first, the order imports must take.
 */
export interface InterfaceSpec {
  /** Types this interface takes from another one (WIT `use`): local name -> providing interface. */
  uses?: Record<string, string>;
  resources?: string[];
  /** Named types: `record {...}`, `variant {...}`, `enum {...}`, `flags {...}`. */
  types?: Record<string, string>;
  /** Function types `(name: type, ...) -> type`; methods take `self` first. */
  funcs: Record<string, string>;
}

const ec = 'error-code';
const fsUnit = `result<_, ${ec}>`;
const desc = 'self: borrow<descriptor>';

export const WASI: Record<string, InterfaceSpec> = {
  'wasi:io/error': { resources: ['error'], funcs: {} },
  'wasi:io/poll': {
    resources: ['pollable'],
    funcs: { poll: '(in: list<borrow<pollable>>) -> list<u32>' },
  },
  'wasi:io/streams': {
    uses: { error: 'wasi:io/error', pollable: 'wasi:io/poll' },
    resources: ['input-stream', 'output-stream'],
    types: { 'stream-error': 'variant { last-operation-failed(error), closed }' },
    funcs: {
      '[method]input-stream.blocking-read': '(self: borrow<input-stream>, len: u64) -> result<list<u8>, stream-error>',
      '[method]input-stream.subscribe': '(self: borrow<input-stream>) -> pollable',
      '[method]output-stream.blocking-write-and-flush':
        '(self: borrow<output-stream>, contents: list<u8>) -> result<_, stream-error>',
      '[method]output-stream.subscribe': '(self: borrow<output-stream>) -> pollable',
    },
  },
  'wasi:clocks/wall-clock': {
    types: { datetime: 'record { seconds: u64, nanoseconds: u32 }' },
    funcs: { now: '() -> datetime', resolution: '() -> datetime' },
  },
  'wasi:clocks/monotonic-clock': {
    uses: { pollable: 'wasi:io/poll' },
    funcs: {
      now: '() -> u64',
      resolution: '() -> u64',
      'subscribe-instant': '(when: u64) -> pollable',
      'subscribe-duration': '(when: u64) -> pollable',
    },
  },
  'wasi:cli/environment': {
    funcs: {
      'get-environment': '() -> list<tuple<string, string>>',
      'get-arguments': '() -> list<string>',
    },
  },
  'wasi:cli/exit': {
    funcs: { exit: '(status: result<_, _>)', 'exit-with-code': '(status-code: u8)' },
  },
  'wasi:cli/stdin': { uses: { 'input-stream': 'wasi:io/streams' }, funcs: { 'get-stdin': '() -> input-stream' } },
  'wasi:cli/stdout': { uses: { 'output-stream': 'wasi:io/streams' }, funcs: { 'get-stdout': '() -> output-stream' } },
  'wasi:cli/stderr': { uses: { 'output-stream': 'wasi:io/streams' }, funcs: { 'get-stderr': '() -> output-stream' } },
  'wasi:random/random': { funcs: { 'get-random-bytes': '(len: u64) -> list<u8>' } },
  'wasi:filesystem/types': {
    uses: { datetime: 'wasi:clocks/wall-clock' },
    resources: ['descriptor', 'directory-entry-stream'],
    types: {
      'descriptor-type':
        'enum { unknown, block-device, character-device, directory, fifo, symbolic-link, regular-file, socket }',
      'descriptor-flags':
        'flags { read, write, file-integrity-sync, data-integrity-sync, requested-write-sync, mutate-directory }',
      'path-flags': 'flags { symlink-follow }',
      'open-flags': 'flags { create, directory, exclusive, truncate }',
      'descriptor-stat':
        'record { type: descriptor-type, link-count: u64, size: u64, data-access-timestamp: option<datetime>, ' +
        'data-modification-timestamp: option<datetime>, status-change-timestamp: option<datetime> }',
      'new-timestamp': 'variant { no-change, now, timestamp(datetime) }',
      'directory-entry': 'record { type: descriptor-type, name: string }',
      [ec]:
        'enum { access, would-block, already, bad-descriptor, busy, deadlock, quota, exist, file-too-large, ' +
        'illegal-byte-sequence, in-progress, interrupted, invalid, io, is-directory, loop, too-many-links, ' +
        'message-size, name-too-long, no-device, no-entry, no-lock, insufficient-memory, insufficient-space, ' +
        'not-directory, not-empty, not-recoverable, unsupported, no-tty, no-such-device, overflow, not-permitted, ' +
        'pipe, read-only, invalid-seek, text-file-busy, cross-device }',
      advice: 'enum { normal, sequential, random, will-need, dont-need, no-reuse }',
      'metadata-hash-value': 'record { lower: u64, upper: u64 }',
    },
    funcs: {
      '[method]descriptor.advise': `(${desc}, offset: u64, length: u64, advice: advice) -> ${fsUnit}`,
      '[method]descriptor.sync-data': `(${desc}) -> ${fsUnit}`,
      '[method]descriptor.get-type': `(${desc}) -> result<descriptor-type, ${ec}>`,
      '[method]descriptor.set-size': `(${desc}, size: u64) -> ${fsUnit}`,
      '[method]descriptor.set-times':
        `(${desc}, data-access-timestamp: new-timestamp, data-modification-timestamp: new-timestamp) -> ${fsUnit}`,
      '[method]descriptor.read': `(${desc}, length: u64, offset: u64) -> result<tuple<list<u8>, bool>, ${ec}>`,
      '[method]descriptor.write': `(${desc}, buffer: list<u8>, offset: u64) -> result<u64, ${ec}>`,
      '[method]descriptor.read-directory': `(${desc}) -> result<directory-entry-stream, ${ec}>`,
      '[method]descriptor.sync': `(${desc}) -> ${fsUnit}`,
      '[method]descriptor.create-directory-at': `(${desc}, path: string) -> ${fsUnit}`,
      '[method]descriptor.stat': `(${desc}) -> result<descriptor-stat, ${ec}>`,
      '[method]descriptor.stat-at': `(${desc}, path-flags: path-flags, path: string) -> result<descriptor-stat, ${ec}>`,
      '[method]descriptor.set-times-at':
        `(${desc}, path-flags: path-flags, path: string, data-access-timestamp: new-timestamp, ` +
        `data-modification-timestamp: new-timestamp) -> ${fsUnit}`,
      '[method]descriptor.link-at':
        `(${desc}, old-path-flags: path-flags, old-path: string, new-descriptor: borrow<descriptor>, new-path: string) -> ${fsUnit}`,
      '[method]descriptor.open-at':
        `(${desc}, path-flags: path-flags, path: string, open-flags: open-flags, flags: descriptor-flags) -> result<descriptor, ${ec}>`,
      '[method]descriptor.readlink-at': `(${desc}, path: string) -> result<string, ${ec}>`,
      '[method]descriptor.remove-directory-at': `(${desc}, path: string) -> ${fsUnit}`,
      '[method]descriptor.rename-at':
        `(${desc}, old-path: string, new-descriptor: borrow<descriptor>, new-path: string) -> ${fsUnit}`,
      '[method]descriptor.symlink-at': `(${desc}, old-path: string, new-path: string) -> ${fsUnit}`,
      '[method]descriptor.unlink-file-at': `(${desc}, path: string) -> ${fsUnit}`,
      '[method]descriptor.metadata-hash': `(${desc}) -> result<metadata-hash-value, ${ec}>`,
      '[method]descriptor.metadata-hash-at':
        `(${desc}, path-flags: path-flags, path: string) -> result<metadata-hash-value, ${ec}>`,
      '[method]directory-entry-stream.read-directory-entry':
        `(self: borrow<directory-entry-stream>) -> result<option<directory-entry>, ${ec}>`,
    },
  },
  'wasi:filesystem/preopens': {
    uses: { descriptor: 'wasi:filesystem/types' },
    funcs: { 'get-directories': '() -> list<tuple<descriptor, string>>' },
  },
};
