import type { ValType } from '../binary/component-types.js';
import { funcTypeEquals, type FuncType } from '../binary/types.js';
import { WasiAdaptError } from '../errors.js';
import { MAX_FLAT_PARAMS, alignment, discriminantSize, flatten, hasPointers, shapeOf, signatureOf, size, type CoreType, type Shape } from '../component/abi.js';
import type { CoreFunc, Evaluation, FuncTypeRef, LiftedExport, TypeScope } from '../component/evaluate.js';
import type { GenFunc, Target } from './plan.js';

/**
 * WASI 0.3 in the linker: which polyfill export (p3-on-p1) serves each async built-in, with the
 * constants it needs (the element type's id and layout) appended by a generated wrapper, and
 * the event loop that becomes `_start`. See docs/p3.md.
 */
export interface P3Linker {
  /** The polyfill export `name`, marked used. */
  polyfill(name: string, offset: number | undefined): Target;
  gen(g: GenFunc): Target;
  func(index: number): Target;
  /** `callee` with the polyfill's `cabi.realloc` forwarding to core func `realloc` during the call. */
  withRealloc(callee: Target, realloc: number): Target;
}

type AsyncBuiltin = Extract<CoreFunc, { kind: 'async-builtin' }>;

/** Does the component need the WASI 0.3 runtime (so the p3-on-p1 polyfill)? */
export function usesAsync(c: Pick<Evaluation, 'coreFuncs' | 'exports'>): boolean {
  return (
    c.exports.some((e) => e.options.async) ||
    c.coreFuncs.some((f) => f.kind === 'async-builtin' || (f.kind === 'lower' && (f.options.async || /@0\.3\./.test(f.iface))))
  );
}

/**
 * A synchronous export of a component using `context.get/set`: each call is a new task, whose
 * context slots start at 0, so `p3#begin` runs before it. Undefined when nothing to reset.
 */
export function p3SyncExport(c: Pick<Evaluation, 'coreFuncs'>, target: Target, l: P3Linker, offset: number): Target | undefined {
  if (!c.coreFuncs.some((f) => f.kind === 'async-builtin' && f.canon.kind.startsWith('context.'))) return undefined;
  return l.gen({ kind: 'p3-new-task', begin: l.polyfill('p3#begin', offset), callee: target });
}

/** The polyfill names a 0.3 interface's function is looked up under, the first that exists wins. */
export function p3CoreNames(unversioned: string, iface: string, func: string, async: boolean): string[] {
  if (!/@0\.3\./.test(iface)) return async ? [] : [`${unversioned}#${func}`];
  const own = `${unversioned}@0.3#${async ? '[async]' : ''}${func}`;
  const same = `${unversioned}#${func}`;
  return async ? [own] : UNCHANGED_IN_0_3.has(same) ? [own, same] : [own];
}

/** Functions WASI 0.3 kept from 0.2 with the same type: the 0.2 implementations serve them. */
const UNCHANGED_IN_0_3 = new Set([
  'wasi:random/random#get-random-bytes',
  'wasi:random/random#get-random-u64',
  'wasi:random/insecure#get-insecure-random-bytes',
  'wasi:random/insecure#get-insecure-random-u64',
  'wasi:clocks/monotonic-clock#now',
  'wasi:cli/environment#get-environment',
  'wasi:cli/environment#get-arguments',
  'wasi:cli/exit#exit',
  'wasi:cli/exit#exit-with-code',
  'wasi:cli/terminal-input#[resource-drop]terminal-input',
  'wasi:cli/terminal-output#[resource-drop]terminal-output',
  'wasi:cli/terminal-stdin#get-terminal-stdin',
  'wasi:cli/terminal-stdout#get-terminal-stdout',
  'wasi:cli/terminal-stderr#get-terminal-stderr',
  'wasi:filesystem/preopens#get-directories',
  'wasi:filesystem/types#[resource-drop]descriptor',
]);

