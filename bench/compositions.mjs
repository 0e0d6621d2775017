// Compositions through `down` (fused adapters, memories merged into regions):
//   - per composition: output size against the sum of its core modules, and link time (median);
//   - run time of a call-heavy composition (a caller component calling a callee component's
//     `echo: func(s: string) -> string` N times, each call copying the string into the callee's
//     memory and the result back: two fused copies per call), as the down output on V8 (no WASI
//     needed) against the same composition transpiled by jco (which copies through JS).
// Runs alternate (down, jco, down, jco, ...), each in the same process after a warm-up call.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, transpile } from '@bytecodealliance/jco';
import { parseComponent } from '../dist/binary/component.js';
import { lower } from '../dist/lower/index.js';
import { median, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const corpus = join(root, '..', 'shared', 'corpus', 'p2');
const CALLS = 200_000;
const ROUNDS = 7;

/** Bytes of every core module in a component, nested components included. */
function moduleBytes(bytes) {
  let sum = 0;
  const walk = (c) => {
    for (const s of c.sections) {
      if (s.kind === 'coreModule') sum += s.module.length;
      if (s.kind === 'component') walk(s.component);
    }
  };
  walk(parseComponent(bytes));
  return sum;
}

const BUMP = `
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1))) (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      ;; A ring: after 32 KiB the allocator starts over (the benchmark never keeps a string).
      (if (i32.gt_u (global.get $next) (i32.const 40960)) (then (global.set $next (i32.const 4096))))
      (local.get $p))`;

/** The call-heavy composition: run(n) calls echo n times with an 11-byte string. */
const CALL_HEAVY = `(component
  (component $Callee
    (core module $M ${BUMP}
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        (i32.const 16)))
    (core instance $m (instantiate $M))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $m "echo") (memory (core memory $m "memory")) (realloc (core func $m "realloc")))))
  (component $Caller
    (import "echo" (func $echo (param "s" string) (result string)))
    (core module $Mem ${BUMP})
    (core instance $mem (instantiate $Mem))
    (core func $echo-low (canon lower (func $echo) (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
    (core module $Main
      (import "mem" "memory" (memory 1))
      (import "host" "echo" (func $echo (param i32 i32 i32)))
      (data (i32.const 100) "hello world")
      (func (export "run") (param $n i32) (result i32)
        (local $acc i32)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get $n)))
          (call $echo (i32.const 100) (i32.const 11) (i32.const 32))
          (local.set $acc (i32.add (local.get $acc) (i32.load (i32.const 36))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (local.get $acc)))
    (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "host" (instance (export "echo" (func $echo-low))))))
    (func (export "run") (param "n" u32) (result u32) (canon lift (core func $main "run"))))
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "echo" (func $callee "echo"))))
  (export "run" (func $caller "run")))`;

const ours = join(root, 'fixtures', 'bin', 'compositions');
const compositions = [
  ['simple-nested', readFileSync(join(corpus, 'simple-nested.component.wasm'))],
  ['simple-nested-optimized', readFileSync(join(corpus, 'simple-nested-optimized.component.wasm'))],
  ['call-heavy (string echo)', new Uint8Array(await parse(CALL_HEAVY))],
  // Real-toolchain shapes (C + wasi-libc + the official preview1 adapter, composed by fixtures/compose.mjs).
  ['greeter-app (two adapter-shaped C components)', readFileSync(join(ours, 'greeter-app.wasm'))],
  ['greeter-app-utf16 (the library utf16)', readFileSync(join(ours, 'greeter-app-utf16.wasm'))],
  ['virt-app (a virt implementing WASI for a C program)', readFileSync(join(ours, 'virt-app.wasm'))],
];

const rows = [['composition', 'modules (bytes)', 'down output', 'output / modules', 'link (median of 15)']];
for (const [name, bytes] of compositions) {
  const times = [];
  let out;
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    out = lower(bytes).module;
    times.push(performance.now() - t);
  }
  const sum = moduleBytes(bytes);
  rows.push([name, sum, out.length, `${((out.length / sum) * 100).toFixed(0)}%`, ms(median(times))]);
}
console.log('## compositions: size and link time\n');
table(rows);

// Run time: the down output's `run` export (a p1 module with no imports) against jco's.
const component = compositions[2][1];
const { module } = lower(component);
const { instance } = await WebAssembly.instantiate(module, {});
const downRun = instance.exports.run;

const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-bench-compositions-'));
try {
  const { files } = await transpile(component, { name: 'component', instantiation: 'async', noTypescript: true, quiet: true });
  for (const [file, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), data);
  }
  const { instantiate } = await import(pathToFileURL(join(dir, 'component.js')).href);
  const jco = await instantiate((p) => WebAssembly.compile(readFileSync(join(dir, p))), {});
  const jcoRun = jco.run;

  if (downRun(1000) !== jcoRun(1000) || downRun(1000) !== 11_000) throw new Error('down and jco disagree on run(1000)');
  const down = [];
  const viaJco = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    downRun(CALLS);
    down.push(performance.now() - t);
    t = performance.now();
    jcoRun(CALLS);
    viaJco.push(performance.now() - t);
  }
  console.log(`## call-heavy composition: ${CALLS} calls of echo(string) -> string between two components (median of ${ROUNDS})\n`);
  table([
    ['host', 'run time', 'per call'],
    ['down output (node, V8)', ms(median(down)), `${((median(down) / CALLS) * 1e6).toFixed(0)} ns`],
    ['jco transpile (node, V8)', ms(median(viaJco)), `${((median(viaJco) / CALLS) * 1e6).toFixed(0)} ns`],
  ]);
  console.log(`down output is ${(median(viaJco) / median(down)).toFixed(1)}x faster than jco\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
