import { readFile } from 'node:fs/promises';
import { WasiAdaptError } from '../errors.js';
import { inspect } from '../inspect/index.js';
import { formatReport } from '../inspect/format.js';
import { parseArgs, usage } from './args.js';

const HELP = `Usage: wasi-adapt inspect FILE [--json]

Shows what a wasm file is (WASI preview 1 module, WASI 0.2/0.3 component, plain
core module), the WASI interfaces it imports with their versions, its exports,
a component's core modules with their roles, and which way wasi-adapt would
convert it, with the runtimes that run it as it is.

Options:
  --json     print the report as JSON (fields: docs/inspect-json.md)
  -h, --help show this text
`;

export async function inspectCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--json'] });
  if (args.flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw usage('inspect takes one FILE (see --help)');
  const file = args.positionals[0]!;
  const bytes = await readInput(file);
  let report;
  try {
    report = inspect(bytes);
  } catch (err) {
    throw err instanceof WasiAdaptError ? err.inFile(file) : err;
  }
  process.stdout.write(args.flags.has('--json') ? JSON.stringify({ file, ...report }, null, 2) + '\n' : formatReport(file, report));
  return report.kind === 'not-wasm' ? 1 : 0;
}

/** Reads a file the user named; `-` is stdin. I/O failures become one-line errors. */
export async function readInput(file: string): Promise<Uint8Array> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    }
    return new Uint8Array(await readFile(file));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new WasiAdaptError('io', `cannot read: ${reason}`, { file });
  }
}
