// Child process (run transpiled, see ts-child.ts): calls a reactor's exports
// either on jco's transpiled component (side 'jco') or on the down output
// through the canonical-ABI caller on node:wasi (side 'core'), with the same
// JS implementations of its custom imports. One fresh instance per sequence
// of calls; a sequence stops at its first trap. Writes the outcomes as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WASI } from 'node:wasi';
import { camel, liftArgs, liftResult, lowerArgs, lowerResult, mapHandles, pascal, type CoreVal, type FuncSig, type Mem } from './cabi.js';
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
  /** Log every core import call to stderr (for debugging; stderr then differs from jco's). */
  trace?: boolean;
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
  if (e instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: (e as Error).message };
  const err = e as Error | undefined;
  return { kind: 'error', message: `${err?.name ?? 'thrown'}: ${err?.message ?? String(e)}` };
}

/** A call's raw result (handles live, for later calls of the sequence to use) and its outcome (handles as '<handle>'). */
type Called = { raw: unknown; outcome: Outcome };

/** The current instance's host: its import implementations, and (core side) its table of host objects. */
let current: { impls: Impls; table?: HostHandles } = { impls: {} };

type HandleRef = { $ref: number } | { $host: { iface: string; resource: string; args: unknown[] } };

/**
 * The arguments with each handle placeholder replaced by a live handle: {$ref: k} is the result of call k
 * of the sequence; {$host} a new object of an imported resource's JS class (jco takes the object, the down
 * output a handle to it in the host's table).
 */
function resolveArgs(spec: CallSpec, live: unknown[]): unknown[] {
  const args = decodeValue(spec.args) as unknown[];
  return spec.sig.params.map((p, i) =>
    mapHandles(p.type, args[i], (_k, _r, v) => {
      const ref = v as HandleRef;
      if ('$ref' in ref) return live[ref.$ref];
      const cls = current.impls[ref.$host.iface]?.[pascal(ref.$host.resource)] as (new (...a: unknown[]) => unknown) | undefined;
      if (typeof cls !== 'function') throw new Error(`no JS class for ${ref.$host.iface} ${ref.$host.resource}`);
      const obj = new cls(...ref.$host.args);
      return current.table ? current.table.insert(obj) : obj;
    }),
  );
}

function settled(spec: CallSpec, raw: unknown, kind: 'ok' | 'err' = 'ok'): Called {
  const t = spec.sig.result;
  const okType = t?.k === 'result' ? t.ok : t;
  const shown = kind === 'ok' && okType ? mapHandles(okType, raw, () => '<handle>') : raw;
  return { raw, outcome: { kind, value: encodeValue(shown) } };
}

