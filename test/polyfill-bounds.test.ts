// Every export writes its result inside [retptr, retptr + size) and nowhere else but its own
// state and the values it returns, and calls cabi.realloc only when its result holds a string or
// list. Sizes come from the WASI 0.2.12 WIT through a small canonical-ABI layout calculator, so
// a layout mistake in the polyfill cannot hide in a hand-written table.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from '../src/adapters/p2-on-p1/finish.js';
import { POLYFILL_SIGNATURES } from '../src/adapters/p2-on-p1/signatures.js';
import { Exit, Host, POLYFILL_PATH, type Allocation, type P1Imports } from './polyfill-host.js';

// ---- WIT: just enough to read wasi:cli/imports@0.2.12 and wasi:http@0.2.12 ----

type Ty =
  | { k: 'prim'; name: string }
  | { k: 'string' }
  | { k: 'list' | 'option'; t: Ty }
  | { k: 'result'; ok: Ty | undefined; err: Ty | undefined }
  | { k: 'tuple'; ts: Ty[] }
  | { k: 'handle'; iface: string; name: string } // own or borrow: an i32 either way
  | { k: 'named'; iface: string; name: string };

type Def =
  | { k: 'record'; ts: Ty[] }
  | { k: 'variant'; cases: (Ty | undefined)[] }
  | { k: 'enum'; n: number }
  | { k: 'flags'; n: number }
  | { k: 'alias'; t: Ty }
  | { k: 'resource' };

interface WitFunc {
  params: Ty[];
  result: Ty | undefined;
}

const WIT_DIR = join(import.meta.dirname, '..', 'node_modules', '@bytecodealliance', 'jco', 'lib', 'wit', 'builtin', '0.2.12');
/** `wasi:io/streams` -> its types, and `use`d names -> where they are defined. */
const defs = new Map<string, Map<string, Def>>();
const uses = new Map<string, Map<string, { iface: string; name: string }>>();
/** Canonical core names, e.g. `wasi:io/streams#[method]output-stream.write`. */
const funcs = new Map<string, WitFunc>();

