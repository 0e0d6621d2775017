import { POLYFILL_SIGNATURES, type CoreSignature, type CoreValType } from '../p2-on-p1/signatures.js';

/**
 * Core signature of every export the WASI 0.3 polyfill adds to p2-on-p1's: the async canonical
 * built-ins (`p3#...`, type constants last, as the linker's wrappers append them), the event
 * loop's steps, and the WASI 0.3 functions unlike their 0.2 namesakes (`iface@0.3#func`,
 * `[async]` for an async lowering). Encoding as in p2-on-p1/signatures.ts.
 */
const table: readonly (readonly [string, string])[] = [
  ['p3#next', 'i32 -> i32'],
  ['p3#event-code', '-> i32'],
  ['p3#event-p1', '-> i32'],
  ['p3#event-p2', '-> i32'],
  ['p3#finish', '-> i32'],
  ['p3#task.return0', '->'],
  ['p3#task.return1', 'i32 ->'],
  ['p3#task.cancel', '->'],
  ['p3#begin', '->'],
  ['p3#result-area', 'i32 i32 -> i32'],
  ['p3#task-returned', '->'],
  ['p3#returned', '-> i32'],
  ['p3#park', 'i32 ->'],
  ['p3#parked', '-> i32'],
  ['p3#keep', 'i32 i32 i32 i32 -> i32'],
  ['p3#context.get0', '-> i32'],
  ['p3#context.get1', '-> i32'],
  ['p3#context.set0', 'i32 ->'],
  ['p3#context.set1', 'i32 ->'],
  ['p3#yield', '-> i32'],
  ['p3#backpressure.set', 'i32 ->'],
  ['p3#backpressure.inc', '->'],
  ['p3#backpressure.dec', '->'],
  ['p3#waitable-set.new', '-> i32'],
  ['p3#waitable-set.wait', 'i32 i32 -> i32'],
  ['p3#waitable-set.poll', 'i32 i32 -> i32'],
  ['p3#waitable-set.drop', 'i32 ->'],
  ['p3#waitable.join', 'i32 i32 ->'],
  ['p3#subtask.drop', 'i32 ->'],
  ['p3#subtask.cancel', 'i32 -> i32'],
  ['p3#stream.new', 'i32 i32 -> i64'],
  ['p3#stream.read', 'i32 i32 i32 i32 -> i32'],
  ['p3#stream.write', 'i32 i32 i32 i32 -> i32'],
  ['p3#stream.cancel-read', 'i32 i32 -> i32'],
  ['p3#stream.cancel-write', 'i32 i32 -> i32'],
  ['p3#stream.drop-readable', 'i32 i32 ->'],
  ['p3#stream.drop-writable', 'i32 i32 ->'],
  ['p3#future.new', 'i32 i32 -> i64'],
  ['p3#future.read', 'i32 i32 i32 -> i32'],
  ['p3#future.write', 'i32 i32 i32 -> i32'],
  ['p3#future.cancel-read', 'i32 i32 -> i32'],
  ['p3#future.cancel-write', 'i32 i32 -> i32'],
  ['p3#future.drop-readable', 'i32 i32 ->'],
  ['p3#future.drop-writable', 'i32 i32 ->'],
  ['p3#error-context.new', 'i32 i32 -> i32'],
  ['p3#error-context.debug-message', 'i32 i32 ->'],
  ['p3#error-context.drop', 'i32 ->'],
  ['wasi:cli/stdout@0.3#write-via-stream', 'i32 -> i32'],
  ['wasi:cli/stderr@0.3#write-via-stream', 'i32 -> i32'],
  ['wasi:cli/stdin@0.3#read-via-stream', 'i32 ->'],
  ['wasi:cli/environment@0.3#get-initial-cwd', 'i32 ->'],
  ['wasi:clocks/monotonic-clock@0.3#[async]wait-for', 'i64 -> i32'],
  ['wasi:clocks/monotonic-clock@0.3#[async]wait-until', 'i64 -> i32'],
  ['wasi:clocks/monotonic-clock@0.3#get-resolution', '-> i64'],
  ['wasi:clocks/system-clock@0.3#now', 'i32 ->'],
  ['wasi:clocks/system-clock@0.3#get-resolution', '-> i64'],
  ['wasi:random/insecure-seed@0.3#get-insecure-seed', 'i32 ->'],
  ['wasi:filesystem/types@0.3#[method]descriptor.write-via-stream', 'i32 i32 i64 -> i32'],
  ['wasi:filesystem/types@0.3#[method]descriptor.read-via-stream', 'i32 i64 i32 ->'],
  ['wasi:filesystem/types@0.3#[method]descriptor.read-directory', 'i32 i32 ->'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.open-at', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.stat', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.stat-at', 'i32 i32 i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.get-type', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.get-flags', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.set-size', 'i32 i64 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.sync', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.sync-data', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.readlink-at', 'i32 i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.rename-at', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.is-same-object', 'i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.advise', 'i32 i64 i64 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.set-times', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.set-times-at', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.link-at', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.symlink-at', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.metadata-hash', 'i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.metadata-hash-at', 'i32 i32 i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.unlink-file-at', 'i32 i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.create-directory-at', 'i32 i32 i32 i32 -> i32'],
  ['wasi:filesystem/types@0.3#[async][method]descriptor.remove-directory-at', 'i32 i32 i32 i32 -> i32'],
];

function parse(text: string): CoreSignature {
  const [params = '', results = ''] = text.split('->');
  const list = (s: string): CoreValType[] => s.trim().split(/\s+/).filter(Boolean) as CoreValType[];
  return { params: list(params), results: list(results) };
}

export const P3_SIGNATURES: ReadonlyMap<string, CoreSignature> = new Map(table.map(([name, sig]) => [name, parse(sig)]));

/** Every export of the WASI 0.3 polyfill: p2-on-p1's and the additions. */
export const P3_POLYFILL_SIGNATURES: ReadonlyMap<string, CoreSignature> = new Map([...POLYFILL_SIGNATURES, ...P3_SIGNATURES]);
