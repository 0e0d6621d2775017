// write(read(x)) is byte-identical for every fixture binary and for every core module nested,
// at any depth, inside every fixture component.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseComponent, sniffWasm, writeComponent, type Component } from '../src/binary/component.js';
import { parseModule, writeModule } from '../src/binary/module.js';
import { FIXTURES_DIR } from './harness/manifest.js';

function wasmFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? wasmFiles(join(dir, e.name)) : e.name.endsWith('.wasm') ? [join(dir, e.name)] : [],
  );
}

function nestedModules(c: Component): { module: Uint8Array; offset: number }[] {
  return c.sections.flatMap((s) =>
    s.kind === 'coreModule' ? [{ module: s.module, offset: s.offset }] : s.kind === 'component' ? nestedModules(s.component) : [],
  );
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const files = wasmFiles(join(FIXTURES_DIR, 'bin'));

describe('binary round trip over every fixture', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(FIXTURES_DIR, f), f]))('%s', (_name, file) => {
    const bytes = new Uint8Array(readFileSync(file));
    if (sniffWasm(bytes) === 'core') {
      expect(same(writeModule(parseModule(bytes)), bytes)).toBe(true);
      return;
    }
    const component = parseComponent(bytes);
    expect(same(writeComponent(component), bytes)).toBe(true);
    const modules = nestedModules(component);
    expect(modules.length).toBeGreaterThan(0);
    for (const { module, offset } of modules) expect(same(writeModule(parseModule(module, offset)), module)).toBe(true);
  });
});
