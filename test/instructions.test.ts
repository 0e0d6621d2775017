import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFunctionBody, forEachBodyIndex, rewriteBodyIndices } from '../src/binary/code.js';
import { detectFeatures, exprFeatures, type Feature } from '../src/binary/features.js';
import { forEachIndex, forEachInstruction, rewriteIndices, type IndexSpace } from '../src/binary/instructions.js';
import { encodeCodeSection, encodeElementSection, encodeExportSection, parseModule, SectionId, writeModule, type CoreModule } from '../src/binary/module.js';
import { BinaryReader } from '../src/binary/reader.js';
import { BinaryWriter } from '../src/binary/writer.js';
import { WasiAdaptError } from '../src/errors.js';
import { expectError, hex, wat } from './binary-helpers.js';

type Visit = [IndexSpace, number];

/** Every index immediate of a module's function bodies, in order, as [space, value]. */
function indicesOf(m: CoreModule, func = -1, spaces?: IndexSpace[]): Visit[] {
  const out: Visit[] = [];
  m.code.forEach((fb, i) => {
    if (func >= 0 && i !== func) return;
    forEachBodyIndex(fb, (space, value) => {
      if (!spaces || spaces.includes(space)) out.push([space, value]);
    });
  });
  return out;
}

const INDEX_WAT = `(module
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (import "env" "imp" (func $imp (type $ii)))
  (table $t0 2 funcref)
  (table $t1 2 funcref)
  (memory $m0 1)
  (memory $m1 1)
  (global $g0 (mut i32) (i32.const 0))
  (global $g1 (mut i32) (i32.const 1))
  (tag $e0 (param i32))
  (tag $e1)
  (elem $el0 func $f)
  (elem $el1 func $f)
  (data $d0 "a")
  (data $d1 "b")
  (func $f (type $ii) (param $p i32) (result i32) (local $x i32)
    (local.set $x (call $imp (local.get $p)))
    (global.set $g1 (global.get $g0))
    (drop (call_indirect $t1 (type $ii) (i32.const 0) (i32.const 0)))
    (memory.init $m1 $d1 (i32.const 0) (i32.const 0) (i32.const 1))
    (data.drop $d0)
    (table.copy $t0 $t1 (i32.const 0) (i32.const 0) (i32.const 1))
    (table.init $t1 $el1 (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $el0)
    (drop (i32.load $m1 offset=4 (i32.const 0)))
    (drop (i32.load (i32.const 0)))
    (memory.copy $m0 $m1 (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (memory.size $m1))
    (drop (ref.func $f))
    (drop (table.size $t1))
    (block $out (result i32 i32) (i32.const 1) (i32.const 2))
    drop drop
    (block $b (br_table $b $b (i32.const 0)))
    ;; legacy exceptions: wasm-tools only takes the flat form of try
    try
      (throw $e0 (i32.const 1))
    catch $e0
      drop
      rethrow 0
    catch_all
    end
    (return_call $imp (local.get $x))
  )
)`;

