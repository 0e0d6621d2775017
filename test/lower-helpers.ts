// Shared pieces of the `down` differential tests.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseComponent, type Component } from '../src/binary/component.js';
import { detectFeatures } from '../src/binary/features.js';
import { parseModule } from '../src/binary/module.js';
import { loadManifest, type Fixture, type RunResult } from './harness/index.js';

/** Fixtures that have a component form, with the hosts the manifest says are wrong for them. */
/** Fixtures that have a component form. */
export function componentFixtures(): (Fixture & { p2: string })[] {
  return loadManifest().filter((f): f is Fixture & { p2: string } => f.p2 !== null);
}

function files(r: RunResult): Record<string, string | null> {
  return Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, v.kind === 'dir' ? null : v.data.toString('latin1')]));
}

/** Same bytes out, same files, same trap; exit codes equal, or (against a 0.2 host, which only has ok/err) equally zero. */
export function expectSameRun(actual: RunResult, reference: RunResult, exitExact: boolean): void {
  expect(actual.stdout.toString('latin1')).toBe(reference.stdout.toString('latin1'));
  expect(actual.stderr.toString('latin1')).toBe(reference.stderr.toString('latin1'));
  expect(actual.trapped).toBe(reference.trapped);
  if (exitExact) expect(actual.exitCode).toBe(reference.exitCode);
  else expect(actual.exitCode === 0).toBe(reference.exitCode === 0);
  expect(files(actual)).toEqual(files(reference));
}

function coreModules(c: Component): Uint8Array[] {
  return c.sections.flatMap((s) => (s.kind === 'coreModule' ? [s.module] : s.kind === 'component' ? coreModules(s.component) : []));
}

const POLYFILL = new URL('../dist/adapters/p2-on-p1.wasm', import.meta.url);

/** The output uses no wasm feature that none of its inputs (the component's modules, the polyfill if linked) used. */
export function expectNoNewFeatures(component: Uint8Array, output: Uint8Array, polyfillLinked: boolean): void {
  const inputs = coreModules(parseComponent(component));
  if (polyfillLinked) inputs.push(readFileSync(POLYFILL));
  const allowed = new Set(inputs.flatMap((m) => [...detectFeatures(parseModule(m))]));
  expect([...detectFeatures(parseModule(output))].filter((f) => !allowed.has(f))).toEqual([]);
}
