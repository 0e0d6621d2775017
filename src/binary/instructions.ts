import { WasiAdaptError } from '../errors.js';
import { INDEX_SPACES, type IndexSpace } from './opcodes.js';
import { BinaryReader } from './reader.js';
import { ENC_IMPLICIT_MEMORY, ENC_S33, scanExpr, type IndexSink } from './scan.js';
import { BinaryWriter } from './writer.js';

export { INDEX_SPACES, type IndexSpace } from './opcodes.js';

/** A constant (or any) expression: its bytes, including the final end, and their absolute offset. */
export interface Expr {
  bytes: Uint8Array;
  offset: number;
}

export type IndexVisitor = (space: IndexSpace, value: number, start: number, end: number) => void;
export type IndexMaps = Partial<Record<IndexSpace, (index: number) => number>>;

const ALL_SPACES = (1 << INDEX_SPACES.length) - 1;

/** Scans a whole expression view: it must end exactly at its final `end`. */
function scanWhole(expr: Uint8Array, base: number, sink: IndexSink | null, mask: number): number {
  const r = new BinaryReader(expr, base);
  const feats = scanExpr(r, sink, mask, null);
  if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the expression`);
  return feats;
}

/**
 * Calls `visit` for every immediate of `expr` that names an index, with the
 * LEB's position inside `expr`. A memarg without an explicit memory index
 * reports memory 0 with `start === end` (where the index would be inserted).
 * `base` is the absolute offset of `expr[0]`, for error messages.
 */
export function forEachIndex(expr: Uint8Array, base: number, visit: IndexVisitor): void {
  scanWhole(expr, base, reportTo(visit), ALL_SPACES);
}

/** Adapts a public visitor to the scanner's sink: space names, and implicit memories as empty spans. */
export function reportTo(visit: IndexVisitor): IndexSink {
  return (space, value, start, end, encoding) => {
    if (encoding === ENC_IMPLICIT_MEMORY) visit('memory', value, end, end);
    else visit(INDEX_SPACES[space]!, value, start, end);
  };
}

/**
 * Rewrites index immediates through `maps` (one function per index space).
 * Unchanged spans are copied verbatim and only changed LEBs are re-encoded;
 * if nothing changes, `expr` itself is returned.
 */
export function rewriteIndices(expr: Uint8Array, base: number, maps: IndexMaps): Uint8Array {
  const rw = new IndexRewriter(expr, maps);
  if (rw.mask === 0) return expr;
  scanWhole(expr, base, rw.sink, rw.mask);
  return rw.finish();
}

/** Copies a buffer while replacing index LEBs; shared by expression and function-body rewriting. */
export class IndexRewriter {
  readonly mask: number;
  private readonly fns: (((index: number) => number) | undefined)[];
  private out: BinaryWriter | null = null;
  private copied = 0;

  constructor(
    private readonly src: Uint8Array,
    maps: IndexMaps,
  ) {
    this.fns = INDEX_SPACES.map((s) => maps[s]);
    this.mask = this.fns.reduce((m, f, i) => (f ? m | (1 << i) : m), 0);
  }

  readonly sink: IndexSink = (space, value, start, end, encoding) => {
    const next = this.fns[space]!(value);
    if (next === value) return;
    if (!Number.isInteger(next) || next < 0 || next > 0xffffffff) {
      throw new WasiAdaptError('invalid-argument', `index map for ${INDEX_SPACES[space]} returned ${next} for ${value}`);
    }
    const out = (this.out ??= new BinaryWriter(this.src.length + 64));
    out.span(this.src, this.copied, start);
    if (encoding === ENC_S33) {
      out.sleb(next);
    } else if (encoding === ENC_IMPLICIT_MEMORY) {
      // Memory 0 was implied; set bit 6 of the alignment and insert the index.
      const align = new BinaryReader(this.src, 0, start, end).u32();
      out.u32(align | 0x40).u32(next);
    } else {
      out.u32(next);
    }
    this.copied = end;
  };

  /** The rewritten bytes (the source itself when nothing changed). */
  finish(): Uint8Array {
    if (!this.out) return this.src;
    this.out.span(this.src, this.copied, this.src.length);
    return this.out.finish();
  }
}

/**
 * Calls `visit` for every instruction of `expr`: its first byte, the
 * sub-opcode of prefixed instructions (0xFB..0xFE) or -1, and its span.
 */
export function forEachInstruction(
  expr: Uint8Array,
  base: number,
  visit: (opcode: number, sub: number, start: number, end: number) => void,
): void {
  const r = new BinaryReader(expr, base);
  scanExpr(r, null, 0, visit);
  if (!r.eof()) r.fail('bad-section', `${r.remaining} bytes follow the end of the expression`);
}

/** Feature mask (bits of FEATURES) of the instructions in `expr`. */
export function exprFeatureMask(expr: Uint8Array, base: number): number {
  return scanWhole(expr, base, null, 0);
}

/** Reads an expression in place (up to and including its final end) as a view. */
export function readExpr(r: BinaryReader): Expr {
  const start = r.pos;
  const offset = r.offset;
  scanExpr(r, null, 0, null);
  return { bytes: r.buf.subarray(start, r.pos), offset };
}
