import { lower, type LowerReport } from '../lower/index.js';
import { optimize } from '../lower/optimize.js';
import { parseArgs, usage } from './args.js';
import { defaultOutput, inFile, readInput, writeOutput } from './io.js';

const HELP = `Usage: wasi-adapt down IN.wasm [-o OUT.wasm] [options]

Turns a WASI 0.2 component into one WASI preview 1 core module that any p1
runtime (wasmtime, wasmer, node:wasi, browsers with a p1 shim) runs.

Options:
  -o, --output FILE     where to write the module (default IN.p1.wasm; '-' for stdout)
  --keep-adapter        keep the component's preview1 adapter and run it on our
                        WASI 0.2 polyfill instead of calling the host's p1 directly
  --allow-unresolved    keep imports p1 cannot express (wasi:http, ...) as imports
                        of the output instead of failing
  --optimize            run binaryen's -O2 over the output (slower)
  --verbose             print what was linked, resolved and kept
  -h, --help            show this help
`;

export async function downCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    flags: ['--keep-adapter', '--allow-unresolved', '--optimize', '--verbose'],
    options: ['--output'],
    aliases: { '-o': '--output' },
  });
  if (args.flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw usage('down takes exactly one input file (see --help)');
  const input = args.positionals[0]!;
  const output = args.options.get('--output') ?? (input === '-' ? '-' : defaultOutput(input, 'p1'));
  const bytes = await readInput(input);
  const result = inFile(input, () =>
    lower(bytes, { keepAdapter: args.flags.has('--keep-adapter'), allowUnresolved: args.flags.has('--allow-unresolved') }),
  );
  const module = args.flags.has('--optimize') ? await optimize(result.module) : result.module;
  await writeOutput(output, module);
  if (args.flags.has('--verbose')) process.stderr.write(formatReport(result.report, module.length));
  return 0;
}

function formatReport(r: LowerReport, finalSize: number): string {
  const lines = [
    `modules linked: ${r.modules.map((m) => `${m.name} (${m.role})`).join(', ') || 'none'}; adapter ${r.adapter}; ${r.functions} functions`,
    `imports resolved: ${r.importsResolved}`,
    `host imports: ${r.hostImports.join(', ') || 'none'}`,
    `polyfill functions: ${r.polyfillFunctions.length ? r.polyfillFunctions.join(', ') : 'none'}`,
    `custom imports kept: ${r.customImports.join(', ') || 'none'}`,
    `exports:`,
    ...r.exports.map((e) => `  ${e.name}${e.wit ? `: ${e.wit}` : ''}`),
    `size: ${r.inputSize} B -> ${finalSize} B`,
    `time: ${r.milliseconds.toFixed(1)} ms`,
  ];
  return lines.join('\n') + '\n';
}