function readWit(src: string): void {
  // `wasi:io/streams@0.2.12.` and `error.` stay one token (a `use` path); `name:` does not.
  const toks = (src.match(/->|[\w%-]+:[\w/@.%-]+|[\w%-][\w/@.%-]*|[{}()<>,;=:@]/g) ?? []).map((t) => t.replace(/^%/, '')); // %stream: an escaped keyword
  let i = 0;
  let pkg = '';
  const next = (): string => {
    const t = toks[i++];
    if (t === undefined) throw new Error('WIT: unexpected end');
    return t;
  };
  const expectTok = (t: string): void => {
    const got = next();
    if (got !== t) throw new Error(`WIT: expected ${t}, got ${got} at token ${i}`);
  };
  const skipGroup = (open: string, close: string): void => {
    expectTok(open);
    for (let depth = 1; depth > 0;) {
      const t = next();
      if (t === open) depth++;
      if (t === close) depth--;
    }
  };
  const skipGates = (): void => {
    while (toks[i] === '@') {
      i += 2;
      skipGroup('(', ')');
    }
  };
  const ty = (iface: string): Ty => {
    const word = next();
    const inner = (): Ty => {
      expectTok('<');
      const t = ty(iface);
      expectTok('>');
      return t;
    };
    switch (word) {
      case 'string':
        return { k: 'string' };
      case 'list':
      case 'option':
        return { k: word, t: inner() };
      case 'own':
      case 'borrow': {
        expectTok('<');
        const name = next();
        expectTok('>');
        return { k: 'handle', iface, name };
      }
      case 'tuple': {
        expectTok('<');
        const ts: Ty[] = [];
        while (toks[i] !== '>') {
          ts.push(ty(iface));
          if (toks[i] === ',') i++;
        }
        i++;
        return { k: 'tuple', ts };
      }
      case 'result': {
        if (toks[i] !== '<') return { k: 'result', ok: undefined, err: undefined };
        i++;
        const ok = toks[i] === '_' ? (i++, undefined) : ty(iface);
        let err: Ty | undefined;
        if (toks[i] === ',') {
          i++;
          err = ty(iface);
        }
        expectTok('>');
        return { k: 'result', ok, err };
      }
      default:
        return /^(bool|[us](8|16|32|64)|f32|f64|char)$/.test(word) ? { k: 'prim', name: word } : { k: 'named', iface, name: word };
    }
  };
  const paramList = (iface: string, self: string | undefined): Ty[] => {
    expectTok('(');
    const params: Ty[] = self ? [{ k: 'handle', iface, name: self }] : [];
    while (toks[i] !== ')') {
      next(); // parameter name
      expectTok(':');
      params.push(ty(iface));
      if (toks[i] === ',') i++;
    }
    i++;
    return params;
  };
  const func = (iface: string, self: string | undefined): WitFunc => {
    expectTok('func');
    const params = paramList(iface, self);
    const result = toks[i] === '->' ? (i++, ty(iface)) : undefined;
    expectTok(';');
    return { params, result };
  };
  const names = (close: string): number => {
    let n = 0;
    for (let t = next(); t !== close; t = next()) if (t !== ',') n++;
    return n;
  };
  const body = (iface: string): void => {
    const types = new Map<string, Def>();
    const used = new Map<string, { iface: string; name: string }>();
    defs.set(iface, types);
    uses.set(iface, used);
    expectTok('{');
    for (;;) {
      skipGates();
      const word = next();
      if (word === '}') return;
      if (word === 'use') {
        const path = next().replace(/\.$/, '').replace(/@[\d.]+$/, '');
        const from = path.includes(':') ? path : `${pkg}/${path}`;
        expectTok('{');
        for (let t = next(); t !== '}'; t = next()) {
          if (t === ',') continue;
          const local = toks[i] === 'as' ? (i++, next()) : t;
          used.set(local, { iface: from, name: t });
        }
        expectTok(';');
      } else if (word === 'type') {
        const name = next();
        expectTok('=');
        types.set(name, { k: 'alias', t: ty(iface) });
        expectTok(';');
      } else if (word === 'record' || word === 'variant') {
        const name = next();
        expectTok('{');
        const items: (Ty | undefined)[] = [];
        while (toks[i] !== '}') {
          next(); // field or case name
          if (word === 'record') {
            expectTok(':');
            items.push(ty(iface));
          } else if (toks[i] === '(') {
            i++;
            items.push(ty(iface));
            expectTok(')');
          } else {
            items.push(undefined);
          }
          if (toks[i] === ',') i++;
        }
        i++;
        types.set(name, word === 'record' ? { k: 'record', ts: items as Ty[] } : { k: 'variant', cases: items });
      } else if (word === 'enum' || word === 'flags') {
        const name = next();
        expectTok('{');
        types.set(name, { k: word, n: names('}') });
      } else if (word === 'resource') {
        const name = next();
        types.set(name, { k: 'resource' });
        if (toks[i] === ';') {
          i++;
        } else {
          expectTok('{');
          for (skipGates(); toks[i] !== '}'; skipGates()) {
            const method = next();
            if (method === 'constructor') {
              const params = paramList(iface, undefined);
              expectTok(';');
              funcs.set(`${iface}#[constructor]${name}`, { params, result: { k: 'handle', iface, name } });
              continue;
            }
            expectTok(':');
            const isStatic = toks[i] === 'static' ? (i++, true) : false;
            funcs.set(`${iface}#[${isStatic ? 'static' : 'method'}]${name}.${method}`, func(iface, isStatic ? undefined : name));
          }
          i++;
        }
        funcs.set(`${iface}#[resource-drop]${name}`, { params: [{ k: 'handle', iface, name }], result: undefined });
      } else {
        expectTok(':');
        funcs.set(`${iface}#${word}`, func(iface, undefined));
      }
    }
  };
  while (i < toks.length) {
    skipGates();
    const word = next();
    if (word === 'package') {
      pkg = next().replace(/@[\d.]+$/, '');
      expectTok(';');
    } else if (word === 'interface') {
      body(`${pkg}/${next()}`);
    } else if (word === 'world') {
      next();
      skipGroup('{', '}');
    } else {
      throw new Error(`WIT: unexpected ${word}`);
    }
  }
}