/** `wasi:cli/run` lifted with `async` and a callback: `_start` runs its event loop on the polyfill. */
export function p3Start(e: LiftedExport, l: P3Linker, procExit: Target): Target {
  const name = `${e.iface}#${e.func}`;
  if (e.options.callback === undefined) throw stackful(name, e.offset);
  return l.gen({
    kind: 'p3-start',
    entry: l.func(e.coreFunc),
    callback: l.func(e.options.callback),
    next: l.polyfill('p3#next', e.offset),
    code: l.polyfill('p3#event-code', e.offset),
    p1: l.polyfill('p3#event-p1', e.offset),
    p2: l.polyfill('p3#event-p2', e.offset),
    finish: l.polyfill('p3#finish', e.offset),
    procExit,
  });
}

/**
 * An async export with a callback, as a synchronous p1 export and its post-return: the export
 * starts a new task and runs its event loop until task.return, then returns the result in the
 * synchronous lift's form (the value, or a pointer to the result area); the post-return runs the
 * rest of the task until it exits. So the result stays valid until the post-return, as a
 * synchronous lift's does, even when the task frees it (or spawns more work) after task.return.
 */
export function p3Export(e: LiftedExport, l: P3Linker): { call: Target; post: Target } {
  const name = e.iface ? `${e.iface}#${e.func}` : e.func;
  if (e.options.callback === undefined) throw stackful(name, e.offset);
  if (!e.type) throw new WasiAdaptError('unsupported', `export ${name} is lifted async and its type is unknown`, { offset: e.offset });
  const { params, results } = signatureOf(e.type);
  const crossing = [...params, ...results].map(handleKind).find((k) => k !== undefined);
  if (crossing === 'stream') throw unsupported(`an async export passing streams or futures (${name})`, 'a p1 host cannot hold a stream or future end', e.offset);
  if (crossing === 'resource') throw unsupported(`an async export passing resource handles (${name})`, 'down does not move handles across a WASI 0.3 task yet', e.offset);
  const flatParams = params.flatMap(flatten);
  const flatResults = results.flatMap(flatten);
  const sig: FuncType = {
    kind: 'func',
    params: flatParams.length > MAX_FLAT_PARAMS ? ['i32'] : flatParams,
    results: flatResults.length > 1 ? ['i32'] : flatResults,
  };
  let result: Extract<GenFunc, { kind: 'p3-export' }>['result'] = { kind: 'none' };
  if (flatResults.length === 1 && flatResults[0] === 'i32') result = { kind: 'finish', finish: l.polyfill('p3#finish', e.offset) };
  else if (flatResults.length > 0) {
    const area = resultArea(results);
    result = { kind: 'area', area, areaOf: l.polyfill('p3#result-area', e.offset) };
  }
  const loop = {
    callback: l.func(e.options.callback),
    next: l.polyfill('p3#next', e.offset),
    code: l.polyfill('p3#event-code', e.offset),
    p1: l.polyfill('p3#event-p1', e.offset),
    p2: l.polyfill('p3#event-p2', e.offset),
  };
  return {
    call: l.gen({ kind: 'p3-export', sig, begin: l.polyfill('p3#begin', e.offset), returned: l.polyfill('p3#returned', e.offset), park: l.polyfill('p3#park', e.offset), entry: l.func(e.coreFunc), ...loop, result }),
    post: l.gen({ kind: 'p3-post-return', sig: { kind: 'func', params: sig.results, results: [] }, parked: l.polyfill('p3#parked', e.offset), ...loop }),
  };
}

function stackful(name: string, offset: number): WasiAdaptError {
  return new WasiAdaptError(
    'unsupported',
    `export ${name} is lifted async without a callback (a stackful WASI 0.3 task): running it needs stack switching, which WASI preview 1 runtimes lack: build it with a callback-style async lift (wit-bindgen's default), or run it on a WASI 0.3 host`,
    { offset },
  );
}

