// `down` speed: every fixture component lowered in-process (median of several runs, after a
// warm-up) with its throughput and output size against the p1 original; for the
// componentize-js fixture also `jco transpile` of the same component, as the alternative way
// to run a component where only p1 or JS hosts exist.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lower } from '../dist/lower/index.js';
import { median, mbPerSecond, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'fixtures', 'manifest.json'), 'utf8'));
const RUNS = 7;
const BIG = 'js_hello';

const seen = new Set();
const rows = [['fixture', 'input', 'down (median)', 'throughput', 'output', 'p1 original', 'output/p1']];
let big;
for (const f of manifest.fixtures) {
  if (!f.p2 || seen.has(f.p2)) continue;
  seen.add(f.p2);
  const bytes = new Uint8Array(readFileSync(join(root, 'fixtures', f.p2)));
  const options = { allowUnresolved: true };
  let out;
  try {
    out = lower(bytes, options); // warm-up, as in a long-lived build tool
  } catch (err) {
    rows.push([f.name, `${bytes.length} B`, `refused: ${err.code}`, '', '', '', '']);
    continue;
  }
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    lower(bytes, options);
    times.push(performance.now() - t);
  }
  const t = median(times);
  const p1 = f.p1 ? readFileSync(join(root, 'fixtures', f.p1)).length : undefined;
  rows.push([
    f.name,
    `${bytes.length} B`,
    ms(t),
    mbPerSecond(bytes.length, t),
    `${out.module.length} B`,
    p1 === undefined ? '-' : `${p1} B`,
    p1 === undefined ? '-' : `${((out.module.length / p1) * 100).toFixed(1)}%`,
  ]);
  if (f.name === BIG) big = { bytes: f.p2, t };
}
console.log(`down: in-process, median of ${RUNS} runs after one warm-up (--allow-unresolved)`);
table(rows);

if (big) {
  // jco transpile in a child (its bindgen start-up is part of what a user waits for, too),
  // timed inside the child around the transpile call alone.
  const script = `
    import { readFileSync } from 'node:fs';
    import { transpile } from '@bytecodealliance/jco';
    const bytes = readFileSync(process.argv[1]);
    const opts = { name: 'component', noTypescript: true, wasiShim: true, quiet: true };
    await transpile(bytes, opts);
    const times = [];
    for (let i = 0; i < 3; i++) { const t = performance.now(); await transpile(bytes, opts); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    console.log(times[1]);
    process.exit(0);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, join(root, 'fixtures', big.bytes)], { cwd: root, encoding: 'utf8' });
  const jco = Number(out.trim().split('\n').pop());
  table([
    ['componentize-js fixture', 'down', 'jco transpile (median of 3, warm)', 'transpile / down'],
    [BIG, ms(big.t), ms(jco), `${(jco / big.t).toFixed(1)}x`],
  ]);
}
