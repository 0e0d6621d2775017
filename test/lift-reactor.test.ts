// `up` of reactors that implement their own WIT world (wit-bindgen's shape): the world comes
// from the module's component-type sections. Every export is called on jco, on the lifted
// component and on the reference wit-component makes of the same module (`jco componentNew`
// with the official reactor adapter), with the same JS host; outcomes and output must match.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { componentNew, preview1AdapterReactorPath } from '@bytecodealliance/jco';
import { targets } from '../fixtures/build.mjs';
import { lift } from '../src/lift/index.js';
import { runCorpusCalls, type CorpusRun, type Outcome } from './harness/corpus-call.js';
import { planCalls } from './harness/corpus-plan.js';
import { FIXTURES_DIR } from './harness/manifest.js';
import { pretranspileInstantiable, type Transpiled } from './harness/transpile-inst.js';
import { componentSigs } from './harness/wit-types.js';

const IMPORTS = fileURLToPath(new URL('./lift-reactor-imports.mjs', import.meta.url));
const reactors = targets.filter((t) => t.test === 'test/lift-reactor.test.ts').map((t) => ({ name: t.name, module: readFileSync(join(FIXTURES_DIR, t.out)) }));

function byLabel(labels: string[][], results: Outcome[][]): Record<string, Outcome | { kind: 'trap' }> {
  const norm = (o: Outcome | undefined): Outcome | { kind: 'trap' } => (o === undefined ? { kind: 'error', message: 'missing' } : o.kind === 'trap' ? { kind: 'trap' } : o);
  return Object.fromEntries(labels.flatMap((ls, i) => ls.map((l, j) => [l, norm(results[i]?.[j])])));
}

const built = new Map<string, { ours: Transpiled; reference: Transpiled; referenceBytes: Uint8Array }>();

beforeAll(async () => {
  const adapter = readFileSync(preview1AdapterReactorPath());
  const refs = await Promise.all(reactors.map((r) => componentNew(r.module, [['wasi_snapshot_preview1', adapter]])));
  const ours = reactors.map((r) => lift(r.module).component);
  const t = await pretranspileInstantiable([...ours, ...refs]);
  reactors.forEach((r, i) => built.set(r.name, { ours: t[i]!, reference: t[reactors.length + i]!, referenceBytes: refs[i]! }));
}, 300_000);

describe.each(reactors)('$name on jco', ({ name }) => {
  test.concurrent('every export as on the wit-component reference', async () => {
    const b = built.get(name)!;
    const sigs = componentSigs(b.referenceBytes);
    const { labels, sequences, uncallable } = planCalls(sigs);
    expect(uncallable).toEqual({});
    const imports = sigs.imports.map((i) => ({ iface: i.iface, name: i.name, ...(i.sig ? { sig: i.sig } : {}) }));
    const run = (t: Transpiled): Promise<CorpusRun> => {
      if ('error' in t) throw new Error(`jco cannot transpile: ${t.error.slice(0, 800)}`);
      return runCorpusCalls({ side: 'jco', target: t.entry, importsModule: IMPORTS, component: name, imports, sequences });
    };
    const [reference, ours] = await Promise.all([run(b.reference), run(b.ours)]);
    expect(byLabel(labels, ours.results)).toEqual(byLabel(labels, reference.results));
    expect(ours.stdout).toBe(reference.stdout);
    expect(ours.stderr).toBe(reference.stderr);
    expect(Object.values(byLabel(labels, ours.results)).every((o) => o.kind === 'ok' || o.kind === 'err')).toBe(true);
  });
});