/** Where a name used in `iface` is defined (following `use`). */
function lookup(iface: string, name: string): { iface: string; name: string } {
  for (;;) {
    if (defs.get(iface)?.has(name)) return { iface, name };
    const used = uses.get(iface)?.get(name);
    if (!used) throw new Error(`WIT: unknown type ${iface}#${name}`);
    ({ iface, name } = used);
  }
}

function def(t: { iface: string; name: string }): Def {
  const at = lookup(t.iface, t.name);
  return defs.get(at.iface)!.get(at.name)!;
}

// ---- canonical ABI layout (CanonicalABI.md: alignment, elem_size, flatten) ----

type Core = 'i32' | 'i64' | 'f32' | 'f64';
interface Layout {
  size: number;
  align: number;
  flat: Core[];
  /** A string or list somewhere inside: lowering it back to the guest allocates. */
  allocates: boolean;
}

const alignTo = (n: number, a: number): number => Math.ceil(n / a) * a;
const discriminant = (cases: number): Layout => {
  const size = cases <= 256 ? 1 : cases <= 65536 ? 2 : 4;
  return { size, align: size, flat: ['i32'], allocates: false };
};
const PRIM: Record<string, [number, Core]> = {
  bool: [1, 'i32'], u8: [1, 'i32'], s8: [1, 'i32'], u16: [2, 'i32'], s16: [2, 'i32'], u32: [4, 'i32'], s32: [4, 'i32'],
  char: [4, 'i32'], f32: [4, 'f32'], u64: [8, 'i64'], s64: [8, 'i64'], f64: [8, 'f64'],
};

function fields(ts: Ty[]): Layout {
  let size = 0;
  let align = 1;
  const flat: Core[] = [];
  let allocates = false;
  for (const t of ts) {
    const l = layout(t);
    size = alignTo(size, l.align) + l.size;
    align = Math.max(align, l.align);
    flat.push(...l.flat);
    allocates ||= l.allocates;
  }
  return { size: alignTo(size, align), align, flat, allocates };
}

function variant(cases: (Ty | undefined)[]): Layout {
  const disc = discriminant(cases.length);
  const payloads = cases.map((c) => (c ? layout(c) : undefined));
  const caseAlign = Math.max(1, ...payloads.map((p) => p?.align ?? 1));
  const align = Math.max(disc.align, caseAlign);
  const payloadSize = Math.max(0, ...payloads.map((p) => p?.size ?? 0));
  const flat: Core[] = [];
  for (const p of payloads) {
    p?.flat.forEach((t, k) => {
      const had = flat[k];
      flat[k] = had === undefined || had === t ? t : (had === 'i32' && t === 'f32') || (had === 'f32' && t === 'i32') ? 'i32' : 'i64';
    });
  }
  return {
    size: alignTo(alignTo(disc.size, caseAlign) + payloadSize, align),
    align,
    flat: ['i32', ...flat],
    allocates: payloads.some((p) => p?.allocates),
  };
}