describe('forEachIndex: MVP and post-MVP families', () => {
  let m: CoreModule;
  beforeAll(async () => {
    m = parseModule(await wat(INDEX_WAT));
  });

  it('reports every index immediate with its space, in order', () => {
    expect(indicesOf(m)).toEqual([
      ['local', 0],
      ['func', 0], // call $imp
      ['local', 1],
      ['global', 0],
      ['global', 1],
      ['type', 1], // call_indirect type
      ['table', 1], // call_indirect table
      ['data', 1], // memory.init
      ['memory', 1],
      ['data', 0], // data.drop
      ['table', 0], // table.copy dst
      ['table', 1], // table.copy src
      ['elem', 1], // table.init elem
      ['table', 1], // table.init table
      ['elem', 0], // elem.drop
      ['memory', 1], // i32.load $m1 (explicit)
      ['memory', 0], // i32.load (implicit memory 0)
      ['memory', 0], // memory.copy dst
      ['memory', 1], // memory.copy src
      ['memory', 1], // memory.size
      ['func', 1], // ref.func
      ['table', 1], // table.size
      ['type', 3], // multi-value block type: the assembler appends (func (result i32 i32)) after $v, $ii and $e0's (param i32)
      ['label', 0], // br_table
      ['label', 0],
      ['tag', 0], // throw
      ['tag', 0], // catch
      ['label', 0], // rethrow
      ['local', 1],
      ['func', 0], // return_call
    ]);
  });

  it('gives LEB positions that decode to the reported value', () => {
    const { expr, exprOffset } = decodeFunctionBody(m.code[0]!);
    let implicit = 0;
    forEachIndex(expr, exprOffset, (space, value, start, end) => {
      if (start === end) {
        expect(space).toBe('memory');
        implicit++;
        return;
      }
      const r = new BinaryReader(expr, 0, start, end);
      expect(space === 'type' && expr[start - 1] === 0x02 ? r.s33() : r.u32()).toBe(value);
      expect(r.eof()).toBe(true);
    });
    expect(implicit).toBe(1);
  });

  it('visits index immediates of constant expressions', async () => {
    const cm = parseModule(await wat(`(module (import "e" "g" (global $g i32)) (func $f) (elem declare func $f)
      (global $h i32 (global.get $g)) (global $r funcref (ref.func $f)))`));
    const seen: Visit[] = [];
    for (const g of cm.globals) forEachIndex(g.init.bytes, g.init.offset, (s, v) => seen.push([s, v]));
    expect(seen).toEqual([
      ['global', 0],
      ['func', 0],
    ]);
  });
});

describe('forEachIndex: typed references, GC and exnref', () => {
  it('reports type, data, elem, label and tag immediates of GC and EH instructions', async () => {
    const m = parseModule(
      await wat(`(module
      (type $s (struct (field i32) (field (mut i64))))
      (type $a (array (mut i8)))
      (type $fa (array (mut funcref)))
      (type $f (func (param i32) (result i32)))
      (tag $t (param i32))
      (tag $u)
      (elem $e funcref (ref.func $g))
      (data $d "abcd")
      (func $g (type $f) (param $x i32) (result i32)
        (local $r (ref null $s))
        (local.set $r (struct.new $s (i32.const 1) (i64.const 2)))
        (drop (struct.get $s 0 (local.get $r)))
        (struct.set $s 1 (local.get $r) (i64.const 3))
        (drop (array.new_data $a $d (i32.const 0) (i32.const 2)))
        (drop (array.new_elem $fa $e (i32.const 0) (i32.const 1)))
        (array.copy $a $a (array.new_default $a (i32.const 1)) (i32.const 0) (array.new_fixed $a 2 (i32.const 1) (i32.const 2)) (i32.const 0) (i32.const 1))
        (drop (ref.test (ref $s) (local.get $r)))
        (drop (ref.cast (ref null $s) (local.get $r)))
        (drop (block $l (result (ref $s)) (br_on_cast $l anyref (ref $s) (local.get $r)) (br_on_null 0) unreachable))
        (drop (call_ref $f (i32.const 1) (ref.func $g)))
        (block $h (result i32)
          (try_table (result i32) (catch $t $h) (catch_all 1) (throw $u))
        )
        drop
        (block $h2 (result exnref)
          (try_table (catch_all_ref $h2) (throw $u)) unreachable)
        throw_ref
      ))`),
    );
    expect(indicesOf(m, 0, ['type', 'data', 'elem', 'tag', 'label', 'func'])).toEqual([
      ['type', 0], // local (ref null $s)
      ['type', 0], // struct.new
      ['type', 0], // struct.get
      ['type', 0], // struct.set
      ['type', 1],
      ['data', 0], // array.new_data
      ['type', 2],
      ['elem', 0], // array.new_elem
      ['type', 1], // array.copy dst
      ['type', 1], // array.copy src
      ['type', 1], // array.new_default
      ['type', 1], // array.new_fixed
      ['type', 0], // ref.test
      ['type', 0], // ref.cast
      ['type', 0], // block (result (ref $s))
      ['label', 0], // br_on_cast
      ['type', 0], // br_on_cast target heap type
      ['label', 0], // br_on_null
      ['func', 0], // ref.func
      ['type', 3], // call_ref
      ['tag', 0], // catch $t: labels count from outside the try_table
      ['label', 0],
      ['label', 1], // catch_all 1
      ['tag', 1], // throw $u
      ['label', 0], // catch_all_ref
      ['tag', 1],
    ]);
    const f = detectFeatures(m);
    for (const name of ['gc', 'function-references', 'exnref', 'exceptions', 'bulk-memory'] as Feature[]) expect(f.has(name), name).toBe(true);
    expect(f.has('legacy-exceptions')).toBe(false);
  });

  it('reports tail-call and reference instructions', async () => {
    const m = parseModule(
      await wat(`(module (type $f (func (result i32))) (table $t 1 funcref)
        (func $a (type $f) (return_call_ref $f (ref.func $a)))
        (func $b (type $f) (return_call_indirect $t (type $f) (i32.const 0)))
        (func $c (result i32) (ref.is_null (ref.as_non_null (ref.func $a))))
        (elem declare func $a))`),
    );
    expect(indicesOf(m)).toEqual([
      ['func', 0],
      ['type', 0],
      ['type', 0],
      ['table', 0],
      ['func', 0],
    ]);
    expect(detectFeatures(m).has('tail-call')).toBe(true);
    const { expr, exprOffset } = decodeFunctionBody(m.code[0]!);
    expect([...exprFeatures(expr, exprOffset)].sort()).toEqual(['function-references', 'reference-types', 'tail-call']);
  });
});

