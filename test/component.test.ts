import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encodeSectionPayload, isComponent, parseComponent, sniffWasm, writeComponent,
  type Canon, type Component, type ComponentSection, type SectionItems,
} from '../src/binary/component.js';
import { CANON_CODE } from '../src/binary/component-codes.js';
import { componentOf, PREAMBLE } from './helpers/component-bytes.js';
import { KITCHEN_SINK } from './helpers/sample-wat.js';
import { wat } from './helpers/wat.js';
import { errorOf } from './helpers/errors.js';

function section<K extends SectionItems['kind']>(c: Component, kind: K, nth = 0): Extract<ComponentSection, { kind: K }> {
  const found = c.sections.filter((s) => s.kind === kind);
  const s = found[nth];
  if (!s) throw new Error(`no ${kind} section #${nth}`);
  return s as Extract<ComponentSection, { kind: K }>;
}

function allItems<K extends SectionItems['kind']>(c: Component, kind: K): unknown[] {
  return c.sections.filter((s) => s.kind === kind).flatMap((s) => ('items' in s ? (s.items as unknown[]) : []));
}

/** Both round trips: verbatim, and every section re-encoded from its items. */
function expectRoundTrips(input: Uint8Array): Component {
  const c = parseComponent(input);
  expect(Buffer.from(writeComponent(c)).equals(Buffer.from(input))).toBe(true);
  expect(Buffer.from(writeComponent(c, { reencode: true })).equals(Buffer.from(input))).toBe(true);
  return c;
}

describe('sniffWasm / preamble', () => {
  it('tells cores, components, pre-release components and junk apart', () => {
    expect(sniffWasm(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe('core');
    expect(sniffWasm(Uint8Array.from(PREAMBLE))).toBe('component');
    expect(sniffWasm(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0c, 0, 1, 0]))).toBe('prerelease-component');
    expect(sniffWasm(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0a, 0, 1, 0]))).toBe('prerelease-component');
    expect(sniffWasm(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBe('not-wasm');
    expect(sniffWasm(Uint8Array.from([0, 0x61, 0x73]))).toBe('not-wasm');
    expect(isComponent(Uint8Array.from(PREAMBLE))).toBe(true);
  });

  it('rejects a pre-release component with code prerelease and says what it is', () => {
    const err = errorOf(() => parseComponent(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0c, 0, 1, 0])));
    expect(err.code).toBe('prerelease');
    expect(err.offset).toBe(4);
    expect(err.message).toMatch(/pre-release component-model binary/);
    expect(err.message).toMatch(/before WASI 0\.2/);
    expect(err.message).toMatch(/0c 00 01 00/);
    expect(err.message).toMatch(/rebuild/);
  });

  it('rejects a core module given as a component with code unsupported', () => {
    const err = errorOf(() => parseComponent(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/core WebAssembly module/);
  });

  it('rejects non-wasm with not-wasm', () => {
    expect(errorOf(() => parseComponent(Uint8Array.from([1, 2, 3]))).code).toBe('not-wasm');
  });

  it('parses the empty component', () => {
    expect(expectRoundTrips(Uint8Array.from(PREAMBLE)).sections).toEqual([]);
  });
});

