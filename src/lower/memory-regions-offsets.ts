/**
 * Active data segments whose offset reads globals (`global.get`, extended-const), evaluated when
 * linking. A rebased segment must land at `region.base + offset` as a constant: the region's base
 * is a mutable global of the runtime, which a constant expression cannot read. The offset can be
 * computed exactly when every global it reads is immutable and its value is fixed before the
 * module is instantiated: an `i32.const` initializer, or an imported immutable global whose
 * providing instance's global has one (through any chain of imports and re-exports, which
 * import matching keeps immutable all along). Dynamic-linking shaped modules read
 * `env.__memory_base` that way. See docs/memory-regions.md.
 */
import type { CoreModule, Import } from '../binary/module.js';
import type { Expr } from '../binary/instructions.js';
import { BinaryReader } from '../binary/reader.js';
import { BinaryWriter } from '../binary/writer.js';
import { WasiAdaptError } from '../errors.js';
import type { LinkModule } from './link-module.js';
import type { Target } from './plan.js';
import type { ComponentView } from './view.js';

/** What a global holds at instantiation, when the linker can know it: its value, or why not. */
export type LinkTimeValue = { value: number } | { why: string };

/** The value of an imported global of a module (`imp`: its import, `at` its position among the module's imports), answered by whoever knows what it is bound to. */
export type ImportedGlobals = (imp: Import, at: number) => LinkTimeValue;

/** Above this many instances between a global and the constant it reads, the component is refused (hostile input). */
const MAX_DEPTH = 1000;

/**
 * The link-time value of each global of `m` (imported and defined, by index; computed on demand,
 * once each). `imported` answers for imported globals; without it they have no known value.
 */
export function globalValues(m: CoreModule, imported: ImportedGlobals | undefined): (g: number) => LinkTimeValue {
  // Positions in `m.imports` of the imported globals, in global index order.
  const importedGlobals: number[] = [];
  m.imports.forEach((imp, at) => imp.desc.kind === 'global' && importedGlobals.push(at));
  const memo = new Map<number, LinkTimeValue>();
  const value = (g: number): LinkTimeValue => {
    let v = memo.get(g);
    if (!v) {
      v = compute(g);
      memo.set(g, v);
    }
    return v;
  };
  const compute = (g: number): LinkTimeValue => {
    const at = importedGlobals[g];
    if (at !== undefined) {
      const imp = m.imports[at]!;
      const type = imp.desc.kind === 'global' ? imp.desc.type : undefined;
      if (type?.mutable) return { why: `global ${g} is the mutable import ${imp.module}.${imp.name} (its value can change before the segment is written)` };
      if (type?.type !== 'i32') return { why: `global ${g} (import ${imp.module}.${imp.name}) is not an i32` };
      if (!imported) return { why: `global ${g} is the import ${imp.module}.${imp.name}, and what provides it is not known here` };
      return imported(imp, at);
    }
    const def = m.globals[g - importedGlobals.length];
    if (!def) return { why: `global ${g} does not exist` };
    if (def.type.mutable) return { why: `global ${g} is mutable (its value can change before the segment is written)` };
    if (def.type.type !== 'i32') return { why: `global ${g} is not an i32` };
    // A constant expression reads only globals before its own (imported ones, or earlier defined ones with GC).
    const v = evaluateConst(def.init, (h) => (h < g ? value(h) : { why: `global ${h} comes after global ${g}` }));
    return 'why' in v ? { why: `global ${g}'s initializer: ${v.why}` } : v;
  };
  return value;
}

/**
 * Evaluates an i32 constant expression: `i32.const`, `global.get` (read with `read`), and the
 * extended-const `i32.add`, `i32.sub`, `i32.mul` (wrapping, as the engine computes them).
 */
export function evaluateConst(expr: Expr, read: (global: number) => LinkTimeValue): LinkTimeValue {
  const r = new BinaryReader(expr.bytes, expr.offset);
  const stack: number[] = [];
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x41:
        stack.push(r.s32());
        break;
      case 0x23: {
        const v = read(r.u32());
        if ('why' in v) return v;
        stack.push(v.value | 0);
        break;
      }
      case 0x6a:
      case 0x6b:
      case 0x6c: {
        const b = stack.pop();
        const a = stack.pop();
        if (a === undefined || b === undefined) return { why: 'an arithmetic instruction has too few operands' };
        stack.push(op === 0x6a ? (a + b) | 0 : op === 0x6b ? (a - b) | 0 : Math.imul(a, b));
        break;
      }
      case 0x0b:
        if (stack.length !== 1) return { why: `it leaves ${stack.length} values instead of one i32` };
        return { value: stack[0]! >>> 0 };
      default:
        return { why: `instruction 0x${op.toString(16)} is not an i32 constant operation` };
    }
  }
}

