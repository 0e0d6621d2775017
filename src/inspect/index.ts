import { parseComponent, sniffWasm } from '../binary/component.js';
import type { Canon, CanonOpt, Component } from '../binary/component-types.js';
import { parseModule, type CoreModule } from '../binary/module.js';
import { buildGraph } from '../component/graph.js';
import { WasiAdaptError } from '../errors.js';
import { componentViewOf } from '../lower/from-component.js';
import { planLowering } from '../lower/planning.js';
import type { ComponentGraph, ModuleRole } from '../component/graph-types.js';
import { parseInterfaceName, wasiLine } from '../interface-name.js';
import { groupByPackage, type PackageImports } from './wasi-imports.js';

export type WasmFileKind =
  | 'wasi-p1-command'
  | 'wasi-p1-reactor'
  | 'wasi-0.2-component'
  | 'wasi-0.3-component'
  | 'component'
  | 'core-module'
  | 'not-wasm';

export interface ModuleSummary {
  /** Position in a depth-first walk over every component, nested ones included. */
  index: number;
  /** Nesting path: [] at the top, [2] inside the component defined third, ... */
  component: number[];
  size: number;
  role: ModuleRole;
  instantiations: number;
  imports: number;
  exports: number;
}

export interface CanonSummary {
  lowers: number;
  lifts: number;
  stringEncodings: ('utf8' | 'utf16' | 'latin1+utf16')[];
  realloc: boolean;
  postReturn: boolean;
  async: boolean;
  /** WASI 0.3 built-ins used (task.return, stream.read, waitable-set.new, ...). */
  asyncBuiltins: string[];
}

export interface Verdict {
  /** What wasi-adapt would do with it: `down`, `up`, or nothing (`none`). */
  convert: 'down' | 'up' | 'none';
  /** Why, in one sentence. */
  reason: string;
  /** Runtimes that run the file as it is. */
  runsOn: string[];
}

export interface InspectReport {
  kind: WasmFileKind;
  size: number;
  imports: PackageImports[];
  exports: string[];
  modules?: ModuleSummary[];
  memories?: number;
  tables?: number;
  nestedComponents?: number;
  canon?: CanonSummary;
  /** Components only: WASI interfaces p1 cannot serve, which `down` links to stand-ins that report failure. */
  standIns?: string[];
  verdict: Verdict;
}

const P1_RUNTIMES = ['wasmtime', 'wazero', 'WAMR', 'wasmer', 'WasmEdge', 'wasmi', 'node:wasi', 'browser p1 shims'];
const P2_RUNTIMES = ['wasmtime', 'jco (Node.js, browsers)'];
const P1_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

/** Describes a wasm file. Throws WasiAdaptError on malformed input; `not-wasm` is a kind, not an error. */
export function inspect(bytes: Uint8Array): InspectReport {
  switch (sniffWasm(bytes)) {
    case 'not-wasm':
      return { kind: 'not-wasm', size: bytes.length, imports: [], exports: [], verdict: notWasmVerdict() };
    case 'core':
      return inspectModule(bytes);
    default:
      // parseComponent raises the typed 'prerelease' error for old layers.
      return inspectComponent(bytes, parseComponent(bytes));
  }
}

function notWasmVerdict(): Verdict {
  return { convert: 'none', reason: 'not a WebAssembly binary (no \\0asm header)', runsOn: [] };
}

function inspectModule(bytes: Uint8Array): InspectReport {
  const m = parseModule(bytes);
  const imports = groupCoreImports(m);
  const p1 = m.imports.some((imp) => P1_MODULES.has(imp.module));
  // Only WASI's own interfaces: a wit-bindgen module also imports its world's (`test:x/host@0.1.0`).
  const p2Direct = m.imports.some((imp) => {
    const name = parseInterfaceName(imp.module);
    return name?.namespace === 'wasi' && wasiLine(name.version) !== undefined;
  });
  // wit-bindgen embeds the world a module implements: `up` lifts it by that world.
  const world = m.customs.some((c) => c.name.startsWith('component-type'));
  const exports = m.exports.map((e) => e.name);
  const command = exports.includes('_start');
  const base = { size: bytes.length, imports, exports, memories: m.memoryCount, tables: m.tableCount };
  if (p1 && !p2Direct) {
    return {
      ...base,
      kind: command ? 'wasi-p1-command' : 'wasi-p1-reactor',
      verdict: {
        convert: 'up',
        reason: `a WASI preview 1 ${command ? 'command' : 'reactor'}: 'wasi-adapt up' makes a WASI 0.2 component of it`,
        runsOn: P1_RUNTIMES,
      },
    };
  }
  return {
    ...base,
    kind: 'core-module',
    verdict: p2Direct
      ? {
          convert: 'none',
          reason: 'a core module importing WASI 0.2 functions directly: encode it as a component first (jco new)',
          runsOn: [],
        }
      : world
        ? {
            convert: 'up',
            reason: "a core module with its WIT world embedded (component-type sections) and no WASI imports: 'wasi-adapt up' makes a WASI 0.2 component of it",
            runsOn: [],
          }
        : { convert: 'none', reason: 'imports no WASI: nothing to convert', runsOn: ['any wasm runtime that provides its imports'] },
  };
}

/**
 * A core module's imports by module name, each field listed: for p1 that is
 * the list of wasi_snapshot_preview1 functions, which is what decides what a
 * runtime must provide.
 */
