/**
 * WIT tokens (component-model design/mvp/WIT.md, "Lexical structure"). The lexer is pulled one
 * token at a time by the parser because semver versions cannot be tokenized on their own:
 * `@0.2.0-rc.1.{a}` only splits correctly when the parser says "a version starts here"
 * (`readVersion`).
 */
import { WasiAdaptError } from '../errors.js';

export interface Pos {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly col: number;
}

export type TokenKind = 'id' | 'keyword' | 'int' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier without its `%`, keyword, digits, or operator text. */
  readonly text: string;
  readonly pos: Pos;
  /** `///` and `/** *\/` comments since the previous token, one string per comment. */
  readonly docs: readonly string[];
}

/** WIT.md's keyword list, plus `error-context` (a built-in type in WASI 0.3's WIT). */
const KEYWORDS: ReadonlySet<string> = new Set([
  'as', 'async', 'bool', 'borrow', 'char', 'constructor', 'enum', 'error-context', 'export', 'f32', 'f64',
  'flags', 'from', 'func', 'future', 'import', 'include', 'interface', 'list', 'map', 'option', 'own',
  'package', 'record', 'resource', 'result', 's16', 's32', 's64', 's8', 'static', 'stream', 'string',
  'tuple', 'type', 'u16', 'u32', 'u64', 'u8', 'use', 'variant', 'with', 'world',
]);

const OPERATORS = new Set(['=', ',', ':', ';', '(', ')', '{', '}', '<', '>', '*', '/', '.', '@', '_']);

/** A component-model label: kebab-case words, each all-lowercase or all-uppercase, starting with a letter. */
const KEBAB = /^(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*$/;

/** Semver 2.0 (numeric parts without leading zeros; the check on prerelease numbers is below). */
const SEMVER = /(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?/y;

/**
 * Characters WIT.md forbids anywhere in a file (also in comments): control codes other than
 * tab, newline and carriage return, and the bidirectional overrides that can hide code.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

export function witError(pos: Pos, message: string): WasiAdaptError {
  return new WasiAdaptError('bad-value', `${pos.file}:${pos.line}:${pos.col}: ${message}`);
}

/** How a token reads in "found ..." messages. */
export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  return '`' + t.text + '`';
}

export class Lexer {
  private at = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string, readonly file: string) {
    const bad = FORBIDDEN.exec(text);
    if (bad) {
      this.advanceTo(bad.index);
      throw witError(this.pos(), `forbidden character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
  }

  private pos(): Pos {
    return { file: this.file, line: this.line, col: this.at - this.lineStart + 1 };
  }

  private advanceTo(end: number): void {
    for (; this.at < end; this.at++) {
      if (this.text.charCodeAt(this.at) === 10) {
        this.line++;
        this.lineStart = this.at + 1;
      }
    }
  }

  /** Skips whitespace and comments; returns the doc comments passed. */
  private skip(): string[] {
    const docs: string[] = [];
    const t = this.text;
    while (this.at < t.length) {
      const c = t[this.at]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.advanceTo(this.at + 1);
      } else if (t.startsWith('//', this.at)) {
        let end = t.indexOf('\n', this.at);
        if (end < 0) end = t.length;
        if (t.startsWith('///', this.at) && !t.startsWith('////', this.at)) docs.push(t.slice(this.at + 3, end).replace(/\r$/, '').replace(/^ /, ''));
        this.advanceTo(end);
      } else if (t.startsWith('/*', this.at)) {
        const start = this.pos();
        const from = this.at;
        let depth = 0;
        let i = this.at;
        // Block comments nest (WIT.md, "Comments"): count delimiters until they balance.
        for (;;) {
          if (i >= t.length) throw witError(start, 'unterminated block comment');
          if (t.startsWith('/*', i)) { depth++; i += 2; }
          else if (t.startsWith('*/', i)) { depth--; i += 2; if (depth === 0) break; }
          else i++;
        }
        if (t.startsWith('/**', from) && !t.startsWith('/**/', from)) docs.push(t.slice(from + 3, i - 2).trim());
        this.advanceTo(i);
      } else {
        break;
      }
    }
    return docs;
  }

  next(): Token {
    const docs = this.skip();
    const pos = this.pos();
    const t = this.text;
    if (this.at >= t.length) return { kind: 'eof', text: '', pos, docs };
    const c = t[this.at]!;
    if (t.startsWith('->', this.at)) {
      this.advanceTo(this.at + 2);
      return { kind: 'op', text: '->', pos, docs };
    }
    if (OPERATORS.has(c)) {
      this.advanceTo(this.at + 1);
      return { kind: 'op', text: c, pos, docs };
    }
    if (c >= '0' && c <= '9') {
      const m = /[0-9]+/y;
      m.lastIndex = this.at;
      const digits = m.exec(t)![0];
      this.advanceTo(this.at + digits.length);
      return { kind: 'int', text: digits, pos, docs };
    }
    const escaped = c === '%';
    const word = /[A-Za-z0-9-]+/y;
    word.lastIndex = escaped ? this.at + 1 : this.at;
    const m = word.exec(t);
    if (!m && !escaped) {
      throw witError(pos, `unexpected character \`${String.fromCodePoint(t.codePointAt(this.at)!)}\``);
    }
    const name = m ? m[0] : '';
    this.advanceTo(word.lastIndex);
    if (!KEBAB.test(name)) throw witError(pos, `\`${escaped ? '%' : ''}${name}\` is not a kebab-case identifier`);
    const kind = !escaped && KEYWORDS.has(name) ? 'keyword' : 'id';
    return { kind, text: name, pos, docs };
  }

  /**
   * Reads a semver version at the current position (after `@`, or after `version =` in a gate).
   * The parser must not have looked past the token before it.
   */
  readVersion(): { version: string; pos: Pos } {
    this.skip();
    const pos = this.pos();
    SEMVER.lastIndex = this.at;
    const m = SEMVER.exec(this.text);
    const end = m ? SEMVER.lastIndex : this.at;
    // A version must not run on into more version-like characters (`1.2.3x`, `1.2`).
    const ok = m !== null && !/[0-9A-Za-z+-]/.test(this.text[end] ?? '') && !(m[4] ?? '').split('.').some((p) => /^0[0-9]+$/.test(p));
    if (!ok) {
      const found = /[0-9A-Za-z.+-]*/y;
      found.lastIndex = this.at;
      const text = found.exec(this.text)![0].replace(/\.$/, '');
      throw witError(pos, `expected a semver version (like 1.2.3), found ${text ? '`' + text + '`' : describeToken(this.next())}`);
    }
    this.advanceTo(end);
    return { version: m[0], pos };
  }
}
