// `down` at scale: (a) time against input size, and (b) peak memory on the 14 MB fixture.
//
// (a) Components of one shape at 1x, 4x and 16x: a synthetic p1 program shaped like the
// componentize-js runtime (2/3 code full of loads and calls, 1/3 data in ~450 B segments),
// lifted with `up` and lowered with --keep-adapter, so every body is scanned and its calls
// renumbered as in js_hello; js_hello itself as a fourth row. Linear growth shows as a flat
// ms per MB (and a flat marginal ms per MB between sizes; fixed costs are in the first row).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModule } from '../dist/binary/module.js';
import { BinaryWriter } from '../dist/binary/writer.js';
import { lift } from '../dist/lift/index.js';
import { lower } from '../dist/lower/index.js';
import { median, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const JS_HELLO = join(root, 'fixtures', 'bin', 'p2', 'js_hello.wasm');
const RUNS = 7;

/** A p1 command of about `mb` MB: funcs (i32) -> i32 chaining load/add/call, and data segments. */
function syntheticP1(mb) {
  const bytes = mb * 1e6;
  const body = (self, n) => {
    const w = new BinaryWriter(512).u32(0);
    // About one call per 100 bytes, as in js_hello (94k calls in 9.2 MB of code).
    for (let k = 0; k < 48; k++) {
      w.u8(0x20).u32(0).u8(0x28).u32(2).u32(4).u8(0x41).sleb(k).u8(0x6a);
      if (k % 8 === 7) w.u8(0x10).u32(2 + ((self + k) % n)); // two imports come first
      w.u8(0x21).u32(0);
    }
    return w.u8(0x20).u32(0).u8(0x0b).finish();
  };
  const n = Math.round((bytes * 2) / 3 / 500);
  const code = Array.from({ length: n }, (_, i) => body(i, n));
  const start = new BinaryWriter(16).u32(0).u8(0x41).u32(0).u8(0x10).u32(2).u8(0x1a).u8(0x0b).finish();
  const segments = Math.round(bytes / 3 / 450);
  const init = new Uint8Array(445).fill(0x61);
  const data = Array.from({ length: segments }, (_, i) => ({
    mode: 'active',
    memory: 0,
    init,
    offset: { bytes: new BinaryWriter(8).u8(0x41).sleb(1024 + i * 448).u8(0x0b).finish(), offset: 0 },
  }));
  const i32 = 'i32';
  return encodeModule({
    types: [
      { kind: 'func', params: [i32, i32, i32, i32], results: [i32] },
      { kind: 'func', params: [i32], results: [] },
      { kind: 'func', params: [i32], results: [i32] },
      { kind: 'func', params: [], results: [] },
    ],
    imports: [
      { module: 'wasi_snapshot_preview1', name: 'fd_write', desc: { kind: 'func', typeIndex: 0 } },
      { module: 'wasi_snapshot_preview1', name: 'proc_exit', desc: { kind: 'func', typeIndex: 1 } },
    ],
    functions: [...code.map(() => 2), 3],
    memories: [{ min: Math.ceil((1024 + segments * 448) / 65536) + 1 }],
    exports: [
      { name: 'memory', kind: 'memory', index: 0 },
      { name: '_start', kind: 'func', index: 2 + n },
    ],
    code: [...code, start],
    data,
  });
}

function timeDown(bytes, options) {
  lower(bytes, options); // warm-up
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    lower(bytes, options);
    times.push(performance.now() - t);
  }
  return median(times);
}

const inputs = [1, 4, 16].map((mb) => ({ name: `synthetic ${mb}x`, bytes: lift(syntheticP1(mb * 0.87)).component, options: { keepAdapter: true } }));
inputs.push({ name: 'js_hello', bytes: new Uint8Array(readFileSync(JS_HELLO)), options: { allowUnresolved: true } });
const rows = [['input', 'size', 'down (median)', 'ms per MB', 'marginal ms per MB']];
let prev;
for (const input of inputs) {
  const t = timeDown(input.bytes, input.options);
  const mb = input.bytes.length / 1e6;
  const marginal = prev && input.name.startsWith('synthetic') ? ((t - prev.t) / (mb - prev.mb)).toFixed(1) : '-';
  rows.push([input.name, `${mb.toFixed(2)} MB`, ms(t), (t / mb).toFixed(1), marginal]);
  prev = { t, mb };
}
console.log(`down vs input size: in-process, median of ${RUNS} runs after one warm-up`);
table(rows);

// (b) Method: peak RSS (VmHWM from /proc/self/status) of a fresh `node` that imports `lower`,
// reads js_hello and lowers it once, minus the peak of an identical process that stops after the
// read; the difference is what `down` itself needed at its peak (garbage it left for later
// collection included, the 13.8 MB output included).
const peak = (run) => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { lower } from '../dist/lower/index.js';
    const bytes = new Uint8Array(readFileSync(process.argv[1]));
    if (${run}) lower(bytes, { allowUnresolved: true });
    console.log(/VmHWM:\\s*(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1] * 1024);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JS_HELLO], { cwd: import.meta.dirname, encoding: 'utf8' });
  return Number(out.trim());
};
const inputSize = readFileSync(JS_HELLO).length;
const samples = [0, 1, 2].map(() => peak(true) - peak(false));
const used = median(samples);
table([
  ['peak memory of down (js_hello)', 'input', 'peak RSS over baseline (median of 3)', 'peak / input'],
  ['fresh child, one call', `${(inputSize / 1e6).toFixed(1)} MB`, `${(used / 1e6).toFixed(1)} MB`, `${(used / inputSize).toFixed(2)}x`],
]);
