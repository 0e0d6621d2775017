// Child process (run transpiled, see ts-child.ts): calls a reactor's exports
// either on jco's transpiled component (side 'jco') or on the down output
// through the canonical-ABI caller on node:wasi (side 'core'), with the same
// JS implementations of its custom imports. One fresh instance per sequence
// of calls; a sequence stops at its first trap. Writes the outcomes as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASI } from 'node:wasi';
import { camel, liftArgs, liftResult, lowerArgs, lowerResult, type CoreVal, type FuncSig, type Mem } from './cabi.js';
import { decodeValue, encodeValue } from './ipc-values.js';

export interface CallSpec {
  iface?: string;
  name: string;
  core: string;
  sig: FuncSig;
  /** Encoded with ipc-values. */
  args: unknown[];
}

export interface ImportSpec {
  iface: string;
  name: string;
  sig?: FuncSig;
}

export interface CorpusChildConfig {
  side: 'jco' | 'core';
  /** core: the down output; jco: the transpiled entry (instantiation mode). */
  path: string;
  importsModule: string;
  component: string;
  imports: ImportSpec[];
  sequences: CallSpec[][];
  reportPath: string;
}

/** What a call did; values are encoded with ipc-values. */
export type Outcome =
  | { kind: 'ok'; value: unknown }
  /** An export returning result<_, E> gave err (jco throws it as a ComponentError). */
  | { kind: 'err'; value: unknown }
  | { kind: 'trap'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'skipped' };

type Impls = Record<string, Record<string, unknown>>;
type Fn = (...a: unknown[]) => unknown;

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CorpusChildConfig;
const { importsFor } = (await import(pathToFileURL(config.importsModule).href)) as { importsFor: (c: string) => Impls };

const stripVersion = (name: string): string => name.replace(/@[^/]*$/, '');

function hasPayload(e: unknown): e is { payload: unknown } {
  return typeof e === 'object' && e !== null && Object.prototype.hasOwnProperty.call(e, 'payload');
}

function failure(e: unknown): Outcome {
  if (e instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: e.message };
  const err = e as Error | undefined;
  return { kind: 'error', message: `${err?.name ?? 'thrown'}: ${err?.message ?? String(e)}` };
}

async function runSequences(call: (inst: unknown, spec: CallSpec) => unknown, fresh: () => Promise<unknown>): Promise<Outcome[][]> {
  const out: Outcome[][] = [];
  for (const seq of config.sequences) {
    const outcomes: Outcome[] = [];
    let inst: unknown;
    try {
      inst = await fresh();
    } catch (e) {
      out.push(seq.map(() => failure(e)));
      continue;
    }
    let stopped = false;
    for (const spec of seq) {
      if (stopped) {
        outcomes.push({ kind: 'skipped' });
        continue;
      }
      try {
        outcomes.push(await call(inst, spec) as Outcome);
      } catch (e) {
        const f = failure(e);
        outcomes.push(f);
        stopped = f.kind === 'trap';
      }
    }
    out.push(outcomes);
  }
  return out;
}

// ---- jco side ----

async function wasiShim(key: string): Promise<unknown> {
  const m = /^wasi:([^/]+)\/([^@]+)/.exec(key);
  if (!m) throw new Error(`not a WASI import: ${key}`);
  const mod = (await import(`@bytecodealliance/preview2-shim/${m[1]}`)) as Record<string, unknown>;
  return mod[camel(m[2]!)];
}

/** The import object jco's instantiate() reads: keys as the generated code spells them. */
async function jcoImports(js: string, impls: Impls): Promise<Record<string, unknown>> {
  const keys = new Set<string>();
  for (const m of js.matchAll(/imports(?:\['([^']+)'\]|\.([A-Za-z_$][\w$]*))/g)) keys.add(m[1] ?? m[2]!);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith('wasi:')) {
      out[key] = await wasiShim(key);
      continue;
    }
    const merged: Record<string, unknown> = {};
    for (const [iface, fns] of Object.entries(impls)) if (iface !== '$root' && stripVersion(iface) === key) Object.assign(merged, fns);
    const root = impls.$root?.[camel(key)];
    out[key] = Object.keys(merged).length > 0 ? merged : root !== undefined ? { default: root } : {};
  }
  return out;
}

