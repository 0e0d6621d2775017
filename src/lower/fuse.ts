import { encodeModule, type Export, type Global, type Import } from '../binary/module.js';
import type { FuncType } from '../binary/types.js';
import {
  alignTo, alignment, discriminantSize, flatten, handlesOf, hasPointers, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS, payloadOffset, size,
  type CoreType, type HandleShape, type Shape,
} from '../component/abi.js';
import type { StringEncoding } from '../component/evaluate.js';
import { WasiAdaptError } from '../errors.js';
import { Code, coerce, OP, type Mem } from './fuse-code.js';
import { copyBytes, transcodeBody } from './transcode.js';

/**
 * Fused adapters: the core function that does, between two component instances of a
 * composition, what the Canonical ABI says a host does for a call from one into a function the
 * other lifted (`canon_lower` of the caller around `canon_lift` of the callee). Arguments are
 * read from the caller's flat values or memory, validated where lifting validates (bools, chars,
 * discriminants, strings, alignment and bounds of every pointer), and written into the callee's
 * flat values or memory (through its realloc); results come back the same way, then the callee's
 * post-return runs. The code is generated from the types, in one pass over them: its size is
 * linear in the size of the function type.
 *
 * The adapter is a core module of its own, linked like any other core instance. Its imports
 * (all optional but the callee): `callee.func`, `callee.realloc`, `callee.post-return`,
 * `caller.realloc`, one memory `mem.memory`, and per side in a composition whose memories were
 * merged into regions, `<side>.base` (a mutable i32 global: the region's base) and `<side>.size`
 * (the region's size in pages). It exports `adapter`.
 */

export interface FuseSide {
  encoding: StringEncoding;
  /** Whether the side has a `memory` option. */
  memory: boolean;
  /** Whether its memory is a region of the output's one memory (imports `base` and `size`). */
  region: boolean;
  realloc: boolean;
  /** Only the callee's counts. */
  postReturn: boolean;
  /**
   * How the side passes values across the call: a caller 'lower's (canon lower: spilled results
   * go to a pointer it passes) or is the host calling an 'export' (spilled results come back as
   * a pointer the adapter allocates with the caller's realloc); a callee 'lift's (canon lift) or is
   * the host's 'import' (takes a pointer for spilled results, allocated with the callee's realloc).
   * Default: 'lower' / 'lift'.
   */
  kind?: 'lower' | 'export' | 'lift' | 'import';
}

export interface FuseSpec {
  params: Shape[];
  results: Shape[];
  caller: FuseSide;
  callee: FuseSide;
  /** Whether `memory.copy` may be used (an input module uses bulk memory). */
  bulk: boolean;
  /**
   * How a handle crosses (the output has one handle table for every component, so an own handle
   * keeps its number: taking it from the caller's table and inserting it in the callee's is the
   * same slot, retagged): 'pass' unchanged; 'own' an own handle, checked live and not lent and
   * moved to the callee's table (import `handle.own<i>`, `i` the resource's index; in the results
   * `handle.give<i>`, back to the caller's); 'rep' a borrow into the component
   * that implements the resource, which receives the rep (`handle.rep<i>`); 'lend' a borrow into
   * another component: the lender's loan counted (`handle.lend<i>`, giving the rep) and a borrow
   * slot made for the callee (`handle.borrow<i>`), the call bracketed by `handle.mark`,
   * `handle.lent` and `handle.end` (traps unless the callee dropped it; ends the loans); 'loan'
   * a borrow of a WASI resource (the polyfill's handle, the same number to both): the loan logged
   * (`handle.loan<i>`) so that the callee's drop only ends it, bracketed as 'lend' is;
   * undefined: refused.
   */
  handle?: (h: HandleShape) => { how: 'pass' } | { how: 'own' | 'rep' | 'lend' | 'loan'; resource: number } | undefined;
  /**
   * Whether the host's side allocates in the scratch (`fuse-scratch.ts`, imports `scratch.mark`
   * and `scratch.release`): the adapter marks it first and releases it once the results are
   * copied out. An adapter the host calls ('export') releases when it returns if its results
   * hold nothing there, else in its `post-return` export, which the host calls once it is done
   * with the results; its mark also covers the arguments the host allocated before the call
   * (`scratch.mark` answers where the host's allocations began).
   */
  scratch?: boolean;
}

