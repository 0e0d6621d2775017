import { handlesOf, MAX_FLAT_PARAMS, signatureOf, type HandleShape, type Shape } from '../component/abi.js';
import type { FuncTypeRef, TypeVal } from '../component/evaluate.js';
import { WasiAdaptError } from '../errors.js';
import { withoutVersion } from '../interface-name.js';
import { handleInMemory, hasHandle, type HandleWrapper } from './gen-handles.js';
import type { GenFunc, Target } from './plan.js';
import type { CoreFunc } from './view.js';

/**
 * How a handle-table slot holds its resource: the program's own (value = rep), the host's owned or
 * lent for a call (value = host handle), or borrowed by a component that does not implement it
 * for a call into it (value = rep). `wasiLoan` tags a loan of a WASI resource in the undo log (the
 * polyfill's handles live in its own table).
 */
const HOLD = { local: 1, hostOwn: 2, hostBorrow: 3, lent: 4, wasiLoan: 5 } as const;

/** What the planner lends the handle planner: generated functions and the allocator. */
export interface GenSink {
  gen(g: GenFunc): Target;
  bump(): Target;
  /** Whether handles are held by several component instances (a composition), each its own table. */
  composition(): boolean;
}

/** Who holds a handle: a component instance (its table), or `HOST`, the p1 host (handles exports gave it). */
export type Holder = object;
export const HOST: Holder = {};

/** Tags stay below the loan count in a slot's tag word (gen.ts `LEND`): 8 holds per type and holder. */
const MAX_TYPE_IDS = 0x10000 / 8;

/**
 * The output's one handle table, planned: the table operations on each resource type (tagged by
 * type, hold and holder) and the wrappers that move handles between the program and the p1 host
 * as a component instance's table would. In a composition each component instance's handles are
 * tagged with it, so a slot is in exactly one instance's table (or the host's): an instance using
 * a number it was not given traps, as CanonicalABI.md's per-instance tables do; a handle moving
 * to another instance is retagged. In one component every holder is the same.
 */
export class HandlePlanner {
  /** Tag ids by resource type and holder, and the functions generated once per output. */
  private readonly typeIds = new Map<unknown, Map<Holder, number>>();
  private readonly once = new Map<string, Target>();
  private ids = 0;

  constructor(private readonly sink: GenSink) {}

  /** resource.new/rep/drop of the program's own resource type `type` in `holder`; `dtor` runs on drop. */
  own(op: 'new' | 'rep' | 'drop', type: TypeVal, dtor: Target | undefined, holder: Holder): Target {
    if (op === 'new') return this.op('new', type, [HOLD.local], holder);
    if (op === 'rep') return this.op('get', type, [HOLD.local, HOLD.lent], holder);
    // Dropping a borrow another component lent only ends it (CanonicalABI.md `canon_resource_drop`).
    return this.sink.gen({ kind: 'handle-drop', tag: this.tagOf(type, HOLD.local, holder), borrowTag: this.tagOf(type, HOLD.lent, holder), dtor });
  }

  /**
   * What a fused adapter calls for resource `type` crossing from `from` to `to` (CanonicalABI.md
   * `lift_own`/`lower_own`, `lift_borrow`/`lower_borrow`): `own` moves an own handle (live, in
   * `from`'s table, not lent: then in `to`'s); `rep` reads a borrow into the implementer; `lend`
   * counts a loan on the lender and gives the value, `borrow` makes `to`'s borrow slot of it
   * (`lendCall` brackets the call). A host resource's slots hold the host's handle, owned or
   * lent; a component's hold the rep.
   */
  between(type: TypeVal, from: Holder, to: Holder): { own: Target; rep: Target; lend: Target; borrow: Target } {
    const push = this.generated('undo-push', { kind: 'undo-push', alloc: this.sink.bump() });
    const [ownHold, borrowHold] = hostResource(type) ? [HOLD.hostOwn, HOLD.hostBorrow] : [HOLD.local, HOLD.lent];
    const own = this.tagOf(type, ownHold, from);
    const lent = this.tagOf(type, borrowHold, from);
    return {
      own: this.move(type, ownHold, from, to) ?? this.generated(`check:${own}`, { kind: 'handle-check', tags: [own] }),
      rep: this.op('get', type, [HOLD.local, HOLD.lent], from),
      lend: this.generated(`lend:${own}`, { kind: 'handle-lend', tags: [own, lent], ownTag: own, push }),
      borrow: this.op('new', type, [borrowHold], to),
    };
  }

  /**
   * What a fused adapter calls to lend a WASI resource to component `to`: the callee gets the
   * polyfill's handle itself, and the loan is logged so that its drop only ends the loan (`wasiDrop`).
   */
  wasiLoan(type: TypeVal, to: Holder): Target {
    const tag = this.tagOf(unversioned(type), HOLD.wasiLoan, to);
    return this.generated(`loan:${tag}`, { kind: 'wasi-loan', tag, push: this.generated('undo-push', { kind: 'undo-push', alloc: this.sink.bump() }) });
  }

