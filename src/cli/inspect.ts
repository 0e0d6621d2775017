import { inspect } from '../inspect/index.js';
import { formatReport } from '../inspect/format.js';
import { parseArgs, usage } from './args.js';
import { inFile, readInput } from './io.js';

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
  const report = inFile(file, () => inspect(bytes));
  process.stdout.write(args.flags.has('--json') ? JSON.stringify({ file, ...report }, null, 2) + '\n' : formatReport(file, report));
  return report.kind === 'not-wasm' ? 1 : 0;
}