export interface FusedAdapter {
  bytes: Uint8Array;
  /** `module.name` of each import, in order (see the file comment). */
  imports: string[];
}

interface SideCtx {
  mem: Mem;
  realloc: number | undefined;
  encoding: StringEncoding;
  name: 'caller' | 'callee';
}

interface Dir {
  src: SideCtx;
  dst: SideCtx;
}

interface FlatVal {
  local: number;
  type: CoreType;
}

type Loc = { kind: 'flat'; vals: FlatVal[] } | { kind: 'mem'; ptr: number; off: number };

const I32: FuncType['params'] = ['i32'];

/** Generates the adapter module for a call of a function of type (params) -> (results) between two components. */
export function fuseAdapter(spec: FuseSpec): FusedAdapter {
  return new Fuser(spec).run();
}

class Fuser {
  private readonly types: FuncType[] = [];
  private readonly imports: Import[] = [];
  private readonly importNames: string[] = [];
  private readonly bodies: { type: number; body: Uint8Array | undefined }[] = [];
  private readonly transcoders = new Map<string, number>();
  private funcImports = 0;
  /** The handle-table functions imported (`handle.<name>`), by name. */
  private readonly handleFuncs = new Map<string, number>();
  /** Locals holding the undo mark and the open-borrow count before the arguments, when a borrow is lent. */
  private lendMarks: { undo: number; lent: number } | undefined;
  private importsDone = false;
  private readonly caller: SideCtx;
  private readonly callee: SideCtx;
  private readonly calleeFunc: number;
  private readonly postReturn: number | undefined;
  /** The scratch's functions, and the global an export adapter keeps its mark in until post-return. */
  private readonly scratch: { mark: number; release: number; global: number } | undefined;

  constructor(private readonly spec: FuseSpec) {
    const { params, results } = spec;
    const flatParams = params.flatMap(flatten);
    const flatResults = results.flatMap(flatten);
    const spillP = flatParams.length > MAX_FLAT_PARAMS;
    const spillR = flatResults.length > MAX_FLAT_RESULTS;
    const hostCallee = spec.callee.kind === 'import';
    const calleeSig: FuncType = hostCallee
      ? { kind: 'func', params: [...(spillP ? I32 : flatParams), ...(spillR ? I32 : [])], results: spillR ? [] : flatResults }
      : { kind: 'func', params: spillP ? I32 : flatParams, results: spillR ? I32 : flatResults };
    this.calleeFunc = this.importFunc('callee', 'func', calleeSig);
    const realloc: FuncType = { kind: 'func', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] };
    const calleeRealloc = spec.callee.realloc ? this.importFunc('callee', 'realloc', realloc) : undefined;
    this.postReturn = spec.callee.postReturn ? this.importFunc('callee', 'post-return', { kind: 'func', params: calleeSig.results, results: [] }) : undefined;
    const callerRealloc = spec.caller.realloc ? this.importFunc('caller', 'realloc', realloc) : undefined;
    const sizeSig: FuncType = { kind: 'func', params: [], results: ['i32'] };
    const callerSize = spec.caller.region ? this.importFunc('caller', 'size', sizeSig) : undefined;
    const calleeSize = spec.callee.region ? this.importFunc('callee', 'size', sizeSig) : undefined;
    if (spec.scratch) {
      this.scratch = {
        mark: this.importFunc('scratch', 'mark', sizeSig),
        release: this.importFunc('scratch', 'release', { kind: 'func', params: ['i32'], results: [] }),
        global: 0,
      };
    }
    if (spec.caller.memory || spec.callee.memory) this.addImport('mem', 'memory', { kind: 'memory', type: { min: 0 } });
    let globals = 0;
    const base = (region: boolean) => (region ? globals++ : undefined);
    const callerBase = base(spec.caller.region);

