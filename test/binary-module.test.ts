import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rewriteBodyIndices } from '../src/binary/code.js';
import { detectFeatures } from '../src/binary/features.js';
import {
  decodeFunctionBody,
  encodeCodeSection,
  encodeCustomSection,
  encodeDataCountSection,
  encodeDataSection,
  encodeElementSection,
  encodeExportSection,
  encodeFunctionBody,
  encodeFunctionSection,
  encodeGlobalSection,
  encodeImportSection,
  encodeMemorySection,
  encodeModule,
  encodeStartSection,
  encodeTableSection,
  encodeTagSection,
  encodeTypeSection,
  EXTERNREF,
  FUNCREF,
  mapCompositeType,
  mapSubType,
  parseModule,
  SectionId,
  writeModule,
  type CoreModule,
} from '../src/binary/module.js';
import { encodeNameSection, readNames } from '../src/binary/names.js';
import { BinaryWriter } from '../src/binary/writer.js';
import { WasiAdaptError } from '../src/errors.js';
import { expectError, hex, wat } from './binary-helpers.js';

const KITCHEN_SINK = `(module
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (import "env" "f" (func $imp (type $ii)))
  (import "env" "t" (table $it 1 funcref))
  (import "env" "m" (memory $im 1 2))
  (import "env" "g" (global $ig (mut i32)))
  (import "env" "e" (tag $itag (param i32)))
  (table $t2 2 10 externref)
  (table $t3 3 funcref)
  (memory $m1 1)
  (memory $m64 i64 1 100)
  (memory $ms 1 1 shared)
  (tag $tag (param i32))
  (global $g1 i32 (i32.const 42))
  (global $g2 (mut i64) (i64.add (i64.const 1) (i64.const 2)))
  (global $g3 funcref (ref.null func))
  (global $g4 v128 (v128.const i32x4 1 2 3 4))
  (export "f1" (func $f1))
  (export "t" (table $t3))
  (export "m" (memory $m1))
  (export "g" (global $g1))
  (export "tag" (tag $tag))
  (start $f0)
  (elem (i32.const 0) $f0 $f1)
  (elem func $f1)
  (elem (table $t3) (i32.const 1) func $f0)
  (elem declare func $f1)
  (elem (i32.const 0) funcref (ref.func $f0) (ref.null func))
  (elem funcref (ref.null func))
  (elem (table $t2) (i32.const 0) externref (ref.null extern))
  (elem declare funcref (ref.null func))
  (func $f0)
  (func $f1 (type $ii) (param $p i32) (result i32) (local $l i64) (local f32 f32)
    (call $imp (local.get $p)))
  (data (memory $im) (i32.const 0) "abc")
  (data "passive")
  (data (memory $m1) (i32.const 8) "xy")
)`;

const sameBytes = (a: Uint8Array, b: Uint8Array) => expect(hex(a)).toBe(hex(b));
const payload = (m: CoreModule, id: number) => m.sections.find((s) => s.id === id)!.payload;

