/**
 * `up`: a wasi_snapshot_preview1 module becomes a WASI 0.2 component, with
 * our own adapter stripped to the functions the module imports.
 */
import { parseModule, funcTypeEquals, writeModule, type CoreModule, type FuncType } from '../binary/module.js';
import { sniffWasm } from '../binary/component.js';
import { WasiAdaptError } from '../errors.js';
import { loadAdapter } from './adapter.js';
import { encodeComponent, runCoreName } from './encode.js';
import { distinctImports } from './imports.js';
import { directImports, isWasi02, versionOf, type DirectImport } from './mixed.js';
import { hoistMemory } from './memory.js';
import { describeFunc, importsReachedFromStart } from './start.js';
import { strip, type Stripped } from './strip.js';
import { wasiSignature } from './wasi.js';
import { abiOf } from './world.js';
import type { Slot } from './glue.js';
import type { World } from '../wit/index.js';
import { COMPONENT_TYPE, embeddedWorld } from './world-decode.js';
import { planWorld } from './world-plan.js';
import { witWorld } from './world-wit.js';

export interface LiftOptions {
  /** Default: 'command' if the module exports _start, else 'reactor'. */
  kind?: 'command' | 'reactor';
  /** WASI 0.2.x version the component imports. Default: the newest a mixed module imports, else '0.2.0'. */
  wasiVersion?: string;
  /** Keep proc_exit's exact code via the unstable wasi:cli/exit.exit-with-code. */
  exitWithCode?: boolean;
  /**
   * The world the module implements (`resolveWit`/`loadWit`, then `pickWorld`), for modules
   * without embedded component types; it replaces embedded ones.
   */
  world?: World;
}

export interface LiftReport {
  kind: 'command' | 'reactor';
  wasiVersion: string;
  /** The preview1 functions the module imports. */
  p1Imports: string[];
  /** The WASI 0.2 interfaces the component imports (with version). */
  interfaces: string[];
  moduleBytes: number;
  adapterBytes: number;
  componentBytes: number;
}

const P1 = 'wasi_snapshot_preview1';
/** Stripped adapters by what was kept: modules built by one toolchain ask for the same sets. */
const strips = new Map<string, Stripped>();
/** Adapter exports that are not preview1 functions. */
const ADAPTER_OWN = new Set(['run', 'cabi_import_realloc', 'proc_exit_code']);
const REACTOR_EXPORTS = new Set(['memory', '_initialize', 'cabi_realloc']);