    if (callerBase !== undefined) this.addImport('caller', 'base', { kind: 'global', type: { type: 'i32', mutable: true } });
    const calleeBase = base(spec.callee.region);
    if (calleeBase !== undefined) this.addImport('callee', 'base', { kind: 'global', type: { type: 'i32', mutable: true } });
    const handleFunc = (name: string, t: FuncType) => {
      if (!this.handleFuncs.has(name)) this.handleFuncs.set(name, this.importFunc('handle', name, t));
    };
    const one: FuncType = { kind: 'func', params: ['i32'], results: ['i32'] };
    // An own handle in the results moves back (`handle.give<i>`); results hold no borrows.
    for (const h of results.flatMap(handlesOf)) {
      const how = spec.handle?.(h);
      if (how?.how === 'own') handleFunc(`give${how.resource}`, one);
    }
    for (const h of params.flatMap(handlesOf)) {
      const how = spec.handle?.(h);
      if (!how || how.how === 'pass') continue;
      if (how.how === 'lend' || how.how === 'loan') {
        handleFunc('mark', sizeSig);
        handleFunc('lent', sizeSig);
        handleFunc('end', { kind: 'func', params: ['i32', 'i32'], results: [] });
      }
      if (how.how === 'lend') handleFunc(`borrow${how.resource}`, one);
      handleFunc(`${how.how}${how.resource}`, one);
    }
    this.importsDone = true;
    if (this.scratch) this.scratch.global = globals;
    this.caller = { mem: { base: callerBase, size: callerSize }, realloc: callerRealloc, encoding: spec.caller.encoding, name: 'caller' };
    this.callee = { mem: { base: calleeBase, size: calleeSize }, realloc: calleeRealloc, encoding: spec.callee.encoding, name: 'callee' };
  }

  run(): FusedAdapter {
    const { params, results } = this.spec;
    const flatParams = params.flatMap(flatten);
    const flatResults = results.flatMap(flatten);
    const spillP = flatParams.length > MAX_FLAT_PARAMS;
    const spillR = flatResults.length > MAX_FLAT_RESULTS;
    const hostCaller = this.spec.caller.kind === 'export';
    const hostCallee = this.spec.callee.kind === 'import';
    const sig: FuncType = hostCaller
      ? { kind: 'func', params: spillP ? I32 : flatParams, results: spillR ? I32 : flatResults }
      : { kind: 'func', params: [...(spillP ? I32 : flatParams), ...(spillR ? I32 : [])], results: spillR ? [] : flatResults };
    const adapter = this.defineFunc(sig);
    const c = new Code(sig.params as CoreType[]);
    const mark = this.scratch && c.local('i32');
    if (this.scratch) c.call(this.scratch.mark).set(mark!);
    if (this.handleFuncs.has('end')) {
      this.lendMarks = { undo: c.local('i32'), lent: c.local('i32') };
      c.call(this.handleFunc('mark')).set(this.lendMarks.undo).call(this.handleFunc('lent')).set(this.lendMarks.lent);
    }
    // Before the results go on the stack: the scratch released, or (results in it) its mark kept for post-return.
    const release = () => {
      if (!this.scratch) return;
      if (hostCaller) c.get(mark!).op(OP.globalSet).u(this.scratch.global);
      if (!hostCaller || (!spillR && !results.some(hasPointers))) c.get(mark!).call(this.scratch.release);
    };
    const down: Dir = { src: this.caller, dst: this.callee };
    const up: Dir = { src: this.callee, dst: this.caller };

    // Arguments: caller -> callee.
    if (!spillP) {
      const src = flatParams.map((type, i) => ({ local: i, type }));
      const dst = flatParams.map((type) => ({ local: c.local(type), type }));
      let at = 0;
      for (const p of params) {
        const n = flatten(p).length;
        this.translate(c, p, { kind: 'flat', vals: src.slice(at, at + n) }, { kind: 'flat', vals: dst.slice(at, at + n) }, down);
        at += n;
      }
      for (const v of dst) c.get(v.local);
    } else {
      const tuple: Shape = { k: 'record', fields: params };
      const sp = 0;
      this.checkBlock(c, this.caller, sp, tuple);
      const dp = c.local('i32');
      this.alloc(c, this.callee, dp, alignment(tuple), (k) => k.i32(size(tuple)), 'the parameters');
      this.translate(c, tuple, { kind: 'mem', ptr: sp, off: 0 }, { kind: 'mem', ptr: dp, off: 0 }, down);
      c.get(dp);
    }
    const resultTuple: Shape = { k: 'record', fields: results };
    let retArea: number | undefined;
    if (spillR && hostCallee) {
      // The host's import writes its results where the caller says, in its own memory.
      retArea = c.local('i32');
      this.alloc(c, this.callee, retArea, alignment(resultTuple), (k) => k.i32(size(resultTuple)), 'the results');
      c.get(retArea);
    }
    c.call(this.calleeFunc);
    // The callee's task is over: every borrow it received must be dropped, and the loans end (its results stay on the stack).
    if (this.lendMarks) c.get(this.lendMarks.undo).get(this.lendMarks.lent).call(this.handleFunc('end'));

    // Results: callee -> caller, then the callee's post-return with its own flat results.
    if (flatResults.length === 0) {
      if (this.postReturn !== undefined) c.call(this.postReturn);
      release();
    } else if (!spillR) {
      const type = flatResults[0]!;
      const r = c.local(type);
      const out = c.local(type);
      c.set(r);
      this.translate(c, results[0]!, { kind: 'flat', vals: [{ local: r, type }] }, { kind: 'flat', vals: [{ local: out, type }] }, up);
      if (this.postReturn !== undefined) c.get(r).call(this.postReturn);
      release();
      c.get(out);
    } else {
      const tuple = resultTuple;
      const rp = retArea ?? c.local('i32');
      if (retArea === undefined) c.set(rp);
      this.checkBlock(c, this.callee, rp, tuple);
      let out: number;
      if (hostCaller) {
        out = c.local('i32');
        this.alloc(c, this.caller, out, alignment(tuple), (k) => k.i32(size(tuple)), 'the results');
      } else {
        out = sig.params.length - 1;
        this.checkBlock(c, this.caller, out, tuple);
      }
      this.translate(c, tuple, { kind: 'mem', ptr: rp, off: 0 }, { kind: 'mem', ptr: out, off: 0 }, up);
      if (this.postReturn !== undefined) c.get(rp).call(this.postReturn);
      release();
      if (hostCaller) c.get(out);
    }
    this.bodies[adapter - this.funcImports]!.body = c.finish();
    const exports: Export[] = [{ name: 'adapter', kind: 'func', index: adapter }];
    const globals: Global[] = [];
    if (this.scratch && hostCaller) {
      const post = this.defineFunc({ kind: 'func', params: sig.results, results: [] });
      this.bodies[post - this.funcImports]!.body = new Code(sig.results as CoreType[]).op(OP.globalGet).u(this.scratch.global).call(this.scratch.release).finish();
      exports.push({ name: 'post-return', kind: 'func', index: post });
      globals.push({ type: { type: 'i32', mutable: true }, init: { bytes: Uint8Array.of(OP.i32Const, 0, OP.end), offset: 0 } });
    }

    const bytes = encodeModule({
      types: this.types,
      imports: this.imports,
      functions: this.bodies.map((b) => b.type),
      globals,
      exports,
      code: this.bodies.map((b) => b.body!),
    });
    return { bytes, imports: this.importNames };
  }

  // ---- module parts ---------------------------------------------------------

  private typeOf(t: FuncType): number {
    const key = (x: FuncType) => `${x.params.join(',')}>${x.results.join(',')}`;
    const at = this.types.findIndex((u) => key(u) === key(t));
    return at >= 0 ? at : this.types.push(t) - 1;
  }

  private addImport(module: string, name: string, desc: Import['desc']): void {
    this.imports.push({ module, name, desc });
    this.importNames.push(`${module}.${name}`);
  }

  private importFunc(module: string, name: string, t: FuncType): number {
    if (this.importsDone) throw new Error('imports after definitions');
    this.addImport(module, name, { kind: 'func', typeIndex: this.typeOf(t) });
    return this.funcImports++;
  }

  private defineFunc(t: FuncType): number {
    return this.funcImports + this.bodies.push({ type: this.typeOf(t), body: undefined }) - 1;
  }

  /** The function copying a string from `d.src` to `d.dst` (one per direction). */
  private transcoder(d: Dir): number {
    const key = d.src.name;
    const have = this.transcoders.get(key);
    if (have !== undefined) return have;
    const f = this.defineFunc({ kind: 'func', params: ['i32', 'i32'], results: ['i64'] });
    this.transcoders.set(key, f);
    this.bodies[f - this.funcImports]!.body = transcodeBody(d.src.encoding, d.dst.encoding, {
      src: d.src.mem,
      dst: d.dst.mem,
      realloc: this.needRealloc(d.dst, 'a string'),
      bulk: this.spec.bulk,
    });
    return f;
  }

  private needRealloc(side: SideCtx, what: string): number {
    if (side.realloc === undefined) {
      throw new WasiAdaptError('bad-value', `the ${side.name} of a call between two components receives ${what} but its canon options name no realloc`);
    }
    return side.realloc;
  }

  /** A handle-table function (imported; every import precedes the definitions, so all are known up front). */
  private handleFunc(name: string): number {
    const f = this.handleFuncs.get(name);
    if (f === undefined) throw new WasiAdaptError('bad-value', `fused adapter: no handle.${name} import`);
    return f;
  }

  // ---- checks and allocation ------------------------------------------------

  /** Traps unless `ptr` holds a whole aligned `s` in the side's memory. */
  private checkBlock(c: Code, side: SideCtx, ptr: number, s: Shape): void {
    c.checkAlign(ptr, alignment(s));
    c.checkRange(side.mem, ptr, (k) => k.i64(BigInt(size(s))));
  }

  /** `ptr = realloc(0, 0, align, bytes)` on the side, checked for alignment and range. */
  private alloc(c: Code, side: SideCtx, ptr: number, align: number, bytes: (k: Code) => void, what: string): void {
    c.i32(0).i32(0).i32(align);
    bytes(c);
    c.call(this.needRealloc(side, what)).set(ptr);
    c.checkAlign(ptr, align);
    c.checkRange(side.mem, ptr, (k) => {
      bytes(k);
      k.op(OP.i64ExtendI32U);
    });
  }

  // ---- values ---------------------------------------------------------------

  private translate(c: Code, s: Shape, src: Loc, dst: Loc, d: Dir): void {
    switch (s.k) {
      case 'prim':
        return this.prim(c, s.type, src, dst, d);
      case 'string':
        return this.string(c, src, dst, d);
      case 'list':
        if (s.length !== undefined) return this.record(c, Array.from({ length: s.length }, () => s.element), src, dst, d);
        return this.list(c, s.element, src, dst, d);
      case 'record':
        return this.record(c, s.fields, src, dst, d);
      case 'variant':
        return this.variant(c, s, src, dst, d);
      case 'flags':
        return this.flags(c, s.count, src, dst, d);
      case 'handle': {
        const how = this.spec.handle?.(s);
        if (!how) {
          throw new WasiAdaptError(
            'unsupported',
            'a stream, future or error-context crosses between two components of a composition, which down does not follow: run it on a WASI 0.3 host',
          );
        }
        if (dst.kind === 'mem') c.addr(d.dst.mem, dst.ptr);
        if (src.kind === 'flat') flatGet(c, src.vals[0]!, 'i32');
        else c.addr(d.src.mem, src.ptr).mem(OP.i32Load, src.off);
        if (how.how !== 'pass') c.call(this.handleFunc(`${how.how === 'own' && d.src === this.callee ? 'give' : how.how}${how.resource}`));
        if (how.how === 'lend') c.call(this.handleFunc(`borrow${how.resource}`));
        if (dst.kind === 'mem') c.mem(OP.i32Store, dst.off);
        else flatSet(c, dst.vals[0]!, 'i32');
        return;
      }
    }
  }

  private record(c: Code, fields: Shape[], src: Loc, dst: Loc, d: Dir): void {
    let flatAt = 0;
    let off = 0;
    for (const f of fields) {
      const n = flatten(f).length;
      off = alignTo(off, alignment(f));
      this.translate(c, f, sub(src, flatAt, n, off), sub(dst, flatAt, n, off), d);
      flatAt += n;
      off += size(f);
    }
  }

  private prim(c: Code, type: Extract<Shape, { k: 'prim' }>['type'], src: Loc, dst: Loc, d: Dir): void {
    const want = flatten({ k: 'prim', type })[0]!;
    if (dst.kind === 'mem') c.addr(d.dst.mem, dst.ptr);
    if (src.kind === 'flat') {
      const v = src.vals[0]!;
      c.get(v.local);
      coerce(c, v.type, want);
      // lift_flat: integers narrower than 32 bits wrap, bools are non-zero, chars are checked.
      if (type === 'u8' || type === 'u16') c.i32(type === 'u8' ? 0xff : 0xffff).op(OP.i32And);
      if (type === 's8' || type === 's16') {
        const sh = type === 's8' ? 24 : 16;
        c.i32(sh).op(OP.i32Shl).i32(sh).op(OP.i32ShrS);
      }
    } else {
      c.addr(d.src.mem, src.ptr).mem(LOAD[type], src.off);
    }
    if (type === 'bool') c.i32(0).op(OP.i32Ne);
    if (type === 'char') this.checkChar(c);
    if (dst.kind === 'mem') c.mem(STORE[type], dst.off);
    else {
      const v = dst.vals[0]!;
      coerce(c, want, v.type);
      c.set(v.local);
    }
  }

  /** i32_to_char: traps on surrogates and past U+10FFFF; leaves the value. */
  private checkChar(c: Code): void {
    const t = c.local('i32');
    c.tee(t).i32(0x110000).op(OP.i32GeU).trapIf();
    c.get(t).i32(0xfffff800).op(OP.i32And).i32(0xd800).op(OP.i32Eq).trapIf();
    c.get(t);
  }

  /** Reads a (pointer, length) pair into two locals. */
  private readPair(c: Code, src: Loc, d: Dir): [number, number] {
    const p = c.local('i32');
    const n = c.local('i32');
    if (src.kind === 'flat') {
      for (const [v, l] of [[src.vals[0]!, p], [src.vals[1]!, n]] as const) {
        c.get(v.local);
        coerce(c, v.type, 'i32');
        c.set(l);
      }
    } else {
      c.addr(d.src.mem, src.ptr).mem(OP.i32Load, src.off).set(p);
      c.addr(d.src.mem, src.ptr).mem(OP.i32Load, src.off + 4).set(n);
    }
    return [p, n];
  }

  private writePair(c: Code, dst: Loc, d: Dir, p: number, n: number): void {
    if (dst.kind === 'flat') {
      for (const [v, l] of [[dst.vals[0]!, p], [dst.vals[1]!, n]] as const) {
        c.get(l);
        coerce(c, 'i32', v.type);
        c.set(v.local);
      }
    } else {
      c.addr(d.dst.mem, dst.ptr).get(p).mem(OP.i32Store, dst.off);
      c.addr(d.dst.mem, dst.ptr).get(n).mem(OP.i32Store, dst.off + 4);
    }
  }

  private string(c: Code, src: Loc, dst: Loc, d: Dir): void {
    const [p, n] = this.readPair(c, src, d);
    const packed = c.local('i64');
    c.get(p).get(n).call(this.transcoder(d)).set(packed);
    c.get(packed).op(OP.i32WrapI64).set(p);
    c.get(packed).i64(32n).op(OP.i64ShrU, OP.i32WrapI64).set(n);
    this.writePair(c, dst, d, p, n);
  }

  private list(c: Code, elem: Shape, src: Loc, dst: Loc, d: Dir): void {
    const [sp, n] = this.readPair(c, src, d);
    const es = size(elem);
    const ea = alignment(elem);
    c.checkAlign(sp, ea);
    c.checkRange(d.src.mem, sp, (k) => k.get(n).op(OP.i64ExtendI32U).i64(BigInt(es)).op(OP.i64Mul));
    // store_list_into_range: the byte length must fit in 32 bits.
    c.get(n).op(OP.i64ExtendI32U).i64(BigInt(es)).op(OP.i64Mul).i64(1n << 32n).op(OP.i64GeU).trapIf();
    const dp = c.local('i32');
    this.alloc(c, d.dst, dp, ea, (k) => k.get(n).i32(es).op(OP.i32Mul), 'a list');
    if (plainBytes(elem)) {
      copyBytes(c, { src: d.src.mem, dst: d.dst.mem, bulk: this.spec.bulk }, sp, dp, (k) => k.get(n).i32(es).op(OP.i32Mul));
    } else if (es > 0) {
      const a = c.local('i32');
      const b = c.local('i32');
      const left = c.local('i32');
      c.get(sp).set(a).get(dp).set(b).get(n).set(left);
      c.op(OP.block, 0x40, OP.loop, 0x40);
      c.get(left).op(OP.i32Eqz, OP.brIf).u(1);
      this.translate(c, elem, { kind: 'mem', ptr: a, off: 0 }, { kind: 'mem', ptr: b, off: 0 }, d);
      c.get(a).i32(es).op(OP.i32Add).set(a);
      c.get(b).i32(es).op(OP.i32Add).set(b);
      c.get(left).i32(1).op(OP.i32Sub).set(left);
      c.op(OP.br).u(0).op(OP.end, OP.end);
    }
    this.writePair(c, dst, d, dp, n);
  }

  private variant(c: Code, s: Extract<Shape, { k: 'variant' }>, src: Loc, dst: Loc, d: Dir): void {
    const n = s.cases.length;
    const ds = discriminantSize(n);
    const disc = c.local('i32');
    if (src.kind === 'flat') flatGet(c, src.vals[0]!, 'i32');
    else c.addr(d.src.mem, src.ptr).mem(ds === 1 ? OP.i32Load8u : ds === 2 ? OP.i32Load16u : OP.i32Load, src.off);
    c.tee(disc).i32(n).op(OP.i32GeU).trapIf();
    if (dst.kind === 'flat') flatSet(c.get(disc), dst.vals[0]!, 'i32');
    else c.addr(d.dst.mem, dst.ptr).get(disc).mem(ds === 1 ? OP.i32Store8 : ds === 2 ? OP.i32Store16 : OP.i32Store, dst.off);
    if (s.cases.every((x) => x === undefined)) return;
    // lower_flat_variant: payload slots the case does not use are zero.
    if (dst.kind === 'flat') for (const v of dst.vals.slice(1)) zeroOf(c, v.type).set(v.local);
    const po = payloadOffset(s);
    const payload = (l: Loc, len: number): Loc => (l.kind === 'flat' ? { kind: 'flat', vals: l.vals.slice(1, 1 + len) } : { kind: 'mem', ptr: l.ptr, off: l.off + po });
    c.op(OP.block, 0x40);
    for (let i = 0; i < n; i++) c.op(OP.block, 0x40);
    c.get(disc).op(OP.brTable).u(n - 1);
    for (let i = 0; i < n - 1; i++) c.u(i);
    c.u(n - 1);
    s.cases.forEach((cs, i) => {
      c.op(OP.end);
      if (cs) {
        const len = flatten(cs).length;
        this.translate(c, cs, payload(src, len), payload(dst, len), d);
      }
      if (i < n - 1) c.op(OP.br).u(n - 1 - i);
    });
    c.op(OP.end);
  }

  private flags(c: Code, count: number, src: Loc, dst: Loc, d: Dir): void {
    if (count === 0) return;
    const words = Math.ceil(count / 32);
    const bytes = count <= 8 ? 1 : count <= 16 ? 2 : 4;
    for (let w = 0; w < words; w++) {
      const bits = Math.min(32, count - 32 * w);
      // unpack_flags_from_int keeps only the bits with a label.
      const mask = bits === 32 ? -1 : (1 << bits) - 1;
      if (dst.kind === 'mem') c.addr(d.dst.mem, dst.ptr);
      if (src.kind === 'flat') flatGet(c, src.vals[w]!, 'i32');
      else c.addr(d.src.mem, src.ptr).mem(bytes === 1 ? OP.i32Load8u : bytes === 2 ? OP.i32Load16u : OP.i32Load, src.off + 4 * w);
      c.i32(mask).op(OP.i32And);
      if (dst.kind === 'mem') c.mem(bytes === 1 ? OP.i32Store8 : bytes === 2 ? OP.i32Store16 : OP.i32Store, dst.off + 4 * w);
      else flatSet(c, dst.vals[w]!, 'i32');
    }
  }
}

