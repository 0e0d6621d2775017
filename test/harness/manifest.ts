// Typed access to fixtures/manifest.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExportCall } from './call-export.js';
import type { PreopenSpec, RunSpec } from './types.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** p1 = node:wasi, p2 = jco, shim = @bjorn3/browser_wasi_shim, wasmer = @wasmer/sdk. */
export type HostName = 'p1' | 'p2' | 'shim' | 'wasmer';

export interface Expectation {
  stdout?: string;
  stdoutLength?: number;
  stdoutSha256?: string;
  stderr?: string;
  /** Exit code on a p1 host (undefined when the fixture traps). */
  exitP1?: number;
  /** Exit code on a 0.2 host: only 0 or 1. */
  exitP2?: number;
  trap: boolean;
  /** Guest path -> content (null = directory); the complete post-run state. */
  files?: Record<string, string | null>;
  /** Reactors: the value each of `calls` returns, in order. */
  results?: unknown[];
}

export interface Fixture {
  name: string;
  covers: string;
  /** "command" (run it) or "reactor" (call its exports). */
  kind: 'command' | 'reactor';
  /** Large binary (componentize-js): slow to transpile. */
  big: boolean;
  /** Absolute paths; null when the fixture has no such form. */
  p1: string | null;
  p2: string | null;
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  stdin: string;
  /** Reactors only. */
  calls: ExportCall[];
  expect: Expectation;
  /** Host -> why that host's run of this fixture is known to be wrong. */
  hostIssues: Partial<Record<HostName, string>>;
}

interface RawFixture {
  name: string;
  covers: string;
  kind?: 'command' | 'reactor';
  big?: boolean;
  calls?: ExportCall[];
  hostIssues?: Partial<Record<HostName, string>>;
  p1?: string | null;
  p2?: string | null;
  args?: string[];
  env?: Record<string, string>;
  preopens?: PreopenSpec[];
  stdin?: string;
  expect: Omit<Expectation, 'trap'> & { exit?: number; trap?: boolean };
}

export function loadManifest(): Fixture[] {
  const raw = JSON.parse(readFileSync(`${FIXTURES_DIR}manifest.json`, 'utf8')) as { fixtures: RawFixture[] };
  return raw.fixtures.map((f) => {
    const { exit, ...rest } = f.expect;
    return {
      name: f.name,
      covers: f.covers,
      kind: f.kind ?? 'command',
      big: f.big ?? false,
      calls: f.calls ?? [],
      hostIssues: f.hostIssues ?? {},
      p1: f.p1 ? FIXTURES_DIR + f.p1 : null,
      p2: f.p2 ? FIXTURES_DIR + f.p2 : null,
      args: f.args ?? [f.name],
      env: f.env ?? {},
      preopens: f.preopens ?? [],
      stdin: f.stdin ?? '',
      expect: { ...rest, trap: f.expect.trap ?? false, exitP1: f.expect.exitP1 ?? exit, exitP2: f.expect.exitP2 ?? exit },
    };
  });
}

/** The run inputs of a fixture, for runP1/runP2. */
export function specOf(f: Fixture): RunSpec {
  return { args: f.args, env: f.env, preopens: f.preopens, stdin: f.stdin };
}
