// Memory regions: how fast a module is rebased onto a region (MB of code per second, on the
// largest core module of the componentize-js component), how much its code grows, and what the
// bounds checks cost at run time on a load/store-heavy loop (native memory vs rebased + runtime).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { parseComponent } from '../dist/binary/component.js';
import { parseModule } from '../dist/binary/module.js';
import { layoutRegions, rebaseModule, regionRuntime } from '../dist/lower/memory-regions.js';
import { median, mbPerSecond, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const file = join(root, 'fixtures', 'bin', 'p2', 'js_hello.wasm');
const component = parseComponent(new Uint8Array(readFileSync(file)));
let main;
for (const s of component.sections) if (s.kind === 'coreModule' && (!main || s.module.length > main.length)) main = s.module;
const parsed = parseModule(main);
const memory = parsed.memories[0] ?? parsed.imports.find((im) => im.desc.kind === 'memory').desc.type;
const codeBytes = parsed.sections.find((s) => s.id === 10).payload.length;
// Its memory as the second of two regions, so bases are not zero.
const layout = layoutRegions([{ min: 1 }, memory]);

const RUNS = 7;
rebaseModule(main, 1, layout); // warm up the JIT
const rebaseTimes = [];
let rebased;
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  rebased = rebaseModule(main, 1, layout);
  rebaseTimes.push(performance.now() - t);
}
const rebasedCode = parseModule(rebased).sections.find((s) => s.id === 10).payload.length;
if (!WebAssembly.validate(rebased)) throw new Error('rebased module does not validate');

// A loop over 1 MiB: read, combine and write back 4-byte words, 64 passes.
const loop = new Uint8Array(
  await parse(`(module (memory (export "memory") 17)
    (func (export "run") (result i32) (local $i i32) (local $pass i32) (local $acc i32)
      (loop $passes
        (local.set $i (i32.const 0))
        (loop $words
          (local.set $acc (i32.add (local.get $acc) (i32.load offset=4 (local.get $i))))
          (i32.store (local.get $i) (i32.xor (local.get $acc) (i32.load8_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $words (i32.lt_u (local.get $i) (i32.const 1048576))))
        (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
        (br_if $passes (i32.lt_u (local.get $pass) (i32.const 64))))
      (local.get $acc)))`),
);
// The loop's memory as region 1 (base added to every address) and as region 0 (whose base is always 0).
const loopLayout = layoutRegions([{ min: 17 }, { min: 17 }]);
const runtime = new WebAssembly.Instance(new WebAssembly.Module(regionRuntime(loopLayout, new Set())), {});
const imports = { env: { memory: runtime.exports.memory }, 'wasi-adapt:regions': runtime.exports };
const nativeRun = new WebAssembly.Instance(new WebAssembly.Module(loop), {}).exports.run;
const [region0Run, region1Run] = [0, 1].map((k) => new WebAssembly.Instance(new WebAssembly.Module(rebaseModule(loop, k, loopLayout)), imports).exports.run);

function timeRuns(run) {
  run();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return median(times);
}
const nativeMs = timeRuns(nativeRun);
const region0Ms = timeRuns(region0Run);
const region1Ms = timeRuns(region1Run);
const cost = (t) => `x${(t / nativeMs).toFixed(2)} (${(((t - nativeMs) / accesses) * 1e6).toFixed(2)} ns per access)`;
const accesses = 3 * 64 * (1048576 / 4);

console.log(`memory regions: rebase of ${file.slice(root.length + 1)}'s main module (${(main.length / 1e6).toFixed(1)} MB, ${(codeBytes / 1e6).toFixed(1)} MB of code)`);
table([
  ['measure', 'median', 'detail'],
  ['rebase (parse, renumber, rewrite every access, encode)', ms(median(rebaseTimes)), `${mbPerSecond(codeBytes, median(rebaseTimes))} of code`],
  ['code section growth', '', `${(codeBytes / 1e6).toFixed(2)} MB -> ${(rebasedCode / 1e6).toFixed(2)} MB (+${((rebasedCode / codeBytes - 1) * 100).toFixed(0)}%)`],
  [`load/store loop, native memory (${(accesses / 1e6).toFixed(0)}M accesses)`, ms(nativeMs), ''],
  ['same loop rebased onto region 1 (checked, base added)', ms(region1Ms), cost(region1Ms)],
  ['same loop rebased onto region 0 (checked only)', ms(region0Ms), cost(region0Ms)],
]);