function layout(t: Ty): Layout {
  switch (t.k) {
    case 'prim': {
      const [size, core] = PRIM[t.name]!;
      return { size, align: size, flat: [core], allocates: false };
    }
    case 'string':
    case 'list':
      return { size: 8, align: 4, flat: ['i32', 'i32'], allocates: true };
    case 'handle':
      return { size: 4, align: 4, flat: ['i32'], allocates: false };
    case 'tuple':
      return fields(t.ts);
    case 'option':
      return variant([undefined, t.t]);
    case 'result':
      return variant([t.ok, t.err]);
    case 'named': {
      const d = def(t);
      switch (d.k) {
        case 'record':
          return fields(d.ts);
        case 'variant':
          return variant(d.cases);
        case 'enum':
          return discriminant(d.n);
        case 'flags': {
          const size = d.n === 0 ? 0 : d.n <= 8 ? 1 : d.n <= 16 ? 2 : 4 * Math.ceil(d.n / 32);
          return { size, align: Math.max(1, Math.min(size, 4)), flat: new Array<Core>(Math.ceil(d.n / 32)).fill('i32'), allocates: false };
        }
        case 'alias':
          return layout(d.t);
        case 'resource':
          return layout({ ...t, k: 'handle' });
      }
    }
  }
}

function isByte(t: Ty): boolean {
  if (t.k === 'prim') return t.name === 'u8';
  if (t.k !== 'named') return false;
  const d = def(t);
  return d.k === 'alias' && isByte(d.t);
}

/** A bare resource name used as a type is an own handle: resolve it so arguments can find one. */
function resourceOf(t: Ty): string | undefined {
  if (t.k !== 'handle' && t.k !== 'named') return undefined;
  const d = def(t);
  if (d.k === 'alias') return resourceOf(d.t);
  const at = lookup(t.iface, t.name);
  return d.k === 'resource' ? `${at.iface}#${at.name}` : undefined;
}

for (const pkg of readdirSync(WIT_DIR)) readWit(readFileSync(join(WIT_DIR, pkg, 'package.wit'), 'utf8'));

interface Target {
  name: string;
  wit: WitFunc;
  /** The result's layout when it goes through a return pointer (more than one flat value). */
  ret: Layout | undefined;
  allocates: boolean;
}

const targets: Target[] = [...POLYFILL_SIGNATURES.keys()].map((name) => {
  const wit = funcs.get(name);
  if (!wit) throw new Error(`${name} is not in the WIT`);
  const result = wit.result ? layout(wit.result) : undefined;
  return { name, wit, ret: result && result.flat.length > 1 ? result : undefined, allocates: result?.allocates ?? false };
});

it('the layout calculator agrees with the core signatures derived from the WIT', () => {
  expect(targets).toHaveLength(200);
  for (const t of targets) {
    const params = t.wit.params.flatMap((p) => layout(p).flat);
    const results = t.wit.result && !t.ret ? layout(t.wit.result).flat : [];
    expect(`${[...params, ...(t.ret ? ['i32'] : [])].join(' ')} -> ${results.join(' ')}`, t.name)
      .toBe(`${POLYFILL_SIGNATURES.get(t.name)!.params.join(' ')} -> ${POLYFILL_SIGNATURES.get(t.name)!.results.join(' ')}`);
  }
  const sizeOf = (name: string): [number, number] => {
    const r = targets.find((t) => t.name === name)!.ret!;
    return [r.size, r.align];
  };
  // Spot checks worked out by hand from CanonicalABI.md.
  expect(sizeOf('wasi:io/streams#[method]output-stream.blocking-write-and-flush')).toEqual([12, 4]);
  expect(sizeOf('wasi:io/streams#[method]output-stream.check-write')).toEqual([16, 8]);
  expect(sizeOf('wasi:filesystem/types#[method]descriptor.stat')).toEqual([104, 8]);
  expect(sizeOf('wasi:filesystem/types#[method]descriptor.get-flags')).toEqual([2, 1]);
  expect(sizeOf('wasi:sockets/tcp#[method]tcp-socket.accept')).toEqual([16, 4]);
  // error-code: 39 cases, the widest payload option<field-size-payload> (24 bytes), align 8 (option<u64>).
  expect(sizeOf('wasi:http/outgoing-handler#handle')).toEqual([40, 8]);
  expect(sizeOf('wasi:http/types#http-error-code')).toEqual([40, 8]);
  expect(sizeOf('wasi:http/types#[static]outgoing-body.finish')).toEqual([40, 8]);
  expect(sizeOf('wasi:http/types#[static]fields.from-list')).toEqual([8, 4]);
  expect(sizeOf('wasi:http/types#[method]fields.set')).toEqual([2, 1]);
  expect(sizeOf('wasi:http/types#[method]outgoing-request.scheme')).toEqual([16, 4]);
  expect(sizeOf('wasi:http/types#[method]request-options.connect-timeout')).toEqual([16, 8]);
});

