// Runs a p1 module on node:wasi in this process (a preopened temporary `/sandbox` holding
// `files`) and reads its memory's size afterwards: the memory-growth checks of the composition tests.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { expect } from 'vitest';

export interface PagesRun {
  args: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  /** Whether stderr goes with stdout into `stdout` (else it is the process's). */
  stderr: boolean;
}

export function pagesAfterRun(module: Uint8Array, run: PagesRun): { pages: number; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-pages-'));
  try {
    for (const [name, text] of Object.entries(run.files)) writeFileSync(join(dir, name), text);
    const out = openSync(join(dir, 'stdout'), 'w');
    const wasi = new WASI({ version: 'preview1', args: run.args, env: run.env, preopens: { '/sandbox': dir }, returnOnExit: true, stdout: out, ...(run.stderr ? { stderr: out } : {}) });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module), wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(instance);
    closeSync(out);
    expect(code).toBe(0);
    const memory = instance.exports.memory as WebAssembly.Memory;
    return { pages: memory.buffer.byteLength / 65536, stdout: readFileSync(join(dir, 'stdout'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