/** A flat value, which may sit in a wider slot of a variant's joined flat types. */
function flatGet(c: Code, v: FlatVal, want: CoreType): void {
  c.get(v.local);
  coerce(c, v.type, want);
}

function flatSet(c: Code, v: FlatVal, have: CoreType): void {
  coerce(c, have, v.type);
  c.set(v.local);
}

function sub(l: Loc, flatAt: number, n: number, off: number): Loc {
  return l.kind === 'flat' ? { kind: 'flat', vals: l.vals.slice(flatAt, flatAt + n) } : { kind: 'mem', ptr: l.ptr, off: l.off + off };
}

function zeroOf(c: Code, t: CoreType): Code {
  if (t === 'i32') return c.i32(0);
  if (t === 'i64') return c.i64(0n);
  // f32.const 0 / f64.const 0
  if (t === 'f32') return c.op(0x43, 0, 0, 0, 0);
  return c.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
}

/** Elements copied as bytes: numbers, whose every bit pattern is a valid value. */
function plainBytes(s: Shape): boolean {
  return s.k === 'prim' && s.type !== 'bool' && s.type !== 'char';
}

type PrimType = Extract<Shape, { k: 'prim' }>['type'];

const LOAD: Record<PrimType, number> = {
  bool: OP.i32Load8u, u8: OP.i32Load8u, s8: OP.i32Load8s, u16: OP.i32Load16u, s16: OP.i32Load16s, u32: OP.i32Load, s32: OP.i32Load,
  u64: OP.i64Load, s64: OP.i64Load, f32: OP.f32Load, f64: OP.f64Load, char: OP.i32Load,
};
const STORE: Record<PrimType, number> = {
  bool: OP.i32Store8, u8: OP.i32Store8, s8: OP.i32Store8, u16: OP.i32Store16, s16: OP.i32Store16, u32: OP.i32Store, s32: OP.i32Store,
  u64: OP.i64Store, s64: OP.i64Store, f32: OP.f32Store, f64: OP.f64Store, char: OP.i32Store,
};
