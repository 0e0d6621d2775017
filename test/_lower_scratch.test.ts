import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { lower } from '../src/lower/index.js';
import { runP1 } from './harness/index.js';
test('x', async () => {
  const { module } = lower(readFileSync('/work/main/fixtures/bin/p2/p2_cli.wasm'));
  const r = await runP1(module, { args: ['p2_cli', 'run-err'] });
  console.log(JSON.stringify({ out: r.stdout.toString(), err: r.stderr.toString(), code: r.exitCode, trap: r.trapped, msg: r.trapMessage }));
});
