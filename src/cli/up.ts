import { lift, type LiftReport } from '../lift/index.js';
import { pickWorld } from '../lift/world-wit.js';
import { loadWit } from '../wit/load.js';
import { parseArgs, usage } from './args.js';
import { defaultOutput, inFile, readInput, writeOutput } from './io.js';

const HELP = `Usage: wasi-adapt up IN.wasm [-o OUT.wasm] [options]

Turns a WASI preview 1 core module into a WASI 0.2 component, with a small
preview1 adapter cut down to the functions the module imports.

Options:
  -o, --output FILE     where to write the component (default IN.p2.wasm)
  --command             make a command (exports wasi:cli/run); the default when
                        the module exports _start
  --reactor             make a reactor (no run export); the default otherwise
  --wasi-version 0.2.x  WASI version of the imports and exports (default: the newest
                        0.2.x the module imports, else 0.2.0)
  --exit-with-code      keep proc_exit's exact status through the unstable
                        wasi:cli/exit.exit-with-code (else any nonzero status is 1)
  --wit FILE|DIR        the WIT world the module implements, for a module without
                        embedded component types (wit-bindgen embeds them; then no
                        flag is needed); replaces embedded ones. A directory is a
                        package with its dependencies in deps/
  --world NAME          which world of that package (needed when it has several)
  --verbose             print what the component imports and its size
  -h, --help            show this help
`;

export async function upCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    flags: ['--command', '--reactor', '--exit-with-code', '--verbose'],
    options: ['--output', '--wasi-version', '--wit', '--world'],
    aliases: { '-o': '--output' },
  });
  if (args.flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw usage('up takes exactly one input file (see --help)');
  if (args.flags.has('--command') && args.flags.has('--reactor')) throw usage('--command and --reactor exclude each other');
  const input = args.positionals[0]!;
  const output = args.options.get('--output') ?? defaultOutput(input, 'p2');
  const bytes = await readInput(input);
  const witPath = args.options.get('--wit');
  if (witPath === undefined && args.options.has('--world')) throw usage('--world needs --wit');
  const world = witPath === undefined ? undefined : pickWorld(loadWit(witPath), args.options.get('--world'));
  const result = inFile(input, () =>
    lift(bytes, {
      world,
      kind: args.flags.has('--command') ? 'command' : args.flags.has('--reactor') ? 'reactor' : undefined,
      wasiVersion: args.options.get('--wasi-version'),
      exitWithCode: args.flags.has('--exit-with-code'),
    }),
  );
  await writeOutput(output, result.component);
  if (args.flags.has('--verbose')) process.stderr.write(formatReport(result.report, output));
  return 0;
}

function formatReport(r: LiftReport, output: string): string {
  return (
    `${output}: WASI ${r.wasiVersion} ${r.kind}, ${r.componentBytes} bytes ` +
    `(module ${r.moduleBytes}, adapter ${r.adapterBytes})\n` +
    `  preview1 functions: ${r.p1Imports.join(', ') || '(none)'}\n` +
    `  imports: ${r.interfaces.join(', ') || '(none)'}\n`
  );
}