async function runSequences(call: (inst: unknown, spec: CallSpec, live: unknown[]) => Called | Promise<Called>, fresh: () => Promise<unknown>): Promise<Outcome[][]> {
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
    const live: unknown[] = [];
    for (const spec of seq) {
      if (stopped) {
        outcomes.push({ kind: 'skipped' });
        continue;
      }
      try {
        const done = await call(inst, spec, live);
        live.push(done.raw);
        outcomes.push(done.outcome);
      } catch (e) {
        live.push(undefined);
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
    const root = impls.$root?.[camel(key)] ?? impls.$root?.[pascal(key)];
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
    async (inst, spec, live) => {
      const exports = inst as Record<string, unknown>;
      // jco exposes an instance under its full name, and a plain-named one (`an-exported-interface`) in camelCase.
      const holder = (spec.iface ? (exports[spec.iface] ?? exports[camel(spec.iface)]) : exports) as Record<string, unknown> | undefined;
      const args = resolveArgs(spec, live);
      const target = importTarget(spec.name);
      const cls = (): Record<string, unknown> => {
        const c = holder?.[pascal((target as { resource: string }).resource)];
        if (typeof c !== 'function') throw new Error(`jco exposes no class for ${spec.name}`);
        return c as unknown as Record<string, unknown>;
      };
      try {
        let raw: unknown;
        switch (target.kind) {
          case 'constructor':
            raw = new (cls() as unknown as new (...a: unknown[]) => unknown)(...args);
            break;
          case 'method':
            raw = await (args[0] as Record<string, Fn>)[camel(target.func)]!(...args.slice(1));
            break;
          case 'static':
            raw = await (cls()[camel(target.func)] as Fn)(...args);
            break;
          default: {
            const fn = holder?.[camel(spec.name)];
            if (typeof fn !== 'function') throw new Error(`jco exposes no ${spec.iface ?? ''}.${spec.name}`);
            raw = await (fn as Fn)(...args);
          }
        }
        return settled(spec, raw);
      } catch (e) {
        if (hasPayload(e) && spec.sig.result?.k === 'result') return settled(spec, e.payload, 'err');
        throw e;
      }
    },
    async () => {
      current = { impls: importsFor(config.component) };
      return instantiate(getCoreModule, await jcoImports(js, current.impls));
    },
  );
}

// ---- core side ----

/** Calls the JS import as jco would: for a result<T, E> return, a throw with a payload (or a non-Error) is err. */
function callImport(fn: () => unknown, sig: FuncSig): unknown {
  if (sig.result?.k !== 'result') return fn();
  try {
    return { tag: 'ok', val: fn() };
  } catch (e) {
    if (hasPayload(e)) return { tag: 'err', val: e.payload };
    if (e instanceof Error) throw e;
    return { tag: 'err', val: e };
  }
}

/** The host's side of imported resources: its objects by the i32 handle the guest holds. */
class HostHandles {
  private next = 1;
  private readonly objects = new Map<number, unknown>();
  insert(o: unknown): number {
    const h = this.next++;
    this.objects.set(h, o);
    return h;
  }
  get(h: unknown): unknown {
    if (!this.objects.has(Number(h))) throw new Error(`unknown host handle ${String(h)}`);
    return this.objects.get(Number(h));
  }
  take(h: unknown): unknown {
    const o = this.get(h);
    this.objects.delete(Number(h));
    return o;
  }
}

type ImportTarget =
  | { kind: 'func'; func: string }
  | { kind: 'constructor' | 'drop'; resource: string }
  | { kind: 'method' | 'static'; resource: string; func: string };

function importTarget(name: string): ImportTarget {
  let m = /^\[(constructor|resource-drop)\](.+)$/.exec(name);
  if (m) return { kind: m[1] === 'constructor' ? 'constructor' : 'drop', resource: m[2]! };
  m = /^\[(method|static)\]([^.]+)\.(.+)$/.exec(name);
  if (m) return { kind: m[1] as 'method' | 'static', resource: m[2]!, func: m[3]! };
  return { kind: 'func', func: name };
}

/** The JS behind one core import: plain functions by camelCase name, resources as jco's classes (PascalCase). */
function hostCall(impl: Record<string, unknown> | undefined, target: ImportTarget, table: HostHandles, args: unknown[]): unknown {
  const member = (o: unknown, key: string): Fn => {
    const f = (o as Record<string, unknown> | undefined)?.[key];
    if (typeof f !== 'function') throw new Error(`no JS implementation: ${key}`);
    return (f as Fn).bind(o);
  };
  if (target.kind === 'func') return member(impl, camel(target.func))(...args);
  const cls = impl?.[pascal(target.resource)] as (new (...a: unknown[]) => unknown) | undefined;
  if (typeof cls !== 'function') throw new Error(`no JS class ${pascal(target.resource)}`);
  switch (target.kind) {
    case 'constructor': return new cls(...args);
    case 'drop': table.take(args[0]); return undefined;
    case 'method': return member(args[0], camel(target.func))(...args.slice(1));
    case 'static': return member(cls, camel(target.func))(...args);
  }
}

function coreImports(module: WebAssembly.Module, mem: Mem, impls: Impls, table: HostHandles): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
    const target = importTarget(imp.name);
    const where = `${imp.module}#${imp.name}`;
    const spec = config.imports.find((i) => i.iface === imp.module && i.name === imp.name);
    (out[imp.module] ??= {})[imp.name] = (...core: CoreVal[]): CoreVal | undefined => {
      if (target.kind === 'drop') {
        if (config.trace) process.stderr.write(`import ${where} ${String(core[0])}\n`);
        table.take(core[0]);
        return undefined;
      }
      const sig = spec?.sig;
      if (!sig) throw new Error(`no WIT type for import ${where}`);
      const args = liftArgs(mem, sig, core).map((a, i) =>
        mapHandles(sig.params[i]!.type, a, (kind, _r, h) => (kind === 'own' ? table.take(h) : table.get(h))),
      );
      const value = callImport(() => hostCall(impls[imp.module], target, table, args), sig);
      if (config.trace) process.stderr.write(`import ${where} ${JSON.stringify(encodeValue(core))} -> ${JSON.stringify(encodeValue(value))}\n`);
      const lowered = sig.result ? mapHandles(sig.result, value, (_k, _r, o) => table.insert(o)) : value;
      return lowerResult(mem, sig, core, lowered);
    };
  }
  return out;
}

async function runCore(): Promise<Outcome[][]> {
  const module = await WebAssembly.compile(readFileSync(config.path));
  return runSequences(
    (inst, spec, live) => {
      const ex = (inst as WebAssembly.Instance).exports as Record<string, unknown>;
      const mem = memOf(inst as WebAssembly.Instance);
      const fn = ex[spec.core];
      if (typeof fn !== 'function') throw new Error(`down output exports no ${spec.core}`);
      const ret = (fn as (...a: CoreVal[]) => CoreVal | undefined)(...lowerArgs(mem, spec.sig, resolveArgs(spec, live)));
      const value = liftResult(mem, spec.sig, ret);
      const post = ex[`cabi_post_${spec.core}`];
      if (typeof post === 'function') (post as (r: CoreVal | undefined) => void)(ret);
      if (spec.sig.result?.k === 'result') {
        const r = value as { tag: string; val: unknown };
        return settled(spec, r.val, r.tag === 'ok' ? 'ok' : 'err');
      }
      return settled(spec, value);
    },
    async () => {
      const wasi = new WASI({ version: 'preview1', returnOnExit: true, args: [], env: {} });
      let instance: WebAssembly.Instance | undefined;
      const mem: Mem = {
        memory: () => memOf(instance!).memory(),
        realloc: (...a) => memOf(instance!).realloc(...a),
      };
      current = { impls: importsFor(config.component), table: new HostHandles() };
      const imports = { ...coreImports(module, mem, current.impls, current.table!), ...wasi.getImportObject() };
      instance = await WebAssembly.instantiate(module, imports as WebAssembly.Imports);
      // node:wasi needs an exported memory to initialize; a module without one has no WASI state to set up.
      if (instance.exports.memory instanceof WebAssembly.Memory) {
        if (!('_start' in instance.exports)) wasi.initialize(instance);
      } else if (typeof instance.exports._initialize === 'function') (instance.exports._initialize as () => void)();
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
