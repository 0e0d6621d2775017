// The published bin is one esbuild bundle of src/cli (scripts/build-cli.mjs, for a fast start):
// it must do what the sources do, and load no module of ours besides itself.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { inspect } from '../src/inspect/index.js';
import { lower } from '../src/lower/index.js';
import { VERSION } from '../src/version.js';
import { componentFixtures } from './lower-helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const BIN = join(ROOT, pkg.bin['wasi-adapt']!);
const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hello = componentFixtures().find((f) => f.name === 'p2_hello')!.p2;

test('the bin is a single bundled module', () => {
  const text = readFileSync(BIN, 'utf8');
  expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
  // Only Node builtins and the optional binaryen are imported; our own modules are inside.
  const specifiers = [...text.matchAll(/(?:^|[;}])\s*import\s*(?:[\w$*{},\s]+from\s*)?"([^"]+)"|\bimport\("([^"]+)"\)/gm)].map((m) => m[1] ?? m[2]);
  expect(specifiers).toContain('node:fs');
  expect(specifiers.filter((s) => !s!.startsWith('node:') && s !== 'binaryen')).toEqual([]);
});

test('--version', async () => {
  expect((await run(process.execPath, [BIN, '--version'])).stdout).toBe(`${VERSION}\n`);
});

test('down writes what lower returns', async () => {
  const out = join(dir, 'hello.p1.wasm');
  await run(process.execPath, [BIN, 'down', hello, '-o', out]);
  expect(Buffer.compare(readFileSync(out), lower(readFileSync(hello)).module)).toBe(0);
});

test('inspect --json reports what inspect returns', async () => {
  const { stdout } = await run(process.execPath, [BIN, 'inspect', hello, '--json']);
  expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify({ file: hello, ...inspect(readFileSync(hello)) })));
});
