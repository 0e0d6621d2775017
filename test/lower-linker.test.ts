// The linker on small hand-written components: lowerings with different reallocs (dispatcher),
// custom imports kept under their interface name, and the shapes it refuses.
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim';
import { expect, test } from 'vitest';
import { parseModule } from '../src/binary/module.js';
import { WasiAdaptError } from '../src/errors.js';
import { lower } from '../src/lower/index.js';
import { wat } from './helpers/wat.js';

/** WASI 0.2.12 types and imports the samples share: stdout, blocking-write-and-flush, get-arguments. */
const WASI_IMPORTS = `
  (type $error-iface (instance (export "error" (type (sub resource)))))
  (import "wasi:io/error@0.2.12" (instance $wasi-error (type $error-iface)))
  (alias export $wasi-error "error" (type $error))
  (type $streams-iface
    (instance
      (export "output-stream" (type (sub resource)))
      (alias outer 1 $error (type))
      (export "error" (type (eq 1)))
      (type (own 2))
      (type (variant (case "last-operation-failed" 3) (case "closed")))
      (export "stream-error" (type (eq 4)))
      (type (borrow 0))
      (type (list u8))
      (type (result (error 5)))
      (type (func (param "self" 6) (param "contents" 7) (result 8)))
      (export "[method]output-stream.blocking-write-and-flush" (func (type 9)))))
  (import "wasi:io/streams@0.2.12" (instance $wasi-streams (type $streams-iface)))
  (alias export $wasi-streams "output-stream" (type $output-stream))
  (type $stdout-iface
    (instance
      (alias outer 1 $output-stream (type))
      (export "output-stream" (type (eq 0)))
      (type (own 1))
      (type (func (result 2)))
      (export "get-stdout" (func (type 3)))))
  (import "wasi:cli/stdout@0.2.12" (instance $wasi-stdout (type $stdout-iface)))
  (type $env-iface
    (instance
      (type (list string))
      (type (func (result 0)))
      (export "get-arguments" (func (type 1)))))
  (import "wasi:cli/environment@0.2.12" (instance $wasi-env (type $env-iface)))
  (alias export $wasi-stdout "get-stdout" (func $get-stdout))
  (alias export $wasi-streams "[method]output-stream.blocking-write-and-flush" (func $bwaf))
  (alias export $wasi-env "get-arguments" (func $get-arguments))
`;

/** Memory in its own module, so lowerings can name it before the modules that use them exist. */
const MEMORY = `
  (core module $Mem (memory (export "memory") 4) (data (i32.const 512) "\\0a"))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
`;

/** `wasi:cli/run` lifted from core func `$run-core`. */
const RUN_EXPORT = `
  (type $run-type (func (result (result))))
  (func $run (type $run-type) (canon lift (core func $run-core)))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst))
`;

/** An allocator over [base, base + 64 KiB) of the shared memory (the polyfill takes its own state from it too). */
const allocator = (name: string, base: number) => `
  (core module $${name}
    (import "env" "memory" (memory 1))
    (global $next (mut i32) (i32.const ${base}))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1))) (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
`;

/** Prints argv[k]; traps unless the argument list came from the allocator at `base`. */
const printer = (name: string, k: number, base: number, scratch: number) => `
  (core module $${name}
    (import "env" "memory" (memory 1))
    (import "host" "args" (func $args (param i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (func (export "print")
      (local $list i32)
      (call $args (i32.const ${scratch}))
      (local.set $list (i32.load (i32.const ${scratch})))
      (if (i32.or (i32.lt_u (local.get $list) (i32.const ${base})) (i32.ge_u (local.get $list) (i32.const ${base + 65536})))
        (then unreachable))
      (call $write (call $get-stdout)
        (i32.load (i32.add (local.get $list) (i32.const ${k * 8})))
        (i32.load (i32.add (local.get $list) (i32.const ${k * 8 + 4})))
        (i32.const ${scratch + 16}))
      (call $write (call $get-stdout) (i32.const 512) (i32.const 1) (i32.const ${scratch + 16}))))
`;