/**
 * An i32 constant expression that reads globals, as the `i32.const` it evaluates to; undefined
 * when it reads none (nothing to do) or a value is not known. Exact: the engine would compute the
 * same value at instantiation.
 */
export function foldGlobalReads(expr: Expr, read: (global: number) => LinkTimeValue): Uint8Array | undefined {
  let reads = false;
  const v = evaluateConst(expr, (g) => ((reads = true), read(g)));
  if (!reads || 'why' in v) return undefined;
  return new BinaryWriter(8).u8(0x41).sleb(v.value | 0).u8(0x0b).finish();
}

/**
 * For each core instance of the component, the link-time values of its module's imported globals:
 * each import is followed to the module instance that defines the global (`origin`, through
 * re-exports and inline export instances), whose own initializer is evaluated the same way.
 * Memoized per instance, so the whole component costs one evaluation per global.
 */
export function componentGlobals(c: ComponentView, linkModule: (index: number) => LinkModule): (key: number) => ImportedGlobals {
  const values = new Map<number, (g: number) => LinkTimeValue>();
  let depth = 0;
  const valuesOf = (key: number): ((g: number) => LinkTimeValue) => {
    let v = values.get(key);
    if (!v) {
      const def = c.coreInstances[key];
      v = def?.kind === 'instantiate' ? globalValues(linkModule(def.module).core, importedOf(key)) : () => ({ why: `core instance ${key} is not a module instance` });
      values.set(key, v);
    }
    return v;
  };
  const importedOf = (key: number): ImportedGlobals => (imp) => {
    const def = c.coreInstances[key];
    const arg = def?.kind === 'instantiate' ? def.args.get(imp.module) : undefined;
    if (arg === undefined) return { why: `nothing in the component provides ${imp.module}.${imp.name} to core instance ${key}` };
    const origin = c.origin(arg, imp.name, 'global');
    const at = origin && c.coreInstances[origin.instance];
    if (!origin || at?.kind !== 'instantiate') return { why: `no core module instance of the component defines ${imp.module}.${imp.name} (core instance ${arg} does not)` };
    const exp = globalExports(linkModule(at.module).core).get(origin.name);
    if (exp === undefined) return { why: `core instance ${origin.instance} has no global export ${origin.name}` };
    if (++depth > MAX_DEPTH) throw new WasiAdaptError('too-deep', `a global's initializer reads globals through more than ${MAX_DEPTH} instances`);
    try {
      const v = valuesOf(origin.instance)(exp);
      return 'why' in v ? { why: `${imp.module}.${imp.name} is export ${origin.name} of core instance ${origin.instance}, where ${v.why}` } : v;
    } finally {
      depth--;
    }
  };
  return (key) => importedOf(key);
}

const exportsByModule = new WeakMap<CoreModule, Map<string, number>>();

/** A module's global exports by name (indexed once: every imported global of every instance asks). */
function globalExports(m: CoreModule): Map<string, number> {
  let map = exportsByModule.get(m);
  if (!map) {
    map = new Map(m.exports.filter((e) => e.kind === 'global').map((e) => [e.name, e.index]));
    exportsByModule.set(m, map);
  }
  return map;
}

/**
 * The same over the linker's plan, for the modules it merges (where a global another instance
 * provides becomes a defined global, which engines without GC do not let constant expressions
 * read): each instance's imports as bound, a `local` target naming the providing instance's global.
 */
export function boundGlobals(moduleOf: (key: number) => CoreModule | undefined, importsOf: (key: number) => readonly Target[] | undefined): (key: number) => (g: number) => LinkTimeValue {
  const values = new Map<number, (g: number) => LinkTimeValue>();
  let depth = 0;
  const valuesOf = (key: number): ((g: number) => LinkTimeValue) => {
    let v = values.get(key);
    if (!v) {
      const m = moduleOf(key);
      v = m ? globalValues(m, importedOf(key)) : () => ({ why: `instance ${key} is not linked` });
      values.set(key, v);
    }
    return v;
  };
  const importedOf = (key: number): ImportedGlobals => (imp, at) => {
    const t = importsOf(key)?.[at];
    if (t?.kind !== 'local' || t.sort !== 'global') return { why: `${imp.module}.${imp.name} is provided by the host` };
    if (++depth > MAX_DEPTH) throw new WasiAdaptError('too-deep', `a global's initializer reads globals through more than ${MAX_DEPTH} instances`);
    try {
      const v = valuesOf(t.instance)(t.index);
      return 'why' in v ? { why: `${imp.module}.${imp.name} is global ${t.index} of instance ${t.instance}, where ${v.why}` } : v;
    } finally {
      depth--;
    }
  };
  return valuesOf;
}
