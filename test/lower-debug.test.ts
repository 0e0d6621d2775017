// DWARF through `down`: main's `.debug_*` sections are kept only where its code keeps its offsets
// (DWARF addresses code from the start of the code section's payload); otherwise dropped, and said.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { parseModule, SectionId } from '../src/binary/module.js';
import { downCommand } from '../src/cli/down.js';
import { lower } from '../src/lower/index.js';
import { wat } from './helpers/wat.js';

const DEBUG = `
  (@custom ".debug_info" (after code) "\\01\\02\\03\\04")
  (@custom ".debug_line" (after code) "line program")
  (@custom ".debug_str" (after data) "main.c\\00")`;

/** A main module with DWARF-named sections (contents are opaque to the linker). */
const MAIN = `(module
  (import "h" "f" (func $f (result i32)))
  (memory (export "memory") 1)
  (func $helper (result i32) i32.const 42)
  (func (export "get") (result i32) call $helper call $f i32.add)
  (data (i32.const 16) "x")
  ${DEBUG})`;

/** A first module whose two funcs come before main's in the output, so every call in main is renumbered. */
const TWO_FUNCS = '(func (export "f") (result i32) i32.const 7) (func $unused)';

/** `main` instantiated with `h.f` from a first module (`helper`), `get` lifted. */
function component(main: string, helper: string): string {
  return `(component
    (core module $h ${helper})
    (core instance $hi (instantiate $h))
    (core module $m ${main.slice('(module'.length, -1)})
    (core instance $i (instantiate $m (with "h" (instance $hi))))
    (func (export "get") (result u32) (canon lift (core func $i "get"))))`;
}

/** The `.debug_*` custom sections of a module: name -> whole payload (name included). */
function debugSections(module: Uint8Array): Map<string, Uint8Array> {
  return new Map(parseModule(module).sections.filter((s) => s.name?.startsWith('.debug_')).map((s) => [s.name!, s.payload]));
}

/** Every body of `main` appears, byte for byte, at the same offset of the output's code section payload. */
function expectSameBodyOffsets(main: Uint8Array, output: Uint8Array): void {
  const m = parseModule(main);
  const from = m.sections.find((s) => s.id === SectionId.code)!;
  const to = parseModule(output).sections.find((s) => s.id === SectionId.code)!;
  expect(m.code.length).toBeGreaterThan(0);
  for (const body of m.code) {
    const at = body.offset - from.offset;
    expect(Buffer.from(to.payload.subarray(at, at + body.body.length)).equals(body.body)).toBe(true);
  }
}