  /** resource.drop in `holder` of a WASI resource some component may be lent: ends a loan of that handle to it, else the polyfill's `drop`. */
  wasiDrop(iface: string, resource: string, drop: Target, holder: Holder): Target {
    return this.sink.gen({ kind: 'wasi-loan-drop', tag: this.tagOf(unversioned({ kind: 'imported', iface, name: resource }), HOLD.wasiLoan, holder), dtor: drop });
  }

  /** What brackets a call lending borrows to a component (see `between`). */
  lendCall(): { mark: Target; lent: Target; end: Target } {
    return {
      mark: this.generated('undo-mark', { kind: 'undo-mark' }),
      lent: this.generated('lent-count', { kind: 'lent-count' }),
      end: this.generated('lend-end', { kind: 'lend-end' }),
    };
  }

  /** resource.drop in `holder` of the host's resource: the slot goes, and the host's drop runs for an owned one (not for a loan). */
  hostDrop(iface: string, resource: string, drop: Target, holder: Holder): Target {
    const type: TypeVal = { kind: 'imported', iface, name: resource };
    return this.sink.gen({ kind: 'handle-drop', tag: this.tagOf(type, HOLD.hostOwn, holder), borrowTag: this.tagOf(type, HOLD.hostBorrow, holder), dtor: drop });
  }

  /**
   * Handles in an export's values cross the table as a component instance's would (`owner`: the
   * instance that lifted it): a borrow of a component's resource reaches its implementer as the
   * rep (`lower_borrow`), another component as a loan of the host's handle for the call; an own
   * one moves between the host and `owner`; a host resource gets a slot (owned, or lent for the
   * call), and an owned host resource returned leaves the table.
   */
  exportWrapper(type: FuncTypeRef | undefined, target: Target, owner: Holder): Target {
    const shapes = shapesOfType(type);
    if (!shapes) return target;
    const lendsToOwner = (r: TypeVal) => r.kind === 'own' && this.sink.composition() && r.owner !== owner;
    const paramOp = (h: HandleShape): Target | undefined => {
      const r = h.resource;
      if (r?.kind === 'own') {
        if (!h.borrow) return this.move(r, HOLD.local, HOST, owner);
        if (!lendsToOwner(r)) return this.op('get', r, [HOLD.local], HOST);
        // A borrow into a component that does not implement it: the host's handle lent to it for the call.
        const b = this.between(r, HOST, owner);
        return this.generated(`lend-to:${this.tagOf(r, HOLD.local, HOST)}:${this.tagOf(r, HOLD.lent, owner)}`, { kind: 'chain', first: b.lend, then: b.borrow });
      }
      if (!hostResource(r)) return undefined;
      return this.op('new', r!, [h.borrow ? HOLD.hostBorrow : HOLD.hostOwn], owner);
    };
    const resultOp = (h: HandleShape): Target | undefined => {
      const r = h.resource;
      if (r?.kind === 'own') return this.move(r, HOLD.local, owner, HOST);
      return !h.borrow && hostResource(r) ? this.op('take', r!, [HOLD.hostOwn], owner) : undefined;
    };
    // The program must drop what the host lent it before it returns (CanonicalABI.md: a task ends
    // with no borrow left); loans of the host's handles of a component's resource end then too.
    const lendsOwn = shapes.params.some((p) => hasHandle(p, (h) => h.borrow === true && h.resource !== undefined && lendsToOwner(h.resource)));
    const lends = shapes.params.some((p) => hasHandle(p, (h) => h.borrow === true && hostResource(h.resource)));
    return this.wrapper(target, shapes, 'export', paramOp, resultOp, {
      undo: undefined,
      lentCount: lends && !lendsOwn ? this.generated('lent-count', { kind: 'lent-count' }) : undefined,
      lendEnd: lendsOwn ? this.lendCall() : undefined,
    });
  }

  /** An import of the program's own interfaces, lowered in `holder`: host resources cross the table the other way. */
  importWrapper(type: FuncTypeRef | undefined, target: Target, holder: Holder): Target {
    const shapes = shapesOfType(type);
    if (!shapes) return target;
    const paramOp = (h: HandleShape): Target | undefined => {
      if (!hostResource(h.resource)) return undefined;
      return h.borrow ? this.op('get', h.resource!, [HOLD.hostOwn, HOLD.hostBorrow], holder) : this.op('take', h.resource!, [HOLD.hostOwn], holder);
    };
    const resultOp = (h: HandleShape): Target | undefined => (hostResource(h.resource) ? this.op('new', h.resource!, [HOLD.hostOwn], holder) : undefined);
    // Lifting only reads the program's memory: handles in it are rewritten for the call and put back after it.
    const undo = handleInMemory(shapes.params, (h) => hostResource(h.resource), MAX_FLAT_PARAMS)
      ? {
          mark: this.generated('undo-mark', { kind: 'undo-mark' }),
          push: this.generated('undo-push', { kind: 'undo-push', alloc: this.sink.bump() }),
          restore: this.generated('undo-restore', { kind: 'undo-restore' }),
        }
      : undefined;
    return this.wrapper(target, shapes, 'import', paramOp, resultOp, { undo, lentCount: undefined, lendEnd: undefined });
  }

