// `up` of "mixed" modules, which import WASI 0.2 functions directly next to preview1: those
// become the component's own imports, one per interface shared with the adapter's. Run on jco
// and Wasmtime.
import { readFileSync } from 'node:fs';
import { parse, print } from '@bytecodealliance/jco';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../src/component/graph.js';
import { lift } from '../src/lift/index.js';
import { lower } from '../src/lower/index.js';
import { checkExpectations, loadManifest, runP1, runP2, runWasmtime, runWasmtimeComponent, specOf } from './harness/index.js';
import { errorOf } from './helpers/errors.js';

describe('the mixed fixture\'s main module', () => {
  const f = loadManifest().find((x) => x.name === 'mixed')!;
  // The module the official reactor adapter was wrapped around (its role in the component).
  const main = buildGraph(new Uint8Array(readFileSync(f.p2!))).modules.find((m) => m.role === 'main')!;

  it('lifts with its own run export and WASI 0.2 imports, and runs as the manifest says on jco and Wasmtime', async () => {
    const { component, report } = lift(main.bytes);
    expect(report.kind).toBe('command');
    // The newest version the module imports: its functions exist there.
    expect(report.wasiVersion).toBe('0.2.12');
    const text = await print(component);
    // One import per interface, each once.
    const imports = [...text.matchAll(/^ {2}\(import "([^"]+)"/gm)].map((m) => m[1]!);
    expect(new Set(imports).size).toBe(imports.length);
    expect(imports).toEqual(expect.arrayContaining(['wasi:cli/stdout@0.2.12', 'wasi:clocks/wall-clock@0.2.12', 'wasi:io/streams@0.2.12']));
    const spec = { args: f.args };
    for (const r of await Promise.all([runP2(component, spec), runWasmtimeComponent(component, spec)])) checkExpectations(f, r, 'p2');
  });

  it('comes back down to a p1 module that runs as the manifest says on node:wasi and Wasmtime', async () => {
    const { module, report } = lower(lift(main.bytes).component);
    expect(report.adapter).toBe('dropped');
    for (const r of await Promise.all([runP1(module, specOf(f)), runWasmtime(module, specOf(f))])) checkExpectations(f, r, 'p1');
  });
});

/** A mixed command: a preview1 write, then its arguments (WASI 0.2, lists from its cabi_realloc) to stdout. */
const mixed = (opts: { realloc?: boolean; argsType?: string; name?: string } = {}) => `(module
  (import "wasi:cli/environment@0.2.0" "${opts.name ?? 'get-arguments'}" (func $args ${opts.argsType ?? '(param i32)'}))
  (import "wasi:cli/stdout@0.2.0" "get-stdout" (func $stdout (result i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush" (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 64) "p1 says hi\\n") (data (i32.const 80) "\\n")
  ${opts.realloc === false ? '' : `(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))`}
  (func (export "_start") (local $out i32) (local $list i32) (local $n i32) (local $i i32) (local $item i32)
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 11))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $args (i32.const 16))
    (local.set $out (call $stdout))
    (local.set $list (i32.load (i32.const 16))) (local.set $n (i32.load (i32.const 20)))
    (local.set $i (i32.const 1))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $item (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))))
      (call $write (local.get $out) (i32.load (local.get $item)) (i32.load offset=4 (local.get $item)) (i32.const 24))
      (call $write (local.get $out) (i32.const 80) (i32.const 1) (i32.const 24))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $drop (local.get $out))))`;