/** Top-level core modules (section 1) of a component, in order. */
function coreModules(component: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 8;
  while (p < component.length) {
    const id = component[p++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = component[p++]!;
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (id === 1) out.push(component.subarray(p, p + size));
    p += size;
  }
  return out;
}

/** main's only import becomes a host import at the same index: nothing in main moves. */
const UNCHANGED = `(component
  (import "my:pkg/h" (instance $h (export "f" (func (result u32)))))
  (core func $f (canon lower (func $h "f")))
  (core instance $hi (export "f" (func $f)))
  (core module $m ${MAIN.replace('"h" "f"', '"my:pkg/h" "f"').slice('(module'.length, -1)})
  (core instance $i (instantiate $m (with "my:pkg/h" (instance $hi))))
  (func (export "get") (result u32) (canon lift (core func $i "get"))))`;

test('main copied unchanged: its DWARF is kept byte-identical, in order, and its bodies sit at the same offsets', async () => {
  const bytes = await wat(UNCHANGED);
  const [mainBytes] = coreModules(bytes);
  const { module, report } = lower(bytes);
  const before = debugSections(mainBytes!);
  const after = debugSections(module);
  expect([...after.keys()]).toEqual(['.debug_info', '.debug_line', '.debug_str']);
  for (const [name, payload] of before) expect(Buffer.from(after.get(name)!).equals(payload)).toBe(true);
  expect(report.debugInfo).toEqual({ kept: [...before.keys()], keptBytes: [...before.values()].reduce((n, p) => n + p.length, 0), dropped: [] });
  expectSameBodyOffsets(mainBytes!, module);
  // After the data section, as wasm-ld writes them.
  const ids = parseModule(module).sections.map((s) => s.name ?? s.id);
  expect(ids.indexOf('.debug_info')).toBeGreaterThan(ids.indexOf(SectionId.data));
});

test('main rewritten: its DWARF is dropped and the report says why, with the byte count', async () => {
  // The helper's DWARF is dropped too: only main's can describe the output.
  const bytes = await wat(component(MAIN, `${TWO_FUNCS} (@custom ".debug_info" "helper")`));
  const [helperBytes, mainBytes] = coreModules(bytes);
  const { module, report } = lower(bytes);
  expect(debugSections(module).size).toBe(0);
  const sum = (m: Uint8Array) => [...debugSections(m).values()].reduce((n, p) => n + p.length, 0);
  expect(report.debugInfo.kept).toEqual([]);
  expect(report.debugInfo.dropped).toEqual([
    { module: 'module 0', sections: ['.debug_info'], bytes: sum(helperBytes!), reason: 'module 0 is not the main module' },
    {
      module: 'module 1',
      sections: ['.debug_info', '.debug_line', '.debug_str'],
      bytes: sum(mainBytes!),
      reason: "main's code was rewritten: func indices moved",
    },
  ]);
});

test('main not rewritten but moved: bodies of another module come first, so its DWARF is dropped', async () => {
  // One helper func takes the slot of main's one import: main's bodies are byte-identical, but later.
  const { module, report } = lower(await wat(component(MAIN, '(func (export "f") (result i32) i32.const 7)')));
  expect(debugSections(module).size).toBe(0);
  expect(report.debugInfo.dropped.map((d) => d.reason)).toEqual(["main's code no longer starts the code section (1 body of other modules come first)"]);
});

test('main moved by the function count alone (127 bodies, 128 in the output: a longer LEB): dropped', async () => {
  // Every offset shifts by the same byte: DWARF would still point one byte off.
  const funcs = '(func)'.repeat(126);
  const bytes = await wat(`(component
    (core module $m (memory (export "memory") 1) (func (export "get") (result i32) i32.const 1) ${funcs} ${DEBUG})
    (core instance $i (instantiate $m))
    (core module $o (func (export "g") (result i32) i32.const 2))
    (core instance $oi (instantiate $o))
    (func (export "get") (result u32) (canon lift (core func $i "get")))
    (func (export "g") (result u32) (canon lift (core func $oi "g"))))`);
  const { module, report } = lower(bytes);
  expect(parseModule(module).code.length).toBe(128);
  expect(debugSections(module).size).toBe(0);
  expect(report.debugInfo.dropped.map((d) => d.reason)).toEqual(['the function count takes 2 bytes, not 1 as in main: every offset moves by 1 B']);
});

test('--verbose says what was dropped and why; --optimize drops what binaryen would leave stale', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-debug-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stderr = async (argv: string[]) => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    try {
      expect(await downCommand([...argv, '--verbose'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    return err.join('');
  };
  const debugBytes = (m: Uint8Array) => [...debugSections(m).values()].reduce((n, p) => n + p.length, 0);

  const rewritten = join(dir, 'rewritten.wasm');
  writeFileSync(rewritten, await wat(component(MAIN, TWO_FUNCS)));
  const n = debugBytes(coreModules(readFileSync(rewritten))[1]!);
  expect(await stderr([rewritten, '-o', join(dir, 'a.wasm')])).toContain(
    `debug info: dropped .debug_info, .debug_line, .debug_str (${n} B): main's code was rewritten: func indices moved\n`,
  );

  const unchanged = join(dir, 'unchanged.wasm');
  writeFileSync(unchanged, await wat(UNCHANGED));
  const m = debugBytes(coreModules(readFileSync(unchanged))[0]!);
  expect(await stderr([unchanged, '-o', join(dir, 'b.wasm')])).toContain(`debug info: kept .debug_info, .debug_line, .debug_str (${m} B)\n`);
  expect(await stderr([unchanged, '-o', join(dir, 'c.wasm'), '--optimize'])).toContain(
    `debug info: dropped .debug_info, .debug_line, .debug_str (${m} B): --optimize rewrites the code and binaryen does not update DWARF\n`,
  );
  expect(debugSections(readFileSync(join(dir, 'c.wasm'))).size).toBe(0);
});

const CORPUS = new URL('../../shared/corpus/p2/', import.meta.url);

test.skipIf(!existsSync(CORPUS))('real DWARF (the corpus): kept sections are main\'s, byte for byte, at unmoved bodies; smoke (C) keeps them', () => {
  let kept = 0;
  for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.wasm'))) {
    const bytes = readFileSync(new URL(file, CORPUS));
    let result;
    try {
      result = lower(bytes);
    } catch {
      continue; // refusals are other tests' business
    }
    const { module, report } = result;
    // A composition's modules sit in its nested components; none of the corpus's carries DWARF.
    const main = coreModules(bytes)[0];
    if (!main) {
      expect(debugSections(module).size).toBe(0);
      continue;
    }
    const before = debugSections(main);
    if (!before.size) continue;
    if (report.debugInfo.kept.length) {
      kept++;
      expect(report.debugInfo.kept).toEqual([...before.keys()]);
      for (const [name, payload] of before) expect(Buffer.from(debugSections(module).get(name)!).equals(payload)).toBe(true);
      expectSameBodyOffsets(main, module);
    } else {
      expect(debugSections(module).size).toBe(0);
      for (const d of report.debugInfo.dropped) expect(d.reason).not.toBe('');
    }
    if (file === 'smoke.component.wasm') expect(report.debugInfo.kept).toEqual(['.debug_info', '.debug_ranges', '.debug_abbrev', '.debug_line', '.debug_str']);
  }
  expect(kept).toBeGreaterThan(0);
});
