// Runs dist/adapters/p2-on-p1.wasm the way a lowered component would: the
// guest's memory as env.memory, a bump allocator behind both cabi.realloc and
// cabi.state_realloc (calls to each recorded apart), and Node's node:wasi as
// the preview1 host. Tests call exports with canonical-ABI
// arguments and read results out of memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

export const POLYFILL_PATH = join(import.meta.dirname, '..', 'dist', 'adapters', 'p2-on-p1.wasm');
const polyfillModule = new WebAssembly.Module(readFileSync(POLYFILL_PATH));

// A module that only re-exports an imported memory: node:wasi binds to an
// instance's exported memory, and the polyfill exports none.
const memoryShim = new WebAssembly.Module(new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01,
  0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
]));

export type P1Imports = Record<string, (...args: never[]) => unknown>;

export interface HostOptions {
  args?: string[];
  env?: Record<string, string>;
  preopens?: Record<string, string>;
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Replaces or adds p1 functions (fault injection, proc_exit capture). */
  p1?: (real: P1Imports, host: Host) => Partial<P1Imports>;
  /** Another preview1 host instead of node:wasi (the node:wasi options above are then unused). */
  host?: (memory: WebAssembly.Memory) => P1Imports;
}

export interface Allocation {
  align: number;
  size: number;
  ptr: number;
}

/** Thrown by the test proc_exit so a test can see the exit code. */
export class Exit {
  constructor(readonly code: number) {}
}

export class Host {
  readonly memory = new WebAssembly.Memory({ initial: 4 });
  readonly exports: Record<string, (...args: (number | bigint)[]) => number | bigint | undefined>;
  /** Every cabi.realloc call (values returned to the guest), to check the ABI contract. */
  readonly reallocs: Allocation[] = [];
  /** Every cabi.state_realloc call (the polyfill's own state). */
  readonly stateReallocs: Allocation[] = [];
  private top = 1024; // keep address 0 and a little after it unused, like a real guest

  constructor(options: HostOptions = {}) {
    const real = options.host?.(this.memory) ?? this.nodeWasi(options);
    const p1: P1Imports = {
      ...real,
      proc_exit: (code: number) => {
        throw new Exit(code);
      },
    };
    Object.assign(p1, options.p1?.(real, this));
    const instance = new WebAssembly.Instance(polyfillModule, {
      env: { memory: this.memory },
      cabi: {
        realloc: (old: number, oldSize: number, align: number, size: number) => this.record(this.reallocs, old, oldSize, align, size),
        state_realloc: (old: number, oldSize: number, align: number, size: number) => this.record(this.stateReallocs, old, oldSize, align, size),
      },
      wasi_snapshot_preview1: p1,
    });
    this.exports = instance.exports as Host['exports'];
  }

  private nodeWasi(options: HostOptions): P1Imports {
    const wasi = new WASI({
      version: 'preview1',
      args: options.args ?? [],
      env: options.env ?? {},
      preopens: options.preopens ?? {},
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      returnOnExit: true,
    });
    wasi.initialize(new WebAssembly.Instance(memoryShim, { env: { memory: this.memory } }));
    return (wasi.getImportObject() as { wasi_snapshot_preview1: P1Imports }).wasi_snapshot_preview1;
  }

  private record(log: Allocation[], old: number, oldSize: number, align: number, size: number): number {
    if (old !== 0) throw new Error('the polyfill never grows a block through realloc');
    if (oldSize !== 0 || align === 0 || (align & (align - 1)) !== 0) throw new Error(`bad realloc(${old}, ${oldSize}, ${align}, ${size})`);
    const ptr = this.alloc(align, size);
    log.push({ align, size, ptr });
    return ptr;
  }

  /** Fresh memory for the test itself (not recorded): arguments, return areas. */
  alloc(align: number, size: number): number {
    const ptr = (this.top + align - 1) & -align;
    this.top = ptr + size;
    while (this.top > this.memory.buffer.byteLength) this.memory.grow(16);
    return ptr;
  }

  /** Calls a canonical export; throws if it does not exist. */
  call(name: string, ...args: (number | bigint)[]): number | bigint | undefined {
    const f = this.exports[name];
    if (!f) throw new Error(`no export ${name}`);
    return f(...args);
  }

  /** A zeroed return area. */
  ret(size = 128): number {
    const p = this.alloc(8, size);
    this.bytes(p, size).fill(0);
    return p;
  }

  private get view(): DataView {
    return new DataView(this.memory.buffer);
  }
  u8(p: number): number {
    return this.view.getUint8(p);
  }
  u32(p: number): number {
    return this.view.getUint32(p, true);
  }
  u64(p: number): bigint {
    return this.view.getBigUint64(p, true);
  }
  setU32(p: number, v: number): void {
    this.view.setUint32(p, v, true);
  }
  bytes(p: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, p, len);
  }
  /** A (ptr, len) string or byte list stored at p. */
  list(p: number): Uint8Array {
    return this.bytes(this.u32(p), this.u32(p + 4)).slice();
  }
  string(p: number): string {
    return new TextDecoder().decode(this.list(p));
  }
  /** Copies bytes into fresh memory: [ptr, len] arguments. */
  put(data: string | Uint8Array): [number, number] {
    const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const p = this.alloc(1, b.length);
    this.bytes(p, b.length).set(b);
    return [p, b.length];
  }
}

/** Canonical export names used in many tests. */
export const io = (f: string): string => `wasi:io/streams#${f}`;
export const fs = (f: string): string => `wasi:filesystem/types#${f}`;

/** Every wasi:filesystem error-code case, by enum index. */
export const ERROR_CODES = [
  'access', 'would-block', 'already', 'bad-descriptor', 'busy', 'deadlock', 'quota', 'exist',
  'file-too-large', 'illegal-byte-sequence', 'in-progress', 'interrupted', 'invalid', 'io',
  'is-directory', 'loop', 'too-many-links', 'message-size', 'name-too-long', 'no-device', 'no-entry',
  'no-lock', 'insufficient-memory', 'insufficient-space', 'not-directory', 'not-empty',
  'not-recoverable', 'unsupported', 'no-tty', 'no-such-device', 'overflow', 'not-permitted', 'pipe',
  'read-only', 'invalid-seek', 'text-file-busy', 'cross-device',
] as const;
