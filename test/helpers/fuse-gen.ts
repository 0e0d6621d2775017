// The generator of test/fuse.test.ts's property test: random WIT types (prims, strings, lists,
// tuples, options, results, and the named types: records, variants, enums, flags) and the text of
// a two-component composition passing values of them through (test host -> caller component ->
// callee component -> host import).
//
// Named types must be named wherever a function type refers to them (a component-level import or
// export may only refer to a record, variant, enum or flags through an imported or exported type):
// the host's instance type exports each as `t<k>`, the outer component aliases them, each inner
// component defines its own copy and imports it as `t<k>` with an `eq` bound (instantiated with the
// outer alias). The exported `test:fuse/api` instance refers to the host's (in WIT, it `use`s them
// from `test:fuse/host`; exporting them again would make WIT name one type twice, which jco refuses).
import type { CType } from '../harness/cabi.js';
import { camel, flatten, size } from '../harness/cabi.js';
import { sample } from '../harness/gen-values.js';
import { rng } from './rng.js';

const PRIMS = ['bool', 'u8', 's8', 'u16', 's16', 'u32', 's32', 'u64', 's64', 'f32', 'f64', 'char'] as const;
// Labels of two words, so that jco's camelCase record fields and flags are exercised.
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'omega'];

/** Random types for one composition, with the named ones among them in definition order (a named type after those it contains). */
export class TypeGen {
  /** Every record, variant, enum and flags type made, each before any that contains it. */
  readonly named: CType[] = [];
  private readonly r: () => number;

