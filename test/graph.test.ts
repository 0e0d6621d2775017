import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseComponent } from '../src/binary/component.js';
import {
  buildGraph, builtins, exportsOf, lifts, lowers, nestedInstances, resolveCore, resolveFunc, resolveType,
  type ComponentGraph, type Definition,
} from '../src/component/graph.js';
import { WasiAdaptError } from '../src/errors.js';
import { componentOf } from './helpers/component-bytes.js';
import { rng } from './helpers/rng.js';
import { ADAPTER_SHAPED, KITCHEN_SINK } from './helpers/sample-wat.js';
import { wat } from './helpers/wat.js';
import { errorOf } from './helpers/errors.js';

const kinds = (defs: Definition[]): string[] => defs.map((d) => d.kind);

describe('index spaces of the kitchen-sink component', () => {
  let g: ComponentGraph;
  beforeAll(async () => {
    g = buildGraph(await wat(KITCHEN_SINK));
  });

  it('numbers every sort in definition order', () => {
    const s = g.spaces;
    expect(kinds(s['core module'])).toEqual(['core module']);
    expect(kinds(s['core instance'])).toEqual(['core instance', 'core instance']);
    expect(kinds(s['core type'])).toEqual(['core type', 'core type']);
    // log lower, its re-alias, realloc alias, err + f lowers, dtor alias, resource.new/rep/drop, run/realloc/post aliases.
    expect(kinds(s['core func'])).toEqual(['canon', 'alias', 'alias', 'canon', 'canon', 'alias', 'canon', 'canon', 'canon', 'alias', 'alias', 'alias']);
    expect(kinds(s['core table'])).toEqual(['alias']);
    expect(kinds(s['core global'])).toEqual(['alias']);
    expect(kinds(s['core memory'])).toEqual(['alias', 'alias', 'alias']);
    expect(kinds(s.func)).toEqual(['import', 'import', 'alias', 'canon', 'alias', 'export', 'export']);
    expect(kinds(s.value)).toEqual(['import']);
    expect(kinds(s.component)).toEqual(['import', 'component']);
    expect(kinds(s.instance)).toEqual(['import', 'import', 'instance', 'instance', 'export', 'export']);
    expect(s.type.filter((d) => d.kind === 'type').length).toBeGreaterThan(15);
    expect(g.imports.map((i) => i.name)).toEqual(['wasi:io/error@0.2.12', 'f', 'g', 'c', 'v', 'wasi:cli/environment@0.2.12']);
  });

  it('counts module instantiations and records their args', () => {
    expect(g.modules).toHaveLength(1);
    expect(g.modules[0]!.instances.map((x) => x.instance)).toEqual([1]);
    expect(g.spaces['core instance'][1]).toEqual({ kind: 'core instance', item: { kind: 'instantiate', module: 0, args: [{ name: 'host', instance: 0 }] } });
  });

  it('traces a lower through an instance-export alias to its import, with options', () => {
    const [log, err, f] = lowers(g);
    expect(log).toMatchObject({ coreFunc: 0, target: { kind: 'import', name: 'g' }, options: { stringEncoding: 'utf8', async: false } });
    expect(log!.options.memory).toBeUndefined();
    expect(err!.coreFunc).toBe(3);
    expect(err!.target).toEqual({ kind: 'import', instance: 'wasi:io/error@0.2.12', name: '[method]error.to-debug-string' });
    expect(err!.options.stringEncoding).toBe('utf16');
    expect(err!.options.memory?.origin).toEqual({ kind: 'module export', instance: 1, module: 0, name: 'memory' });
    expect(err!.options.realloc?.origin).toEqual({ kind: 'module export', instance: 1, module: 0, name: 'realloc' });
    expect(f!.target).toEqual({ kind: 'import', name: 'f' });
    expect(f!.options.stringEncoding).toBe('latin1+utf16');
  });

  it('resolves core funcs through inline-export instances back to the canon', () => {
    // Core func 1 aliases export "log" of core instance 0, which is (export "log" (func $lowered-log)).
    expect(resolveCore(g, 'core func', 1)).toMatchObject({ kind: 'canon', coreFunc: 0, item: { kind: 'lower', func: 1 } });
  });

  it('gives each lift its core func, options and type', () => {
    const [lift] = lifts(g);
    expect(lift!.core).toEqual({ kind: 'module export', instance: 1, module: 0, name: 'run' });
    expect(lift!.options.postReturn?.origin).toMatchObject({ name: 'post' });
    expect(lift!.options.stringEncoding).toBe('utf8');
    expect(g.spaces.type[lift!.type]).toMatchObject({ kind: 'type', type: { kind: 'func' } });
  });

  it('traces exports through a nested component instantiation back to the lift', () => {
    const exps = exportsOf(g);
    const typed = exps.find((e) => e.name === 'typed')!;
    expect(typed.func).toMatchObject({ kind: 'lift', graph: g, func: 3 });
    const run = exps.find((e) => e.name === 'wasi:cli/run@0.2.12')!;
    expect(run.funcs).toEqual([{ name: 'lifted', origin: expect.objectContaining({ kind: 'lift', func: 3 }) }]);
  });

  it('represents nested instantiations for flattening', () => {
    const [n] = nestedInstances(g);
    expect(n).toMatchObject({ instance: 2, component: 1, args: [{ name: 'x', sort: 'func', index: 3 }] });
    expect(n!.graph?.parent).toBe(g);
    expect(n!.graph?.spaces.type.map((d) => d.kind)).toEqual(['type', 'alias']);
  });

  it('resolves outer aliases and resource types', () => {
    const inner = nestedInstances(g)[0]!.graph!;
    expect(resolveType(inner, 1)).toMatchObject({ kind: 'defined', graph: g, type: { kind: 'record' } });
    expect(resolveType(g, 0)).toMatchObject({ kind: 'defined', type: { kind: 'instance' } });
    expect(resolveType(g, 1)).toEqual({ kind: 'import', instance: 'wasi:io/error@0.2.12', name: 'error' });
    const b = builtins(g);
    expect(b.map((x) => x.item.kind)).toEqual(['resource.new', 'resource.rep', 'resource.drop']);
    expect(b[0]!.resource).toMatchObject({ kind: 'defined', type: { kind: 'resource' } });
  });
});

