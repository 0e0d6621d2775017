import { BinaryReader } from '../../binary/reader.js';
import { BinaryWriter } from '../../binary/writer.js';
import { WasiAdaptError } from '../../errors.js';
import { outsideFeatures } from './opcodes.js';
import { P1_SIGNATURES } from './p1-signatures.js';
import { POLYFILL_SIGNATURES, assemblyName, type CoreSignature, type CoreValType } from './signatures.js';

// A deliberately small module reader: the polyfill build only needs section
// boundaries, types, imports, exports and bodies, and stays independent of
// the full decoder in src/binary/module.ts.

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'data count', 'tag'];
const VALTYPES: Record<number, CoreValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
/** AssemblyScript names of WASI functions start with their package (see assemblyName). */
const API_PREFIX = /^(cli|io|clocks|random|filesystem|sockets|http)_/;
const REALLOC: CoreSignature = { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };

interface Section {
  readonly id: number;
  readonly body: BinaryReader;
  readonly raw: Uint8Array; // id, size and body, for re-emitting unchanged
}

export interface Export {
  readonly name: string;
  readonly kind: number;
  readonly index: number;
}

export interface Import {
  readonly module: string;
  readonly field: string;
  readonly kind: number;
  readonly type: CoreSignature | undefined; // functions only
  readonly memoryFlags: number | undefined;
}

export interface Parsed {
  readonly sections: Section[];
  readonly imports: Import[];
  readonly funcTypes: CoreSignature[]; // the whole function index space
  readonly exports: Export[];
  readonly bodies: { readonly size: number; readonly calls: number[] }[]; // defined functions, in order
  readonly problems: string[];
}

/** The parts of a core module the polyfill's checks need (also used by tests). */
export function parse(bytes: Uint8Array): Parsed {
  const r = new BinaryReader(bytes);
  const header = r.bytes(8);
  if (header.join() !== '0,97,115,109,1,0,0,0') r.fail('not-wasm', 'not a core WebAssembly module', 0);
  const sections: Section[] = [];
  const types: CoreSignature[] = [];
  const imports: Import[] = [];
  const funcTypes: CoreSignature[] = [];
  const exports: Export[] = [];
  const bodies: Parsed['bodies'] = [];
  const problems: string[] = [];
  const valtype = (s: BinaryReader): CoreValType => {
    const b = s.u8();
    const t = VALTYPES[b];
    if (!t) problems.push(`value type 0x${b.toString(16)} (SIMD or reference types)`);
    return t ?? 'i32';
  };
  while (!r.eof()) {
    const start = r.pos;
    const id = r.u8();
    const body = r.fork(r.u32());
    sections.push({ id, body: new BinaryReader(bytes, 0, body.pos, body.end), raw: bytes.subarray(start, r.pos) });
    if (id === 1) {
      for (let n = body.count(); n > 0; n--) {
        if (body.u8() !== 0x60) body.fail('bad-section', 'type is not a function type');
        const params = Array.from({ length: body.count() }, () => valtype(body));
        const results = Array.from({ length: body.count() }, () => valtype(body));
        if (results.length > 1) problems.push('function type with several results (multi-value)');
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = body.count(); n > 0; n--) {
        const module = body.name();
        const field = body.name();
        const kind = body.u8();
        let type: CoreSignature | undefined;
        let memoryFlags: number | undefined;
        if (kind === 0) {
          type = types[body.u32()];
          if (type) funcTypes.push(type);
        } else if (kind === 2) {
          memoryFlags = body.u8();
          body.u32();
          if (memoryFlags & 1) body.u32();
        } else {
          problems.push(`import ${module}.${field} of kind ${kind}`);
          break;
        }
        imports.push({ module, field, kind, type, memoryFlags });
      }
    } else if (id === 3) {
      for (let n = body.count(); n > 0; n--) {
        const type = types[body.u32()];
        if (!type) body.fail('bad-section', 'function type index out of range');
        funcTypes.push(type);
      }
    } else if (id === 6) {
      for (let n = body.count(); n > 0; n--) {
        valtype(body);
        body.u8();
        problems.push(...outsideFeatures(body).map((p) => `global initializer: ${p}`));
      }
    } else if (id === 7) {
      for (let n = body.count(); n > 0; n--) exports.push({ name: body.name(), kind: body.u8(), index: body.u32() });
    } else if (id === 10) {
      for (let n = body.count(); n > 0; n--) {
        const size = body.u32();
        const fn = body.fork(size);
        for (let groups = fn.count(); groups > 0; groups--) {
          fn.u32();
          valtype(fn);
        }
        const calls: number[] = [];
        problems.push(...outsideFeatures(fn, calls));
        bodies.push({ size, calls });
      }
    } else if (id !== 0) {
      problems.push(`${SECTION_NAMES[id] ?? `unknown (${id})`} section`);
    }
  }
  return { sections, imports, funcTypes, exports, bodies, problems };
}

