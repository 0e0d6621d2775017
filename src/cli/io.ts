import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { WasiAdaptError } from '../errors.js';

/** Reads a file the user named (`-` is stdin); I/O failures become one-line errors naming it. */
export async function readInput(file: string): Promise<Uint8Array> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return asBytes(Buffer.concat(chunks));
    }
    // One synchronous read: fs/promises reads a 12 MB file in many small chunks, 10x slower.
    return asBytes(readFileSync(file));
  } catch (err) {
    throw new WasiAdaptError('io', `cannot read: ${reason(err)}`, { file });
  }
}

/** Writes a result where the user asked (`-` is stdout). */
export async function writeOutput(file: string, bytes: Uint8Array): Promise<void> {
  try {
    if (file === '-') {
      await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
      return;
    }
    await writeFile(file, bytes);
  } catch (err) {
    throw new WasiAdaptError('io', `cannot write: ${reason(err)}`, { file });
  }
}

/** `IN.wasm` -> `IN.<suffix>.wasm`: the default output name of a conversion. */
export function defaultOutput(input: string, suffix: string): string {
  return input.endsWith('.wasm') ? `${input.slice(0, -5)}.${suffix}.wasm` : `${input}.${suffix}.wasm`;
}

/** Runs a conversion step, naming the input file in any WasiAdaptError it throws. */
export function inFile<T>(file: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw err instanceof WasiAdaptError ? err.inFile(file) : err;
  }
}

/** A Uint8Array view of a Buffer's bytes (`new Uint8Array(buffer)` would copy them). */
function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}
