// `up` benchmark: for every p1 fixture, the size of our component against
// `jco new --wasi-command` (componentNew with jco's preview1 adapter), and the
// in-process time of each: median of RUNS in a row, after every fixture was
// converted once both ways (so both sides are warmed up, and each pays for
// its own garbage collection).
// Run after `npm run build`: node bench/lift.mjs [runs]
import { readFileSync } from 'node:fs';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { lift } from '../dist/lift/index.js';

const RUNS = Number(process.argv[2] ?? 15);
const root = new URL('../fixtures/', import.meta.url);
const { fixtures } = JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8'));
const officialAdapter = readFileSync(preview1AdapterCommandPath());

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const median = (times) => times.sort((a, b) => a - b)[times.length >> 1];

const paths = [...new Set(fixtures.filter((f) => f.p1 && (f.kind ?? 'command') === 'command').map((f) => f.p1))];
const modules = paths.map((p) => readFileSync(new URL(p, root)));
const jcoNew = (module) => componentNew(module, [['wasi_snapshot_preview1', officialAdapter]]);
const outputs = [];
for (const module of modules) outputs.push([lift(module).component, await jcoNew(module)]);

const rows = [];
for (const [i, module] of modules.entries()) {
  const [ours, theirs] = outputs[i];
  const oursTimes = [];
  const theirTimes = [];
  for (let r = 0; r < RUNS; r++) oursTimes.push(await time(() => lift(module)));
  for (let r = 0; r < RUNS; r++) theirTimes.push(await time(() => jcoNew(module)));
  const tOurs = median(oursTimes);
  const tTheirs = median(theirTimes);
  rows.push({
    fixture: paths[i].replace(/^bin\/p1\//, ''),
    module: module.length,
    ours: ours.length,
    'jco new': theirs.length,
    'ours-module': ours.length - module.length,
    'size ratio': (ours.length / theirs.length).toFixed(2),
    'ours ms': tOurs.toFixed(2),
    'jco new ms': tTheirs.toFixed(2),
    speedup: `${(tTheirs / tOurs).toFixed(1)}x`,
  });
}
console.table(rows);
const smaller = rows.every((r) => r.ours < r['jco new']);
const faster = rows.every((r) => Number(r['jco new ms']) >= 5 * Number(r['ours ms']));
console.log(`ours smaller for every fixture: ${smaller}; at least 5x faster for every fixture: ${faster}`);