describe('kitchen-sink component (jco parse)', () => {
  let input: Uint8Array;
  let c: Component;
  beforeAll(async () => {
    input = await wat(KITCHEN_SINK);
    c = parseComponent(input);
  });

  it('round trips verbatim and from items', () => {
    expectRoundTrips(input);
  });

  it('gives absolute payload offsets and views', () => {
    for (const s of c.sections) {
      expect(s.payload).toBeDefined();
      expect(Buffer.from(input.subarray(s.offset, s.offset + s.payload!.length)).equals(Buffer.from(s.payload!))).toBe(true);
      expect(s.payload!.buffer).toBe(input.buffer);
    }
  });

  it('decodes the core module as a view at its offset', () => {
    const m = section(c, 'coreModule');
    expect(Array.from(m.module.subarray(0, 8))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(input[m.offset]).toBe(0);
    expect(input[m.offset + 1]).toBe(0x61);
  });

  it('decodes core instances: instantiate with args, and inline exports', () => {
    const items = allItems(c, 'coreInstances');
    expect(items).toContainEqual({ kind: 'exports', exports: [{ name: 'log', sort: 'core func', index: 0 }] });
    expect(items).toContainEqual({ kind: 'instantiate', module: 0, args: [{ name: 'host', instance: 0 }] });
  });

  it('decodes core types: func and module type declarators', () => {
    const items = allItems(c, 'coreTypes') as { kind: string }[];
    expect(items[0]).toEqual({ kind: 'func', params: [0x7f, 0x7e], results: [0x7d] });
    const mt = items[1] as { kind: 'module'; decls: { kind: string }[] };
    expect(mt.kind).toBe('module');
    expect(mt.decls.map((d) => d.kind)).toEqual(['type', 'import', 'import', 'import', 'import', 'alias', 'export']);
    expect(mt.decls[1]).toEqual({ kind: 'import', module: 'a', name: 'b', desc: { kind: 'func', type: 0 } });
    expect(mt.decls[2]).toMatchObject({ kind: 'import', name: 'm', desc: { kind: 'memory' } });
    expect(mt.decls[5]).toEqual({ kind: 'alias', sort: 'core type', count: 1, index: 0 });
  });

  it('decodes every defined value type form', () => {
    const kinds = (allItems(c, 'types') as { kind: string }[]).map((t) => t.kind);
    for (const k of ['record', 'variant', 'list', 'tuple', 'flags', 'enum', 'option', 'result', 'own', 'borrow', 'stream', 'future', 'prim', 'func', 'component', 'instance', 'resource']) {
      expect(kinds).toContain(k);
    }
    const types = allItems(c, 'types');
    expect(types).toContainEqual({ kind: 'list', element: 'u8', length: 16 });
    expect(types).toContainEqual({ kind: 'prim', type: 'error-context' });
    expect(types).toContainEqual({ kind: 'future' });
    expect(types).toContainEqual({ kind: 'flags', names: ['r', 'w', 'x'] });
    expect(types).toContainEqual({ kind: 'result' });
    expect(types).toContainEqual({ kind: 'variant', cases: [{ name: 'none' }, { name: 'some', type: 'u32' }] });
    expect(types).toContainEqual({
      kind: 'tuple',
      types: ['bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string'],
    });
    expect(types).toContainEqual(expect.objectContaining({ kind: 'resource', async: false, dtor: expect.any(Number) }));
  });

  it('decodes instance and component types with their declarators', () => {
    const inst = allItems(c, 'types').find((t) => (t as { kind: string }).kind === 'instance') as { decls: unknown[] };
    expect(inst.decls[0]).toEqual({ kind: 'export', name: { name: 'error', form: 0 }, desc: { kind: 'type', bound: { kind: 'sub resource' } } });
    const comp = allItems(c, 'types').find((t) => (t as { kind: string }).kind === 'component') as { decls: { kind: string }[] };
    // jco pulls the outer `$f` in with an outer alias first.
    expect(comp.decls.map((d) => d.kind)).toEqual(['alias', 'import', 'type', 'type', 'export']);
  });

  it('decodes canon lift / lower / resource built-ins with options', () => {
    const canon = allItems(c, 'canon') as Canon[];
    const lower = canon.find((x) => x.kind === 'lower' && x.options.some((o) => o.kind === 'utf16'));
    expect(lower).toMatchObject({ kind: 'lower', options: [{ kind: 'memory' }, { kind: 'realloc' }, { kind: 'utf16' }] });
    expect(canon.some((x) => x.kind === 'lower' && x.options.some((o) => o.kind === 'latin1+utf16'))).toBe(true);
    const lift = canon.find((x) => x.kind === 'lift');
    expect(lift).toMatchObject({
      kind: 'lift',
      options: [{ kind: 'memory' }, { kind: 'realloc' }, { kind: 'post-return' }, { kind: 'utf8' }],
    });
    expect(canon.map((x) => x.kind)).toEqual(expect.arrayContaining(['resource.new', 'resource.rep', 'resource.drop']));
  });

  it('decodes aliases of every target kind', () => {
    const aliases = allItems(c, 'aliases');
    expect(aliases).toContainEqual({ sort: 'type', target: { kind: 'export', instance: 0, name: 'error' } });
    expect(aliases).toContainEqual(expect.objectContaining({ sort: 'core table', target: expect.objectContaining({ kind: 'core export', name: 't' }) }));
    expect(aliases).toContainEqual(expect.objectContaining({ sort: 'core global' }));
    const inner = section(c, 'component').component;
    expect(allItems(inner, 'aliases')).toContainEqual({ sort: 'type', target: { kind: 'outer', count: 1, index: expect.any(Number) } });
  });

  it('decodes nested components recursively with absolute offsets', () => {
    const s = section(c, 'component');
    expect(s.component.offset).toBe(s.offset);
    const deeper = section(s.component, 'component');
    expect(deeper.component.sections.map((x) => x.kind)).toEqual(['custom']);
    expect(deeper.offset).toBeGreaterThan(s.offset);
  });

  it('decodes instances: instantiate with args and inline exports', () => {
    const items = allItems(c, 'instances');
    expect(items).toContainEqual({ kind: 'instantiate', component: 1, args: [{ name: 'x', sort: 'func', index: expect.any(Number) }] });
    expect(items).toContainEqual({
      kind: 'exports',
      exports: [
        { name: { name: 'lifted', form: 0 }, sort: 'func', index: expect.any(Number) },
        { name: { name: 'rec', form: 0 }, sort: 'type', index: expect.any(Number) },
      ],
    });
  });

  it('decodes imports (with versions) and exports (with and without a type)', () => {
    const imports = allItems(c, 'imports') as { name: { name: string }; desc: { kind: string } }[];
    expect(imports.map((i) => i.name.name)).toEqual(['wasi:io/error@0.2.12', 'f', 'g', 'c', 'v', 'wasi:cli/environment@0.2.12']);
    expect(imports.map((i) => i.desc.kind)).toEqual(['instance', 'func', 'func', 'component', 'value', 'instance']);
    const exports = allItems(c, 'exports') as { name: { name: string }; desc?: unknown }[];
    expect(exports.map((e) => e.name.name)).toEqual(['run', 'typed', 'inst', 'wasi:cli/run@0.2.12']);
    expect(exports[1]!.desc).toEqual({ kind: 'func', type: expect.any(Number) });
    expect(exports[0]!.desc).toBeUndefined();
  });

  it('decodes the name custom section', () => {
    expect(section(c, 'custom').name).toBe('component-name');
  });

  it('re-encodes a changed section from items and keeps the others verbatim', () => {
    const copy = parseComponent(input);
    const exp = section(copy, 'exports');
    exp.items[0]!.name = { name: 'renamed', form: 0 };
    delete exp.payload;
    const out = parseComponent(writeComponent(copy));
    expect((allItems(out, 'exports')[0] as { name: { name: string } }).name.name).toBe('renamed');
    expect(out.sections.length).toBe(copy.sections.length);
  });
});

describe('encodings built by hand', () => {
  it('start and value sections', () => {
    const c = expectRoundTrips(componentOf([9, [0x02, 0x02, 0x00, 0x01, 0x01]], [12, [0x02, 0x79, 0x01, 0x05, 0x73, 0x02, 0x01, 0x61]]));
    expect(section(c, 'start').start).toEqual({ func: 2, args: [0, 1], results: 1 });
    const values = section(c, 'values').items;
    expect(values[0]).toEqual({ type: 'u32', data: Uint8Array.from([5]) });
    expect(values[1]!.type).toBe('string');
  });

  it('a padded section size LEB survives the verbatim path', () => {
    const input = Uint8Array.from([...PREAMBLE, 0x08, 0x81, 0x80, 0x00, 0x00]);
    const c = parseComponent(input);
    expect(c.sections[0]).toMatchObject({ kind: 'canon', items: [], sizeBytes: 3 });
    expect(Array.from(writeComponent(c))).toEqual(Array.from(input));
    expect(Array.from(writeComponent(c, { reencode: true }))).toEqual([...PREAMBLE, 0x08, 0x01, 0x00]);
  });

  it('value section lengths are checked', () => {
    expect(errorOf(() => parseComponent(componentOf([12, [0x01, 0x79, 0x05, 0x05]]))).code).toBe('truncated');
  });

  it('extern names: legacy 0x01 form and 0x02 with implements / versionsuffix', () => {
    const inst = [0x42, 0x00];
    const c = expectRoundTrips(
      componentOf(
        [7, [0x01, ...inst]],
        [10, [0x03,
          0x01, 0x01, 0x78, 0x05, 0x00,
          0x02, 0x01, 0x79, 0x01, 0x00, 0x05, ...Buffer.from('a:b/c'), 0x05, 0x00,
          0x02, 0x03, ...Buffer.from('a@1'), 0x01, 0x01, 0x02, ...Buffer.from('.2'), 0x05, 0x00,
        ]],
      ),
    );
    expect(section(c, 'imports').items.map((i) => i.name)).toEqual([
      { name: 'x', form: 1 },
      { name: 'y', form: 2, options: [{ kind: 'implements', name: 'a:b/c' }] },
      { name: 'a@1', form: 2, options: [{ kind: 'versionsuffix', suffix: '.2' }] },
    ]);
  });

  it('a name starting with U+FEFF keeps its bytes', () => {
    const c = expectRoundTrips(componentOf([7, [0x01, 0x42, 0x00]], [10, [0x01, 0x00, 0x04, 0xef, 0xbb, 0xbf, 0x78, 0x05, 0x00]]));
    expect(section(c, 'imports').items[0]!.name.name).toBe('\ufeffx');
  });

  it('async func type (0x43), async resource (0x3e), old variant refines, type indices >= 64', () => {
    const c = expectRoundTrips(
      componentOf([7, [0x05,
        0x43, 0x01, 0x01, 0x61, 0x79, 0x01, 0x00,
        0x3e, 0x7f, 0x03, 0x01, 0x04,
        0x3e, 0x7f, 0x03, 0x00,
        0x71, 0x02, 0x01, 0x61, 0x00, 0x00, 0x01, 0x62, 0x01, 0x79, 0x01, 0x00,
        0x70, 0xc0, 0x00,
      ]]),
    );
    expect(section(c, 'types').items).toEqual([
      { kind: 'func', async: true, params: [{ name: 'a', type: 'u32' }], results: [] },
      { kind: 'resource', async: true, dtor: 3, callback: 4 },
      { kind: 'resource', async: true, dtor: 3 },
      { kind: 'variant', cases: [{ name: 'a' }, { name: 'b', type: 'u32', refines: 0 }] },
      { kind: 'list', element: 64 },
    ]);
  });

  it('GC core types are kept raw and re-emitted', () => {
    // rec group of a struct (i32 mut) and an array (i8 immutable), then a final sub type of a func.
    const c = expectRoundTrips(
      componentOf([3, [0x02, 0x4e, 0x02, 0x5f, 0x01, 0x7f, 0x01, 0x5e, 0x78, 0x00, 0x4f, 0x00, 0x60, 0x00, 0x01, 0x64, 0x70]]),
    );
    const items = section(c, 'coreTypes').items;
    expect(items.map((t) => t.kind)).toEqual(['gc', 'gc']);
  });

  it('every canon built-in opcode decodes and re-encodes', () => {
    const cases: [number[], Canon][] = [
      [[0x02, 0x01], { kind: 'resource.new', type: 1 }],
      [[0x03, 0x01], { kind: 'resource.drop', type: 1 }],
      [[0x07, 0x01], { kind: 'resource.drop async', type: 1 }],
      [[0x04, 0x01], { kind: 'resource.rep', type: 1 }],
      [[0x08], { kind: 'backpressure.set' }],
      [[0x24], { kind: 'backpressure.inc' }],
      [[0x25], { kind: 'backpressure.dec' }],
      [[0x09, 0x00, 0x79, 0x01, 0x03, 0x00], { kind: 'task.return', results: 'u32', options: [{ kind: 'memory', index: 0 }] }],
      [[0x09, 0x01, 0x00, 0x00], { kind: 'task.return', results: [], options: [] }],
      [[0x05], { kind: 'task.cancel' }],
      [[0x0a, 0x7f, 0x00], { kind: 'context.get', valType: 0x7f, slot: 0 }],
      [[0x0b, 0x7f, 0x01], { kind: 'context.set', valType: 0x7f, slot: 1 }],
      [[0x0c, 0x01], { kind: 'thread.yield', flag: true }],
      [[0x06, 0x01], { kind: 'subtask.cancel', flag: true }],
      [[0x0d], { kind: 'subtask.drop' }],
      [[0x0e, 0x02], { kind: 'stream.new', type: 2 }],
      [[0x0f, 0x02, 0x02, 0x06, 0x03, 0x00], { kind: 'stream.read', type: 2, options: [{ kind: 'async' }, { kind: 'memory', index: 0 }] }],
      [[0x10, 0x02, 0x01, 0x00], { kind: 'stream.write', type: 2, options: [{ kind: 'utf8' }] }],
      [[0x11, 0x02, 0x01], { kind: 'stream.cancel-read', type: 2, flag: true }],
      [[0x12, 0x02, 0x00], { kind: 'stream.cancel-write', type: 2, flag: false }],
      [[0x13, 0x02], { kind: 'stream.drop-readable', type: 2 }],
      [[0x14, 0x02], { kind: 'stream.drop-writable', type: 2 }],
      [[0x15, 0x03], { kind: 'future.new', type: 3 }],
      [[0x16, 0x03, 0x00], { kind: 'future.read', type: 3, options: [] }],
      [[0x17, 0x03, 0x00], { kind: 'future.write', type: 3, options: [] }],
      [[0x18, 0x03, 0x00], { kind: 'future.cancel-read', type: 3, flag: false }],
      [[0x19, 0x03, 0x01], { kind: 'future.cancel-write', type: 3, flag: true }],
      [[0x1a, 0x03], { kind: 'future.drop-readable', type: 3 }],
      [[0x1b, 0x03], { kind: 'future.drop-writable', type: 3 }],
      [[0x1c, 0x01, 0x03, 0x00], { kind: 'error-context.new', options: [{ kind: 'memory', index: 0 }] }],
      [[0x1d, 0x00], { kind: 'error-context.debug-message', options: [] }],
      [[0x1e], { kind: 'error-context.drop' }],
      [[0x1f], { kind: 'waitable-set.new' }],
      [[0x20, 0x00, 0x01], { kind: 'waitable-set.wait', flag: false, memory: 1 }],
      [[0x21, 0x01, 0x00], { kind: 'waitable-set.poll', flag: true, memory: 0 }],
      [[0x22], { kind: 'waitable-set.drop' }],
      [[0x23], { kind: 'waitable.join' }],
      [[0x26], { kind: 'thread.index' }],
      [[0x27, 0x01, 0x02], { kind: 'thread.new-indirect', type: 1, table: 2 }],
      [[0x28], { kind: 'thread.resume-later' }],
      [[0x29, 0x00], { kind: 'thread.suspend', flag: false }],
      [[0x2a, 0x00], { kind: 'thread.suspend-then-resume', flag: false }],
      [[0x2b, 0x01], { kind: 'thread.yield-then-resume', flag: true }],
      [[0x2c, 0x00], { kind: 'thread.suspend-then-promote', flag: false }],
      [[0x2d, 0x00], { kind: 'thread.yield-then-promote', flag: false }],
      [[0x40, 0x01, 0x05], { kind: 'thread.spawn-ref', shared: true, type: 5 }],
      [[0x41, 0x00, 0x05, 0x01], { kind: 'thread.spawn-indirect', shared: false, type: 5, table: 1 }],
      [[0x42, 0x00], { kind: 'thread.available-parallelism', shared: false }],
      [
        [0x00, 0x00, 0x07, 0x06, 0x06, 0x07, 0x02, 0x08, 0x03, 0x00, 0x04, 0x01, 0x05, 0x02, 0x04],
        {
          kind: 'lift', coreFunc: 7, type: 4,
          options: [{ kind: 'async' }, { kind: 'callback', index: 2 }, { kind: 'always-task-return' }, { kind: 'memory', index: 0 }, { kind: 'realloc', index: 1 }, { kind: 'post-return', index: 2 }],
        },
      ],
      [[0x01, 0x00, 0x03, 0x02, 0x06, 0x02], { kind: 'lower', func: 3, options: [{ kind: 'async' }, { kind: 'latin1+utf16' }] }],
    ];
    const covered = new Set(cases.map(([, c]) => c.kind));
    for (const kind of CANON_CODE.keys()) expect(covered).toContain(kind);
    for (const [encoded, expected] of cases) {
      const input = componentOf([8, [0x01, ...encoded]]);
      const c = expectRoundTrips(input);
      expect(section(c, 'canon').items).toEqual([expected]);
      expect(Array.from(encodeSectionPayload({ kind: 'canon', items: [expected] }))).toEqual([0x01, ...encoded]);
    }
  });

  it('builds a component from scratch with the encoders', () => {
    const inner: Component = { offset: 0, sections: [{ id: 0, offset: 0, kind: 'custom', name: 'x', data: Uint8Array.from([1]) }] };
    const built: Component = {
      offset: 0,
      sections: [
        { id: 7, offset: 0, kind: 'types', items: [{ kind: 'func', async: false, params: [], results: [] }] },
        { id: 10, offset: 0, kind: 'imports', items: [{ name: { name: 'f', form: 0 }, desc: { kind: 'func', type: 0 } }] },
        { id: 4, offset: 0, kind: 'component', component: inner },
        { id: 11, offset: 0, kind: 'exports', items: [{ name: { name: 'g', form: 0 }, sort: 'func', index: 0 }] },
      ],
    };
    const out = writeComponent(built);
    const back = parseComponent(out);
    expect(back.sections.map((s) => s.kind)).toEqual(['types', 'imports', 'component', 'exports']);
    expect(Buffer.from(writeComponent(back, { reencode: true })).equals(Buffer.from(out))).toBe(true);
  });
});

describe('real components', () => {
  const dirs = ['fixtures/bin/p2', 'fixtures/bin'];
  const files = [
    ...new Set(
      dirs
        .filter((d) => existsSync(d))
        .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.wasm')).map((f) => join(d, f))),
    ),
  ].filter((f) => isComponent(new Uint8Array(readFileSync(f))));
  it.skipIf(files.length === 0).each(files)('%s round trips both ways', (file) => {
    expectRoundTrips(new Uint8Array(readFileSync(file)));
  });
});