/**
 * Bytes of function bodies that the given exports need (themselves and
 * everything they call), e.g. what a hello world costs once unused
 * functions are dropped.
 */
export function codeSize(bytes: Uint8Array, names: readonly string[]): number {
  const m = parse(bytes);
  const imported = m.funcTypes.length - m.bodies.length;
  const todo = names.map((name) => {
    const e = m.exports.find((x) => x.name === name && x.kind === 0);
    if (!e) throw new WasiAdaptError('unresolved', `no function export ${name}`);
    return e.index;
  });
  const seen = new Set<number>();
  let total = 0;
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (f < imported || seen.has(f)) continue;
    seen.add(f);
    const body = m.bodies[f - imported]!;
    total += body.size;
    todo.push(...body.calls);
  }
  return total;
}

const show = (s: CoreSignature): string => `(${s.params.join(' ')}) -> (${s.results.join(' ')})`;
const same = (a: CoreSignature, b: CoreSignature): boolean => show(a) === show(b);

/**
 * Every way the built polyfill breaks its contract: imports other than
 * env.memory, cabi.realloc, cabi.state_realloc and known p1 functions with
 * their p1 types, or no cabi.state_realloc (its state needs one); any
 * memory, table, data, element or start section; instructions outside the
 * feature set; exports that differ from `signatures` (the 0.2 polyfill's, or
 * the 0.3 one's, which is built from the same sources and more).
 */
export function checkPolyfill(bytes: Uint8Array, signatures: ReadonlyMap<string, CoreSignature> = POLYFILL_SIGNATURES): string[] {
  const m = parse(bytes);
  const problems = [...m.problems];
  for (const imp of m.imports) {
    const name = `${imp.module}.${imp.field}`;
    if (imp.kind === 2) {
      if (name !== 'env.memory') problems.push(`memory import ${name}`);
      if (imp.memoryFlags !== 0 && imp.memoryFlags !== 1) problems.push('memory import is shared or 64-bit');
      continue;
    }
    const want = imp.module === 'cabi' && (imp.field === 'realloc' || imp.field === 'state_realloc') ? REALLOC
      : imp.module === 'wasi_snapshot_preview1' ? P1_SIGNATURES.get(imp.field) : undefined;
    if (!want) problems.push(`unexpected import ${name}`);
    else if (!imp.type || !same(imp.type, want)) problems.push(`import ${name} has type ${imp.type ? show(imp.type) : '?'}, expected ${show(want)}`);
  }
  if (!m.imports.some((i) => i.module === 'cabi' && i.field === 'state_realloc')) problems.push('no import cabi.state_realloc');
  const seen = new Set<string>();
  for (const exp of m.exports) {
    const want = signatures.get(exp.name);
    const got = m.funcTypes[exp.index];
    if (exp.kind !== 0 || !want) problems.push(`unexpected export ${exp.name}`);
    else if (!got || !same(got, want)) problems.push(`export ${exp.name} has type ${got ? show(got) : '?'}, expected ${show(want)}`);
    seen.add(exp.name);
  }
  for (const name of signatures.keys()) if (!seen.has(name)) problems.push(`missing export ${name}`);
  return problems;
}

/**
 * Turns asc output into the polyfill: AssemblyScript export names become
 * canonical-ABI names, helper exports (asc exports everything the entry file
 * re-exports) and custom sections are dropped, and the contract is checked.
 */
export function finishPolyfill(asc: Uint8Array, signatures: ReadonlyMap<string, CoreSignature> = POLYFILL_SIGNATURES): Uint8Array {
  const m = parse(asc);
  const byAssemblyName = new Map([...signatures.keys()].map((name) => [assemblyName(name), name]));
  if (byAssemblyName.size !== signatures.size) throw new WasiAdaptError('invalid-argument', 'two canonical names map to one AssemblyScript name');
  const exports = m.exports
    .flatMap((e) => {
      const name = byAssemblyName.get(e.name);
      // A misspelt implementation would otherwise vanish as a "helper".
      if (!name && API_PREFIX.test(e.name)) throw new WasiAdaptError('unresolved', `${e.name} implements no function in signatures.ts`);
      return e.kind === 0 && name ? [{ ...e, name }] : [];
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const w = new BinaryWriter(asc.length);
  w.bytes(asc.subarray(0, 8));
  for (const s of m.sections) {
    if (s.id === 0) continue;
    if (s.id !== 7) {
      w.bytes(s.raw);
      continue;
    }
    w.u8(7).fork().u32(exports.length);
    for (const e of exports) w.name(e.name).u8(0).u32(e.index);
    w.join();
  }
  const out = w.finish();
  const problems = checkPolyfill(out, signatures);
  if (problems.length) throw new WasiAdaptError('invalid-argument', `polyfill breaks its contract:\n  ${problems.join('\n  ')}`);
  return out;
}