  constructor(seed: number) {
    this.r = rng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  private count(max: number): number {
    return 1 + Math.floor(this.r() * max);
  }

  /** `n` labels; a large count now and then (discriminants past one byte, 32 flags: the most the component model allows). */
  private labels(prefix: string, max: number, large: number): string[] {
    const n = this.r() < 0.15 ? large : this.count(max);
    return Array.from({ length: n }, (_, j) => `${prefix}-${WORDS[j % WORDS.length]}${j}`);
  }

  type(depth: number): CType {
    const leaf = ['prim', 'prim', 'string', 'enum', 'flags'] as const;
    const kind = depth >= 3 ? this.pick(leaf) : this.pick([...leaf, 'list', 'tuple', 'tuple', 'option', 'result', 'result', 'record', 'record', 'variant', 'variant'] as const);
    switch (kind) {
      case 'prim':
        return { k: this.pick(PRIMS) };
      case 'string':
        return { k: 'string' };
      case 'list':
        return { k: 'list', elem: this.type(depth + 1) };
      case 'tuple':
        return { k: 'tuple', types: Array.from({ length: this.count(4) }, () => this.type(depth + 1)) };
      case 'option':
        return { k: 'option', type: this.type(depth + 1) };
      case 'result': {
        const ok = this.r() < 0.8 ? this.type(depth + 1) : undefined;
        const err = this.r() < 0.8 ? this.type(depth + 1) : undefined;
        return { k: 'result', ...(ok ? { ok } : {}), ...(err ? { err } : {}) };
      }
      case 'enum':
        return this.name({ k: 'enum', names: this.labels('e', 5, 300) });
      case 'flags':
        return this.name({ k: 'flags', names: this.labels('f', 6, 32) });
      case 'record':
        return this.name({ k: 'record', fields: this.labels('x', 4, 4).map((name) => ({ name, type: this.type(depth + 1) })) });
      default:
        // Cases without payloads among those with one, of every flat shape (joined slots); a
        // large variant (two-byte discriminant) has payloads in its first cases only.
        return this.name({ k: 'variant', cases: this.labels('c', 4, 260).map((name, j) => (j < 4 && this.r() < 0.6 ? { name, type: this.type(depth + 1) } : { name })) });
    }
  }

  private name(t: CType): CType {
    this.named.push(t);
    return t;
  }
}

/** The component text of a type: a named type by its `$t<k>`, which the scope around defines. */
export function watType(t: CType, named: CType[]): string {
  const k = named.indexOf(t);
  if (k >= 0) return `$t${k}`;
  return watStructure(t, named);
}

function watStructure(t: CType, named: CType[]): string {
  const w = (x: CType) => watType(x, named);
  switch (t.k) {
    case 'list':
      return `(list ${w(t.elem)})`;
    case 'tuple':
      return `(tuple ${t.types.map(w).join(' ')})`;
    case 'option':
      return `(option ${w(t.type)})`;
    case 'result':
      return `(result${t.ok ? ` ${w(t.ok)}` : ''}${t.err ? ` (error ${w(t.err)})` : ''})`;
    case 'record':
      return `(record ${t.fields.map((f) => `(field "${f.name}" ${w(f.type)})`).join(' ')})`;
    case 'variant':
      return `(variant ${t.cases.map((c) => `(case "${c.name}"${c.type ? ` ${w(c.type)}` : ''})`).join(' ')})`;
    case 'enum':
      return `(enum ${t.names.map((n) => `"${n}"`).join(' ')})`;
    case 'flags':
      return `(flags ${t.names.map((n) => `"${n}"`).join(' ')})`;
    default:
      return t.k;
  }
}

/** Each named type defined and then imported (`import`) or exported (`export`) as `t<k>` with an `eq` bound, in order. */
function namedDecls(named: CType[], how: 'import' | 'export'): string {
  return named.map((t, k) => `(type $t${k}-def ${watStructure(t, named)}) (${how} "t${k}" (type $t${k} (eq $t${k}-def)))`).join('\n    ');
}

const flat = (t: CType) => flatten(t);
const params = (t: CType) => (flat(t).length > 16 ? ['i32'] : flat(t));

/** A component lifting `<out><i>` over a core function that forwards to its import `<in><i>`, each with its own memory. */
function forwarder(types: CType[], named: CType[], enc: string, imp: string, out: string): string {
  const RET = 16;
  const sig = (t: CType) => `(param "x" ${watType(t, named)}) (result ${watType(t, named)})`;
  const coreImports = types
    .map((t, i) => {
      const spill = flat(t).length > 1;
      return `(import "in" "${imp}${i}" (func $${imp}${i} (param ${[...params(t), ...(spill ? ['i32'] : [])].join(' ')}) (result ${spill ? '' : flat(t).join(' ')})))`;
    })
    .join('\n      ');
  const funcs = types
    .map((t, i) => {
      const spill = flat(t).length > 1;
      const gets = params(t).map((_, j) => `local.get ${j}`).join(' ');
      return `(func (export "${out}${i}") (param ${params(t).join(' ')}) (result ${spill ? 'i32' : flat(t).join(' ')}) ${gets} ${spill ? `i32.const ${RET}` : ''} call $${imp}${i} ${spill ? `i32.const ${RET}` : ''})`;
    })
    .join('\n      ');
  return `
    ${namedDecls(named, 'import')}
    ${types.map((t, i) => `(import "${imp}${i}" (func $${imp}${i} ${sig(t)}))`).join('\n    ')}
    (core module $Mem
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 4096))
      (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32) (local $i i32)
        (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1))) (i32.sub (i32.const 0) (local.get $align))))
        (global.set $next (i32.add (local.get $p) (local.get $size)))
        (if (i32.gt_u (global.get $next) (i32.shl (memory.size) (i32.const 16)))
          (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $next) (i32.shl (memory.size) (i32.const 16))) (i32.const 16)) (i32.const 1))) (i32.const -1)) (then unreachable))))
        (if (local.get $old)
          (then (block $done (loop $copy
            (br_if $done (i32.ge_u (local.get $i) (select (local.get $old-size) (local.get $size) (i32.lt_u (local.get $old-size) (local.get $size)))))
            (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.load8_u (i32.add (local.get $old) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy)))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (alias core export $mem "memory" (core memory $memory))
    (alias core export $mem "realloc" (core func $realloc))
    ${types.map((_, i) => `(core func $${imp}${i}-low (canon lower (func $${imp}${i}) (memory $memory) (realloc $realloc) string-encoding=${enc}))`).join('\n    ')}
    (core module $Main
      (import "mem" "memory" (memory 1))
      ${coreImports}
      ${funcs})
    (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "in" (instance ${types.map((_, i) => `(export "${imp}${i}" (func $${imp}${i}-low))`).join(' ')}))))
    ${types.map((t, i) => `(func (export "${out}${i}") ${sig(t)} (canon lift (core func $main "${out}${i}") (memory $memory) (realloc $realloc) string-encoding=${enc}))`).join('\n    ')}`;
}

/** test:fuse/api's `run<i>` in the caller calls the callee's `f<i>`, which calls the host's `g<i>`. */
export function composition(types: CType[], named: CType[], callerEnc: string, calleeEnc: string): string {
  const withTypes = named.map((_, k) => `(with "t${k}" (type $t${k}))`).join(' ');
  return `(component
  (import "test:fuse/host" (instance $host
    ${namedDecls(named, 'export')}
    ${types.map((t, i) => `(export "g${i}" (func (param "x" ${watType(t, named)}) (result ${watType(t, named)})))`).join('\n    ')}))
  ${named.map((_, k) => `(alias export $host "t${k}" (type $t${k}))`).join('\n  ')}
  (component $Callee ${forwarder(types, named, calleeEnc, 'g', 'f')})
  (component $Caller ${forwarder(types, named, callerEnc, 'f', 'run')})
  (instance $callee (instantiate $Callee ${withTypes} ${types.map((_, i) => `(with "g${i}" (func $host "g${i}"))`).join(' ')}))
  (instance $caller (instantiate $Caller ${withTypes} ${types.map((_, i) => `(with "f${i}" (func $callee "f${i}"))`).join(' ')}))
  (instance $api ${types.map((_, i) => `(export "run${i}" (func $caller "run${i}"))`).join(' ')})
  (export "test:fuse/api" (instance $api)))`;
}

/** `n` types whose values the harness can compare as they are (a top-level result is an exception on jco: wrapped in a tuple), and the named types among them. */
export function typesFor(seed: number, n: number): { types: CType[]; named: CType[] } {
  const gen = new TypeGen(seed);
  const types: CType[] = [];
  while (types.length < n) {
    const before = gen.named.length;
    let t = gen.type(0);
    if (t.k === 'result') t = { k: 'tuple', types: [t] };
    // Too large: drop it and the named types it made.
    if (size(t) > 2000) {
      gen.named.length = before;
      continue;
    }
    types.push(t);
  }
  return { types, named: gen.named };
}

/**
 * Value `i` (0..2) of a type, in jco's JS shapes: `sample`'s, except that a variant or enum takes
 * its first case in value 0, its last in value 1 and a middle one in value 2, so that large
 * ones pass discriminants past one byte.
 */
export function valueFor(t: CType, i: number): unknown {
  switch (t.k) {
    case 'variant': {
      const c = t.cases[caseIndex(t.cases.length, i)]!;
      return { tag: c.name, val: c.type ? valueFor(c.type, i) : undefined };
    }
    case 'enum':
      return t.names[caseIndex(t.names.length, i)];
    case 'record':
      return Object.fromEntries(t.fields.map((f) => [camel(f.name), valueFor(f.type, i)]));
    case 'tuple':
      return t.types.map((x) => valueFor(x, i));
    case 'list': {
      const items = sample(t, i) as ArrayLike<unknown>;
      // Numbers stay typed arrays (sample's); other elements are made here, in sample's order.
      if (ArrayBuffer.isView(items)) return items;
      return i === 0 ? [] : i === 1 ? [valueFor(t.elem, 1), valueFor(t.elem, 0)] : [valueFor(t.elem, 2)];
    }
    case 'option':
      if (i === 0) return t.type.k === 'option' ? { tag: 'none' } : undefined;
      return t.type.k === 'option' ? { tag: 'some', val: valueFor(t.type, i) } : valueFor(t.type, i);
    case 'result': {
      const payload = i % 2 === 0 ? t.ok : t.err;
      return { tag: i % 2 === 0 ? 'ok' : 'err', val: payload ? valueFor(payload, i) : undefined };
    }
    default:
      return sample(t, i);
  }
}

function caseIndex(n: number, i: number): number {
  return i === 0 ? 0 : i === 1 ? n - 1 : Math.floor(n / 2);
}
