/**
 * Parses the notation of wasi.ts into value types, and answers the two
 * canonical-ABI questions lifting needs (through abi.ts shapes, as world.ts
 * does for a world's functions): a lowering's core type and options.
 */
import type { CoreType, Shape } from '../component/abi.js';
import { abiOfShapes, type Prim } from './world.js';

export type Ty =
  | { k: 'prim'; name: string }
  | { k: 'ref'; name: string } // a named type or resource (bare resource = own)
  | { k: 'list' | 'option'; t: Ty }
  | { k: 'tuple'; ts: Ty[] }
  | { k: 'result'; ok?: Ty; err?: Ty }
  | { k: 'own' | 'borrow'; name: string };

export type Def =
  | { k: 'record'; fields: [string, Ty][] }
  | { k: 'variant'; cases: [string, Ty | undefined][] }
  | { k: 'enum' | 'flags'; names: string[] };

export interface Func {
  params: [string, Ty][];
  result?: Ty;
}

const PRIMS = new Set(['bool', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64', 'char', 'string']);

class Tokens {
  private readonly list: string[];
  private i = 0;
  constructor(src: string) {
    this.list = src.match(/->|[a-z0-9_-]+|[<>(){},:]/g) ?? [];
  }
  peek(): string | undefined {
    return this.list[this.i];
  }
  next(): string {
    const t = this.list[this.i++];
    if (t === undefined) throw new Error('wasi.ts: unexpected end of a type');
    return t;
  }
  eat(t: string): boolean {
    if (this.list[this.i] !== t) return false;
    this.i++;
    return true;
  }
  expect(t: string): void {
    if (!this.eat(t)) throw new Error(`wasi.ts: expected ${t} at ${this.list.slice(this.i).join(' ')}`);
  }
  /** `open item (, item)* close`, allowing an empty list. */
  seq<T>(open: string, close: string, item: () => T): T[] {
    this.expect(open);
    const out: T[] = [];
    while (!this.eat(close)) {
      out.push(item());
      this.eat(',');
    }
    return out;
  }
}

function ty(t: Tokens): Ty {
  const word = t.next();
  if (word === '_') throw new Error('wasi.ts: `_` outside result');
  if (PRIMS.has(word)) return { k: 'prim', name: word };
  switch (word) {
    case 'list':
    case 'option': {
      t.expect('<');
      const inner = ty(t);
      t.expect('>');
      return { k: word, t: inner };
    }
    case 'tuple':
      return { k: 'tuple', ts: t.seq('<', '>', () => ty(t)) };
    case 'own':
    case 'borrow': {
      t.expect('<');
      const name = t.next();
      t.expect('>');
      return { k: word, name };
    }
    case 'result': {
      t.expect('<');
      const ok = t.eat('_') ? undefined : ty(t);
      t.expect(',');
      const err = t.eat('_') ? undefined : ty(t);
      t.expect('>');
      return { k: 'result', ok, err };
    }
  }
  return { k: 'ref', name: word };
}

export function parseFunc(src: string): Func {
  const t = new Tokens(src);
  const params = t.seq('(', ')', (): [string, Ty] => {
    const name = t.next();
    t.expect(':');
    return [name, ty(t)];
  });
  return { params, result: t.eat('->') ? ty(t) : undefined };
}

export function parseDef(src: string): Def {
  const t = new Tokens(src);
  const kind = t.next();
  switch (kind) {
    case 'record':
      return {
        k: 'record',
        fields: t.seq('{', '}', (): [string, Ty] => {
          const name = t.next();
          t.expect(':');
          return [name, ty(t)];
        }),
      };
    case 'variant':
      return {
        k: 'variant',
        cases: t.seq('{', '}', (): [string, Ty | undefined] => {
          const name = t.next();
          if (t.peek() !== '(') return [name, undefined];
          t.expect('(');
          const payload = ty(t);
          t.expect(')');
          return [name, payload];
        }),
      };
    case 'enum':
    case 'flags':
      return { k: kind, names: t.seq('{', '}', () => t.next()) };
  }
  throw new Error(`wasi.ts: unknown type definition ${kind}`);
}

/** Every named type a type mentions (references, own/borrow targets). */
export function namesIn(t: Ty | undefined, out: Set<string>): void {
  if (!t) return;
  switch (t.k) {
    case 'ref':
    case 'own':
    case 'borrow':
      out.add(t.name);
      break;
    case 'list':
    case 'option':
      namesIn(t.t, out);
      break;
    case 'tuple':
      t.ts.forEach((x) => namesIn(x, out));
      break;
    case 'result':
      namesIn(t.ok, out);
      namesIn(t.err, out);
      break;
  }
}

export function defNames(d: Def, out: Set<string>): void {
  if (d.k === 'record') d.fields.forEach(([, t]) => namesIn(t, out));
  else if (d.k === 'variant') d.cases.forEach(([, t]) => namesIn(t, out));
}

/** Looks a named type up: its definition, or undefined for resources. */
export type Resolve = (name: string) => Def | undefined;

/** The Canonical ABI shape of a type (abi.ts): a bare resource name is an own handle. */
function shapeOf(t: Ty | undefined, resolve: Resolve): Shape | undefined {
  if (!t) return undefined;
  const sub = (x: Ty | undefined) => shapeOf(x, resolve);
  switch (t.k) {
    case 'prim':
      return t.name === 'string' ? { k: 'string' } : { k: 'prim', type: t.name as Exclude<Prim, 'string'> };
    case 'list':
      return { k: 'list', element: sub(t.t)!, length: undefined };
    case 'option':
      return { k: 'variant', cases: [undefined, sub(t.t)], of: 'option' };
    case 'tuple':
      return { k: 'record', fields: t.ts.map((x) => sub(x)!) };
    case 'result':
      return { k: 'variant', cases: [sub(t.ok), sub(t.err)], of: 'result' };
    case 'own':
    case 'borrow':
      return { k: 'handle', borrow: t.k === 'borrow' };
    case 'ref': {
      const d = resolve(t.name);
      if (!d) return { k: 'handle' };
      if (d.k === 'record') return { k: 'record', fields: d.fields.map(([, x]) => sub(x)!) };
      if (d.k === 'variant') return { k: 'variant', cases: d.cases.map(([, x]) => sub(x)) };
      if (d.k === 'enum') return { k: 'variant', cases: d.names.map(() => undefined) };
      return { k: 'flags', count: d.names.length };
    }
  }
}

const abi = (f: Func, resolve: Resolve) => abiOfShapes(f.params.map(([, t]) => shapeOf(t, resolve)!), shapeOf(f.result, resolve));

/** The core function type `canon lower` gives `f` (params spill to memory past 16, results past 1). */
export function loweredType(f: Func, resolve: Resolve): { params: CoreType[]; results: CoreType[] } {
  return abi(f, resolve).lower;
}

/** Canonical options a `canon lower` of `f` needs (strings use the default encoding, utf8). */
export function lowerNeeds(f: Func, resolve: Resolve): { memory: boolean; realloc: boolean } {
  return abi(f, resolve).lowerNeeds;
}
