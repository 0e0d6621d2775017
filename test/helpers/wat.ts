import { parse } from '@bytecodealliance/jco';

/** Assembles component (or module) text with jco's bundled wasm-tools. */
export async function wat(text: string): Promise<Uint8Array> {
  return new Uint8Array(await parse(text));
}
