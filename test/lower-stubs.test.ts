// WASI interfaces p1 cannot serve: by default linked to stand-ins generated
// from their WIT types (a `result` says err, an `option` none, anything else
// traps after naming the function on stderr); --strict refuses them;
// --allow-unresolved keeps them as imports.
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { errorOf } from './helpers/errors.js';
import { wat } from './helpers/wat.js';

/**
 * A command importing a made-up WASI store: `open` returns result<own<bucket>, error> where
 * error's first case carries a handle (so zeros cannot express it: the stand-in must pick
 * `access-denied`), `find` an option<u64>, `ping` a result<_, _> (flat), `log` nothing.
 * run's exit: ok when every answer is the expected failure, and calls `log` when argc > 1.
 */
const COMPONENT = `(component
  (type $store-iface (instance
    (export "bucket" (type $bucket (sub resource)))
    (type $own (own $bucket))
    (type $error (variant (case "no-such-store" $own) (case "access-denied") (case "other" string)))
    (export "error" (type $error-t (eq $error)))
    (type $open-result (result $own (error $error-t)))
    (export "open" (func (param "name" string) (result $open-result)))
    (type $opt (option u64))
    (export "find" (func (param "key" u32) (result $opt)))
    (type $ping-result (result))
    (export "ping" (func (result $ping-result)))
    (export "log" (func (param "msg" string)))
  ))
  (import "wasi:store/store@0.1.0" (instance $store (type $store-iface)))
  (type $env-iface (instance
    (type $args (list string))
    (export "get-arguments" (func (result $args)))))
  (import "wasi:cli/environment@0.2.0" (instance $env (type $env-iface)))
  (alias export $store "open" (func $open))
  (alias export $store "find" (func $find))
  (alias export $store "ping" (func $ping))
  (alias export $store "log" (func $log))
  (alias export $env "get-arguments" (func $get-arguments))
  (core module $Mem (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      (local.set $p (global.get $next)) (global.set $next (i32.add (global.get $next) (local.get 3))) (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (core func $open-l (canon lower (func $open) (memory $memory) (realloc $realloc)))
  (core func $find-l (canon lower (func $find) (memory $memory)))
  (core func $ping-l (canon lower (func $ping)))
  (core func $log-l (canon lower (func $log) (memory $memory)))
  (core func $args-l (canon lower (func $get-arguments) (memory $memory) (realloc $realloc)))
  (core instance $host (export "open" (func $open-l)) (export "find" (func $find-l)) (export "ping" (func $ping-l)) (export "log" (func $log-l)) (export "args" (func $args-l)))
  (core module $Main
    (import "host" "open" (func $open (param i32 i32 i32)))
    (import "host" "find" (func $find (param i32 i32)))
    (import "host" "ping" (func $ping (result i32)))
    (import "host" "log" (func $log (param i32 i32)))
    (import "host" "args" (func $args (param i32)))
    (import "env" "memory" (memory 1))
    (func (export "run") (result i32)
      ;; poison the return areas so the stand-ins must write them
      (i64.store (i32.const 64) (i64.const -1)) (i64.store (i32.const 72) (i64.const -1))
      (i64.store (i32.const 96) (i64.const -1)) (i64.store (i32.const 104) (i64.const -1))
      (call $open (i32.const 0) (i32.const 0) (i32.const 64))
      ;; err (1), then error = access-denied (1) at offset 4
      (if (i32.ne (i32.load8_u (i32.const 64)) (i32.const 1)) (then (return (i32.const 1))))
      (if (i32.ne (i32.load8_u (i32.const 68)) (i32.const 1)) (then (return (i32.const 1))))
      (call $find (i32.const 7) (i32.const 96))
      (if (i32.ne (i32.load8_u (i32.const 96)) (i32.const 0)) (then (return (i32.const 1))))
      (if (i32.ne (call $ping) (i32.const 1)) (then (return (i32.const 1))))
      (call $args (i32.const 128))
      (if (i32.gt_u (i32.load (i32.const 132)) (i32.const 1)) (then (call $log (i32.const 0) (i32.const 0))))
      (i32.const 0)))
  (core instance $main (instantiate $Main (with "host" (instance $host)) (with "env" (instance $mem))))
  (alias core export $main "run" (core func $run-core))
  (type $run-type (func (result (result))))
  (func $run (type $run-type) (canon lift (core func $run-core)))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst))
)`;

function run(module: Uint8Array, args: string[]): { code: number | 'trap'; stderr: string } {
  const err: Uint8Array[] = [];
  const wasi = new WASI(args, [], [new OpenFile(new File([])), new ConsoleStdout(() => {}), new ConsoleStdout((b) => err.push(b.slice()))]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module), { wasi_snapshot_preview1: wasi.wasiImport });
  let code: number | 'trap';
  try {
    code = wasi.start(instance as never);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    code = 'trap';
  }
  return { code, stderr: Buffer.concat(err).toString() };
}

test('default: stand-ins answer with the WIT failure value; one that cannot fail traps naming itself', async () => {
  const { module, report } = lower(await wat(COMPONENT));
  expect(WebAssembly.Module.imports(new WebAssembly.Module(module)).every((i) => i.module === 'wasi_snapshot_preview1')).toBe(true);
  expect(report.stubbed).toEqual([
    'wasi:store/store@0.1.0#find: returns none',
    'wasi:store/store@0.1.0#log: traps (writes a line naming it to stderr)',
    'wasi:store/store@0.1.0#open: returns err(case 1)',
    'wasi:store/store@0.1.0#ping: returns err',
  ]);
  expect(run(module, ['prog'])).toEqual({ code: 0, stderr: '' });
  expect(run(module, ['prog', 'log'])).toEqual({
    code: 'trap',
    stderr: 'wasi-adapt: wasi:store/store@0.1.0#log cannot work on WASI preview 1 (this program called it)\n',
  });
});

test('--strict refuses them, naming the interface; --allow-unresolved keeps them as imports', async () => {
  const component = await wat(COMPONENT);
  const err = errorOf(() => lower(component, { strict: true }));
  expect(err.code).toBe('unresolved');
  expect(err.message).toMatch(/^imports wasi:store\/store@0\.1\.0 have no WASI preview 1 equivalent/);
  const kept = lower(component, { allowUnresolved: true });
  expect(kept.report.stubbed).toEqual([]);
  expect(kept.report.unresolvedKept).toEqual(['wasi:store/store@0.1.0']);
  expect(WebAssembly.Module.imports(new WebAssembly.Module(kept.module)).filter((i) => i.module.startsWith('wasi:store')).map((i) => i.name).sort()).toEqual([
    'find', 'log', 'open', 'ping',
  ]);
  expect(errorOf(() => lower(component, { strict: true, allowUnresolved: true })).code).toBe('invalid-argument');
});