// ---- static: only functions returning a string or list can reach cabi.realloc ----

it('only functions whose result holds a string or list can reach cabi.realloc', () => {
  const m = parse(new Uint8Array(readFileSync(POLYFILL_PATH)));
  const funcImports = m.imports.filter((i) => i.kind === 0);
  const realloc = funcImports.findIndex((i) => i.module === 'cabi' && i.field === 'realloc');
  const reaches = (name: string): boolean => {
    const todo = [m.exports.find((e) => e.name === name)!.index];
    const seen = new Set<number>();
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      if (f === realloc) return true;
      if (f < funcImports.length || seen.has(f)) continue;
      seen.add(f);
      todo.push(...m.bodies[f - funcImports.length]!.calls);
    }
    return false;
  };
  expect(targets.filter((t) => !t.allocates && reaches(t.name)).map((t) => t.name)).toEqual([]);
  // initial-cwd (always none), the socket and incoming http methods (always trap), the
  // error-code results that are never an error with a string (finish, http-error-code) never
  // allocate either.
  expect(targets.filter((t) => t.allocates && !reaches(t.name)).map((t) => t.name).sort()).toEqual([
    'wasi:cli/environment#initial-cwd',
    'wasi:http/types#[method]future-incoming-response.get',
    'wasi:http/types#[method]future-trailers.get',
    'wasi:http/types#[method]incoming-request.authority',
    'wasi:http/types#[method]incoming-request.method',
    'wasi:http/types#[method]incoming-request.path-with-query',
    'wasi:http/types#[method]incoming-request.scheme',
    'wasi:http/types#[static]outgoing-body.finish',
    'wasi:http/types#http-error-code',
    'wasi:sockets/udp#[method]incoming-datagram-stream.receive',
  ]);
});

// ---- dynamic: call everything, watch all of memory ----

it('the first handle allocates the handle table from cabi.state_realloc (it once lived at address 0)', () => {
  const h = new Host();
  for (let n = 0; n < 3; n++) h.call('wasi:cli/stdout#get-stdout');
  expect(h.stateReallocs).toContainEqual(expect.objectContaining({ align: 8, size: 16 * 32 }));
  expect(h.reallocs).toEqual([]);
  expect(h.bytes(0, 1024).every((b) => b === 0)).toBe(true); // Host leaves [0, 1024) to nobody
});

