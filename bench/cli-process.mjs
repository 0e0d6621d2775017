// Whole-process speed of the CLI, as a user meets it: `node <bin> down` and `node <bin> inspect`
// of the componentize-js fixture (13.9 MB), each a fresh process (Node's start, loading the
// bundle, reading, converting, writing), median of alternating runs so a burst of load on the
// machine hits all of them alike; next to Node's own start (`node -e 0`) and `jco transpile` of
// the same component as a process (its CLI, as `npx jco transpile` runs it, without npx's own
// start), with the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const RUNS = 11;
const JCO_RUNS = 3;
const bin = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin['wasi-adapt']);
const jco = join(root, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
const input = join(root, 'fixtures', 'bin', 'p2', 'js_hello.wasm');
const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-bench-'));

/** Wall time of one child process, in ms; it must succeed. */
function time(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return elapsed;
}

const load = () => loadavg()[0].toFixed(2);
const loadBefore = load();
const cases = {
  'node -e 0': ['-e', '0'],
  down: [bin, 'down', input, '-o', join(dir, 'out.wasm')],
  inspect: [bin, 'inspect', input],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) time(args); // warms the page cache, not the processes
for (let i = 0; i < RUNS; i++) for (const [k, args] of Object.entries(cases)) times[k].push(time(args));
const jcoTimes = [];
for (let i = 0; i < JCO_RUNS; i++) jcoTimes.push(time([jco, 'transpile', input, '-o', join(dir, 'jco')]));
rmSync(dir, { recursive: true, force: true });

const t = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const tJco = median(jcoTimes);
console.log(`CLI as a whole process: js_hello (${(readFileSync(input).length / 1e6).toFixed(1)} MB), median of ${RUNS} alternating runs (jco: ${JCO_RUNS}); load average ${loadBefore} before, ${load()} after`);
table([
  ['node -e 0', 'wasi-adapt down', 'wasi-adapt inspect', 'jco transpile', 'jco / down'],
  [ms(t['node -e 0']), ms(t.down), ms(t.inspect), ms(tJco), `${(tJco / t.down).toFixed(1)}x`],
]);
