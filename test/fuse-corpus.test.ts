// Compositions from the corpus through `down`: simple-nested and simple-nested-optimized (a
// component calling a nested one, three levels, each its own memory: fused adapters, memories
// merged into regions, the host's import reached from an inner region through an adapter),
// called on the down output (node:wasi, canonical-ABI caller) and on jco; and strings (utf16
// lifts and lowers around a p1 caller's UTF-8: transcoding adapters at the host boundary),
// which jco 1.35 cannot transpile ("cannot enter component instance"), against what its
// functions are (jco's own tests of it: roundtrip returns its argument, test-imports checks
// take-basic's argument and return-unicode's result inside the guest).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import type { FuncSig } from './harness/cabi.js';
import { runCorpusCalls, type CallSpec, type CorpusRun } from './harness/corpus-call.js';
import { encodeValue } from './harness/ipc-values.js';
import { pretranspileInstantiable } from './harness/transpile-inst.js';

const CORPUS = fileURLToPath(new URL('../../shared/corpus/p2/', import.meta.url));
const IMPORTS = fileURLToPath(new URL('../fixtures/src/compositions/corpus-imports.mjs', import.meta.url));
const MODES = [['adapter dropped', {}], ['adapter kept', { keepAdapter: true }]] as const;
const STRING: FuncSig = { params: [], result: { k: 'string' } };

const call = (iface: string, name: string, sig: FuncSig, args: unknown[] = []): CallSpec => ({
  ...(iface ? { iface } : {}),
  name,
  core: iface ? `${iface}#${name}` : name,
  sig,
  args: encodeValue(args) as unknown[],
});

const HELLO = call('calvinrp:test-async-funcs/hello@0.1.0', 'hello-world', STRING);
const HELLO_IMPORT = [{ iface: 'calvinrp:test-async-funcs/hello@0.1.0', name: 'hello-world', sig: STRING }];

const present = existsSync(CORPUS);

describe.skipIf(!present).each(['simple-nested', 'simple-nested-optimized'])('%s', (name) => {
  const bytes = present ? readFileSync(`${CORPUS}${name}.component.wasm`) : new Uint8Array();
  // Three calls in one instance, then one in a fresh one: the regions keep their state between calls.
  const sequences = [[HELLO, HELLO, HELLO], [HELLO]];
  let jco: Promise<CorpusRun> | undefined;
  const reference = async () => {
    const [t] = await pretranspileInstantiable([bytes]);
    if (!t || 'error' in t) throw new Error(`jco cannot transpile ${name}: ${t && 'error' in t ? t.error : ''}`);
    return runCorpusCalls({ side: 'jco', target: t.entry, importsModule: IMPORTS, component: name, imports: HELLO_IMPORT, sequences });
  };

  test.concurrent.each(MODES)('%s: the down output answers as jco does', async (_mode, options) => {
    const { module, report } = lower(bytes, options);
    // Three between the components, one for the host's import, one for the export (no component's memory is the host's).
    expect(report.modules.filter((m) => m.name.startsWith('fused adapter'))).toHaveLength(5);
    expect(report.modules.some((m) => m.name === 'region runtime')).toBe(true);
    const [want, got] = await Promise.all([(jco ??= reference()), runCorpusCalls({ side: 'core', target: module, importsModule: IMPORTS, component: name, imports: HELLO_IMPORT, sequences })]);
    expect(got.results).toEqual(want.results);
    expect(got.results[0]![0]).toEqual({ kind: 'ok', value: 'hello from the host: caf\u00e9 \u{1f680}' });
    expect(got.stdout).toBe(want.stdout);
    expect(got.stderr).toBe(want.stderr);
  });
});

describe.skipIf(!present)('strings (utf16 lifts and lowers)', () => {
  const bytes = present ? readFileSync(`${CORPUS}strings.component.wasm`) : new Uint8Array();
  const imports = [
    { iface: 'test:strings/imports', name: 'take-basic', sig: { params: [{ name: 's', type: { k: 'string' } }] } as FuncSig },
    { iface: 'test:strings/imports', name: 'return-unicode', sig: STRING },
  ];
  const roundtrip = (s: string) => call('', 'roundtrip', { params: [{ name: 's', type: { k: 'string' } }], result: { k: 'string' } }, [s]);
  // roundtrip('') traps in the guest itself (wasm_utf16.c asserts str->len > 0): checked as a trap.
  const SAMPLES = ['ascii', 'caf\u00e9 \u00ff', 'snow \u2603', '\u{1f680} astral \u{10ffff}', 'x'.repeat(3000) + '\u00e9'];

  test.concurrent.each(MODES)('%s', async (_mode, options) => {
    const { module } = lower(bytes, options);
    const sequences = [[call('', 'test-imports', { params: [] })], [call('', 'return-empty', STRING)], ...SAMPLES.map((s) => [roundtrip(s)]), [roundtrip('')]];
    const run = await runCorpusCalls({ side: 'core', target: module, importsModule: IMPORTS, component: 'strings', imports, sequences });
    const ok = (v: unknown) => [{ kind: 'ok', value: encodeValue(v) }];
    expect(run.results.slice(0, -1)).toEqual([ok(undefined), ok(''), ...SAMPLES.map(ok)]);
    expect(run.results.at(-1)![0]!.kind).toBe('trap');
    expect(run.stderr).toContain('Assertion failed: str->len > 0');
  });
});