describe('rewriteIndices', () => {
  it('shifts function indices when an import is prepended, matching what an assembler emits', async () => {
    const before = await wat(`(module (type $v (func))
      (func $a (call $b) (call $a)) (func $b (return_call $a))
      (table 1 funcref) (elem (i32.const 0) $b) (export "a" (func $a)))`);
    const after = await wat(`(module (type $v (func)) (import "x" "y" (func))
      (func $a (call $b) (call $a)) (func $b (return_call $a))
      (table 1 funcref) (elem (i32.const 0) $b) (export "a" (func $a)))`);
    const m = parseModule(before);
    const want = parseModule(after);
    const shift = { func: (i: number) => i + 1 };
    const code = m.code.map((fb) => rewriteBodyIndices(fb, shift));
    expect(encodeCodeSection(code)).toEqual(want.sections.find((s) => s.id === SectionId.code)!.payload);
    const elements = m.elements.map((e) => ({ ...e, funcs: e.funcs!.map(shift.func) }));
    expect(encodeElementSection(elements)).toEqual(want.sections.find((s) => s.id === SectionId.element)!.payload);
    const exports = m.exports.map((e) => ({ ...e, index: shift.func(e.index) }));
    expect(encodeExportSection(exports)).toEqual(want.sections.find((s) => s.id === SectionId.export)!.payload);
  });

  it('re-encodes only changed LEBs, growing them when needed, and the result validates', async () => {
    const funcs = Array.from({ length: 130 }, (_, i) => `(func $f${i} (call $f${(i + 1) % 130}))`).join('\n');
    const bytes = await wat(`(module ${funcs} (export "f0" (func $f0)))`);
    const m = parseModule(bytes);
    const reverse = (i: number) => 129 - i;
    const code = m.code.map((fb) => rewriteBodyIndices(fb, { func: reverse }));
    expect(code[0]).toEqual(Uint8Array.from([0x00, 0x10, 0x80, 0x01, 0x0b])); // call 128: one byte became two
    const out = writeModule({
      sections: m.sections.map((s) => (s.id === SectionId.code ? { id: s.id, payload: encodeCodeSection(code) } : s)),
    });
    expect(WebAssembly.validate(out)).toBe(true);
    const calls = indicesOf(parseModule(out), -1, ['func']).map(([, v]) => v);
    expect(calls.slice(0, 3)).toEqual([128, 127, 126]);
  });

  it('returns the input itself when nothing changes', async () => {
    const m = parseModule(await wat(INDEX_WAT));
    const { expr, exprOffset } = decodeFunctionBody(m.code[0]!);
    expect(rewriteIndices(expr, exprOffset, { func: (i) => i })).toBe(expr);
    expect(rewriteIndices(expr, exprOffset, {})).toBe(expr);
    expect(rewriteBodyIndices(m.code[0]!, { global: (i) => i })).toBe(m.code[0]!.body);
  });

  it('rewrites every space of the index test function and visits the new values', async () => {
    const m = parseModule(await wat(INDEX_WAT));
    const plus = (n: number) => (i: number) => i + n;
    const maps = { func: plus(200), table: plus(3), global: plus(300), type: plus(100), data: plus(5), elem: plus(6), tag: plus(7), memory: plus(1) };
    const body = rewriteBodyIndices(m.code[0]!, maps);
    const before = indicesOf(m);
    const after: Visit[] = [];
    forEachBodyIndex({ body, offset: 0 }, (s, v) => after.push([s, v]));
    expect(after).toEqual(before.map(([s, v]) => [s, s in maps ? maps[s as keyof typeof maps](v) : v]));
  });

  it('encodes block-type and heap-type indices as s33 (64 must not become 0x40)', () => {
    // block (type 0) ; end ; end
    const expr = Uint8Array.from([0x02, 0x00, 0x0b, 0x0b]);
    const out = rewriteIndices(expr, 0, { type: () => 64 });
    expect(hex(out)).toBe('02c0000b0b');
    const seen: Visit[] = [];
    forEachIndex(out, 0, (s, v) => seen.push([s, v]));
    expect(seen).toEqual([['type', 64]]);
    // ref.null (type 0) -> type 100
    expect(hex(rewriteIndices(Uint8Array.from([0xd0, 0x00, 0x0b]), 0, { type: () => 100 }))).toBe('d0e4000b');
  });

  it('makes an implicit memory 0 explicit when it is remapped (multi-memory memarg)', () => {
    // i32.const 0; i32.load align=2 offset=8; drop; end
    const expr = Uint8Array.from([0x41, 0x00, 0x28, 0x02, 0x08, 0x1a, 0x0b]);
    const out = rewriteIndices(expr, 0, { memory: () => 1 });
    expect(hex(out)).toBe('4100284201081a0b');
    const seen: Visit[] = [];
    forEachIndex(out, 0, (s, v, start, end) => seen.push([s, v, start, end] as unknown as Visit));
    expect(seen).toEqual([['memory', 1, 4, 5]]);
  });

  it('refuses an index map that returns a non-index', () => {
    const expr = Uint8Array.from([0x10, 0x00, 0x0b]);
    expectError(() => rewriteIndices(expr, 0, { func: () => -1 }), 'invalid-argument');
    expectError(() => rewriteIndices(expr, 0, { func: () => 1.5 }), 'invalid-argument');
  });
});