async function runShim(module: Uint8Array, args: string[], extra: Record<string, Record<string, unknown>> = {}): Promise<{ stdout: string; code: number }> {
  const out: Uint8Array[] = [];
  const wasi = new WASI(args, [], [new OpenFile(new File([])), new ConsoleStdout((b) => out.push(b.slice())), new ConsoleStdout(() => {})]);
  const { instance } = (await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport, ...extra })) as unknown as {
    instance: { exports: { memory: WebAssembly.Memory; _start: () => unknown } };
  };
  const code = wasi.start(instance);
  return { stdout: Buffer.concat(out).toString(), code };
}

test('lowerings with different reallocs each get theirs (through the generated dispatcher)', async () => {
  const component = await wat(`(component
    ${WASI_IMPORTS}
    ${MEMORY}
    ${allocator('AllocA', 65536)}
    ${allocator('AllocB', 131072)}
    (core instance $alloc-a (instantiate $AllocA (with "env" (instance $mem))))
    (core instance $alloc-b (instantiate $AllocB (with "env" (instance $mem))))
    (alias core export $alloc-a "realloc" (core func $realloc-a))
    (alias core export $alloc-b "realloc" (core func $realloc-b))
    (core func $args-a (canon lower (func $get-arguments) (memory $memory) (realloc $realloc-a) string-encoding=utf8))
    (core func $args-b (canon lower (func $get-arguments) (memory $memory) (realloc $realloc-b) string-encoding=utf8))
    (core func $get-stdout-lowered (canon lower (func $get-stdout)))
    (core func $write-lowered (canon lower (func $bwaf) (memory $memory)))
    (core instance $host-a (export "args" (func $args-a)) (export "get-stdout" (func $get-stdout-lowered)) (export "write" (func $write-lowered)))
    (core instance $host-b (export "args" (func $args-b)) (export "get-stdout" (func $get-stdout-lowered)) (export "write" (func $write-lowered)))
    ${printer('PrintA', 1, 65536, 64)}
    ${printer('PrintB', 2, 131072, 128)}
    (core instance $pa (instantiate $PrintA (with "env" (instance $mem)) (with "host" (instance $host-a))))
    (core instance $pb (instantiate $PrintB (with "env" (instance $mem)) (with "host" (instance $host-b))))
    (core module $Run
      (import "a" "print" (func $a))
      (import "b" "print" (func $b))
      (func (export "run") (result i32) (call $a) (call $b) (call $a) (i32.const 0)))
    (core instance $run (instantiate $Run (with "a" (instance $pa)) (with "b" (instance $pb))))
    (alias core export $run "run" (core func $run-core))
    ${RUN_EXPORT}
  )`);
  const { module, report } = lower(component);
  expect(report.polyfillFunctions).toContain('wasi:cli/environment#get-arguments');
  expect(await runShim(module, ["prog", "first", "second"])).toEqual({ stdout: 'first\nsecond\nfirst\n', code: 0 });
});

test('a custom interface stays an import, named by its interface, with its core signature', async () => {
  const component = await wat(`(component
    (type $log-iface (instance (type (func (param "msg" string))) (export "log" (func (type 0)))))
    (import "my:pkg/log@1.0.0" (instance $log (type $log-iface)))
    (alias export $log "log" (func $log-fn))
    ${MEMORY}
    (core func $log-lowered (canon lower (func $log-fn) (memory $memory) string-encoding=utf8))
    (core instance $host (export "log" (func $log-lowered)))
    (core module $Main
      (import "env" "memory" (memory 1))
      (import "host" "log" (func $log (param i32 i32)))
      (data (i32.const 200) "logged \\e2\\98\\83")
      (func (export "run") (result i32) (call $log (i32.const 200) (i32.const 10)) (i32.const 0)))
    (core instance $main (instantiate $Main (with "env" (instance $mem)) (with "host" (instance $host))))
    (alias core export $main "run" (core func $run-core))
    ${RUN_EXPORT}
  )`);
  const { module, report } = lower(component);
  expect(report.customImports).toEqual(['my:pkg/log@1.0.0#log']);
  const compiled = await WebAssembly.compile(module);
  expect(WebAssembly.Module.imports(compiled)).toContainEqual({ module: 'my:pkg/log@1.0.0', name: 'log', kind: 'function' });
  const logged: string[] = [];
  let memory: WebAssembly.Memory | undefined;
  const log = (ptr: number, len: number) => logged.push(new TextDecoder().decode(new Uint8Array(memory!.buffer, ptr, len)));
  const wasi = new WASI(['prog'], [], []);
  const instance = (await WebAssembly.instantiate(compiled, { wasi_snapshot_preview1: wasi.wasiImport, 'my:pkg/log@1.0.0': { log } })) as unknown as {
    exports: { memory: WebAssembly.Memory; _start: () => unknown };
  };
  memory = instance.exports.memory;
  expect(wasi.start(instance)).toBe(0);
  expect(logged).toEqual(['logged \u2603']);
});

