// Spawns one of the child runner scripts with stdio bound to files, so the
// guest's bytes are captured exactly and a trap or exit cannot touch the
// test runner. The child writes a JSON report unless the guest exited the
// process itself (then the process exit code is the guest's).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { Workdir } from './sandbox.js';
import type { FileEntry, RunResult } from './types.js';

export interface ChildReport {
  exitCode?: number;
  trapped?: boolean;
  trapMessage?: string;
  /** A harness-level failure (bad module, missing export): not a guest outcome. */
  error?: string;
}

export interface ChildOutcome extends ChildReport {
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
}

/** How a child script is started: node by default; runWasmtime passes the venv's python. */
const NODE = [process.execPath, '--no-warnings'];

export async function runChild(script: string, config: object, wd: Workdir, timeoutMs: number, interpreter: string[] = NODE): Promise<ChildOutcome> {
  writeFileSync(wd.configPath, JSON.stringify({ ...config, reportPath: wd.reportPath }));
  const stdin = openSync(wd.stdinPath, 'r');
  const stdout = openSync(wd.stdoutPath, 'w');
  const stderr = openSync(wd.stderrPath, 'w');
  const start = performance.now();
  let status: number | null;
  let signal: NodeJS.Signals | null;
  let timedOut = false;
  try {
    [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      const cp = spawn(interpreter[0]!, [...interpreter.slice(1), script, wd.configPath], {
        stdio: [stdin, stdout, stderr],
        env: {},
      });
      const timer = setTimeout(() => {
        timedOut = true;
        cp.kill('SIGKILL');
      }, timeoutMs);
      cp.on('error', reject);
      cp.on('exit', (code, sig) => {
        clearTimeout(timer);
        resolve([code, sig]);
      });
    });
  } finally {
    closeSync(stdin);
    closeSync(stdout);
    closeSync(stderr);
  }
  const durationMs = performance.now() - start;
  const out = { stdout: readFileSync(wd.stdoutPath), stderr: readFileSync(wd.stderrPath), durationMs };
  if (timedOut) throw new Error(`guest timed out after ${timeoutMs} ms; stderr: ${out.stderr.toString().slice(0, 2000)}`);
  if (existsSync(wd.reportPath)) {
    const report = JSON.parse(readFileSync(wd.reportPath, 'utf8')) as ChildReport;
    if (report.error) throw new Error(`harness child failed: ${report.error}; stderr: ${out.stderr.toString().slice(0, 2000)}`);
    return { ...report, ...out };
  }
  if (status === null) throw new Error(`child killed by ${signal}; stderr: ${out.stderr.toString().slice(0, 2000)}`);
  return { exitCode: status, trapped: false, ...out };
}

/** A child's outcome as a run result: a trap has no exit code. */
export function runResult(r: ChildOutcome, files: Record<string, FileEntry>): RunResult {
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.trapped ? null : (r.exitCode ?? null),
    trapped: r.trapped ?? false,
    trapMessage: r.trapMessage,
    files,
    durationMs: r.durationMs,
  };
}
