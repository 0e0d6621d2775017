import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('package', () => {
  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(api.VERSION).toBe(pkg.version);
  });

  it('exports the documented entry points', () => {
    for (const name of ['inspect', 'parseModule', 'writeModule', 'parseComponent', 'writeComponent', 'WasiAdaptError']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
