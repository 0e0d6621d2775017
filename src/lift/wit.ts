/**
 * Parses the notation of wasi.ts into value types, and answers the two
 * canonical-ABI questions lifting needs: which options a lowering takes.
 */
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

/** Does a type hold memory (strings or lists)? */
function hasPointers(t: Ty | undefined, resolve: Resolve): boolean {
  if (!t) return false;
  switch (t.k) {
    case 'prim':
      return t.name === 'string';
    case 'list':
      return true;
    case 'option':
      return hasPointers(t.t, resolve);
    case 'tuple':
      return t.ts.some((x) => hasPointers(x, resolve));
    case 'result':
      return hasPointers(t.ok, resolve) || hasPointers(t.err, resolve);
    case 'ref': {
      const d = resolve(t.name);
      if (d?.k === 'record') return d.fields.some(([, x]) => hasPointers(x, resolve));
      if (d?.k === 'variant') return d.cases.some(([, x]) => hasPointers(x, resolve));
      return false;
    }
    default:
      return false;
  }
}

type Core = 'i32' | 'i64' | 'f32' | 'f64';

const WIDE: Record<string, Core> = { u64: 'i64', s64: 'i64', f32: 'f32', f64: 'f64' };

/** Two cases' values sharing one flat slot (Canonical ABI `join`). */
function join(a: Core, b: Core): Core {
  if (a === b) return a;
  return (a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32') ? 'i32' : 'i64';
}

/** A discriminant followed by the cases' payloads laid over each other. */
function flattenVariant(cases: (Ty | undefined)[], resolve: Resolve): Core[] {
  const out: Core[] = [];
  for (const c of cases) {
    flatten(c, resolve).forEach((t, i) => (out[i] = i < out.length ? join(out[i]!, t) : t));
  }
  return ['i32', ...out];
}

/** The core values a type flattens to (Canonical ABI `flatten_type`). */
function flatten(t: Ty | undefined, resolve: Resolve): Core[] {
  if (!t) return [];
  switch (t.k) {
    case 'prim':
      return t.name === 'string' ? ['i32', 'i32'] : [WIDE[t.name] ?? 'i32'];
    case 'list':
      return ['i32', 'i32'];
    case 'option':
      return flattenVariant([undefined, t.t], resolve);
    case 'tuple':
      return t.ts.flatMap((x) => flatten(x, resolve));
    case 'result':
      return flattenVariant([t.ok, t.err], resolve);
    case 'ref': {
      const d = resolve(t.name);
      if (d?.k === 'record') return d.fields.flatMap(([, x]) => flatten(x, resolve));
      if (d?.k === 'variant') return flattenVariant(d.cases.map(([, x]) => x), resolve);
      if (d?.k === 'flags') return Array<Core>(Math.ceil(d.names.length / 32)).fill('i32');
      return ['i32']; // enums and resources
    }
    default:
      return ['i32'];
  }
}

/** The core function type `canon lower` gives `f` (params spill to memory past 16, results past 1). */
export function loweredType(f: Func, resolve: Resolve): { params: Core[]; results: Core[] } {
  const params = f.params.flatMap(([, t]) => flatten(t, resolve));
  const results = flatten(f.result, resolve);
  return {
    params: [...(params.length > 16 ? ['i32' as const] : params), ...(results.length > 1 ? ['i32' as const] : [])],
    results: results.length > 1 ? [] : results,
  };
}

/** Canonical options a `canon lower` of `f` needs. */
export function lowerNeeds(f: Func, resolve: Resolve): { memory: boolean; realloc: boolean } {
  const params = f.params.map(([, t]) => t);
  const flatParams = params.flatMap((t) => flatten(t, resolve)).length;
  const realloc = hasPointers(f.result, resolve);
  const memory = realloc || flatParams > 16 || flatten(f.result, resolve).length > 1 || params.some((t) => hasPointers(t, resolve));
  return { memory, realloc }; // strings use the default encoding, utf8
}