/** The polyfill function (with its constants) that an async canon built-in becomes. */
export function asyncBuiltin(f: AsyncBuiltin, l: P3Linker): Target {
  const c = f.canon;
  const p = (name: string, consts: number[] = []): Target => {
    const callee = l.polyfill(`p3#${name}`, f.offset);
    return consts.length ? l.gen({ kind: 'bind-consts', callee, consts }) : callee;
  };
  switch (c.kind) {
    case 'task.return': {
      const types = Array.isArray(c.results) ? c.results.map((r) => r.type) : [c.results];
      const shapes = types.map((t) => shapeOf(f.scope, t));
      const flat = shapes.flatMap(flatten);
      if (flat.length === 0) return p('task.return0');
      if (flat.length === 1 && flat[0] === 'i32') return p('task.return1');
      const area = resultArea(shapes);
      // Past 16 flat values the record itself is in the guest's memory: always copied.
      const keep = area.viaPointer || hasPointers(area.value) ? l.polyfill('p3#keep', f.offset) : undefined;
      return l.gen({ kind: 'p3-task-return', ...area, areaOf: l.polyfill('p3#result-area', f.offset), done: l.polyfill('p3#task-returned', f.offset), keep });
    }
    case 'task.cancel':
    case 'backpressure.set':
    case 'backpressure.inc':
    case 'backpressure.dec':
    case 'waitable-set.new':
    case 'waitable-set.wait':
    case 'waitable-set.poll':
    case 'waitable-set.drop':
    case 'waitable.join':
    case 'subtask.drop':
    case 'subtask.cancel':
      return p(c.kind);
    case 'thread.yield':
      return p('yield');
    case 'error-context.new':
    case 'error-context.drop':
      return p(c.kind);
    case 'error-context.debug-message':
      // The message is stored as a fresh (empty) string from the built-in's realloc.
      if (f.options?.realloc === undefined) throw new WasiAdaptError('bad-value', 'canon error-context.debug-message has no realloc option', { offset: f.offset });
      return l.withRealloc(p(c.kind), f.options.realloc);
    case 'context.get':
    case 'context.set':
      if (c.valType !== 0x7f || c.slot > 1) throw unsupported(`${c.kind} of an i64 or of slot ${c.slot}`, 'the Canonical ABI has slots 0 and 1 of i32 (i64 needs memory64)', f.offset);
      return p(`${c.kind}${c.slot}`);
    case 'stream.new':
    case 'future.new': {
      const t = copyType(f.scope, c.type, c.kind.slice(0, c.kind.indexOf('.')) as 'stream' | 'future', f.offset);
      return p(c.kind, [t.id, t.elem]);
    }
    case 'stream.read':
    case 'stream.write':
    case 'future.read':
    case 'future.write':
    case 'stream.cancel-read':
    case 'stream.cancel-write':
    case 'future.cancel-read':
    case 'future.cancel-write':
    case 'stream.drop-readable':
    case 'stream.drop-writable':
    case 'future.drop-readable':
    case 'future.drop-writable': {
      const t = copyType(f.scope, c.type, c.kind.slice(0, c.kind.indexOf('.')) as 'stream' | 'future', f.offset);
      if ('options' in c && !c.options.some((o) => o.kind === 'async')) {
        throw unsupported(`canon ${c.kind} without async`, 'a synchronous copy blocks the caller, which only a stackful task can', f.offset);
      }
      const target = p(c.kind, [t.id]);
      // A host end writing strings or lists (directory entries) allocates them with the reader's realloc.
      return f.options?.realloc !== undefined && c.kind.endsWith('.read') ? l.withRealloc(target, f.options.realloc) : target;
    }
    default:
      throw unsupported(`canon ${c.kind}`, 'down does not provide it on WASI preview 1 yet', f.offset);
  }
}

function unsupported(what: string, why: string, offset: number): WasiAdaptError {
  return new WasiAdaptError('unsupported', `the component uses ${what}: ${why}: run it on a WASI 0.3 host`, { offset });
}

/** Where task.return stores a result of several flat values (or of one that is not an i32): in the result's memory layout. */
export interface ResultArea {
  /** task.return's core parameters: the flat values, or past 16 of them one pointer (stored at 0). */
  params: CoreType[];
  size: number;
  align: number;
  viaPointer: boolean;
  /** The results as one record: how the flat values are stored, what task.return copies out of the guest's memory. */
  value: Shape;
}