const base = mkdtempSync(join(tmpdir(), 'polyfill-bounds-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;

/** Resources no call can create (see README): their functions can only trap. */
const UNCREATABLE = new RegExp('#(tcp-socket|udp-socket|incoming-datagram-stream|outgoing-datagram-stream|resolve-address-stream|terminal-input|terminal-output'
  + '|incoming-request|response-outparam|incoming-response|incoming-body|future-trailers|future-incoming-response)$');
const FILE = 'f.txt';
const ERRNO_IO = 29;

type Mode = 'ok' | 'failing' | 'after failure';
type DescriptorKind = 'directory' | 'file';

interface Outcome {
  returned: boolean;
  /** Bytes changed outside the result, its allocations and the polyfill's state, as offsets from retptr. */
  stray: number[];
  guestReallocs: number;
}

class Run {
  readonly host: Host;
  private failing = false;
  private readonly handles = new Map<string, number>();

  constructor(private readonly descriptorKind: DescriptorKind) {
    const dir = join(base, String(dirs++));
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, FILE), 'hello');
    symlinkSync(FILE, join(dir, 'link'));
    // Fault injection: every p1 call but proc_exit fails while `failing` is set.
    const inject = (real: P1Imports): Partial<P1Imports> =>
      Object.fromEntries(Object.entries(real).filter(([k]) => k !== 'proc_exit').map(([k, f]) => [k, (...a: never[]) => (this.failing ? ERRNO_IO : f(...a))]));
    this.host = new Host({ preopens: { '/': dir }, p1: inject });
  }

  private handle(resource: string): number {
    let h = this.handles.get(resource);
    if (h === undefined) {
      h = this.create(resource);
      this.handles.set(resource, h);
    }
    return h;
  }

  private create(resource: string): number {
    const h = this.host;
    const r = h.ret();
    const fsCall = (f: string, ...args: (number | bigint)[]): number => {
      h.call(`wasi:filesystem/types#${f}`, ...args, r);
      if (h.u8(r) !== 0) throw new Error(`${f} failed`);
      return h.u32(r + 4);
    };
    const preopen = (): number => {
      h.call('wasi:filesystem/preopens#get-directories', r);
      return h.u32(h.u32(r));
    };
    const file = (): number => fsCall('[method]descriptor.open-at', preopen(), 0, ...h.put(FILE), 0, 3); // read | write
    switch (resource) {
      case 'wasi:filesystem/types#descriptor':
        return this.descriptorKind === 'file' ? file() : preopen();
      case 'wasi:filesystem/types#directory-entry-stream':
        return fsCall('[method]descriptor.read-directory', preopen());
      case 'wasi:io/streams#input-stream':
        return fsCall('[method]descriptor.read-via-stream', file(), 0n);
      case 'wasi:io/streams#output-stream':
        return fsCall('[method]descriptor.write-via-stream', file(), 0n);
      case 'wasi:io/poll#pollable':
        return Number(h.call('wasi:clocks/monotonic-clock#subscribe-duration', 3n));
      case 'wasi:sockets/network#network':
        return Number(h.call('wasi:sockets/instance-network#instance-network'));
      case 'wasi:http/types#fields':
        return Number(h.call('wasi:http/types#[constructor]fields'));
      case 'wasi:http/types#request-options':
        return Number(h.call('wasi:http/types#[constructor]request-options'));
      case 'wasi:http/types#outgoing-request':
        return Number(h.call('wasi:http/types#[constructor]outgoing-request', h.call('wasi:http/types#[constructor]fields')!));
      case 'wasi:http/types#outgoing-response':
        return Number(h.call('wasi:http/types#[constructor]outgoing-response', h.call('wasi:http/types#[constructor]fields')!));
      case 'wasi:http/types#outgoing-body':
        h.call('wasi:http/types#[method]outgoing-request.body', this.create('wasi:http/types#outgoing-request'), r);
        if (h.u8(r) !== 0) throw new Error('outgoing-request.body failed');
        return h.u32(r + 4);
      case 'wasi:io/error#error': {
        const s = fsCall('[method]descriptor.write-via-stream', file(), 0n);
        this.failing = true;
        h.call('wasi:io/streams#[method]output-stream.write', s, ...h.put('x'), r);
        this.failing = false;
        return h.u32(r + 8); // last-operation-failed(error)
      }
      default:
        if (!UNCREATABLE.test(resource)) throw new Error(`no way to make a ${resource}`);
        return 0x7fff; // never issued: the call traps
    }
  }

  /** Core arguments for `t`: real handles, short strings, small numbers, zeros for the rest. */
  private args(t: Ty): (number | bigint)[] {
    const resource = resourceOf(t);
    if (resource) return [this.handle(resource)];
    if (t.k === 'string') return this.host.put(FILE);
    if (t.k === 'list') {
      const element = resourceOf(t.t);
      if (!element) return isByte(t.t) ? this.host.put('hi') : [this.host.alloc(8, 0), 0]; // other lists: empty

      const p = this.host.alloc(4, 4);
      this.host.setU32(p, this.handle(element));
      return [p, 1];
    }
    return layout(t).flat.map((c) => (c === 'i64' ? 3n : t.k === 'prim' ? 3 : 0));
  }

  /** Calls `target` once; memory must change only inside the result, its allocations and the state blocks. */
  call(target: Target, mode: Mode): Outcome {
    const h = this.host;
    const args = target.wit.params.flatMap((p) => this.args(p));
    const size = target.ret?.size ?? 0;
    // 64 canary bytes either side of the return area, so writes of unchanged values show too.
    const area = h.alloc(8, size + 128);
    const retptr = area + 64;
    const at = target.ret ? retptr : undefined; // only functions with a return pointer get one
    h.bytes(area, size + 128).forEach((_, k, b) => (b[k] = (k * 29 + 0xa5) & 0xff));
    if (mode === 'after failure') {
      this.failing = true;
      this.invoke(target, args, at);
      this.failing = false;
    }
    this.failing = mode === 'failing';
    const before = new Uint8Array(h.memory.buffer).slice();
    const reallocs = h.reallocs.length;
    const returned = this.invoke(target, args, at);
    this.failing = false;
    const allowed: Allocation[] = [...h.reallocs.slice(reallocs), ...h.stateReallocs];
    if (target.ret) allowed.push({ ptr: retptr, size, align: 1 });
    const after = new Uint8Array(h.memory.buffer);
    const stray: number[] = [];
    for (let p = 0; p < before.length; p++) {
      if (before[p] !== after[p] && !allowed.some((a) => p >= a.ptr && p < a.ptr + a.size)) stray.push(p - retptr);
    }
    return { returned, stray, guestReallocs: h.reallocs.length - reallocs };
  }

  private invoke(target: Target, args: (number | bigint)[], retptr: number | undefined): boolean {
    try {
      this.host.call(target.name, ...args, ...(retptr === undefined ? [] : [retptr]));
      return true;
    } catch (e) {
      if (e instanceof Exit) return true;
      if (e instanceof WebAssembly.RuntimeError) return false;
      throw e;
    }
  }
}

