import { F, INDEX_SPACES, Space } from './opcodes.js';
import { IndexRewriter, reportTo, type IndexMaps, type IndexVisitor } from './instructions.js';
import { BinaryReader } from './reader.js';
import { ENC_S33, scanExpr, type IndexSink } from './scan.js';
import { readValType, writeValType, type ValType } from './types.js';
import { BinaryWriter } from './writer.js';

/** One code-section entry: the whole body (locals and expression) as a view, and its absolute offset. */
export interface FunctionBody {
  offset: number;
  body: Uint8Array;
}

export interface LocalGroup {
  count: number;
  type: ValType;
}

export interface DecodedBody {
  locals: LocalGroup[];
  /** The expression (instructions through the final end) as a view into the body. */
  expr: Uint8Array;
  /** Absolute offset of `expr[0]`. */
  exprOffset: number;
}

/** Splits a function body into its local declarations and its expression. */
export function decodeFunctionBody(fb: FunctionBody): DecodedBody {
  const r = new BinaryReader(fb.body, fb.offset);
  const locals = readLocals(r, null);
  return { locals, expr: fb.body.subarray(r.pos), exprOffset: fb.offset + r.pos };
}

/** Encodes a body (without its size prefix) from locals and an expression. */
export function encodeFunctionBody(locals: LocalGroup[], expr: Uint8Array): Uint8Array {
  const w = new BinaryWriter(expr.length + 16 + locals.length * 4);
  w.u32(locals.length);
  for (const l of locals) {
    w.u32(l.count);
    writeValType(w, l.type);
  }
  return w.bytes(expr).finish();
}

function readLocals(r: BinaryReader, sink: IndexSink | null): LocalGroup[] {
  const n = r.count(2);
  const locals: LocalGroup[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const count = r.u32();
    total += count;
    if (total > 0xffffffff) r.fail('too-large', 'function declares more than 2^32 locals', at);
    const type = readValType(r, sink ? (v, s, e) => sink(Space.Type, v, s, e, ENC_S33) : undefined);
    locals[i] = { count, type };
  }
  return locals;
}

/** Scans a whole body (locals, then expression); returns the expression's feature mask. */
function scanBody(fb: FunctionBody, sink: IndexSink | null, mask: number): number {
  const r = new BinaryReader(fb.body, fb.offset);
  const locals = readLocals(r, mask & (1 << Space.Type) ? sink : null);
  let feats = scanExpr(r, sink, mask, null);
  if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the function body`);
  for (const l of locals) {
    if (l.type === 'v128') feats |= F.simd;
    else if (typeof l.type === 'object') feats |= F['reference-types'];
  }
  return feats;
}

/** Like `forEachIndex`, over a whole body: type indices in local declarations are reported too. Positions are within `fb.body`. */
export function forEachBodyIndex(fb: FunctionBody, visit: IndexVisitor): void {
  scanBody(fb, reportTo(visit), (1 << INDEX_SPACES.length) - 1);
}

/** Like `rewriteIndices`, over a whole body (local declarations included). Returns `fb.body` if nothing changed. */
export function rewriteBodyIndices(fb: FunctionBody, maps: IndexMaps): Uint8Array {
  const rw = new IndexRewriter(fb.body, maps);
  if (rw.mask === 0) return fb.body;
  scanBody(fb, rw.sink, rw.mask);
  return rw.finish();
}

/** Feature mask of a body's instructions and local types. */
export function bodyFeatureMask(fb: FunctionBody): number {
  return scanBody(fb, null, 0);
}
