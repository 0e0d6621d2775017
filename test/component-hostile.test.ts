import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseComponent, writeComponent, MAX_DEPTH } from '../src/binary/component.js';
import { WasiAdaptError } from '../src/errors.js';
import { componentOf, nested, PREAMBLE } from './helpers/component-bytes.js';
import { rng } from './helpers/rng.js';
import { KITCHEN_SINK } from './helpers/sample-wat.js';
import { wat } from './helpers/wat.js';

/** Parses and returns the error; fails the test if anything but a WasiAdaptError escapes. */
function parseError(input: Uint8Array): WasiAdaptError | undefined {
  try {
    parseComponent(input);
    return undefined;
  } catch (e) {
    if (e instanceof WasiAdaptError) return e;
    throw e;
  }
}

describe('hostile component input', () => {
  it('truncated at every length: parses only at section boundaries, else an error inside the input', async () => {
    const input = await wat(KITCHEN_SINK);
    const boundaries = new Set([8, ...parseComponent(input).sections.map((s) => s.offset + s.payload!.length)]);
    for (let len = 0; len < input.length; len++) {
      const err = parseError(input.subarray(0, len));
      expect(err === undefined, `length ${len}`).toBe(boundaries.has(len));
      if (err) {
        expect(err.offset).toBeGreaterThanOrEqual(0);
        expect(err.offset).toBeLessThanOrEqual(len);
      }
    }
  });

  it('over-long LEB128 section size', () => {
    const err = parseError(Uint8Array.from([...PREAMBLE, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expect(err?.code).toBe('bad-leb');
    expect(err?.offset).toBe(9);
  });

  it('a 2 GB declared section size fails fast as truncated', () => {
    const err = parseError(Uint8Array.from([...PREAMBLE, 0x01, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00]));
    expect(err?.code).toBe('truncated');
    expect(err?.offset).toBe(9);
  });

  it('section size overrunning the file', () => {
    const err = parseError(Uint8Array.from([...PREAMBLE, 0x0b, 0x05, 0x00]));
    expect(err?.code).toBe('truncated');
  });

  it('counts larger than the remaining bytes', () => {
    for (const id of [2, 3, 5, 6, 7, 8, 10, 11, 12]) {
      const err = parseError(componentOf([id, [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]]));
      expect(err?.code, `section ${id}`).toBe('too-large');
      expect(err?.offset).toBe(10);
    }
    // A count inside a nested vector (canon options).
    expect(parseError(componentOf([8, [0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0x03]]))?.code).toBe('too-large');
  });

  it('trailing bytes in a section', () => {
    const err = parseError(componentOf([8, [0x01, 0x1f, 0x1f]]));
    expect(err?.code).toBe('bad-section');
  });

  it('unknown section id', () => {
    expect(parseError(componentOf([13, []]))?.code).toBe('bad-section');
  });

  it(`nesting ${MAX_DEPTH} deep is fine, one more is too-deep`, () => {
    expect(parseError(nested(MAX_DEPTH))).toBeUndefined();
    expect(parseError(nested(MAX_DEPTH + 1))?.code).toBe('too-deep');
  });

  it('1000-deep nesting fails quickly with too-deep', () => {
    const input = nested(1000);
    const t0 = performance.now();
    const err = parseError(input);
    expect(err?.code).toBe('too-deep');
    expect(err!.offset).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('deeply nested instance types are bounded too', () => {
    // 1000 x (instance (type (instance ...))): 0x42 0x01 0x01 ...
    const depth = 1000;
    const body: number[] = [0x01];
    for (let i = 0; i < depth; i++) body.push(0x42, 0x01, 0x01);
    body.push(0x42, 0x00);
    expect(parseError(componentOf([7, body]))?.code).toBe('too-deep');
  });

  it('a core module preamble is not accepted as a nested component', () => {
    const core = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const err = parseError(componentOf([4, core]));
    expect(err?.code).toBe('unsupported');
    expect(err?.offset).toBe(14);
  });
});

describe('mutation fuzzing', () => {
  const samples: Uint8Array[] = [];
  beforeAll(async () => {
    samples.push(await wat(KITCHEN_SINK));
    for (const f of ['fixtures/bin/p2/p2_hello.wasm', 'fixtures/bin/p2/p2_cli.wasm']) {
      if (existsSync(f)) samples.push(new Uint8Array(readFileSync(f)));
    }
  });

  it('only WasiAdaptError escapes; whatever parses re-encodes stably', () => {
    const random = rng(0x5eed);
    const pick = (n: number): number => Math.floor(random() * n);
    const t0 = performance.now();
    let failures = 0;
    const iterations = 6000;
    for (let i = 0; i < iterations; i++) {
      const src = samples[i % samples.length]!;
      const m = Uint8Array.from(src);
      let input: Uint8Array = m;
      const mutations = 1 + pick(4);
      for (let k = 0; k < mutations; k++) {
        const at = 8 + pick(m.length - 8);
        switch (pick(5)) {
          case 0:
            m[at] = pick(256);
            break;
          case 1:
            m[at] ^= 1 << pick(8);
            break;
          case 2:
            m[at] = [0x00, 0x01, 0x7f, 0x80, 0xff][pick(5)]!;
            break;
          case 3:
            input = m.subarray(0, at);
            break;
          default:
            m.fill(0xff, at, Math.min(m.length, at + 1 + pick(6)));
        }
      }
      let c;
      try {
        c = parseComponent(input);
      } catch (e) {
        if (!(e instanceof WasiAdaptError)) throw new Error(`iteration ${i}: ${String(e)}`);
        expect(typeof e.offset).toBe('number');
        failures++;
        continue;
      }
      expect(Buffer.from(writeComponent(c)).equals(Buffer.from(input))).toBe(true);
      const once = writeComponent(c, { reencode: true });
      const twice = writeComponent(parseComponent(once), { reencode: true });
      expect(Buffer.from(twice).equals(Buffer.from(once))).toBe(true);
    }
    expect(failures).toBeGreaterThan(iterations / 10);
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});
