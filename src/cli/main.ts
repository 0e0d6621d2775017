#!/usr/bin/env node
import { WasiAdaptError } from '../errors.js';
import { downCommand } from './down.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';
import { upCommand } from './up.js';
import { VERSION } from '../version.js';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  inspect: { summary: 'show what a wasm file is, what it imports and exports, and what runs it', run: inspectCommand },
  down: { summary: 'turn a WASI 0.2 component into one WASI preview 1 core module', run: downCommand },
  up: { summary: 'turn a WASI preview 1 module into a WASI 0.2 component', run: upCommand },
  run: { summary: 'run a WASI preview 1 module, or a WASI 0.2 component lowered in memory, on node:wasi', run: runCommand },
};

const HELP = `wasi-adapt ${VERSION}: move WebAssembly programs between WASI versions

Usage: wasi-adapt <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join('\n')}

Run 'wasi-adapt <command> --help' for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`wasi-adapt: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof WasiAdaptError) {
      process.stderr.write(`wasi-adapt: ${err.describe()}\n`);
      process.exitCode = err.code === 'invalid-argument' ? 2 : 1;
    } else {
      // A bug of ours, not bad input: show everything.
      process.stderr.write(`wasi-adapt: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
