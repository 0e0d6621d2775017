// Child process: runs one preview1 module on node:wasi. Plain JS because it
// is started with `node` directly. stdio fds 0/1/2 are files set up by the
// parent; the outcome goes to the report file named in the config.
import { readFileSync, writeFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { trappingStubs } from './stub-imports.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = (r) => writeFileSync(config.reportPath, JSON.stringify(r));

let wasi;
let instance;
try {
  wasi = new WASI({
    version: 'preview1',
    returnOnExit: true,
    args: config.args,
    env: config.env,
    preopens: config.preopens,
  });
  const module = await WebAssembly.compile(readFileSync(config.wasmPath));
  instance = await WebAssembly.instantiate(module, { ...(config.stubImports ? trappingStubs(module) : {}), ...wasi.getImportObject() });
} catch (e) {
  report({ error: `instantiate: ${e?.stack ?? e}` });
  process.exit(0);
}
try {
  const exitCode = wasi.start(instance);
  report({ exitCode, trapped: false });
} catch (e) {
  if (e instanceof WebAssembly.RuntimeError) report({ exitCode: null, trapped: true, trapMessage: e.message });
  else report({ error: `start: ${e?.stack ?? e}` });
}
