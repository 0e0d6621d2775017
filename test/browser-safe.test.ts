// The library runs in browsers and workers: nothing `lower`, `lift` or `inspect` imports may
// reach for Node. Checked twice: statically over the import graph of src/index.ts, and at run
// time by loading dist/ in a Node child that refuses builtins to it and hides Buffer and process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Every module reachable from `entry` (static and dynamic imports), with what each imports from outside src/. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const outside: string[] = [];
    graph.set(file, outside);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('.')) todo.push(join(dirname(file), spec).replace(/\.js$/, '.ts'));
      else outside.push(spec);
    }
  }
  return graph;
}

test('nothing the library imports (outside src/cli) is a Node builtin or a package', () => {
  const graph = importGraph(join(SRC, 'index.ts'));
  expect(graph.size).toBeGreaterThan(20);
  const offenders = [...graph]
    .filter(([file]) => !relative(SRC, file).startsWith('cli/'))
    .flatMap(([file, specs]) => specs.map((s) => `${relative(ROOT, file)} imports ${s}`));
  expect(offenders).toEqual([]);
});

// Resolution hook: a builtin asked for by anything in dist/ fails the import.
const HOOKS = `
const dist = ${JSON.stringify(new URL('../dist/', import.meta.url).href)};
export async function resolve(spec, context, next) {
  const builtin = spec.startsWith('node:') || (await import('node:module')).builtinModules.includes(spec);
  if (builtin && context.parentURL?.startsWith(dist)) throw new Error(context.parentURL + ' imports ' + spec);
  return next(spec, context);
}`;

// Reads the fixtures first, then hides Node's globals while importing and using the library.
const CHILD = `
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const component = readFileSync(${JSON.stringify(join(ROOT, 'fixtures/bin/p2/p2_hello.wasm'))});
const p1 = readFileSync(${JSON.stringify(join(ROOT, 'fixtures/bin/p1/hello.wasm'))});
const out = process.stdout;
const saved = { Buffer: globalThis.Buffer, process: globalThis.process };
globalThis.Buffer = undefined;
globalThis.process = undefined;
let result;
try {
  const { lower, lift, inspect } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
  const { module, report } = lower(new Uint8Array(component));
  const lifted = lift(new Uint8Array(p1)).component;
  result = { lowered: inspect(module).kind, lifted: inspect(lifted).kind, polyfill: report.modules.some((m) => m.role === 'polyfill') };
} finally {
  Object.assign(globalThis, saved);
}
out.write(JSON.stringify(result));
`;

test('dist lowers and lifts with no builtin module, Buffer or process in reach', () => {
  const r = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ lowered: 'wasi-p1-command', lifted: 'wasi-0.2-component', polyfill: true });
});
