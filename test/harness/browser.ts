// Pages in a real browser: Vite builds a page from fixtures/browser/<page>/, a static server
// serves the build on 127.0.0.1, and Debian's chromium (driven by playwright-core) loads it.
// A page's protocol: it writes its result into #out, then sets data-status to 'done' (other
// data-* attributes carry values such as the exit code) or 'error' (#out holds the stack).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { build, mergeConfig, type InlineConfig } from 'vite';

const ROOT = join(import.meta.dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PageResult {
  text: string;
  /** The other data-* attributes of #out. */
  data: Record<string, string>;
}

/**
 * Builds fixtures/browser/<page>/ with Vite into a fresh directory and returns it (the caller
 * removes it). `wasi-adapt` resolves to this checkout's dist/, as an installed package would;
 * `config` adds to the build (a page built with the plugin passes it here).
 */
export async function buildPage(page: string, config: InlineConfig = {}): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), `wasi-adapt-page-${page}-`));
  const base: InlineConfig = {
    root: join(ROOT, 'fixtures', 'browser', page),
    configFile: false,
    logLevel: 'error',
    resolve: { alias: { 'wasi-adapt': join(ROOT, 'dist', 'index.js') } },
    build: { outDir, emptyOutDir: true, assetsInlineLimit: 0 },
  };
  await build(mergeConfig(base, config));
  return outDir;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves `dir` read-only on 127.0.0.1, on a free port. */
async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(join(dir, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Loads the built page (with `search`, e.g. '?fixture=x', appended to its URL) in headless
 * chromium and waits for its result; an 'error' page throws with its text.
 */
export async function runPageInChromium(dir: string, search = '', timeoutMs = 30_000): Promise<PageResult> {
  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(server.url + search);
    const out = page.locator('#out[data-status]');
    await out.waitFor({ state: 'attached', timeout: timeoutMs }).catch((e: Error) => {
      throw new Error(`the page gave no result: ${e.message}\n${problems.join('\n')}`);
    });
    // (Element's dataset is not in the ES2022 lib this project types against.)
    const { text, data } = await out.evaluate((el) => ({ text: el.textContent ?? '', data: { ...(el as unknown as { dataset: Record<string, string> }).dataset } }));
    if (data.status !== 'done') throw new Error(`the page failed: ${text}\n${problems.join('\n')}`);
    delete data.status;
    return { text, data };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Builds a page, runs it, and removes the build. */
export async function buildAndRunPage(page: string, config?: InlineConfig): Promise<PageResult> {
  const dir = await buildPage(page, config);
  try {
    return await runPageInChromium(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
