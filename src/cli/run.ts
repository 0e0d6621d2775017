import { statSync } from 'node:fs';
import type { WASI } from 'node:wasi';
import { sniffWasm } from '../binary/component.js';
import { WasiAdaptError } from '../errors.js';
import { lower } from '../lower/index.js';
import { parseArgs, usage } from './args.js';
import { inFile, readInput } from './io.js';

const HELP = `Usage: wasi-adapt run [options] FILE [ARGS...]

Runs a WASI preview 1 module, or a WASI 0.2 component lowered in memory first
(as 'wasi-adapt down' would), on Node's node:wasi, with this process's stdin,
stdout and stderr. Exits with the program's exit code; a trap exits 1.
Everything after FILE goes to the program (its argv[0] is FILE).

Options:
  --dir HOST::GUEST   give the program the host directory HOST as GUEST
                      (repeatable; '--dir PATH' is the same path on both sides)
  --env NAME=VALUE    set an environment variable (repeatable); the program sees
                      only these unless --inherit-env
  --inherit-env       start from this process's environment
  --argv0 NAME        the program's argv[0] instead of FILE
  -h, --help          show this help
`;

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--inherit-env'], options: ['--argv0'], repeatable: ['--dir', '--env'], stopAtPositional: true });
  if (args.flags.has('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const [file, ...programArgs] = args.positionals;
  if (file === undefined) throw usage('run needs a FILE to run (see --help)');
  const env = environment(args.lists.get('--env') ?? [], args.flags.has('--inherit-env'));
  const preopens = directories(args.lists.get('--dir') ?? []);
  const bytes = await readInput(file);
  // A component is lowered as `down` would; a core module runs as it is.
  const module = sniffWasm(bytes) === 'core' ? bytes : inFile(file, () => lower(bytes).module);
  const wasi = await newWasi([args.options.get('--argv0') ?? file, ...programArgs], env, preopens);
  const instance = await instantiate(file, module, wasi.getImportObject());
  try {
    return wasi.start(instance);
  } catch (err) {
    // Traps (and stack exhaustion) end the program, not us: one line, exit 1, as wasmtime does.
    if (!(err instanceof WebAssembly.RuntimeError || err instanceof RangeError)) throw err;
    process.stderr.write(`wasi-adapt: ${file}: the program trapped: ${err.message}\n`);
    return 1;
  }
}

function environment(pairs: string[], inherit: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (inherit) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--env takes NAME=VALUE, not '${pair}'`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** `HOST::GUEST` or `PATH` -> node:wasi's { guest: host }, checking each host directory exists. */
function directories(specs: string[]): Record<string, string> {
  const preopens: Record<string, string> = {};
  for (const spec of specs) {
    const sep = spec.indexOf('::');
    const [host, guest] = sep < 0 ? [spec, spec] : [spec.slice(0, sep), spec.slice(sep + 2)];
    if (!host || !guest) throw usage(`--dir takes HOST::GUEST or PATH, not '${spec}'`);
    let isDir = false;
    try {
      isDir = statSync(host).isDirectory();
    } catch {
      // reported below, as for a plain file
    }
    if (!isDir) throw new WasiAdaptError('io', 'cannot give the program this directory: not a directory', { file: host });
    preopens[guest] = host;
  }
  return preopens;
}

/** The engine's API as `run` uses it (the ES2022 lib this project compiles against does not declare it). */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
  Module: { exports(module: object): { name: string; kind: string }[] };
  RuntimeError: ErrorConstructor;
  LinkError: ErrorConstructor;
};

/** Compiles and links a command; wasm's own errors become one line naming the file. */
async function instantiate(file: string, module: Uint8Array, imports: object): Promise<object> {
  try {
    const compiled = await WebAssembly.compile(module);
    if (!WebAssembly.Module.exports(compiled).some((e) => e.name === '_start' && e.kind === 'function')) {
      throw new WasiAdaptError('unsupported', 'no _start export: a reactor (a library) has nothing to run; call its exports from a host', { file });
    }
    return await WebAssembly.instantiate(compiled, imports);
  } catch (err) {
    if (err instanceof WasiAdaptError) throw err;
    const code = err instanceof WebAssembly.LinkError ? 'unresolved' : 'bad-value';
    throw new WasiAdaptError(code, `cannot instantiate on node:wasi: ${(err as Error).message}`, { file });
  }
}

/**
 * node:wasi is loaded only for `run` (the other commands start faster without it). It says it is
 * experimental on every construction; that line does not belong in the program's stderr.
 */
async function newWasi(args: string[], env: Record<string, string>, preopens: Record<string, string>): Promise<WASI> {
  const { WASI } = await import('node:wasi');
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (!(w.name === 'ExperimentalWarning' && w.message.startsWith('WASI'))) for (const l of listeners) l(w);
  });
  return new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
}
