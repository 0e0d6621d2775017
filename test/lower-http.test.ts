// `down` on componentize-js output, end to end: StarlingMonkey always imports wasi:http, and
// the polyfill now serves it (fields in memory; outgoing-handler.handle fails every request).
// So plain `down` (no --allow-unresolved) takes every componentize-js fixture, links its
// wasi:http imports to the polyfill, and the output runs on node:wasi exactly as the component
// runs on jco, including js_fetch, whose fetch() rejects and is caught on both.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lower } from '../src/lower/index.js';
import { checkExpectations, runP1, runP2, specOf } from './harness/index.js';
import { componentFixtures, expectNoNewFeatures, expectSameRun } from './lower-helpers.js';

const js = componentFixtures().filter((f) => f.name.startsWith('js_'));

test('the componentize-js fixtures include one that calls fetch', () => {
  expect(js.map((f) => f.name)).toEqual(expect.arrayContaining(['js_hello', 'js_fetch']));
});

describe.each([
  { mode: 'default', keepAdapter: false },
  { mode: '--keep-adapter', keepAdapter: true },
])('down ($mode)', ({ keepAdapter }) => {
  test.each(js.map((f) => [f.name, f] as const))('%s links wasi:http to the polyfill and runs as on jco', async (_name, f) => {
    const component = readFileSync(f.p2);
    const { module, report } = lower(component, { keepAdapter });
    expect(report.unresolvedKept).toEqual([]);
    const compiled = new WebAssembly.Module(module as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.imports(compiled).filter((i) => i.module !== 'wasi_snapshot_preview1')).toEqual([]);
    const http = report.polyfillFunctions.filter((n) => n.startsWith('wasi:http/'));
    // fetch reaches the handler: linked, not stubbed.
    expect(http).toEqual(expect.arrayContaining(['wasi:http/outgoing-handler#handle', 'wasi:http/types#[constructor]outgoing-request', 'wasi:http/types#[static]fields.from-list']));
    expectNoNewFeatures(component, module, true);

    const spec = specOf(f);
    const ours = await runP1(module, spec);
    checkExpectations(f, ours, 'p1');
    expectSameRun(ours, await runP2(f.p2, spec), false);
  }, 300_000);
});
