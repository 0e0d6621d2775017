import { parseModule, writeModule } from '../binary/module.js';
import { lower, type LowerReport } from '../lower/index.js';
import { optimize } from '../lower/optimize.js';
import { parseArgs, usage } from './args.js';
import { defaultOutput, inFile, readInput, writeOutput } from './io.js';

const HELP = `Usage: wasi-adapt down IN.wasm [-o OUT.wasm] [options]

Turns a WASI 0.2 component into one WASI preview 1 core module that any p1
runtime (wasmtime, wasmer, node:wasi, browsers with a p1 shim) runs. Also takes
compositions (components calling components: one memory out, strings transcoded,
handles in per-component tables; what the host allocates with cabi_realloc for
an export is freed when it returns, or in its cabi_post_ when its results hold
strings or lists: the host must call it)
and WASI 0.3 components whose run is a callback-style async lift (an event loop
over poll_oneoff; an async export returns at task.return, and its cabi_post_
export runs the rest of the task). Stackful async lifts are refused.

Options:
  -o, --output FILE     where to write the module (default IN.p1.wasm; '-' for stdout)
  --keep-adapter        keep the component's preview1 adapter and run it on our
                        WASI 0.2 polyfill instead of calling the host's p1 directly
  --allow-unresolved    keep imports p1 cannot serve (wasi:http, ...) as imports of
                        the output instead of linking stand-ins
  --strict              refuse imports p1 cannot serve instead of linking stand-ins
                        (by default wasi:http requests fail with an error-code, other
                        functions return their WIT error or trap naming themselves)
  --optimize            run binaryen's -O2 over the output (slower)
  --verbose             print what was linked, resolved and kept
  -h, --help            show this help
`;

export async function downCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    flags: ['--keep-adapter', '--allow-unresolved', '--strict', '--optimize', '--verbose'],
    options: ['--output'],
    aliases: { '-o': '--output' },
  });
  if (args.flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length !== 1) throw usage('down takes exactly one input file (see --help)');
  if (args.flags.has('--strict') && args.flags.has('--allow-unresolved')) throw usage('--strict and --allow-unresolved contradict each other: choose one');
  const input = args.positionals[0]!;
  const output = args.options.get('--output') ?? (input === '-' ? '-' : defaultOutput(input, 'p1'));
  const bytes = await readInput(input);
  const result = inFile(input, () =>
    lower(bytes, {
      keepAdapter: args.flags.has('--keep-adapter'),
      allowUnresolved: args.flags.has('--allow-unresolved'),
      strict: args.flags.has('--strict'),
    }),
  );
  const module = args.flags.has('--optimize') ? await optimize(withoutDebugInfo(result.module, result.report)) : result.module;
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
    `stand-ins for what p1 cannot serve: ${r.stubbed.join(', ') || 'none'}`,
    `exports:`,
    ...r.exports.map((e) => `  ${e.name}${e.wit ? `: ${e.wit}` : ''}`),
    ...debugLines(r.debugInfo),
    `size: ${r.inputSize} B -> ${finalSize} B`,
    `time: ${r.milliseconds.toFixed(1)} ms`,
  ];
  return lines.join('\n') + '\n';
}

/** Said only when the input had DWARF: what the output kept, and what it dropped and why. */
function debugLines(d: LowerReport['debugInfo']): string[] {
  const lines = d.kept.length ? [`debug info: kept ${d.kept.join(', ')} (${d.keptBytes} B)`] : [];
  for (const x of d.dropped) lines.push(`debug info: dropped ${x.sections.join(', ')} (${x.bytes} B): ${x.reason}`);
  return lines;
}

/**
 * binaryen rewrites the code but writes DWARF back as it read it (addresses gone stale), so the
 * debug sections the linker kept are taken out before it runs, and reported as dropped.
 */
function withoutDebugInfo(module: Uint8Array, r: LowerReport): Uint8Array {
  const d = r.debugInfo;
  if (!d.kept.length) return module;
  const main = r.modules.find((m) => m.role === 'main')?.name ?? 'main';
  d.dropped.unshift({ module: main, sections: d.kept, bytes: d.keptBytes, reason: '--optimize rewrites the code and binaryen does not update DWARF' });
  d.kept = [];
  d.keptBytes = 0;
  return writeModule({ sections: parseModule(module).sections.filter((s) => !s.name?.startsWith('.debug_')) });
}