export function lift(input: Uint8Array, options: LiftOptions = {}): { component: Uint8Array; report: LiftReport } {
  if (options.wasiVersion !== undefined && !/^0\.2\.\d+$/.test(options.wasiVersion)) {
    throw new WasiAdaptError('invalid-argument', `WASI version must be 0.2.x, not ${options.wasiVersion}`);
  }
  let module = input;
  const sort = sniffWasm(module);
  if (sort === 'component' || sort === 'prerelease-component') {
    throw new WasiAdaptError('unsupported', "input is already a component; `up` takes a preview1 core module ('wasi-adapt down' goes the other way)", { offset: 4 });
  }
  let m = parseModule(module);
  const world = options.world ? witWorld(options.world) : embeddedWorld(m);
  if (m.customs.some((c) => c.name.startsWith(COMPONENT_TYPE))) {
    // The component carries the world as its type: the module no longer needs the sections.
    module = writeModule({ sections: m.sections.filter((s) => !s.name?.startsWith(COMPONENT_TYPE)) });
    m = parseModule(module);
  }
  const exported = new Map(m.exports.map((e) => [e.name, e]));
  // A mixed module built for the reactor adapter exports wasi:cli/run's function itself.
  const ownRun = m.exports.find((e) => e.kind === 'func' && OWN_RUN.test(e.name))?.name;
  // A world says what the component exports: a command only if it exports wasi:cli/run (a
  // wit-bindgen module built as a binary may export _start next to its world's functions).
  const worldRun = world && [...world.exports.keys()].some((k) => k.startsWith('wasi:cli/run@'));
  const kind = options.kind ?? (world ? (worldRun ? 'command' : 'reactor') : exported.has('_start') || ownRun ? 'command' : 'reactor');
  checkShape(m, kind, exported, ownRun, world !== undefined);
  const worldPlan = world && planWorld(m, world);
  const direct = directImports(m);
  const wasiVersion = versionOf(direct, options.wasiVersion);
  const early = startCalls(m, direct);

  const adapter = loadAdapter();
  const p1Imports = m.imports.filter((i) => i.module === P1).map((i) => i.name);
  for (const name of p1Imports) {
    if (ADAPTER_OWN.has(name) || !adapter.exports.some((e) => e.name === name && e.kind === 'func')) {
      throw new WasiAdaptError('unsupported', `imports ${P1}.${name}, which is not a preview1 function`);
    }
  }
  const wanted = new Map<string, string>(p1Imports.map((n) => [n === 'proc_exit' && options.exitWithCode ? 'proc_exit_code' : n, n]));
  // The canonical core name of the export that is lifted as wasi:cli/run, as every adapter names it,
  // so `down` can see it is main's _start and drop the adapter.
  if (kind === 'command' && !ownRun) wanted.set('run', runCoreName(wasiVersion));
  wanted.set('cabi_import_realloc', 'cabi_import_realloc');
  // Without path_* or fd_prestat_* no file descriptor can exist, so the file system is never reached.
  const files = p1Imports.some((n) => n.startsWith('path_') || n.startsWith('fd_prestat_'));
  // A guest without cabi_realloc: the adapter's import of it becomes a local stand-in returning 0
  // (meaning "none": the adapter then grows memory itself), so the shim keeps only trampolines.
  const mainRealloc = isFunc(m, 'cabi_realloc', REALLOC);
  // Built before main, the adapter cannot take its state from main's allocator: it grows memory.
  const lendsState = mainRealloc && !early;
  const allocating = direct.find((d) => !d.name.startsWith('[resource-drop]') && abiOf(wasiSignature(d.iface, d.name)).lowerNeeds.realloc);
  if (allocating && !mainRealloc) {
    throw new WasiAdaptError('unsupported', `imports ${allocating.module}.${allocating.name}, whose result the host writes into memory from the module's cabi_realloc, which it does not export`);
  }
  const key = `${[...wanted].join(';')}|${files}|${lendsState}`;
  let stripped = strips.get(key);
  if (!stripped) {
    stripped = strip(adapter, {
      exports: wanted,
      stub: (mod, name) => (!files && mod.startsWith('wasi:filesystem/')) || (!lendsState && mod === '__main_module__' && name === 'cabi_realloc'),
    });
    strips.set(key, stripped);
  }

  const p1: Slot[] = [...new Set(p1Imports)].map((name) => {
    const type = stripped.exportTypes.get(name)!;
    const own = m.imports.filter((i) => i.module === P1 && i.name === name).map((i) => (i.desc.kind === 'func' ? m.types[i.desc.typeIndex] : undefined));
    if (!own.every((t) => t?.kind === 'func' && funcTypeEquals(t, type))) {
      throw new WasiAdaptError('unsupported', `${P1}.${name} is imported with a type that does not match preview1`);
    }
    return { name, type };
  });

  const distinct = distinctImports(module, m);
  const hoisted = early ? hoistMemory(distinct.bytes === module ? m : parseModule(distinct.bytes)) : undefined;
  if (early && !hoisted) throw startError(m, early, 'its exported memory is not its first, which must move out of it so that the adapter can exist first');
  const main = { bytes: hoisted?.main ?? distinct.bytes, modules: distinct.modules };
  const { bytes, interfaces } = encodeComponent({
    main: main.bytes,
    mainImports: main.modules,
    direct,
    memory: hoisted?.memory,
    adapter: stripped.bytes,
    adapterImports: stripped.imports,
    p1,
    version: wasiVersion,
    run: kind === 'reactor' ? undefined : ownRun ? { from: 'main', name: ownRun } : { from: 'adapter', name: runCoreName(wasiVersion) },
    // wasi-libc's reactors construct themselves in _initialize; a module exporting run itself is one.
    initialize: (kind === 'reactor' || ownRun !== undefined) && isFunc(m, '_initialize', NO_ARGS),
    world: worldPlan,
  });
  return {
    component: bytes,
    report: {
      kind,
      wasiVersion,
      p1Imports,
      interfaces,
      moduleBytes: input.length,
      adapterBytes: stripped.bytes.length,
      componentBytes: bytes.length,
    },
  };
}

