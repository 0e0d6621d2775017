// Run time of `down`'s output against the native p1 build, on node:wasi: the syscall-heavy
// fixture (every iteration writes, seeks, reads, fstats and reads the clock in /sandbox) as
//   A  its own p1 build (native),
//   B  down of its component, the adapter dropped (main calls the host's p1 directly),
//   C  down --keep-adapter (the official adapter running on our WASI 0.2 polyfill),
//   D  down --keep-adapter of `up` of the p1 build (our adapter on our polyfill).
// Runs alternate (A B C D A B C D ...) so load drifts hit every variant alike; each run is a
// fresh child with a fresh /sandbox, timing `wasi.start` alone (compile and start-up excluded).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lift } from '../dist/lift/index.js';
import { lower } from '../dist/lower/index.js';
import { median, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const ITERATIONS = 20_000;
const ROUNDS = 11;

const p1 = readFileSync(join(root, 'fixtures', 'bin', 'p1', 'syscalls.wasm'));
const p2 = new Uint8Array(readFileSync(join(root, 'fixtures', 'bin', 'p2', 'syscalls.wasm')));
const down = (component, options, adapter) => {
  const { module, report } = lower(component, options);
  if (report.adapter !== adapter) throw new Error(`expected the adapter ${adapter}, got ${report.adapter}`);
  return module;
};
const variants = [
  { name: 'A native p1', bytes: p1 },
  { name: 'B down (adapter dropped)', bytes: down(p2, {}, 'dropped') },
  { name: 'C down --keep-adapter (official adapter + polyfill)', bytes: down(p2, { keepAdapter: true }, 'kept') },
  { name: 'D down --keep-adapter of up (our adapter + polyfill)', bytes: down(lift(p1, { exitWithCode: true }).component, { keepAdapter: true }, 'kept') },
];

const child = `
  import { closeSync, openSync, readFileSync } from 'node:fs';
  import { WASI } from 'node:wasi';
  const [wasmPath, sandbox, iterations, stdoutPath] = process.argv.slice(1);
  const stdout = openSync(stdoutPath, 'w');
  const wasi = new WASI({ version: 'preview1', returnOnExit: true, args: ['syscalls', iterations], env: {}, preopens: { '/sandbox': sandbox }, stdout });
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const t = performance.now();
  const exit = wasi.start(instance);
  const runMs = performance.now() - t;
  closeSync(stdout);
  console.log(JSON.stringify({ exit, runMs }));`;

const work = mkdtempSync(join(tmpdir(), 'wasi-adapt-bench-'));
try {
  variants.forEach((v, i) => {
    v.path = join(work, `${i}.wasm`);
    v.times = [];
    writeFileSync(v.path, v.bytes);
  });
  let expected;
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const sandbox = mkdtempSync(join(work, 'sandbox-'));
      const stdoutPath = join(work, 'stdout');
      const out = execFileSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', child, v.path, sandbox, String(ITERATIONS), stdoutPath], { encoding: 'utf8' });
      const { exit, runMs } = JSON.parse(out.trim().split('\n').pop());
      const stdout = readFileSync(stdoutPath, 'utf8');
      expected ??= stdout;
      if (exit !== 0 || stdout !== expected) throw new Error(`${v.name}: exit ${exit}, stdout ${JSON.stringify(stdout)} (expected ${JSON.stringify(expected)})`);
      v.times.push(runMs);
      rmSync(sandbox, { recursive: true });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const native = median(variants[0].times);
console.log(`down output run time: syscalls ${ITERATIONS} iterations on node:wasi, ${ROUNDS} alternating rounds, medians (wasi.start only)`);
table([
  ['variant', 'size', 'run (median)', 'min', 'vs native'],
  ...variants.map((v) => {
    const t = median(v.times);
    const pct = ((t / native - 1) * 100).toFixed(1);
    return [v.name, `${v.bytes.length} B`, ms(t), ms(Math.min(...v.times)), v === variants[0] ? '-' : `${t >= native ? '+' : ''}${pct}%`];
  }),
]);
