// Parse throughput: the whole componentize-js component, then every code body of its main
// module decoded instruction by instruction (every index immediate visited), in-process;
// then `wasi-adapt inspect` of the same file as a whole process.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseComponent } from '../dist/binary/component.js';
import { parseModule } from '../dist/binary/module.js';
import { forEachBodyIndex } from '../dist/binary/code.js';
import { median, mbPerSecond, ms, table } from './stats.mjs';

const root = join(import.meta.dirname, '..');
const file = join(root, 'fixtures', 'bin', 'p2', 'js_hello.wasm');
const bytes = new Uint8Array(readFileSync(file));

function parseAll() {
  const component = parseComponent(bytes);
  let indices = 0;
  let largest;
  for (const section of component.sections) {
    if (section.kind === 'coreModule' && (!largest || section.module.length > largest.module.length)) largest = section;
  }
  const main = parseModule(largest.module, largest.offset);
  for (const body of main.code) forEachBodyIndex(body, () => indices++);
  return { bodies: main.code.length, indices };
}

const RUNS = 9;
parseAll(); // warm up the JIT, as a long-lived build tool would be
const times = [];
let stats;
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  stats = parseAll();
  times.push(performance.now() - t);
}
const parseMs = median(times);

const cli = join(root, 'dist', 'cli', 'main.js');
const processTimes = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  execFileSync(process.execPath, [cli, 'inspect', file], { stdio: 'ignore' });
  processTimes.push(performance.now() - t);
}

console.log(`parse: ${file.slice(root.length + 1)} (${(bytes.length / 1e6).toFixed(1)} MB, ${stats.bodies} code bodies, ${stats.indices} index immediates)`);
table([
  ['measure', 'median', 'throughput', 'target'],
  ['component + main module bodies decoded (in-process)', ms(parseMs), mbPerSecond(bytes.length, parseMs), '< 100 ms'],
  ['wasi-adapt inspect (whole process)', ms(median(processTimes)), '', '< 300 ms'],
]);