/**
 * The first import main's start function calls, if any: the component is then built with the
 * adapter first. Refused when main's own lowering with its cabi_realloc is one of them (that
 * allocator does not exist before main does).
 */
function startCalls(m: CoreModule, direct: readonly DirectImport[]): { module: string; name: string } | undefined {
  const reached = importsReachedFromStart(m);
  for (const r of reached) {
    const d = direct.find((x) => x.module === r.module && x.name === r.name);
    if (d && !d.name.startsWith('[resource-drop]') && abiOf(wasiSignature(d.iface, d.name)).lowerNeeds.realloc) {
      throw startError(m, r, "its result goes to memory from the module's cabi_realloc, which does not exist before the module is instantiated");
    }
  }
  return reached[0];
}

function startError(m: CoreModule, call: { module: string; name: string }, why: string): WasiAdaptError {
  return new WasiAdaptError('unsupported', `the start function (${describeFunc(m, m.start!)}) calls ${call.module}.${call.name} while the component instantiates the module, and ${why}; call it from _start or _initialize instead`);
}

const NO_ARGS: FuncType = { kind: 'func', params: [], results: [] };
/** wasi:cli/run's `run: func() -> result`, lowered. */
const RUN: FuncType = { kind: 'func', params: [], results: ['i32'] };
const OWN_RUN = /^wasi:cli\/run@0\.2\.\d+#run$/;
const REALLOC: FuncType = { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };

/** Does the module export function `name` with type `type`? */
function isFunc(m: CoreModule, name: string, type: FuncType): boolean {
  const e = m.exports.find((x) => x.name === name && x.kind === 'func');
  if (!e) return false;
  const imported = m.imports.filter((i) => i.desc.kind === 'func');
  const desc = e.index < imported.length ? imported[e.index]!.desc : undefined;
  const t = m.types[desc?.kind === 'func' ? desc.typeIndex : m.functions[e.index - imported.length]!];
  return t?.kind === 'func' && funcTypeEquals(t, type);
}

const WIT_HINT = 'describing it needs its WIT world: build it with wit-bindgen (which embeds the world), or pass `--wit FILE|DIR`';

function checkShape(m: CoreModule, kind: 'command' | 'reactor', exported: Map<string, { kind: string }>, ownRun: string | undefined, hasWorld: boolean): void {
  const foreign = m.imports.find((i) => i.module !== P1 && !isWasi02(i.module) && !hasWorld);
  if (foreign?.module === 'wasi_unstable') {
    throw new WasiAdaptError('unsupported', 'imports wasi_unstable (WASI snapshot 0), which is older than preview 1; rebuild it for wasi_snapshot_preview1');
  }
  if (foreign) {
    throw new WasiAdaptError('unsupported', `imports ${foreign.module}.${foreign.name}, which is not WASI preview1; ${WIT_HINT}`);
  }
  if (exported.get('memory')?.kind !== 'memory') {
    throw new WasiAdaptError('unsupported', 'the module does not export its memory as `memory`');
  }
  if (kind === 'command' && ownRun) {
    if (exported.has('_start')) throw new WasiAdaptError('unsupported', `the module exports both _start and ${ownRun}: which one is the command is unclear`);
    if (!isFunc(m, ownRun, RUN)) throw new WasiAdaptError('unsupported', `${ownRun} must be a function taking nothing and returning i32 (wasi:cli/run's result)`);
    return;
  }
  if (kind === 'command') {
    if (!isFunc(m, '_start', NO_ARGS)) throw new WasiAdaptError('unsupported', 'a command must export a `_start` function taking and returning nothing');
    return;
  }
  const own = [...exported.keys()].filter((n) => !REACTOR_EXPORTS.has(n));
  if (own.length && !hasWorld) {
    throw new WasiAdaptError('unsupported', `this reactor exports ${own.join(', ')}; ${WIT_HINT}`);
  }
}
