// Per-run temp directories standing in for preopens, and their snapshots.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { FileEntry, PreopenSpec, RunSpec } from './types.js';

export interface Workdir {
  root: string;
  /** guest path -> host dir */
  preopens: Record<string, string>;
  stdinPath: string;
  stdoutPath: string;
  stderrPath: string;
  reportPath: string;
  configPath: string;
  dispose(): void;
}

export function makeWorkdir(spec: RunSpec): Workdir {
  const root = mkdtempSync(join(tmpdir(), 'wasi-adapt-run-'));
  const preopens: Record<string, string> = {};
  (spec.preopens ?? []).forEach((p: PreopenSpec, i) => {
    const host = join(root, `preopen${i}`);
    mkdirSync(host);
    if (p.copyFrom) cpSync(p.copyFrom, host, { recursive: true });
    for (const d of p.dirs ?? []) mkdirSync(join(host, d), { recursive: true });
    for (const [rel, content] of Object.entries(p.files ?? {})) {
      mkdirSync(dirname(join(host, rel)), { recursive: true });
      writeFileSync(join(host, rel), content);
    }
    preopens[p.guest] = host;
  });
  const stdinPath = join(root, 'stdin');
  writeFileSync(stdinPath, spec.stdin ?? '');
  return {
    root,
    preopens,
    stdinPath,
    stdoutPath: join(root, 'stdout'),
    stderrPath: join(root, 'stderr'),
    reportPath: join(root, 'report.json'),
    configPath: join(root, 'config.json'),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Snapshot every preopen; paths are sorted so snapshots compare with toEqual. */
export function snapshotPreopens(preopens: Record<string, string>): Record<string, FileEntry> {
  const out: Record<string, FileEntry> = {};
  const walk = (host: string, guest: string): void => {
    const entries = readdirSync(host, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const h = join(host, e.name);
      const g = posix.join(guest, e.name);
      if (e.isDirectory()) {
        out[g] = { kind: 'dir' };
        walk(h, g);
      } else {
        out[g] = { kind: 'file', data: readFileSync(h) };
      }
    }
  };
  for (const [guest, host] of Object.entries(preopens)) walk(host, guest);
  return out;
}

/** The path of `wasm` for a child to read: as given, or the bytes written into the workdir. */
export function wasmFileIn(wd: Workdir, wasm: Uint8Array | string): string {
  if (typeof wasm === 'string') return wasm;
  const path = join(wd.root, 'main.wasm');
  writeFileSync(path, wasm);
  return path;
}