describe('parseModule: every section', () => {
  let bytes: Uint8Array;
  let m: CoreModule;
  beforeAll(async () => {
    bytes = await wat(KITCHEN_SINK);
    m = parseModule(bytes);
  });

  it('splits sections in order with absolute payload offsets', () => {
    expect(m.sections.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 10, 11, 0]);
    for (const s of m.sections) sameBytes(s.payload, bytes.subarray(s.offset, s.offset + s.payload.length));
    expect(m.sections.at(-1)!.name).toBe('name');
  });

  it('decodes types, imports and the import counts', () => {
    expect(m.types).toEqual([
      { kind: 'func', params: [], results: [] },
      { kind: 'func', params: ['i32'], results: ['i32'] },
      { kind: 'func', params: ['i32'], results: [] },
    ]);
    expect(m.imports.map((i) => [i.module, i.name, i.desc.kind])).toEqual([
      ['env', 'f', 'func'],
      ['env', 't', 'table'],
      ['env', 'm', 'memory'],
      ['env', 'g', 'global'],
      ['env', 'e', 'tag'],
    ]);
    expect(m.imports[0]!.desc).toEqual({ kind: 'func', typeIndex: 1 });
    expect(m.imports[1]!.desc).toEqual({ kind: 'table', type: { element: FUNCREF, limits: { min: 1 } } });
    expect(m.imports[2]!.desc).toEqual({ kind: 'memory', type: { min: 1, max: 2 } });
    expect(m.imports[3]!.desc).toEqual({ kind: 'global', type: { type: 'i32', mutable: true } });
    expect(m.imports[4]!.desc).toEqual({ kind: 'tag', typeIndex: 2 });
    expect([m.importedFuncCount, m.importedTableCount, m.importedMemoryCount, m.importedGlobalCount, m.importedTagCount]).toEqual([1, 1, 1, 1, 1]);
    expect([m.funcCount, m.tableCount, m.memoryCount, m.globalCount, m.tagCount]).toEqual([3, 3, 4, 5, 2]);
  });

  it('decodes functions, tables, memories (memory64, shared), tags, globals', () => {
    expect(m.functions).toEqual([0, 1]);
    expect(m.tables.map((t) => t.type)).toEqual([
      { element: EXTERNREF, limits: { min: 2, max: 10 } },
      { element: FUNCREF, limits: { min: 3 } },
    ]);
    expect(m.memories).toEqual([{ min: 1 }, { min: 1, max: 100, index64: true }, { min: 1, max: 1, shared: true }]);
    expect(m.tags).toEqual([{ attribute: 0, typeIndex: 2 }]);
    expect(m.globals.map((g) => g.type)).toEqual([
      { type: 'i32', mutable: false },
      { type: 'i64', mutable: true },
      { type: FUNCREF, mutable: false },
      { type: 'v128', mutable: false },
    ]);
    expect(hex(m.globals[0]!.init.bytes)).toBe('412a0b');
    expect(hex(m.globals[1]!.init.bytes)).toBe('420142027c0b'); // extended-const
    const g = m.globals[0]!.init;
    sameBytes(bytes.subarray(g.offset, g.offset + g.bytes.length), g.bytes);
  });

  it('decodes exports and start', () => {
    expect(m.exports).toEqual([
      { name: 'f1', kind: 'func', index: 2 },
      { name: 't', kind: 'table', index: 2 },
      { name: 'm', kind: 'memory', index: 1 },
      { name: 'g', kind: 'global', index: 1 },
      { name: 'tag', kind: 'tag', index: 1 },
    ]);
    expect(m.start).toBe(1);
  });

  it('decodes all eight element segment forms', () => {
    const e = m.elements;
    expect(e.map((s) => s.flags)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(e.map((s) => s.mode)).toEqual(['active', 'passive', 'active', 'declarative', 'active', 'passive', 'active', 'declarative']);
    expect(e[0]!.funcs).toEqual([1, 2]);
    expect(hex(e[0]!.offset!.bytes)).toBe('41000b');
    expect(e[2]).toMatchObject({ table: 2, funcs: [1] });
    expect(e[3]!.funcs).toEqual([2]);
    expect(e[4]!.exprs!.map((x) => hex(x.bytes))).toEqual(['d2010b', 'd0700b']);
    expect(e[6]).toMatchObject({ table: 1, type: EXTERNREF });
    expect(e[7]!.type).toEqual(FUNCREF);
  });

  it('splits code bodies and decodes locals', () => {
    expect(m.code).toHaveLength(2);
    const f1 = decodeFunctionBody(m.code[1]!);
    expect(f1.locals).toEqual([
      { count: 1, type: 'i64' },
      { count: 2, type: 'f32' },
    ]);
    expect(hex(f1.expr)).toBe('200010000b');
    expect(f1.exprOffset).toBe(m.code[1]!.offset + 5);
    sameBytes(bytes.subarray(f1.exprOffset, f1.exprOffset + f1.expr.length), f1.expr);
  });

  it('decodes all three data segment forms', () => {
    expect(m.data.map((d) => [d.flags, d.mode, d.memory, Buffer.from(d.init).toString()])).toEqual([
      [0, 'active', 0, 'abc'],
      [1, 'passive', 0, 'passive'],
      [2, 'active', 1, 'xy'],
    ]);
    const d = m.data[0]!;
    expect(Buffer.from(bytes.subarray(d.initOffset, d.initOffset + 3)).toString()).toBe('abc');
  });

  it('parses the name section on request (functions, locals, globals, ...)', () => {
    const names = readNames(m)!;
    expect(names.functions).toEqual(new Map([[0, 'imp'], [1, 'f0'], [2, 'f1']]));
    expect(names.locals!.get(2)).toEqual(new Map([[0, 'p'], [1, 'l']]));
    expect(names.globals!.get(4)).toBe('g4');
    expect(names.memories!.get(2)).toBe('m64');
    expect(names.types!.get(1)).toBe('ii');
    const c = m.customs.find((s) => s.name === 'name')!;
    sameBytes(encodeNameSection(names), c.data);
  });

  it('round-trips byte-identically through writeModule', () => {
    sameBytes(writeModule(m), bytes);
  });

  it('re-encodes every section from its typed form to the same payload', () => {
    sameBytes(encodeTypeSection(m.recGroups), payload(m, SectionId.type));
    sameBytes(encodeTypeSection(m.types), payload(m, SectionId.type));
    sameBytes(encodeImportSection(m.imports), payload(m, SectionId.import));
    sameBytes(encodeFunctionSection(m.functions), payload(m, SectionId.function));
    sameBytes(encodeTableSection(m.tables), payload(m, SectionId.table));
    sameBytes(encodeMemorySection(m.memories), payload(m, SectionId.memory));
    sameBytes(encodeTagSection(m.tags), payload(m, SectionId.tag));
    sameBytes(encodeGlobalSection(m.globals), payload(m, SectionId.global));
    sameBytes(encodeExportSection(m.exports), payload(m, SectionId.export));
    sameBytes(encodeStartSection(m.start!), payload(m, SectionId.start));
    sameBytes(encodeElementSection(m.elements), payload(m, SectionId.element));
    sameBytes(encodeCodeSection(m.code), payload(m, SectionId.code));
    sameBytes(encodeDataSection(m.data), payload(m, SectionId.data));
    const c = m.customs[0]!;
    sameBytes(encodeCustomSection(c.name, c.data), m.sections.at(-1)!.payload);
  });

  it('encodes element and data segments without flags in their most compact form', () => {
    const stripped = m.elements.map(({ flags: _flags, ...rest }) => rest);
    sameBytes(encodeElementSection(stripped), payload(m, SectionId.element));
    sameBytes(encodeDataSection(m.data.map(({ flags: _flags, ...rest }) => rest)), payload(m, SectionId.data));
  });

  it('builds the same module from typed parts with encodeModule', () => {
    const built = encodeModule({
      types: m.types,
      imports: m.imports,
      functions: m.functions,
      tables: m.tables,
      memories: m.memories,
      tags: m.tags,
      globals: m.globals,
      exports: m.exports,
      start: m.start!,
      elements: m.elements,
      code: m.code,
      data: m.data,
      customs: m.customs,
    });
    sameBytes(built, bytes);
  });

  it('detects the features it uses', () => {
    const f = detectFeatures(m);
    for (const name of ['exceptions', 'multi-memory', 'memory64', 'threads', 'simd', 'extended-const', 'bulk-memory', 'reference-types', 'mutable-globals'] as const) {
      expect(f.has(name), name).toBe(true);
    }
    expect(f.has('gc')).toBe(false);
  });
});

