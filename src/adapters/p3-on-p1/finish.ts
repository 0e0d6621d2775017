import { BinaryWriter } from '../../binary/writer.js';
import { WasiAdaptError } from '../../errors.js';
import { parse } from '../p2-on-p1/finish.js';
import { P1_SIGNATURES } from '../p2-on-p1/p1-signatures.js';
import { assemblyName } from '../p2-on-p1/signatures.js';
import { P3_POLYFILL_SIGNATURES } from './signatures.js';

const REALLOC = '(i32 i32 i32 i32) -> (i32)';
const show = (s: { params: readonly string[]; results: readonly string[] }): string => `(${s.params.join(' ')}) -> (${s.results.join(' ')})`;

/**
 * asc output -> the WASI 0.3 polyfill: exports renamed to their canonical names (helpers
 * dropped), custom sections dropped, and p2-on-p1's contract checked (imports only
 * env.memory, cabi.realloc, cabi.state_realloc and p1; no memory, table, data, element or
 * start section; the allowed features; exactly the exports of P3_POLYFILL_SIGNATURES).
 */
export function finishP3Polyfill(asc: Uint8Array): Uint8Array {
  const m = parse(asc);
  const byAssemblyName = new Map([...P3_POLYFILL_SIGNATURES.keys()].map((name) => [assemblyName(name), name]));
  if (byAssemblyName.size !== P3_POLYFILL_SIGNATURES.size) throw new WasiAdaptError('invalid-argument', 'two canonical names map to one AssemblyScript name');
  const exports = m.exports
    .flatMap((e) => {
      const name = byAssemblyName.get(e.name);
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
  const problems = check(out);
  if (problems.length) throw new WasiAdaptError('invalid-argument', `p3 polyfill breaks its contract:\n  ${problems.join('\n  ')}`);
  return out;
}

function check(bytes: Uint8Array): string[] {
  const m = parse(bytes);
  const problems = [...m.problems];
  for (const imp of m.imports) {
    const name = `${imp.module}.${imp.field}`;
    if (imp.kind === 2) {
      if (name !== 'env.memory') problems.push(`memory import ${name}`);
      continue;
    }
    const want = imp.module === 'cabi' && (imp.field === 'realloc' || imp.field === 'state_realloc') ? REALLOC
      : imp.module === 'wasi_snapshot_preview1' && P1_SIGNATURES.has(imp.field) ? show(P1_SIGNATURES.get(imp.field)!) : undefined;
    if (!want) problems.push(`unexpected import ${name}`);
    else if (!imp.type || show(imp.type) !== want) problems.push(`import ${name} has type ${imp.type ? show(imp.type) : '?'}, expected ${want}`);
  }
  const seen = new Set<string>();
  for (const exp of m.exports) {
    const want = P3_POLYFILL_SIGNATURES.get(exp.name);
    const got = m.funcTypes[exp.index];
    if (exp.kind !== 0 || !want) problems.push(`unexpected export ${exp.name}`);
    else if (!got || show(got) !== show(want)) problems.push(`export ${exp.name} has type ${got ? show(got) : '?'}, expected ${show(want)}`);
    seen.add(exp.name);
  }
  for (const name of P3_POLYFILL_SIGNATURES.keys()) if (!seen.has(name)) problems.push(`missing export ${name}`);
  return problems;
}