describe('decoder coverage', () => {
  /** An expression of one prefixed instruction (with immediates) followed by end. */
  const prefixed = (prefix: number, sub: number, ...imm: number[]) => new BinaryWriter().u8(prefix).u32(sub).bytes(Uint8Array.from(imm)).u8(0x0b).finish();
  const decodes = (expr: Uint8Array) => {
    try {
      forEachIndex(expr, 0, () => {});
      return true;
    } catch (e) {
      if (e instanceof WasiAdaptError && e.code === 'bad-opcode') return false;
      throw e;
    }
  };

  it('knows all 236 SIMD opcodes and the 20 relaxed SIMD opcodes, and nothing else', () => {
    let valid = 0;
    for (let sub = 0; sub < 0x200; sub++) {
      // Enough immediate bytes for any shape: memarg (2 LEBs) + lane, or 16 bytes.
      const imm = sub === 0x0c || sub === 0x0d ? new Array(16).fill(0) : [0, 0, 0];
      const expr = prefixed(0xfd, sub, ...imm);
      let ok: boolean;
      try {
        ok = decodes(expr);
      } catch {
        ok = true; // decoded the opcode, then choked on our filler bytes
      }
      if (ok) valid++;
    }
    expect(valid).toBe(236 + 20);
  });

  it('decodes every SIMD shape exactly (memarg, memarg + lane, lane, 16 bytes)', () => {
    expect(decodes(prefixed(0xfd, 0x00, 0x04, 0x10))).toBe(true); // v128.load
    expect(decodes(prefixed(0xfd, 0x54, 0x00, 0x00, 0x0f))).toBe(true); // v128.load8_lane
    expect(decodes(prefixed(0xfd, 0x15, 0x0f))).toBe(true); // i8x16.extract_lane_s
    expect(decodes(prefixed(0xfd, 0x0c, ...new Array(16).fill(0xff)))).toBe(true); // v128.const
    expect(decodes(prefixed(0xfd, 0x113))).toBe(true); // i32x4.relaxed_dot_i8x16_i7x16_add_s
    expectError(() => forEachIndex(prefixed(0xfd, 0x0c, ...new Array(15).fill(0)), 0, () => {}), 'truncated');
  });

  it('decodes threads, including atomic.fence and its zero byte', () => {
    expect(decodes(prefixed(0xfe, 0x03, 0x00))).toBe(true);
    expectError(() => forEachIndex(prefixed(0xfe, 0x03, 0x01), 0, () => {}), 'bad-value', 2);
    for (const sub of [0x00, 0x01, 0x02, 0x10, 0x2c, 0x4e]) expect(decodes(prefixed(0xfe, sub, 0x02, 0x00)), `0xfe ${sub}`).toBe(true);
    expect(decodes(prefixed(0xfe, 0x04))).toBe(false);
    expect(decodes(prefixed(0xfe, 0x4f, 0x02, 0x00))).toBe(false);
  });

  it('decodes saturating conversions and bulk memory, rejects unknown 0xFC ops', () => {
    for (let sub = 0; sub <= 7; sub++) expect(decodes(prefixed(0xfc, sub))).toBe(true);
    expect(decodes(prefixed(0xfc, 11, 0x00))).toBe(true);
    expect(decodes(prefixed(0xfc, 18))).toBe(false);
  });

  it('decodes all GC opcodes 0..30 and rejects 31', () => {
    expect(decodes(prefixed(0xfb, 15))).toBe(true);
    expect(decodes(prefixed(0xfb, 24, 0x03, 0x00, 0x6e, 0x6b))).toBe(true);
    expectError(() => forEachIndex(prefixed(0xfb, 24, 0x04, 0x00, 0x6e, 0x6b), 0, () => {}), 'bad-value', 2);
    expect(decodes(prefixed(0xfb, 31))).toBe(false);
  });

  it('names the absolute offset of an unknown opcode', async () => {
    const m = parseModule(await wat(`(module (func (nop) (nop)))`));
    const fb = m.code[0]!;
    const body = fb.body.slice();
    body[2] = 0xff; // the second nop
    const err = expectError(() => forEachBodyIndex({ body, offset: fb.offset }, () => {}), 'bad-opcode', fb.offset + 2);
    expect(err.message).toContain('0xff');
    expectError(() => forEachIndex(Uint8Array.from([0x01, 0xfc, 0x80, 0x01, 0x0b]), 50, () => {}), 'bad-opcode', 51);
    expectError(() => forEachIndex(Uint8Array.from([0x27, 0x0b]), 7, () => {}), 'bad-opcode', 7);
  });

  it('rejects truncated expressions, bytes after the end, and bad LEBs', () => {
    expectError(() => forEachIndex(Uint8Array.from([0x02, 0x40, 0x0b]), 0, () => {}), 'truncated');
    expectError(() => forEachIndex(Uint8Array.from([0x10]), 0, () => {}), 'truncated', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x0b, 0x01]), 0, () => {}), 'bad-section', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]), 0, () => {}), 'bad-leb', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b]), 0, () => {}), 'bad-leb', 1);
    const i64 = [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x0b];
    expectError(() => forEachIndex(Uint8Array.from(i64), 0, () => {}), 'bad-leb', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x0b]), 0, () => {}), 'too-large', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x02, 0x45, 0x0b, 0x0b]), 0, () => {}), 'bad-value', 1);
    expectError(() => forEachIndex(Uint8Array.from([0x18, 0x00, 0x0b]), 0, () => {}), 'bad-opcode', 0);
  });

  it('throws only WasiAdaptError on random expressions (seeded fuzz)', () => {
    let seed = 99;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    // Bias towards opcodes with immediates so prefixes and LEBs get exercised.
    const hot = [0xfb, 0xfc, 0xfd, 0xfe, 0x02, 0x0e, 0x11, 0x1c, 0x1f, 0x28, 0x41, 0x42, 0xd0, 0x80, 0xff, 0x0b];
    const codes = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      const expr = Uint8Array.from({ length: 1 + Math.floor(rand() * 24) }, () => (rand() < 0.5 ? hot[Math.floor(rand() * hot.length)]! : Math.floor(rand() * 256)));
      try {
        rewriteIndices(expr, 0, { func: (x) => x + 1, memory: (x) => x + 1, type: (x) => x + 1, label: (x) => x });
      } catch (e) {
        if (!(e instanceof WasiAdaptError)) throw new Error(`${hex(expr)}: ${String(e)}`);
        codes.add(e.code);
      }
    }
    expect([...codes].sort()).toEqual(['bad-leb', 'bad-opcode', 'bad-section', 'bad-value', 'too-large', 'truncated']);
  });

  it('handles 100 000 nested blocks without recursion', () => {
    const n = 100_000;
    const expr = new Uint8Array(n * 3 + 1);
    for (let i = 0; i < n; i++) expr.set([0x02, 0x40], i * 2);
    expr.fill(0x0b, n * 2);
    let count = 0;
    forEachInstruction(expr, 0, () => count++);
    expect(count).toBe(2 * n + 1);
  });

  it('forEachInstruction reports opcode, sub-opcode and spans', () => {
    const expr = Uint8Array.from([0x41, 0x80, 0x01, 0xfc, 0x00, 0x0b]);
    const seen: number[][] = [];
    forEachInstruction(expr, 0, (op, sub, start, end) => seen.push([op, sub, start, end]));
    expect(seen).toEqual([
      [0x41, -1, 0, 3],
      [0xfc, 0, 3, 5],
      [0x0b, -1, 5, 6],
    ]);
  });
});

