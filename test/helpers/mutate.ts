import { rng } from './rng.js';

/** A seeded mutant of a binary: truncated, bytes replaced, a LEB-ish length blown up, or a span duplicated. */
export function mutate(input: Uint8Array, seed: number): Uint8Array {
  const next = rng(seed);
  const at = () => Math.floor(next() * input.length);
  const kind = Math.floor(next() * 4);
  if (kind === 0) return input.subarray(0, at());
  const out = Uint8Array.from(input);
  if (kind === 1) {
    for (let i = 0; i < 1 + Math.floor(next() * 4); i++) out[at()] = Math.floor(next() * 256);
    return out;
  }
  if (kind === 2) {
    const i = at();
    out[i] = 0xff;
    if (i + 1 < out.length) out[i + 1] = 0xff;
    return out;
  }
  const i = at();
  const len = Math.floor(next() * 64);
  return Uint8Array.from([...input.subarray(0, i + len), ...input.subarray(i)]);
}
