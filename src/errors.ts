/**
 * The one error type wasi-adapt throws on purpose. Callers branch on `code`;
 * `offset` is the byte offset in the input file where the problem was seen.
 */
export type ErrorCode =
  | 'not-wasm'
  | 'truncated'
  | 'bad-leb'
  | 'bad-utf8'
  | 'bad-section'
  | 'bad-opcode'
  | 'bad-value'
  | 'too-large'
  | 'too-deep'
  | 'prerelease'
  | 'unsupported'
  | 'unresolved'
  | 'invalid-argument'
  | 'io';

export class WasiAdaptError extends Error {
  readonly code: ErrorCode;
  readonly offset: number | undefined;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { offset?: number; file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WasiAdaptError';
    this.code = code;
    this.offset = options.offset;
    this.file = options.file;
  }

  /** The same error, told about the file it came from (for CLI and library messages). */
  inFile(file: string): WasiAdaptError {
    if (this.file !== undefined) return this;
    const e = new WasiAdaptError(this.code, this.message, { offset: this.offset, file, cause: this.cause });
    e.stack = this.stack;
    return e;
  }

  /** One line for a terminal: `file: at offset 0x1a2b: message [code]`. */
  describe(): string {
    const where = [this.file, this.offset === undefined ? undefined : `at offset 0x${this.offset.toString(16)}`]
      .filter((part) => part !== undefined)
      .join(': ');
    return `${where ? where + ': ' : ''}${this.message} [${this.code}]`;
  }
}