async function runJco(): Promise<Outcome[][]> {
  const js = readFileSync(config.path, 'utf8');
  const dir = dirname(config.path);
  const { instantiate } = (await import(pathToFileURL(config.path).href)) as {
    instantiate: (get: (n: string) => Promise<WebAssembly.Module>, imports: unknown) => Promise<Record<string, unknown>>;
  };
  const compiled = new Map<string, Promise<WebAssembly.Module>>();
  const getCoreModule = (name: string): Promise<WebAssembly.Module> => {
    if (!compiled.has(name)) compiled.set(name, WebAssembly.compile(readFileSync(join(dir, name))));
    return compiled.get(name)!;
  };
  return runSequences(
    async (inst, spec) => {
      const exports = inst as Record<string, unknown>;
      const holder = (spec.iface ? exports[spec.iface] : exports) as Record<string, unknown> | undefined;
      const fn = holder?.[camel(spec.name)];
      if (typeof fn !== 'function') throw new Error(`jco exposes no ${spec.iface ?? ''}.${camel(spec.name)}`);
      try {
        return { kind: 'ok', value: encodeValue(await (fn as Fn)(...(decodeValue(spec.args) as unknown[]))) };
      } catch (e) {
        if (hasPayload(e) && spec.sig.result?.k === 'result') return { kind: 'err', value: encodeValue(e.payload) };
        throw e;
      }
    },
    async () => instantiate(getCoreModule, await jcoImports(js, importsFor(config.component))),
  );
}

// ---- core side ----

/** Calls the JS import as jco would: for a result<T, E> return, a throw with a payload (or a non-Error) is err. */
function callImport(fn: Fn, sig: FuncSig, args: unknown[]): unknown {
  if (sig.result?.k !== 'result') return fn(...args);
  try {
    return { tag: 'ok', val: fn(...args) };
  } catch (e) {
    if (hasPayload(e)) return { tag: 'err', val: e.payload };
    if (e instanceof Error) throw e;
    return { tag: 'err', val: e };
  }
}

function coreImports(module: WebAssembly.Module, mem: Mem, impls: Impls): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
    const spec = config.imports.find((i) => i.iface === imp.module && i.name === imp.name);
    const fn = impls[imp.module]?.[camel(imp.name)];
    const where = `${imp.module}#${imp.name}`;
    (out[imp.module] ??= {})[imp.name] = (...core: CoreVal[]): CoreVal | undefined => {
      if (!spec?.sig) throw new Error(`no WIT type for import ${where}`);
      if (typeof fn !== 'function') throw new Error(`no JS implementation of import ${where}`);
      const args = liftArgs(mem, spec.sig, core);
      return lowerResult(mem, spec.sig, core, callImport(fn as Fn, spec.sig, args));
    };
  }
  return out;
}

async function runCore(): Promise<Outcome[][]> {
  const module = await WebAssembly.compile(readFileSync(config.path));
  return runSequences(
    (inst, spec) => {
      const ex = (inst as WebAssembly.Instance).exports as Record<string, unknown>;
      const mem = memOf(inst as WebAssembly.Instance);
      const fn = ex[spec.core];
      if (typeof fn !== 'function') throw new Error(`down output exports no ${spec.core}`);
      const ret = (fn as (...a: CoreVal[]) => CoreVal | undefined)(...lowerArgs(mem, spec.sig, decodeValue(spec.args) as unknown[]));
      const value = liftResult(mem, spec.sig, ret);
      const post = ex[`cabi_post_${spec.core}`];
      if (typeof post === 'function') (post as (r: CoreVal | undefined) => void)(ret);
      if (spec.sig.result?.k === 'result') {
        const r = value as { tag: string; val: unknown };
        return { kind: r.tag === 'ok' ? 'ok' : 'err', value: encodeValue(r.val) };
      }
      return { kind: 'ok', value: encodeValue(value) };
    },
    async () => {
      const wasi = new WASI({ version: 'preview1', returnOnExit: true, args: [], env: {} });
      let instance: WebAssembly.Instance | undefined;
      const mem: Mem = {
        memory: () => memOf(instance!).memory(),
        realloc: (...a) => memOf(instance!).realloc(...a),
      };
      const imports = { ...coreImports(module, mem, importsFor(config.component)), ...wasi.getImportObject() };
      instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
      if (!('_start' in instance.exports)) wasi.initialize(instance);
      return instance;
    },
  );
}

function memOf(instance: WebAssembly.Instance): Mem {
  const ex = instance.exports as Record<string, unknown>;
  return {
    memory: () => {
      if (!(ex.memory instanceof WebAssembly.Memory)) throw new Error('down output exports no memory');
      return ex.memory;
    },
    realloc: (...a) => {
      if (typeof ex.cabi_realloc !== 'function') throw new Error('down output exports no cabi_realloc');
      return (ex.cabi_realloc as (...x: number[]) => number)(...a);
    },
  };
}

try {
  const results = config.side === 'jco' ? await runJco() : await runCore();
  writeFileSync(config.reportPath, JSON.stringify({ exitCode: 0, results }));
} catch (e) {
  writeFileSync(config.reportPath, JSON.stringify({ error: `${(e as Error)?.stack ?? String(e)}` }));
}
// jco's WASI shim keeps a worker alive for a few seconds; leave at once.
process.exit(0);
