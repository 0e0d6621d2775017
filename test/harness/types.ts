// Shared shapes for running one program on one host.

/** A preopened directory: its guest path and what to put in it before the run. */
export interface PreopenSpec {
  /** Guest path, e.g. "/sandbox". */
  guest: string;
  /** Relative path -> UTF-8 content (or bytes) created before the run. */
  files?: Record<string, string | Uint8Array>;
  /** Relative directories created before the run. */
  dirs?: string[];
  /** Host directory whose contents are copied in first (never used in place). */
  copyFrom?: string;
}

export interface RunSpec {
  /** Full argv, argv[0] included. Defaults to ["main.wasm"]. */
  args?: string[];
  /** Exact environment seen by the guest; nothing is inherited. */
  env?: Record<string, string>;
  preopens?: PreopenSpec[];
  stdin?: string | Uint8Array;
  /** Kill the child after this long (default 60 s). */
  timeoutMs?: number;
}

/** runP1 and runBrowserShim: a core module on a preview1 host. */
export interface P1RunSpec extends RunSpec {
  /**
   * Satisfy every function import outside wasi_snapshot_preview1 with one that
   * traps when called (e.g. a `down --allow-unresolved` output keeping wasi:http
   * imports, for a program that never calls them).
   */
  stubImports?: boolean;
}

export type FileEntry = { kind: 'dir' } | { kind: 'file'; data: Buffer };

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Process-level exit code; null when the guest trapped. */
  exitCode: number | null;
  trapped: boolean;
  /** The host's trap message, for diagnostics only (hosts word it differently). */
  trapMessage?: string;
  /** Every entry under every preopen after the run, keyed by guest path ("/sandbox/a.txt"). */
  files: Record<string, FileEntry>;
  durationMs: number;
}
