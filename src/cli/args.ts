import { WasiAdaptError } from '../errors.js';

/** What a command accepts: boolean flags and options that take one value. */
export interface ArgSpec {
  flags?: readonly string[];
  options?: readonly string[];
  /** Short aliases, e.g. { '-o': '--output' }. */
  aliases?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

/**
 * Strict argv parsing: an unknown flag is an error that names it, rather than
 * something silently ignored. `-` alone is a positional (stdin/stdout).
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    arg = spec.aliases?.[arg] ?? arg;
    if (arg === '--help' || arg === '-h') {
      flags.add('--help');
    } else if (spec.flags?.includes(arg)) {
      if (value !== undefined) throw usage(`${arg} takes no value`);
      flags.add(arg);
    } else if (spec.options?.includes(arg)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw usage(`${arg} needs a value`);
        value = argv[++i]!;
      }
      options.set(arg, value);
    } else {
      throw usage(`unknown option ${arg} (see --help)`);
    }
  }
  return { positionals, flags, options };
}

export function usage(message: string): WasiAdaptError {
  return new WasiAdaptError('invalid-argument', message);
}
