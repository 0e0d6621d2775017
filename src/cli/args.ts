import { WasiAdaptError } from '../errors.js';

/** What a command accepts: boolean flags and options that take one value. */
export interface ArgSpec {
  flags?: readonly string[];
  options?: readonly string[];
  /** Options that may be given many times; every value is kept, in order. */
  repeatable?: readonly string[];
  /** Short aliases, e.g. { '-o': '--output' }. */
  aliases?: Readonly<Record<string, string>>;
  /** Everything from the first positional on is positional (a program's own arguments). */
  stopAtPositional?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
  /** Values of repeatable options. */
  lists: Map<string, string[]>;
}

/**
 * Strict argv parsing: an unknown flag is an error that names it, rather than
 * something silently ignored. `-` alone is a positional (stdin/stdout).
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (spec.stopAtPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
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
    } else if (spec.options?.includes(arg) || spec.repeatable?.includes(arg)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw usage(`${arg} needs a value`);
        value = argv[++i]!;
      }
      if (spec.repeatable?.includes(arg)) lists.set(arg, [...(lists.get(arg) ?? []), value]);
      else options.set(arg, value);
    } else {
      throw usage(`unknown option ${arg} (see --help)`);
    }
  }
  return { positionals, flags, options, lists };
}

export function usage(message: string): WasiAdaptError {
  return new WasiAdaptError('invalid-argument', message);
}
