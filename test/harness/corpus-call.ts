// Runs sequences of export calls in a child process, on jco (the component
// transpiled in instantiation mode) or on the down output (canonical-ABI
// caller on node:wasi), with the same JS import implementations.
import { join } from 'node:path';
import { runChild } from './child.js';
import type { CallSpec, ImportSpec, Outcome } from './corpus-child.js';
import { makeWorkdir } from './sandbox.js';
import { compileHarness } from './ts-child.js';
import { readFileSync, writeFileSync } from 'node:fs';

export type { CallSpec, ImportSpec, Outcome };

export interface CorpusRun {
  results: Outcome[][];
  stdout: string;
  stderr: string;
}

export interface CorpusRunSpec {
  side: 'jco' | 'core';
  /** jco: the transpiled entry; core: the down output's bytes. */
  target: string | Uint8Array;
  importsModule: string;
  component: string;
  imports: ImportSpec[];
  sequences: CallSpec[][];
  timeoutMs?: number;
}

export async function runCorpusCalls(spec: CorpusRunSpec): Promise<CorpusRun> {
  const dir = compileHarness(['cabi.ts', 'ipc-values.ts', 'corpus-child.ts']);
  const wd = makeWorkdir({});
  try {
    let path = spec.target as string;
    if (typeof spec.target !== 'string') {
      path = join(wd.root, 'down.wasm');
      writeFileSync(path, spec.target);
    }
    const config = { side: spec.side, path, importsModule: spec.importsModule, component: spec.component, imports: spec.imports, sequences: spec.sequences, trace: process.env.CORPUS_TRACE === '1' };
    const out = await runChild(join(dir, 'corpus-child.js'), config, wd, spec.timeoutMs ?? 60_000);
    const report = JSON.parse(readFileSync(wd.reportPath, 'utf8')) as { results: Outcome[][] };
    return { results: report.results, stdout: out.stdout.toString('latin1'), stderr: out.stderr.toString('latin1') };
  } finally {
    wd.dispose();
  }
}
