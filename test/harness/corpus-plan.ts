// Which calls the corpus test makes on a reactor: every export, with
// generated (or given) arguments; a handle argument comes from a call of the
// export's own constructor earlier in the same sequence (own: a fresh one each
// time, since the call consumes it). Each call runs in its own sequence (a
// fresh instance), so one trap cannot hide the next.
import { mapHandles, type CType } from './cabi.js';
import type { CallSpec } from './corpus-child.js';
import { sample, SAMPLES } from './gen-values.js';
import { encodeValue } from './ipc-values.js';
import type { ComponentSigs, ExportSig } from './wit-types.js';

export interface Plan {
  /** Per sequence, a label per call. */
  labels: string[][];
  sequences: CallSpec[][];
  /** Exports not called: core name -> why. */
  uncallable: Record<string, string>;
}

export interface PlanInput {
  /** Given argument lists per export (core name), instead of generated ones. */
  args?: Record<string, unknown[][]>;
  /** Stateful sequences: [core name, args][]. */
  sequences?: [string, unknown[]][][];
}

const spec = (e: ExportSig, args: unknown[]): CallSpec => ({
  ...(e.iface ? { iface: e.iface } : {}),
  name: e.name,
  core: e.core,
  sig: e.sig!,
  args: encodeValue(args) as unknown[],
});

/** The export constructing `resource` (its result is own<resource>), if there is one. */
function constructorOf(sigs: ComponentSigs, resource: string): ExportSig | undefined {
  return sigs.exports.find((e) => /^\[constructor\]/.test(e.name) && e.sig?.result?.k === 'own' && e.sig.result.resource === resource);
}

/** The calls that make the handles `args` need, then the call itself; or why that cannot be. */
function withHandles(sigs: ComponentSigs, e: ExportSig, args: unknown[]): CallSpec[] | string {
  const prefix: CallSpec[] = [];
  let missing: string | undefined;
  const borrowed = new Map<string, number>();
  const resolved = e.sig!.params.map((p, i) =>
    mapHandles(p.type, args[i], (kind, resource, v, iface) => {
      if (!(v && typeof v === 'object' && '$handle' in v)) return v;
      if (iface !== undefined) {
        // A resource the component imports: the host makes one, as jco's caller would with the import's class.
        // Without a WIT constructor the JS class is still the host's to instantiate (with no arguments).
        const ctor = sigs.imports.find((x) => x.iface === iface && x.name === `[constructor]${resource}`);
        if (ctor && (!ctor.sig || ctor.sig.params.some((q) => hasHandle(q.type)))) {
          missing = `needs a handle of ${resource} from ${iface}, whose constructor takes handles`;
          return v;
        }
        return { $host: { iface, resource, args: ctor?.sig ? ctor.sig.params.map((q) => sample(q.type, 2)) : [] } };
      }
      const ctor = constructorOf(sigs, resource);
      if (!ctor?.sig || ctor.sig.params.some((q) => hasHandle(q.type))) {
        missing = `needs a handle of ${resource}, which no export constructs from plain values`;
        return v;
      }
      if (kind === 'borrow' && borrowed.has(resource)) return { $ref: borrowed.get(resource) };
      prefix.push(spec(ctor, ctor.sig.params.map((q) => sample(q.type, 2))));
      if (kind === 'borrow') borrowed.set(resource, prefix.length - 1);
      return { $ref: prefix.length - 1 };
    }),
  );
  return missing ?? [...prefix, spec(e, resolved)];
}

function hasHandle(t: CType): boolean {
  let found = false;
  mapHandles(t, sample(t, 1), (_k, _r, v) => {
    found = true;
    return v;
  });
  return found;
}

export function planCalls(sigs: ComponentSigs, input: PlanInput = {}): Plan {
  const plan: Plan = { labels: [], sequences: [], uncallable: {} };
  for (const e of sigs.exports) {
    if (!e.sig) {
      plan.uncallable[e.core] = `its type cannot be read: ${e.error}`;
      continue;
    }
    const given = input.args?.[e.core];
    const sig = e.sig;
    const argSets = given ?? (sig.params.length === 0 ? [[]] : Array.from({ length: SAMPLES }, (_, i) => sig.params.map((p) => sample(p.type, i))));
    const seen = new Set<string>();
    const labels: string[][] = [];
    const sequences: CallSpec[][] = [];
    for (const [i, args] of argSets.entries()) {
      const key = JSON.stringify(encodeValue(args));
      if (seen.has(key)) continue;
      seen.add(key);
      const calls = withHandles(sigs, e, args);
      if (typeof calls === 'string') {
        plan.uncallable[e.core] = calls;
        break;
      }
      labels.push(calls.map((c, j) => (j === calls.length - 1 ? `${e.core} #${i}` : `${e.core} #${i} handle ${j}: ${c.core}`)));
      sequences.push(calls);
    }
    if (plan.uncallable[e.core]) continue;
    plan.labels.push(...labels);
    plan.sequences.push(...sequences);
  }
  for (const [k, seq] of (input.sequences ?? []).entries()) {
    plan.labels.push(seq.map(([core], i) => `sequence ${k}.${i} ${core}`));
    plan.sequences.push(
      seq.map(([core, args]) => {
        const e = sigs.exports.find((x) => x.core === core);
        if (!e?.sig) throw new Error(`sequence names unknown export ${core}`);
        return spec(e, args);
      }),
    );
  }
  return plan;
}