test('two memories are refused, naming why', async () => {
  const component = await wat(`(component
    (core module $A (memory (export "memory") 1) (func (export "f")))
    (core module $B (import "a" "f" (func $f)) (memory (export "memory") 1) (func (export "run") (result i32) (call $f) (i32.const 0)))
    (core instance $a (instantiate $A))
    (core instance $b (instantiate $B (with "a" (instance $a))))
    (alias core export $b "run" (core func $run-core))
    ${RUN_EXPORT}
  )`);
  expect(() => lower(component)).toThrow(WasiAdaptError);
  expect(() => lower(component)).toThrow(/more than one memory/);
});

const argsLowered = (encoding: string) => `(component
    ${WASI_IMPORTS}
    ${MEMORY}
    ${allocator('Alloc', 4096)}
    (core instance $alloc (instantiate $Alloc (with "env" (instance $mem))))
    (alias core export $alloc "realloc" (core func $realloc))
    (core func $args (canon lower (func $get-arguments) (memory $memory) (realloc $realloc) string-encoding=${encoding}))
    (core instance $host (export "args" (func $args)))
    (core module $Main (import "host" "args" (func (param i32))) (func (export "run") (result i32) (call 0 (i32.const 8)) (i32.const 0)))
    (core instance $main (instantiate $Main (with "host" (instance $host))))
    (alias core export $main "run" (core func $run-core))
    ${RUN_EXPORT}
  )`;

test('a WASI import lowered with utf16 strings goes through a transcoding adapter in front of the polyfill', async () => {
  const { module, report } = lower(await wat(argsLowered('utf16')));
  expect(report.modules.some((m) => m.name.startsWith('fused adapter (import wasi:cli/environment@0.2.12#get-arguments'))).toBe(true);
  // ASCII: the sample's bump allocator does not copy on realloc, and a non-ASCII argument is shrunk into place by one (transcode.test.ts covers those).
  const args = ['prog', 'first arg', ''];
  const wasi = new WASI(args, [], []);
  const instance = (await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport })) as unknown as {
    instance: { exports: { memory: WebAssembly.Memory; _start: () => unknown } };
  };
  expect(wasi.start(instance.instance)).toBe(0);
  // run left get-arguments' list<string> at 8, each string in UTF-16 (ptr, code units).
  const view = new DataView(instance.instance.exports.memory.buffer);
  const [list, count] = [view.getUint32(8, true), view.getUint32(12, true)];
  const got = Array.from({ length: count }, (_, i) => {
    const [ptr, units] = [view.getUint32(list + 8 * i, true), view.getUint32(list + 8 * i + 4, true)];
    return new TextDecoder('utf-16le').decode(new Uint8Array(view.buffer, ptr, 2 * units));
  });
  expect(got).toEqual(args);
  // The same lowering with utf8 links directly to the polyfill.
  expect(lower(await wat(argsLowered('utf8'))).report.modules.some((m) => m.name.startsWith('fused adapter'))).toBe(false);
});