function groupCoreImports(m: CoreModule): PackageImports[] {
  const byModule = new Map<string, string[]>();
  for (const imp of m.imports) {
    let names = byModule.get(imp.module);
    if (!names) byModule.set(imp.module, (names = []));
    names.push(imp.name);
  }
  return [...byModule].map(([module, names]) => ({
    package: module,
    interfaces: names.map((name) => ({ name, versions: [] })),
  }));
}

function inspectComponent(bytes: Uint8Array, component: Component): InspectReport {
  const graph = buildGraph(component);
  // Roles and the verdict come from down's own planning (which evaluates the instances and sets
  // the roles); a component down cannot take keeps the roles its modules suggest, and the reason.
  let planned: { standIns: string[] } | { refusal: string };
  try {
    planned = { standIns: planLowering(componentViewOf(graph), {}).plan.standIns };
  } catch (err) {
    if (!(err instanceof WasiAdaptError)) throw err;
    planned = { refusal: err.message };
  }
  const importNames = graph.imports.map((i) => i.name);
  const imports = groupByPackage(importNames);
  const exports = graph.exports.map((e) => e.name);
  const walk = walkComponents(graph);
  const wasiLines = new Set(
    [...importNames, ...exports]
      .map(parseInterfaceName)
      .filter((n) => n?.namespace === 'wasi')
      .map((n) => wasiLine(n!.version)),
  );
  const p3 = wasiLines.has('0.3') || walk.canon.async || walk.canon.asyncBuiltins.length > 0;
  const wasi = wasiLines.size > 0;
  const kind: WasmFileKind = p3 ? 'wasi-0.3-component' : wasi ? 'wasi-0.2-component' : 'component';
  return {
    kind,
    size: bytes.length,
    imports,
    exports,
    modules: walk.modules,
    memories: walk.memories,
    tables: walk.tables,
    nestedComponents: walk.nested,
    canon: walk.canon,
    standIns: 'standIns' in planned ? planned.standIns : [],
    verdict: componentVerdict(kind, planned),
  };
}

function componentVerdict(kind: WasmFileKind, planned: { standIns: string[] } | { refusal: string }): Verdict {
  const runsOn = kind === 'wasi-0.3-component' ? ['wasmtime (with WASI 0.3 enabled)'] : P2_RUNTIMES;
  if ('refusal' in planned) return { convert: 'none', reason: `'wasi-adapt down' refuses it: ${planned.refusal}`, runsOn };
  const reason = "'wasi-adapt down' makes one WASI preview 1 core module of it";
  if (!planned.standIns.length) return { convert: 'down', reason, runsOn };
  return {
    convert: 'down',
    reason: `${reason}; ${planned.standIns.join(', ')} cannot work on p1 and get stand-ins that report failure ('down --strict' refuses them instead)`,
    runsOn,
  };
}

interface Walk {
  modules: ModuleSummary[];
  memories: number;
  tables: number;
  nested: number;
  canon: CanonSummary;
}

/** Visits the graph and every nested component's graph, depth first. */
function walkComponents(top: ComponentGraph): Walk {
  const walk: Walk = {
    modules: [],
    memories: 0,
    tables: 0,
    nested: 0,
    canon: { lowers: 0, lifts: 0, stringEncodings: [], realloc: false, postReturn: false, async: false, asyncBuiltins: [] },
  };
  const encodings = new Set<CanonSummary['stringEncodings'][number]>();
  const builtins = new Set<string>();
  const visit = (graph: ComponentGraph, path: number[]): void => {
    for (const info of graph.modules) {
      const m = info.core;
      walk.modules.push({
        index: walk.modules.length,
        component: path,
        size: info.bytes.length,
        role: info.role,
        instantiations: info.instances.length,
        imports: m.imports.length,
        exports: m.exports.length,
      });
      const definedMemories = m.memoryCount - m.importedMemoryCount;
      const definedTables = m.tableCount - m.importedTableCount;
      walk.memories += definedMemories * info.instances.length;
      walk.tables += definedTables * info.instances.length;
    }
    for (const canon of graph.canons) countCanon(canon, walk.canon, encodings, builtins);
    graph.spaces.component.forEach((def) => {
      if (def.kind === 'component') {
        walk.nested++;
        visit(def.graph, [...path, walk.nested - 1]);
      }
    });
  };
  visit(top, []);
  walk.canon.stringEncodings = [...encodings];
  walk.canon.asyncBuiltins = [...builtins].sort();
  return walk;
}

function countCanon(
  canon: Canon,
  summary: CanonSummary,
  encodings: Set<CanonSummary['stringEncodings'][number]>,
  builtins: Set<string>,
): void {
  let options: readonly CanonOpt[] = [];
  if (canon.kind === 'lift') {
    summary.lifts++;
    options = canon.options;
  } else if (canon.kind === 'lower') {
    summary.lowers++;
    options = canon.options;
  } else if (!canon.kind.startsWith('resource.') || canon.kind === 'resource.drop async') {
    builtins.add(canon.kind);
  }
  let encoding: CanonSummary['stringEncodings'][number] | undefined;
  for (const opt of options) {
    if (opt.kind === 'utf8' || opt.kind === 'utf16' || opt.kind === 'latin1+utf16') encoding = opt.kind;
    else if (opt.kind === 'realloc') summary.realloc = true;
    else if (opt.kind === 'post-return') summary.postReturn = true;
    else if (opt.kind === 'async') summary.async = true;
  }
  // utf8 is the default when a lowering that passes strings names none.
  if (options.some((o) => o.kind === 'memory')) encodings.add(encoding ?? 'utf8');
}