describe('module roles', () => {
  it('classifies an adapter-shaped command', async () => {
    const g = buildGraph(await wat(ADAPTER_SHAPED));
    expect(g.modules.map((m) => m.role)).toEqual(['shim', 'main', 'adapter', 'fixup', 'init']);
    expect(g.modules.map((m) => m.instances.length)).toEqual([1, 1, 1, 1, 2]);
    const run = exportsOf(g)[0]!;
    expect(run.funcs?.[0]?.origin).toMatchObject({ kind: 'lift' });
    expect(lifts(g)[0]!.core).toMatchObject({ kind: 'module export', module: 2, name: 'wasi:cli/run@0.2.12#run' });
  });
});

describe('real fixtures', () => {
  const dir = 'fixtures/bin/p2';
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.wasm')) : [];
  const commands = files.filter((f) => !f.startsWith('wat_'));
  it.skipIf(commands.length === 0).each(commands)('%s: roles, lowers and the run export resolve', (f) => {
    const g = buildGraph(new Uint8Array(readFileSync(`${dir}/${f}`)));
    const roles = g.modules.map((m) => m.role);
    expect(roles).toContain('main');
    expect(roles).toContain('shim');
    expect(roles).toContain('fixup');
    for (const l of lowers(g)) {
      expect(l.target.kind).toBe('import');
      expect(l.target.kind === 'import' && l.target.instance).toMatch(/^wasi:[a-z-]+\/[a-z-]+@0\.2\.\d+$/);
      if (l.options.memory) expect(l.options.memory.origin).toMatchObject({ kind: 'module export', name: 'memory' });
    }
    const run = exportsOf(g).find((e) => e.name.startsWith('wasi:cli/run@'));
    expect(run?.funcs?.[0]?.origin).toMatchObject({ kind: 'lift' });
    for (const b of builtins(g).filter((x) => x.item.kind === 'resource.drop')) {
      expect(b.resource).toMatchObject({ kind: 'import', instance: expect.stringMatching(/^wasi:/) });
    }
  });
});

describe('hostile graphs', () => {
  it('an out-of-range index is an unresolved WasiAdaptError', () => {
    // (core instance (instantiate 5)) with no modules.
    const err = errorOf(() => buildGraph(componentOf([2, [0x01, 0x00, 0x05, 0x00]])));
    expect(err.code).toBe('unresolved');
    // An alias of a missing instance.
    expect(errorOf(() => buildGraph(componentOf([6, [0x01, 0x01, 0x00, 0x03, 0x01, 0x61]]))).code).toBe('unresolved');
    // An export of a missing func.
    expect(errorOf(() => buildGraph(componentOf([11, [0x01, 0x00, 0x01, 0x61, 0x01, 0x09, 0x00]]))).code).toBe('unresolved');
  });

  it('mutated components: building and resolving throws only WasiAdaptError', async () => {
    const samples = [await wat(KITCHEN_SINK), await wat(ADAPTER_SHAPED)];
    const random = rng(42);
    const pick = (n: number): number => Math.floor(random() * n);
    for (let i = 0; i < 3000; i++) {
      const m = Uint8Array.from(samples[i % samples.length]!);
      for (let k = 1 + pick(3); k > 0; k--) m[8 + pick(m.length - 8)] = pick(256);
      try {
        parseComponent(m);
      } catch {
        continue;
      }
      try {
        const g = buildGraph(m);
        lowers(g);
        lifts(g);
        builtins(g);
        exportsOf(g);
        nestedInstances(g);
        g.spaces.func.forEach((_, f) => resolveFunc(g, f));
      } catch (e) {
        if (!(e instanceof WasiAdaptError)) throw new Error(`iteration ${i}: ${String(e)}`);
      }
    }
  });
});