function resultArea(shapes: Shape[]): ResultArea {
  const value: Shape = { k: 'record', fields: shapes };
  const flat = flatten(value);
  if (flat.length > MAX_FLAT_PARAMS) return { params: ['i32'], size: 4, align: 4, viaPointer: true, value };
  return { params: flat, size: size(value), align: alignment(value), viaPointer: false, value };
}

/**
 * A stream or future type as the polyfill checks it: `id` the same for equal element types
 * (the spec traps on a copy through an end of another type), `elem` = size | log2(alignment)
 * << 24, with the top bit set when the element is not a number (a copy inside one instance traps then).
 */
function copyType(scope: TypeScope, index: number, kind: 'stream' | 'future', offset: number): { id: number; elem: number } {
  const v = scope.types[index];
  if (v?.kind !== 'def' || v.def.kind !== kind) throw new WasiAdaptError('bad-value', `canon ${kind} built-in names type ${index}, which is not a ${kind}`, { offset });
  const element = v.def.element;
  const id = typeId(`${kind}<${element === undefined ? '' : typeKey(v.scope, element, 0)}>`);
  if (element === undefined) return { id, elem: 0 };
  const shape = shapeOf(v.scope, element);
  const number = typeof element === 'string' && NUMBERS.has(element);
  return { id, elem: (size(shape) | (Math.log2(alignment(shape)) << 24) | (number ? 0 : 0x80000000)) >>> 0 };
}

const NUMBERS = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64']);
/**
 * A type's id: FNV-1a of its structural key, never 0 (the polyfill's "made by the host, any type").
 * A hash, not a counter, so an output does not depend on what was lowered before it; two types
 * colliding would only let a copy between them go untrapped.
 */
function typeId(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}

/** Structural identity of a value type (resources by name, as two types of one component can be told apart). */
function typeKey(scope: TypeScope, t: ValType, depth: number): string {
  if (typeof t === 'string') return t;
  if (depth > 100) throw new WasiAdaptError('too-deep', 'a value type nests more than 100 levels');
  const v = scope.types[t];
  if (!v) throw new WasiAdaptError('bad-value', `type ${t} does not exist`);
  if (v.kind === 'imported') return `${v.iface}#${v.name}`;
  if (v.kind === 'own') return `own:${v.name}`;
  const d = v.def;
  const k = (x: ValType | undefined) => (x === undefined ? '_' : typeKey(v.scope, x, depth + 1));
  switch (d.kind) {
    case 'prim':
      return k(d.type);
    case 'record':
      return `record{${d.fields.map((f) => `${f.name}:${k(f.type)}`).join(',')}}`;
    case 'tuple':
      return `tuple<${d.types.map(k).join(',')}>`;
    case 'variant':
      return `variant{${d.cases.map((c) => `${c.name}:${k(c.type)}`).join(',')}}`;
    case 'enum':
      return `enum{${d.names.join(',')}}`;
    case 'flags':
      return `flags{${d.names.join(',')}}`;
    case 'option':
      return `option<${k(d.type)}>`;
    case 'result':
      return `result<${k(d.ok)},${k(d.err)}>`;
    case 'list':
      return `list<${k(d.element)}${d.length === undefined ? '' : `;${d.length}`}>`;
    case 'own':
    case 'borrow':
      return `${d.kind}<${k(d.resource)}>`;
    case 'stream':
    case 'future':
      return `${d.kind}<${k(d.element)}>`;
    default:
      return d.kind;
  }
}

/** The flat core type of a generated wrapper: the callee's, without the constants it appends. */
export function bindConstsSig(callee: FuncType, consts: number): FuncType {
  return { kind: 'func', params: callee.params.slice(0, callee.params.length - consts), results: callee.results };
}