describe('every export stays inside its result', () => {
  const returned = new Set<string>();
  const modes: Mode[] = ['ok', 'failing', 'after failure'];
  for (const kind of ['directory', 'file'] as const) {
    for (const mode of modes) {
      it(`descriptors on a ${kind}, p1 ${mode}`, () => {
        const problems: string[] = [];
        for (const target of targets) {
          const run = new Run(kind);
          // Three calls in a row also reach end of stream / end of directory.
          for (let n = 0; n < (mode === 'ok' ? 3 : 1); n++) {
            const o = run.call(target, mode);
            if (o.stray.length) problems.push(`${target.name} (${kind}, ${mode}): wrote at retptr${o.stray.map((d) => (d < 0 ? d : `+${d}`)).join(', ')}`);
            if (o.guestReallocs && !target.allocates) problems.push(`${target.name} (${kind}, ${mode}): called cabi.realloc ${o.guestReallocs}x`);
            if (!o.returned) break;
            returned.add(target.name);
          }
        }
        expect(problems).toEqual([]);
      });
    }
  }

  // Sums up the runs above (vitest runs a file's tests in order).
  it('returns from every function whose handles can exist', () => {
    const onlyTrap = targets.filter((t) => !returned.has(t.name)).map((t) => t.name);
    const uncreatable = targets.filter((t) => t.wit.params.some((p) => UNCREATABLE.test(resourceOf(p) ?? ''))).map((t) => t.name);
    expect(onlyTrap).toEqual(uncreatable);
  });
});