describe('a hand-written mixed module', () => {
  it('gets lists back in memory from its own cabi_realloc, drops its handles, on jco and Wasmtime', async () => {
    const { component, report } = lift(await parse(mixed()));
    expect(report.wasiVersion).toBe('0.2.0');
    const spec = { args: ['mixed', 'a', 'b c'] };
    for (const r of await Promise.all([runP2(component, spec), runWasmtimeComponent(component, spec)])) {
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe('p1 says hi\na\nb c\n');
      expect(r.exitCode).toBe(0);
    }
  });

  it('is refused, naming the import, without the cabi_realloc its lists need, or with a wrong core type or name', async () => {
    const refusal = async (opts: Parameters<typeof mixed>[0]) => {
      const bytes = await parse(mixed(opts));
      return errorOf(() => lift(bytes)).message;
    };
    expect(await refusal({ realloc: false })).toBe(
      "imports wasi:cli/environment@0.2.0.get-arguments, whose result the host writes into memory from the module's cabi_realloc, which it does not export",
    );
    expect(await refusal({ argsType: '(param i32 i32)' })).toBe(
      'wasi:cli/environment@0.2.0.get-arguments is imported with a core type that is not its canonical-ABI lowering',
    );
    expect(await refusal({ name: 'get-argumentz' })).toBe(
      "imports wasi:cli/environment@0.2.0.get-argumentz, which is not a function of WASI 0.2.12's wasi:cli or wasi:http imports (or is @unstable)",
    );
  });
});

// Main modules that call WASI 0.2 directly (the pure p2 fixtures, and componentize-js's, which
// import most of wasi:cli's and wasi:http's interfaces next to a few p1 functions), wrapped by
// the official reactor adapter: functions the p1 adapter never imports (initial-cwd,
// read-via-stream, pollable.ready, wasi:random/insecure, wasi:http/types...) are typed from the
// WASI WIT like the rest.
// The componentize-js ones run on jco only, as their originals do (lower-wasmtime.test.ts): each
// costs seconds of CPU to compile on Wasmtime, and js_fetch's fetch there reaches Wasmtime's real
// outgoing HTTP, whose failure under load once surfaced as an event-loop abort instead of a
// rejection.
describe.each(loadManifest().filter((f) => f.p1 === null && /^(p2|js)_/.test(f.name)))('$name\'s main module', (f) => {
  it(f.big ? 'lifts and runs as the manifest says on jco' : 'lifts and runs as the manifest says on jco and Wasmtime', async () => {
    const main = buildGraph(new Uint8Array(readFileSync(f.p2!))).modules.find((m) => m.role === 'main')!;
    const { component } = lift(main.bytes);
    const spec = specOf(f);
    const runs = f.big ? [runP2(component, spec)] : [runP2(component, spec), runWasmtimeComponent(component, spec)];
    for (const r of await Promise.all(runs)) checkExpectations(f, r, 'p2');
  }, f.big ? 120_000 : 60_000);
});

describe('a mixed module using wasi:http', () => {
  // wasi:http/types uses wasi:io/error's `error` as `io-error`; http-error-code names it and the
  // whole error-code variant (strings in it: hence a cabi_realloc), so its import is declared
  // even though it is never called.
  const module = `(module
    (import "wasi:http/types@0.2.0" "[constructor]fields" (func $new (result i32)))
    (import "wasi:http/types@0.2.0" "[method]fields.append" (func $append (param i32 i32 i32 i32 i32 i32)))
    (import "wasi:http/types@0.2.0" "[method]fields.has" (func $has (param i32 i32 i32) (result i32)))
    (import "wasi:http/types@0.2.0" "[resource-drop]fields" (func $drop (param i32)))
    (import "wasi:http/types@0.2.0" "http-error-code" (func (param i32 i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 4)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (data (i32.const 64) "x-a") (data (i32.const 80) "v") (data (i32.const 96) "has=?\\n")
    (func (export "_start") (local $f i32)
      (local.set $f (call $new))
      (call $append (local.get $f) (i32.const 64) (i32.const 3) (i32.const 80) (i32.const 1) (i32.const 32))
      (i32.store8 (i32.const 100) (i32.add (i32.const 48) (call $has (local.get $f) (i32.const 64) (i32.const 3))))
      (call $drop (local.get $f))
      (i32.store (i32.const 0) (i32.const 96)) (i32.store (i32.const 4) (i32.const 6))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

  it('types its http imports from the WIT and runs on jco', async () => {
    const { component, report } = lift(await parse(module));
    expect(report.interfaces).toEqual(expect.arrayContaining(['wasi:io/error@0.2.0', 'wasi:http/types@0.2.0']));
    const text = await print(component);
    expect(text).toMatch(/\(export \(;\d+;\) "io-error" \(type \(eq \d+\)\)/);
    const r = await runP2(component, { args: ["http"] });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('has=1\n');
    expect(r.exitCode).toBe(0);
  });
});