describe('parseModule: more forms', () => {
  it('reads the data count section (bulk memory)', async () => {
    const m = parseModule(
      await wat(`(module (memory 1) (data $d "hi")
        (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 2)) (data.drop $d)))`),
    );
    expect(m.dataCount).toBe(1);
    expect(m.sections.map((s) => s.id)).toContain(SectionId.dataCount);
    sameBytes(encodeDataCountSection(1), payload(m, SectionId.dataCount));
  });

  it('decodes and re-encodes GC rec groups, sub types, structs and arrays', async () => {
    const bytes = await wat(`(module
      (rec (type $s (sub (struct (field i32) (field (mut i64)) (field i8) (field (mut i16)))))
           (type $t (sub final $s (struct (field i32) (field (mut i64)) (field i8) (field (mut i16)) (field (ref null $t))))))
      (type $a (array (mut f32)))
      (type $f (func (param (ref $a) (ref null any) eqref i31ref structref arrayref nullref nullfuncref nullexternref exnref) (result anyref)))
      (rec (type $one (struct)))
      (type $open (sub (func)))
    )`);
    const m = parseModule(bytes);
    expect(m.recGroups.map((g) => [g.types.length, !!g.explicit])).toEqual([
      [2, true],
      [1, false],
      [1, false],
      [1, true],
      [1, false],
    ]);
    expect(m.types[0]).toEqual({
      kind: 'struct',
      fields: [
        { type: 'i32', mutable: false },
        { type: 'i64', mutable: true },
        { type: 'i8', mutable: false },
        { type: 'i16', mutable: true },
      ],
    });
    expect(m.recGroups[0]!.types[1]).toMatchObject({ final: true, supertypes: [0] });
    expect(m.recGroups[0]!.types[0]).toMatchObject({ final: false, supertypes: [] });
    expect(m.types[2]).toEqual({ kind: 'array', field: { type: 'f32', mutable: true } });
    const f = m.types[3]!;
    expect(f.kind === 'func' && f.params.slice(0, 3)).toEqual([
      { nullable: false, heap: 2 },
      { nullable: true, heap: 'any' },
      { nullable: true, heap: 'eq' },
    ]);
    expect(f.kind === 'func' && f.params.at(-1)).toEqual({ nullable: true, heap: 'exn' });
    expect(m.recGroups[4]!.types[0]).toMatchObject({ final: false, explicit: true });
    sameBytes(encodeTypeSection(m.recGroups), payload(m, SectionId.type));
    expect(detectFeatures(m).has('gc')).toBe(true);
    const shifted = mapSubType(m.recGroups[0]!.types[1]!, (i) => i + 10);
    expect(shifted.supertypes).toEqual([10]);
    expect(shifted.type.kind === 'struct' && shifted.type.fields[4]!.type).toEqual({ nullable: true, heap: 11 });
    const g = mapCompositeType(f, (i) => i + 10);
    expect(g.kind === 'func' && g.params[0]).toEqual({ nullable: false, heap: 12 });
    expect(g.kind === 'func' && g.params[1]).toEqual({ nullable: true, heap: 'any' });
  });

  it('reads a table with an initializer expression (0x40 0x00 form)', async () => {
    const bytes = await wat(`(module (type $f (func)) (table 1 (ref $f) (ref.func $g)) (func $g (type $f)))`);
    const m = parseModule(bytes);
    expect(m.tables[0]!.type.element).toEqual({ nullable: false, heap: 0 });
    expect(hex(m.tables[0]!.init!.bytes)).toBe('d2000b');
    sameBytes(encodeTableSection(m.tables), payload(m, SectionId.table));
  });

  it('keeps a padded section size byte-identical', () => {
    const w = new BinaryWriter();
    w.bytes(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    w.u8(SectionId.type).u32Padded(1, 5).u8(0);
    const bytes = w.finish();
    const m = parseModule(bytes);
    expect(m.sections[0]!.sizeBytes).toBe(5);
    sameBytes(writeModule(m), bytes);
  });

  it('builds a brand new module that validates', () => {
    const body = encodeFunctionBody([{ count: 1, type: 'i32' }], Uint8Array.from([0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b]));
    const bytes = encodeModule({
      types: [{ kind: 'func', params: ['i32'], results: ['i32'] }],
      functions: [0],
      memories: [{ min: 1 }],
      exports: [{ name: 'f', kind: 'func', index: 0 }],
      code: [body],
      data: [{ mode: 'active', memory: 0, offset: { bytes: Uint8Array.from([0x41, 0x00, 0x0b]), offset: 0 }, init: Uint8Array.from([1]), initOffset: 0 }],
    });
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(parseModule(bytes).exports[0]!.name).toBe('f');
  });

  it('handles real toolchain output: StarlingMonkey (12 MB) round-trips and decodes', () => {
    const file = join(import.meta.dirname, '..', 'node_modules', '@bytecodealliance', 'componentize-js', 'lib', 'starlingmonkey_embedding_weval.wasm');
    const bytes = new Uint8Array(readFileSync(file));
    const m = parseModule(bytes);
    sameBytes(writeModule(m), bytes);
    expect(m.code.length).toBe(m.functions.length);
    const f = detectFeatures(m);
    expect(f.has('bulk-memory')).toBe(true);
    expect(f.has('gc')).toBe(false);
    sameBytes(encodeCodeSection(m.code), payload(m, SectionId.code));
  });
});

describe('parseModule: malformed and hostile input', () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const mod = (...rest: number[]) => Uint8Array.from([...header, ...rest]);

  it('rejects non-wasm and components', () => {
    expectError(() => parseModule(Uint8Array.from([1, 2, 3])), 'not-wasm', 0);
    expectError(() => parseModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1])), 'truncated', 0);
    expectError(() => parseModule(new Uint8Array(0)), 'not-wasm', 0);
    expectError(() => parseModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00])), 'unsupported', 4);
    expectError(() => parseModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00])), 'unsupported', 4);
  });

  it('reports absolute offsets using base', () => {
    expectError(() => parseModule(mod(0x01, 0x05, 0x01), 1000), 'truncated', 1009);
  });

  it('rejects a section size that overruns the input, including a 2 GB one', () => {
    expectError(() => parseModule(mod(0x01, 0x05, 0x01)), 'truncated');
    const t = performance.now();
    expectError(() => parseModule(mod(0x0a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01, 0x00)), 'truncated');
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('rejects over-long and overflowing LEBs', () => {
    expectError(() => parseModule(mod(0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)), 'bad-leb', 9);
    expectError(() => parseModule(mod(0x01, 0xff, 0xff, 0xff, 0xff, 0x7f)), 'bad-leb', 9);
  });

  it('rejects counts larger than the remaining bytes before allocating', () => {
    // function section declaring 2^32-1 type indices in a 5-byte payload
    expectError(() => parseModule(mod(0x03, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f)), 'too-large', 10);
    // code section declaring a huge body size
    expectError(() => parseModule(mod(0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07)), 'truncated');
  });

  it('validates section order, duplicates and unknown ids', () => {
    expectError(() => parseModule(mod(0x02, 0x01, 0x00, 0x01, 0x01, 0x00)), 'bad-section', 11);
    expectError(() => parseModule(mod(0x01, 0x01, 0x00, 0x01, 0x01, 0x00)), 'bad-section', 11);
    expectError(() => parseModule(mod(0x0e, 0x00)), 'bad-section', 8);
    // data count must come before code: code then data count is out of order
    expectError(() => parseModule(mod(0x0a, 0x01, 0x00, 0x0c, 0x01, 0x00)), 'bad-section', 11);
    // tag (13) must come before global (6)
    expectError(() => parseModule(mod(0x06, 0x01, 0x00, 0x0d, 0x01, 0x00)), 'bad-section', 11);
    // custom sections go anywhere
    expect(parseModule(mod(0x00, 0x02, 0x01, 0x61, 0x01, 0x01, 0x00, 0x00, 0x02, 0x01, 0x62)).customs.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('rejects trailing bytes in a section and count mismatches', () => {
    expectError(() => parseModule(mod(0x01, 0x02, 0x00, 0x00)), 'bad-section', 11);
    expectError(() => parseModule(mod(0x03, 0x02, 0x01, 0x00)), 'bad-section');
    expectError(() => parseModule(mod(0x0c, 0x01, 0x01)), 'bad-section');
  });

  it('rejects bad element and data forms and bad value types', () => {
    expectError(() => parseModule(mod(0x09, 0x03, 0x01, 0x08, 0x00)), 'bad-value', 11);
    expectError(() => parseModule(mod(0x0b, 0x03, 0x01, 0x03, 0x00)), 'bad-value', 11);
    expectError(() => parseModule(mod(0x01, 0x04, 0x01, 0x60, 0x01, 0x40)), 'bad-value', 13);
    expectError(() => parseModule(mod(0x01, 0x03, 0x01, 0x55, 0x00)), 'bad-value', 11);
  });

  it('never throws anything but WasiAdaptError on truncations of a real module', async () => {
    const bytes = await wat(KITCHEN_SINK);
    for (let n = 0; n < bytes.length; n++) {
      try {
        const m = parseModule(bytes.subarray(0, n));
        detectFeatures(m);
      } catch (e) {
        if (!(e instanceof WasiAdaptError)) throw new Error(`prefix ${n}: ${String(e)}`);
      }
    }
  });

  it('never throws anything but WasiAdaptError on corrupted modules (seeded fuzz)', async () => {
    const bytes = await wat(KITCHEN_SINK);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const copy = bytes.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) copy[8 + Math.floor(rand() * (copy.length - 8))] = Math.floor(rand() * 256);
      try {
        const m = parseModule(copy);
        readNames(m);
        for (const fb of m.code) rewriteBodyIndices(fb, { func: (x) => x + 1, memory: (x) => x + 1, type: (x) => x + 64 });
        detectFeatures(m);
      } catch (e) {
        if (!(e instanceof WasiAdaptError)) throw new Error(`case ${i}: ${String(e)}`);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('writeModule refuses sections out of order', () => {
    expectError(() => writeModule({ sections: [{ id: 3, payload: new Uint8Array([0]) }, { id: 1, payload: new Uint8Array([0]) }] }), 'invalid-argument');
  });
});
