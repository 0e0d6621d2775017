// Child process: runs one preview1 module on @bjorn3/browser_wasi_shim, an
// in-memory p1 implementation. The preopen trees are loaded from the host
// directories before the run and written back after it, so the parent can
// snapshot them like any other host's.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import { trappingStubs } from './stub-imports.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = (r) => writeFileSync(config.reportPath, JSON.stringify(r));

function load(dir) {
  const contents = new Map();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    contents.set(e.name, e.isDirectory() ? new Directory(load(p)) : new File(readFileSync(p)));
  }
  return contents;
}

function store(contents, dir) {
  for (const [name, entry] of contents) {
    const p = join(dir, name);
    if (entry instanceof Directory) {
      mkdirSync(p);
      store(entry.contents, p);
    } else {
      writeFileSync(p, entry.data);
    }
  }
}

const preopens = Object.entries(config.preopens).map(([guest, host]) => ({ host, fd: new PreopenDirectory(guest, load(host)) }));
const fds = [
  new OpenFile(new File(readFileSync(0))),
  new ConsoleStdout((data) => writeSync(1, data)),
  new ConsoleStdout((data) => writeSync(2, data)),
  ...preopens.map((p) => p.fd),
];
const env = Object.entries(config.env).map(([k, v]) => `${k}=${v}`);
// debug defaults to on and would print "wasi: ..." lines into stdout.
const wasi = new WASI(config.args, env, fds, { debug: false });

let outcome;
try {
  const module = await WebAssembly.compile(readFileSync(config.wasmPath));
  const instance = await WebAssembly.instantiate(module, { ...(config.stubImports ? trappingStubs(module) : {}), wasi_snapshot_preview1: wasi.wasiImport });
  try {
    outcome = { exitCode: wasi.start(instance), trapped: false };
  } catch (e) {
    outcome = { exitCode: null, trapped: true, trapMessage: `${e?.name ?? 'thrown'}: ${e?.message ?? e}` };
  }
} catch (e) {
  outcome = { error: `instantiate: ${e?.stack ?? e}` };
}
for (const p of preopens) {
  rmSync(p.host, { recursive: true, force: true });
  mkdirSync(p.host);
  store(p.fd.dir.contents, p.host);
}
report(outcome);
