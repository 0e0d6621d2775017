import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { lift } from '../src/lift/index.js';
import { runP1, runP2 } from './harness/index.js';
it('scratch', async () => {
  const file = process.env.F!;
  const spec = { args: ['x'], preopens: [{ guest: '/sandbox' }] };
  const a = await runP1(file, spec);
  const b = await runP2(lift(readFileSync(file)).component, spec);
  const la = a.stdout.toString().split('\n'), lb = b.stdout.toString().split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) console.log((la[i] === lb[i] ? '  ' : '!!') + (la[i] ?? '') + '   |   ' + (lb[i] ?? ''));
  console.log(a.exitCode, b.exitCode, b.stderr.toString(), a.stderr.toString(), b.trapMessage);
});
