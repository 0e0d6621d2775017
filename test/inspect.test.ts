import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WasiAdaptError } from '../src/errors.js';
import { inspect } from '../src/inspect/index.js';
import { formatReport } from '../src/inspect/format.js';
import { lift } from '../src/lift/index.js';
import { FIXTURES_DIR } from './harness/manifest.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
const bin = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES_DIR, 'bin', rel)));
const allFixtures = (dir: string): string[] =>
  readdirSync(join(FIXTURES_DIR, 'bin', dir))
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => `${dir}/${f}`);
/** wit-bindgen-shaped reactors (fixtures/src/reactor): not commands; one imports no WASI at all. */
const isReactor = (f: string): boolean => /^p1\/reactor_/.test(f);

describe('inspect', () => {
  it('classifies every p1 command fixture as a p1 command that goes up', () => {
    for (const f of allFixtures('p1').filter((f) => !isReactor(f))) {
      const r = inspect(bin(f));
      expect(r.kind, f).toBe('wasi-p1-command');
      expect(r.verdict.convert, f).toBe('up');
      expect(r.imports.map((p) => p.package), f).toEqual(['wasi_snapshot_preview1']);
      expect(r.verdict.runsOn).toContain('wazero');
    }
  });

  it('says the p1 reactor fixtures (their world embedded) go up: a p1 reactor, or a core module when it imports no WASI', () => {
    const reactors = allFixtures('p1').filter(isReactor);
    expect(reactors).toEqual(['p1/reactor_counters.wasm', 'p1/reactor_shapes.wasm']);
    const counters = inspect(bin('p1/reactor_counters.wasm'));
    expect(counters.kind).toBe('wasi-p1-reactor');
    expect(counters.verdict.convert).toBe('up');
    expect(counters.imports.map((p) => p.package)).toContain('wasi_snapshot_preview1');
    const shapes = inspect(bin('p1/reactor_shapes.wasm'));
    expect(shapes.kind).toBe('core-module');
    expect(shapes.verdict.convert).toBe('up');
    expect(shapes.verdict.reason).toMatch(/world embedded/);
  });

  it('classifies every p2 fixture as a WASI 0.2 component with one memory', () => {
    for (const f of allFixtures('p2')) {
      const r = inspect(bin(f));
      if (f.includes('wat_')) continue; // hand-written edge cases, checked below
      expect(r.kind, f).toBe('wasi-0.2-component');
      expect(r.memories, f).toBe(1);
      expect(r.modules!.some((m) => m.role === 'main'), f).toBe(true);
    }
  });

  it('names the four modules of an adapter-shaped component and its WASI imports', () => {
    const r = inspect(bin('p2/hello.wasm'));
    expect(r.modules!.map((m) => m.role).sort()).toEqual(['adapter', 'fixup', 'main', 'shim']);
    expect(r.modules!.every((m) => m.instantiations === 1)).toBe(true);
    const cli = r.imports.find((p) => p.package === 'wasi:cli');
    expect(cli?.interfaces.map((i) => i.name)).toContain('stdout');
    expect(cli?.interfaces.every((i) => i.versions.every((v) => v.startsWith('0.2.')))).toBe(true);
    expect(r.exports).toEqual(['wasi:cli/run@0.2.12']);
    expect(r.canon!.stringEncodings).toEqual(['utf8']);
    expect(r.verdict.convert).toBe('down');
  });

  it('names the roles in our own up output too', () => {
    const r = inspect(lift(bin('p1/hello.wasm')).component);
    expect(r.modules!.map((m) => m.role).sort()).toEqual(['adapter', 'fixup', 'main', 'shim']);
    expect(r.exports).toEqual(['wasi:cli/run@0.2.0']);
  });

  it('sees a pure p2 component as one main module', () => {
    const r = inspect(bin('p2/p2_hello.wasm'));
    expect(r.kind).toBe('wasi-0.2-component');
    expect(r.modules!.filter((m) => m.role === 'main')).toHaveLength(1);
    expect(r.modules!.some((m) => m.role === 'adapter')).toBe(false);
  });

  it('counts a module instantiated twice', () => {
    const r = inspect(bin('p2/wat_twice.wasm'));
    expect(r.modules!.some((m) => m.instantiations === 2)).toBe(true);
  });

  it('reports a nested component and a utf16 lowering', () => {
    const r = inspect(bin('p2/wat_nested_utf16.wasm'));
    expect(r.nestedComponents).toBeGreaterThanOrEqual(1);
    expect(r.canon!.stringEncodings).toContain('utf16');
  });

  it('lists a reactor component export of a custom interface', () => {
    const r = inspect(bin('p2/wat_reactor.wasm'));
    expect(r.exports.length).toBeGreaterThan(0);
    expect(r.exports.some((e) => !e.startsWith('wasi:'))).toBe(true);
  });

  it('reads the 12 MB componentize-js component', () => {
    const r = inspect(bin('p2/js_hello.wasm'));
    expect(r.kind).toBe('wasi-0.2-component');
    expect(r.modules!.length).toBeGreaterThanOrEqual(2);
    expect(r.canon!.lowers).toBeGreaterThan(10);
    // Its wasi:http imports are served by the polyfill (fetch fails), so down takes it.
    expect(r.verdict.convert).toBe('down');
    expect(r.standIns).toEqual(expect.arrayContaining([expect.stringMatching(/^wasi:http\/outgoing-handler@/), expect.stringMatching(/^wasi:http\/types@/)]));
  });

  it('says not-wasm for other bytes, and a plain module needs no conversion', () => {
    expect(inspect(new TextEncoder().encode('#!/bin/sh\necho hi\n')).kind).toBe('not-wasm');
    const plain = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const r = inspect(plain);
    expect(r.kind).toBe('core-module');
    expect(r.verdict.convert).toBe('none');
  });

  it('throws a typed error with an offset on a truncated component', () => {
    const whole = bin('p2/hello.wasm');
    try {
      inspect(whole.subarray(0, whole.length - 7));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(WasiAdaptError);
      expect((err as WasiAdaptError).offset).toBeGreaterThan(0);
    }
  });

  it('rejects a pre-release component with a message saying what it is', () => {
    const old = bin('p2/p2_hello.wasm').slice();
    old[4] = 0x0c;
    expect(() => inspect(old)).toThrow(/pre-?release/i);
  });

  it('formats aligned text with a verdict line', () => {
    const text = formatReport('hello.wasm', inspect(bin('p2/hello.wasm')));
    const lines = text.trimEnd().split('\n');
    const valueColumn = lines[0]!.indexOf('hello.wasm');
    expect(lines.every((l) => l.length > valueColumn && l[valueColumn - 1] === ' ')).toBe(true);
    expect(text).toMatch(/^verdict: +down: /m);
    expect(text).toMatch(/^core modules: +#0 /m);
  });
});

describe('wasi-adapt inspect (process)', () => {
  it('prints JSON for every fixture and exits 0', async () => {
    for (const f of [...allFixtures('p1'), ...allFixtures('p2')].filter((f) => !f.includes('js_hello'))) {
      const { stdout } = await run('node', [CLI, 'inspect', '--json', join(FIXTURES_DIR, 'bin', f)]);
      const report = JSON.parse(stdout) as { kind: string; verdict: { convert: string } };
      expect(report.kind, f).toMatch(isReactor(f) ? /^wasi-p1-reactor$|^core-module$/ : /^wasi-|^component$/);
    }
  });

  it('exits 1 with one line naming the file and the offset on a corrupt file', async () => {
    const err = await run('node', [CLI, 'inspect', join(FIXTURES_DIR, 'manifest.json')]).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(1);
    const bad = join(FIXTURES_DIR, 'bin', 'p2', 'hello.wasm');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'inspect-'));
    const truncated = join(dir, 'cut.wasm');
    writeFileSync(truncated, readFileSync(bad).subarray(0, 5000));
    const e2 = (await run('node', [CLI, 'inspect', truncated]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(e2.code).toBe(1);
    expect(e2.stderr.trim().split('\n')).toHaveLength(1);
    expect(e2.stderr).toContain('cut.wasm');
    expect(e2.stderr).toMatch(/at offset 0x[0-9a-f]+/);
  });

  it('has --help and rejects unknown options', async () => {
    const { stdout } = await run('node', [CLI, 'inspect', '--help']);
    expect(stdout).toContain('Usage: wasi-adapt inspect FILE');
    const top = await run('node', [CLI, '--help']);
    expect(top.stdout).toContain('inspect');
    const e = (await run('node', [CLI, 'inspect', '--bogus', 'x']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--bogus');
  });
});