describe('detectFeatures per family', () => {
  const cases: [string, Feature[], Feature[]][] = [
    ['(func (drop (i32.extend8_s (i32.const 1))))', ['sign-ext'], ['simd']],
    ['(func (drop (i32.trunc_sat_f32_s (f32.const 1))))', ['sat-float-to-int'], ['sign-ext']],
    ['(memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))', ['bulk-memory'], ['multi-memory']],
    ['(func (result v128) (v128.const i32x4 0 0 0 0))', ['simd'], ['relaxed-simd']],
    ['(func (result v128) (i8x16.relaxed_swizzle (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))', ['simd', 'relaxed-simd'], []],
    ['(memory 1 1 shared) (func (atomic.fence))', ['threads'], []],
    ['(func $f (return_call $f))', ['tail-call'], ['exceptions']],
    ['(tag $t) (func try (throw $t) delegate 0)', ['exceptions', 'legacy-exceptions'], ['exnref']],
    ['(memory 1) (memory 1) (func (drop (i32.load 1 (i32.const 0))))', ['multi-memory'], []],
    ['(memory i64 1) (func (drop (i32.load (i64.const 0))))', ['memory64'], ['multi-memory']],
    ['(func (result i32 i32) (i32.const 1) (i32.const 2))', ['multi-value'], []],
    ['(table 1 externref) (func (drop (table.get 0 (i32.const 0))))', ['reference-types'], ['gc']],
    ['(global i32 (i32.add (i32.const 1) (i32.const 2)))', ['extended-const'], []],
    ['(global (export "g") (mut i32) (i32.const 0))', ['mutable-globals'], []],
    ['(func)', [], ['sign-ext', 'simd', 'bulk-memory', 'reference-types', 'multi-value']],
    ['(table 1 funcref) (elem (i32.const 0) $f) (func $f (call_indirect (i32.const 0)))', [], ['reference-types', 'bulk-memory']],
  ];
  for (const [text, has, hasNot] of cases) {
    it(text, async () => {
      const f = detectFeatures(parseModule(await wat(`(module ${text})`)));
      for (const name of has) expect(f.has(name), `has ${name}`).toBe(true);
      for (const name of hasNot) expect(f.has(name), `lacks ${name}`).toBe(false);
    });
  }
});