  private wrapper(
    callee: Target,
    shapes: { params: Shape[]; result: Shape | undefined },
    direction: 'export' | 'import',
    paramOp: (h: HandleShape) => Target | undefined,
    resultOp: (h: HandleShape) => Target | undefined,
    checks: Pick<HandleWrapper, 'undo' | 'lentCount' | 'lendEnd'>,
  ): Target {
    const used = shapes.params.some((p) => hasHandle(p, (h) => paramOp(h) !== undefined)) || (shapes.result !== undefined && hasHandle(shapes.result, (h) => resultOp(h) !== undefined));
    return used ? this.sink.gen({ kind: 'handle-wrapper', callee, ...shapes, direction, paramOp, resultOp, ...checks }) : callee;
  }

  /** An own handle of `type` held `hold` moving from `from`'s table to `to`'s: none when they are one. */
  private move(type: TypeVal, hold: number, from: Holder, to: Holder): Target | undefined {
    const [a, b] = [this.tagOf(type, hold, from), this.tagOf(type, hold, to)];
    return a === b ? undefined : this.generated(`move:${a}:${b}`, { kind: 'handle-move', tag: a, to: b });
  }

  /** A handle-table operation on `type` in `holder`'s table with the holds given (new takes one), generated once. */
  private op(op: 'new' | 'get' | 'take', type: TypeVal, holds: number[], holder: Holder): Target {
    const tags = holds.map((h) => this.tagOf(type, h, holder));
    const g: GenFunc =
      op === 'new' ? { kind: 'handle-new', alloc: this.sink.bump(), tag: tags[0]!, lent: holds[0] === HOLD.hostBorrow || holds[0] === HOLD.lent } : { kind: op === 'get' ? 'handle-get' : 'handle-take', tags };
    return this.generated(`${op}:${tags.join(',')}`, g);
  }

  private generated(key: string, g: GenFunc): Target {
    let t = this.once.get(key);
    if (!t) this.once.set(key, (t = this.sink.gen(g)));
    return t;
  }

  /** Slot tag: resource type (own types by identity, imported ones by interface and name), holder (in a composition) and hold. */
  private tagOf(type: TypeVal, hold: number, holder: Holder): number {
    const key = type.kind === 'imported' ? `${type.iface}\0${type.name}` : type;
    let byHolder = this.typeIds.get(key);
    if (!byHolder) this.typeIds.set(key, (byHolder = new Map()));
    const who = this.sink.composition() ? holder : HOST;
    let id = byHolder.get(who);
    if (id === undefined) {
      id = this.ids++;
      if (id >= MAX_TYPE_IDS) throw new WasiAdaptError('unsupported', `more than ${MAX_TYPE_IDS} resource types are held across the composition's component instances; down's handle tags cannot tell them apart`);
      byHolder.set(who, id);
    }
    return id * 8 + hold;
  }
}

function unversioned(type: TypeVal): TypeVal {
  return type.kind === 'imported' ? { ...type, iface: withoutVersion(type.iface) } : type;
}

/** WASI resources a call between two components borrows (`iface#resource`, unversioned): their drops must tell a loan. */
export function wasiResourcesLent(funcs: readonly CoreFunc[]): Set<string> {
  const out = new Set<string>();
  for (const f of funcs) {
    if (f.kind !== 'lower-lifted') continue;
    const shapes = shapesOfType(f.type);
    if (!shapes) continue;
    for (const h of [...shapes.params, ...(shapes.result ? [shapes.result] : [])].flatMap(handlesOf)) {
      const r = h.resource;
      if (h.borrow && r?.kind === 'imported' && !hostResource(r)) out.add(`${withoutVersion(r.iface)}#${r.name}`);
    }
  }
  return out;
}

/** A resource the host implements and the output keeps as imports (WASI resources live in the polyfill's own tables). */
export function hostResource(r: TypeVal | undefined): boolean {
  return r?.kind === 'imported' && !r.iface.startsWith('wasi:');
}

function shapesOfType(type: FuncTypeRef | undefined): { params: Shape[]; result: Shape | undefined } | undefined {
  if (!type) return undefined;
  let signature: { params: Shape[]; results: Shape[] };
  try {
    signature = signatureOf(type);
  } catch (err) {
    // A type down cannot read has no handles it could translate.
    if (err instanceof WasiAdaptError) return undefined;
    throw err;
  }
  // Several named results are a pre-0.2 form no WASI toolchain emits now.
  if (signature.results.length > 1) throw new WasiAdaptError('unsupported', 'a function with several named results: down supports one result');
  return { params: signature.params, result: signature.results[0] };
}