test("the component's own resources get a handle table: new, rep, drop with its destructor, slot reuse", async () => {
  const component = await wat(`(component
    (core module $Dtor
      (global $dropped (mut i32) (i32.const 0))
      (func (export "dtor") (param i32) (global.set $dropped (i32.add (global.get $dropped) (local.get 0))))
      (func (export "dropped") (result i32) (global.get $dropped)))
    (core instance $dtor (instantiate $Dtor))
    (alias core export $dtor "dtor" (core func $dtor-fn))
    (type $r (resource (rep i32) (dtor (core func $dtor-fn))))
    (core func $new (canon resource.new $r))
    (core func $rep (canon resource.rep $r))
    (core func $drop (canon resource.drop $r))
    (core instance $res (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop)))
    (core module $Main
      (import "res" "new" (func $new (param i32) (result i32)))
      (import "res" "rep" (func $rep (param i32) (result i32)))
      (import "res" "drop" (func $drop (param i32)))
      (import "d" "dropped" (func $dropped (result i32)))
      (memory (export "memory") 1)
      ;; run's result<_, _>: ok (0) when every check holds, else err (1)
      (func (export "run") (result i32)
        (local $a i32) (local $b i32) (local $c i32)
        (local.set $a (call $new (i32.const 42)))
        (local.set $b (call $new (i32.const 7)))
        (if (i32.or (i32.eqz (local.get $a)) (i32.eq (local.get $a) (local.get $b))) (then (return (i32.const 1))))
        (if (i32.ne (call $rep (local.get $a)) (i32.const 42)) (then (return (i32.const 1))))
        (if (i32.ne (call $rep (local.get $b)) (i32.const 7)) (then (return (i32.const 1))))
        (call $drop (local.get $a))
        (if (i32.ne (call $dropped) (i32.const 42)) (then (return (i32.const 1))))
        (local.set $c (call $new (i32.const 5)))
        (if (i32.ne (local.get $c) (local.get $a)) (then (return (i32.const 1))))
        (if (i32.ne (call $rep (local.get $c)) (i32.const 5)) (then (return (i32.const 1))))
        (call $drop (local.get $b))
        (call $drop (local.get $c))
        (if (i32.ne (call $dropped) (i32.const 54)) (then (return (i32.const 1))))
        (i32.const 0)))
    (core instance $main (instantiate $Main (with "res" (instance $res)) (with "d" (instance $dtor))))
    (alias core export $main "run" (core func $run-core))
    ${RUN_EXPORT}
  )`);
  const { module } = lower(component);
  expect(WebAssembly.Module.exports(new WebAssembly.Module(module)).map((e) => e.name).sort()).toEqual(['_start', 'memory']);
  expect(await runShim(module, ['prog'])).toEqual({ stdout: '', code: 0 });
});

/**
 * A shim/fixup pair as wit-component makes it; `blockFold` also hands the shim's table (through an
 * inline-export instance) to a module with code of its own, so nothing may assume only the fixup writes it.
 */
const shimmed = (blockFold: boolean) => `(component
  (core module $Impl (func (export "ok") (result i32) (i32.const 0)))
  (core module $Shim
    (type $t (func (result i32)))
    (table (export "$imports") 1 1 funcref)
    (func (export "0") (type $t) (call_indirect (type $t) (i32.const 0))))
  (core module $Fixup
    (type $t (func (result i32)))
    (import "actual" "0" (func (type $t)))
    (import "shim" "$imports" (table 1 1 funcref))
    (elem (i32.const 0) func 0))
  (core module $Main
    (import "shim" "0" (func $f (result i32)))
    (table 2 funcref)
    (memory (export "memory") 1)
    (func $g (result i32) (call $f))
    (elem (i32.const 1) func $g)
    (func (export "run") (result i32) (call_indirect (result i32) (i32.const 1))))
  (core instance $shim (instantiate $Shim))
  (core instance $main (instantiate $Main (with "shim" (instance $shim))))
  (core instance $impl (instantiate $Impl))
  (core instance $actual (export "0" (func $impl "ok")))
  (core instance $fixup (instantiate $Fixup (with "shim" (instance $shim)) (with "actual" (instance $actual))))
  ${blockFold ? `(core module $Writer (import "t" "table" (table 1 1 funcref)) (func (export "clear") (table.set 0 (i32.const 0) (ref.null func))))
  (alias core export $shim "$imports" (core table $seen-elsewhere))
  (core instance $bag (export "table" (table $seen-elsewhere)))
  (core instance $writer (instantiate $Writer (with "t" (instance $bag))))` : ''}
  (alias core export $main "run" (core func $run-core))
  ${RUN_EXPORT}
)`;

test.each([
  ['folded to a direct call', false, 1],
  ['kept as a table the fixup fills', true, 2],
])('shim trampolines: %s', async (_name, blockFold, tables) => {
  const { module, report } = lower(await wat(shimmed(blockFold)));
  expect(parseModule(module).tables.length).toBe(tables);
  expect(report.modules.map((m) => m.role).includes('shim')).toBe(blockFold);
  expect(await runShim(module, ['prog'])).toEqual({ stdout: '', code: 0 });
});
