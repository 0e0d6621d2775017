// The built polyfill's contract with the linker, checked on the binary.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { checkPolyfill, codeSize, parse } from '../src/adapters/p2-on-p1/finish.js';
import { P1_SIGNATURES } from '../src/adapters/p2-on-p1/p1-signatures.js';
import { POLYFILL_SIGNATURES } from '../src/adapters/p2-on-p1/signatures.js';
import { POLYFILL_PATH } from './polyfill-host.js';

const bytes = new Uint8Array(readFileSync(POLYFILL_PATH));
const module = new WebAssembly.Module(bytes);

it('passes its own contract check', () => {
  expect(checkPolyfill(bytes)).toEqual([]);
});

it('imports only env.memory, cabi.realloc, cabi.state_realloc and wasi_snapshot_preview1 functions', () => {
  const imports = WebAssembly.Module.imports(module);
  expect(imports.filter((i) => i.kind === 'memory')).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  expect(imports.filter((i) => i.kind === 'table' || i.kind === 'global')).toEqual([]);
  const funcs = imports.filter((i) => i.kind === 'function');
  expect(funcs.filter((i) => i.module === 'cabi').map((i) => i.name).sort()).toEqual(['realloc', 'state_realloc']);
  for (const i of funcs.filter((f) => f.module !== 'cabi')) {
    expect(i.module).toBe('wasi_snapshot_preview1');
    expect(P1_SIGNATURES.has(i.name)).toBe(true);
  }
  for (const realloc of parse(bytes).imports.filter((i) => i.module === 'cabi')) {
    expect(realloc.type).toEqual({ params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] });
  }
});

it('exports exactly the canonical functions, nothing else', () => {
  const exports = WebAssembly.Module.exports(module);
  expect(exports.every((e) => e.kind === 'function')).toBe(true);
  expect(exports.map((e) => e.name).sort()).toEqual([...POLYFILL_SIGNATURES.keys()].sort());
});

it('has no memory, table, start, element or data section and no custom sections', () => {
  const ids = parse(bytes).sections.map((s) => s.id);
  expect(ids).toEqual([1, 2, 3, 6, 7, 10]);
});

it('globals are plain mutable i32 state starting at zero', () => {
  const globals = parse(bytes).sections.find((s) => s.id === 6)!.body;
  const n = globals.u32();
  for (let i = 0; i < n; i++) {
    const type = globals.u8();
    globals.u8();
    expect([0x7f, 0x7e]).toContain(type);
    expect(globals.u8()).toBe(type === 0x7f ? 0x41 : 0x42); // i32.const / i64.const
    globals.s64();
    expect(globals.u8()).toBe(0x0b);
  }
});

it('reports its size', () => {
  const hello = codeSize(bytes, [
    'wasi:cli/stdout#get-stdout',
    'wasi:io/streams#[method]output-stream.blocking-write-and-flush',
    'wasi:io/streams#[resource-drop]output-stream',
    'wasi:cli/exit#exit',
  ]);
  const all = codeSize(bytes, [...POLYFILL_SIGNATURES.keys()]);
  console.log(`p2-on-p1.wasm: ${bytes.length} bytes; function bodies ${all} bytes; hello world (get-stdout, blocking-write-and-flush, drop, exit) ${hello} bytes`);
  expect(hello).toBeLessThan(all);
  expect(hello).toBeGreaterThan(0);
});

it('the contract check catches violations', () => {
  const withSection = (id: number, body: number[]): Uint8Array => new Uint8Array([...bytes, id, body.length, ...body]);
  expect(checkPolyfill(withSection(11, [1, 0, 0x41, 0, 0x0b, 1, 0x2a]))).toContain('data section');
  expect(checkPolyfill(withSection(0, [1, 0x78]))).toEqual([]); // custom sections are harmless
  // A module with one function per forbidden instruction.
  const bodies = [
    [0, 0x3f, 0, 0x1a, 0x0b], // memory.size
    [0, 0xfd, 0x0c, ...new Array(16).fill(0), 0x1a, 0x0b], // v128.const
    [0, 0xd0, 0x70, 0x1a, 0x0b], // ref.null
    [0, 0x12, 0, 0x0b], // return_call
  ];
  const code = bodies.flatMap((b) => [b.length, ...b]);
  const m = new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 4, 1, 0x60, 0, 0, // type () -> ()
    2, 11, 1, 3, 0x65, 0x6e, 0x76, 3, 0x65, 0x76, 0x6c, 0, 0, // import env.evl
    3, 5, 4, 0, 0, 0, 0,
    10, code.length + 1, 4, ...code,
  ]);
  const problems = checkPolyfill(m).join('\n');
  expect(problems).toMatch(/unexpected import env\.evl/);
  expect(problems).toMatch(/no import cabi\.state_realloc/);
  expect(problems).toMatch(/memory\.size\/grow/);
  expect(problems).toMatch(/opcode 0xfd/);
  expect(problems).toMatch(/opcode 0xd0/);
  expect(problems).toMatch(/opcode 0x12/);
  expect(problems).toMatch(/missing export wasi:cli\/stdout#get-stdout/);
});
