import { bodyFeatureMask } from './code.js';
import { exprFeatureMask, forEachInstruction, type Expr } from './instructions.js';
import type { CoreModule } from './module.js';
import { F, FEATURES, type Feature } from './opcodes.js';
import { FUNCREF, valTypeEquals, type CompositeType, type Limits, type RefType, type TableType, type ValType } from './types.js';

export { FEATURES, type Feature } from './opcodes.js';

/** Turns a feature mask into the set of feature names. */
export function featureSet(mask: number): Set<Feature> {
  return new Set(FEATURES.filter((_, i) => mask & (1 << i)));
}

/** Features used by one expression (a function's instructions or a constant expression). */
export function exprFeatures(expr: Uint8Array, base: number): Set<Feature> {
  return featureSet(exprFeatureMask(expr, base));
}

/**
 * Which post-MVP feature families the module uses, from its types, imports,
 * definitions, segments and every instruction. The linker checks its output
 * against this so it never introduces a feature the input did not use.
 */
export function detectFeatures(m: CoreModule): Set<Feature> {
  return featureSet(moduleFeatureMask(m));
}

export function moduleFeatureMask(m: CoreModule): number {
  let f = 0;
  for (const g of m.recGroups) {
    if (g.explicit || g.types.length !== 1) f |= F.gc;
    for (const s of g.types) {
      if (s.explicit || !s.final || s.supertypes.length) f |= F.gc;
      f |= compositeFeatures(s.type);
    }
  }
  for (const im of m.imports) {
    const d = im.desc;
    if (d.kind === 'table') f |= tableFeatures(d.type);
    else if (d.kind === 'memory') f |= limitsFeatures(d.type);
    else if (d.kind === 'global') f |= valFeatures(d.type.type) | (d.type.mutable ? F['mutable-globals'] : 0);
    else if (d.kind === 'tag') f |= F.exceptions;
  }
  for (const t of m.tables) f |= tableFeatures(t.type) | (t.init ? F['function-references'] | constFeatures(t.init) : 0);
  if (m.importedTableCount + m.tables.length > 1) f |= F['reference-types'];
  for (const mem of m.memories) f |= limitsFeatures(mem);
  if (m.importedMemoryCount + m.memories.length > 1) f |= F['multi-memory'];
  if (m.tags.length) f |= F.exceptions;
  for (const g of m.globals) f |= valFeatures(g.type.type) | constFeatures(g.init);
  const importedGlobals = m.imports.flatMap((im) => (im.desc.kind === 'global' ? [im.desc.type] : []));
  for (const e of m.exports) {
    if (e.kind === 'tag') f |= F.exceptions;
    if (e.kind !== 'global') continue;
    const type = e.index < importedGlobals.length ? importedGlobals[e.index] : m.globals[e.index - importedGlobals.length]?.type;
    if (type?.mutable) f |= F['mutable-globals'];
  }
  for (const seg of m.elements) {
    if (seg.flags !== 0 && seg.flags !== undefined) f |= F['bulk-memory'];
    if (seg.flags !== undefined && seg.flags >= 4) f |= F['reference-types'];
    if (!valTypeEquals(seg.type, FUNCREF)) f |= refFeatures(seg.type);
    if (seg.offset) f |= constFeatures(seg.offset);
    for (const e of seg.exprs ?? []) f |= constFeatures(e);
  }
  if (m.dataCount !== undefined) f |= F['bulk-memory'];
  for (const d of m.data) {
    if (d.mode === 'passive') f |= F['bulk-memory'];
    if (d.memory !== 0) f |= F['multi-memory'];
    if (d.offset) f |= constFeatures(d.offset);
  }
  for (const body of m.code) f |= bodyFeatureMask(body);
  return f;
}

function compositeFeatures(t: CompositeType): number {
  switch (t.kind) {
    case 'func': {
      let f = t.results.length > 1 ? F['multi-value'] : 0;
      for (const v of t.params) f |= valFeatures(v);
      for (const v of t.results) f |= valFeatures(v);
      return f;
    }
    case 'struct':
      return F.gc;
    case 'array':
      return F.gc;
  }
}

function valFeatures(t: ValType): number {
  if (t === 'v128') return F.simd;
  return typeof t === 'string' ? 0 : refFeatures(t);
}

function refFeatures(t: RefType): number {
  if (typeof t.heap === 'number' || !t.nullable) return F['function-references'];
  switch (t.heap) {
    case 'func':
    case 'extern':
      return F['reference-types'];
    case 'exn':
    case 'noexn':
      return F.exnref;
    default:
      return F.gc;
  }
}

function tableFeatures(t: TableType): number {
  const f = limitsFeatures(t.limits);
  return t.element.heap === 'func' && t.element.nullable ? f : f | refFeatures(t.element);
}

function limitsFeatures(l: Limits): number {
  return (l.shared ? F.threads : 0) | (l.index64 ? F.memory64 : 0) | (l.pageSizeLog2 !== undefined ? F['custom-page-sizes'] : 0);
}

/** MVP constant expressions are a single const/global.get/ref instruction; arithmetic is extended-const. */
const EXTENDED_CONST_OPS = new Set([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

function constFeatures(e: Expr): number {
  let f = exprFeatureMask(e.bytes, e.offset);
  forEachInstruction(e.bytes, e.offset, (op) => {
    if (EXTENDED_CONST_OPS.has(op)) f |= F['extended-const'];
  });
  return f;
}
