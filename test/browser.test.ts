// End to end in a real browser: Vite-built pages run in headless Debian chromium
// (scripts/setup-chromium.mjs installs it for `npm test`). Each page lives in
// fixtures/browser/<page>/ and reports through #out (see test/harness/browser.ts).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildPage, runPageInChromium } from './harness/browser.js';
import wasiAdapt from '../dist/plugin/vite.js';
import { loadManifest } from './harness/manifest.js';

const fixtures = loadManifest();

let lowerInPage: string;
let lowerAtBuild: string;
beforeAll(async () => {
  lowerInPage = await buildPage('lower-in-page');
  lowerAtBuild = await buildPage('lower-at-build', { plugins: [wasiAdapt()] });
});
afterAll(() => [lowerInPage, lowerAtBuild].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test.each([
  ['hello', false],
  ['p2_hello', true],
])('lower-in-page: the page lowers %s with wasi-adapt and runs it on browser_wasi_shim', async (name, polyfill) => {
  const { text, data } = await runPageInChromium(lowerInPage, `?fixture=${name}`);
  expect(text).toBe(fixtures.find((f) => f.name === name)!.expect.stdout);
  expect(data).toEqual({ exit: '0', polyfill: String(polyfill) });
});

test.each(['hello', 'p2_hello'])('lower-at-build: the plugin lowered %s at build time; the page runs it on browser_wasi_shim', async (name) => {
  const { text, data } = await runPageInChromium(lowerAtBuild, `?fixture=${name}`);
  expect(text).toBe(fixtures.find((f) => f.name === name)!.expect.stdout);
  expect(data).toEqual({ exit: '0' });
});