/** An async lowering the output's p1 host cannot serve with a synchronous function (`why`). */
export function refuseAsyncImport(iface: string, func: string, offset: number | undefined, why?: string): never {
  const because = why ? `, and ${why}, so a synchronous host function cannot serve it` : '';
  throw new WasiAdaptError(
    'unsupported',
    `the import ${iface}#${func} is lowered async (WASI 0.3); a p1 host's imports are synchronous calls${because}: run it on a WASI 0.3 host`,
    { offset },
  );
}

/**
 * An async lowering of a non-WASI import, served by the p1 host's synchronous function of the
 * same WIT type: the call finishes during the lowering (RETURNED), its result stored at the
 * return pointer. `sync` is the host function's core type (the synchronous lowering's); `store`
 * says how to put a result the synchronous ABI returns as one flat value; `inMemory` the
 * parameters' tuple when the async ABI passes them in memory (5 to 16 flat values) and the
 * synchronous one on the stack. The reason instead when a handle crosses or the core type is not
 * the async lowering of the WIT type.
 */
export function asyncHostCall(type: FuncTypeRef, asyncSig: FuncType): { sync: FuncType; store: ResultStore | undefined; inMemory: Shape | undefined } | string {
  const { params, results } = signatureOf(type);
  const crossing = [...params, ...results].map(handleKind).find((k) => k !== undefined);
  if (crossing) return crossing === 'stream' ? 'a stream or future end crosses it (a p1 host cannot hold one)' : 'a resource handle crosses it';
  const flatParams = params.flatMap(flatten);
  // 5 to 16 flat parameters: in memory (a tuple) when async, on the stack when synchronous; the wrapper loads them.
  const inMemory: Shape | undefined = flatParams.length > MAX_FLAT_ASYNC_PARAMS && flatParams.length <= MAX_FLAT_PARAMS ? { k: 'record', fields: params } : undefined;
  const flatResults = results.flatMap(flatten);
  const syncParams: CoreType[] = flatParams.length > MAX_FLAT_PARAMS ? ['i32'] : flatParams;
  const sync: FuncType =
    flatResults.length > 1 ? { kind: 'func', params: [...syncParams, 'i32'], results: [] } : { kind: 'func', params: syncParams, results: flatResults };
  const expected: FuncType = { kind: 'func', params: [...(inMemory ? ['i32' as const] : syncParams), ...(results.length ? ['i32' as const] : [])], results: ['i32'] };
  if (!funcTypeEquals(expected, asyncSig)) return 'its core type is not the async lowering of its WIT type';
  if (flatResults.length !== 1) return { sync, store: undefined, inMemory };
  const store = storeOf(results[0]!);
  return store ? { sync, store, inMemory } : 'its one flat result has no plain store';
}

export interface ResultStore {
  type: CoreType;
  bytes: 1 | 2 | 4 | 8;
}

function storeOf(s: Shape): ResultStore | undefined {
  if (s.k === 'handle') return { type: 'i32', bytes: 4 };
  if (s.k === 'flags') return { type: 'i32', bytes: size(s) as 1 | 2 | 4 };
  if (s.k === 'variant' && s.cases.every((c) => c === undefined)) return { type: 'i32', bytes: discriminantSize(s.cases.length) };
  if (s.k !== 'prim') return undefined;
  const [type] = flatten(s);
  return { type: type!, bytes: size(s) as 1 | 2 | 4 | 8 };
}

/** The first handle a value holds: a resource's, or a stream's / future's / error context's (no resource type). */
function handleKind(s: Shape): 'resource' | 'stream' | undefined {
  switch (s.k) {
    case 'handle':
      return s.resource ? 'resource' : 'stream';
    case 'list':
      return handleKind(s.element);
    case 'record':
      return s.fields.map(handleKind).find((k) => k !== undefined);
    case 'variant':
      return s.cases.map((c) => (c === undefined ? undefined : handleKind(c))).find((k) => k !== undefined);
    default:
      return undefined;
  }
}

/** Async lowerings pass at most this many flat parameters on the stack (CanonicalABI.md). */
const MAX_FLAT_ASYNC_PARAMS = 4;
