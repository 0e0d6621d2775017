// Child process: runs one transpiled component (jco + preview2-shim) as a
// wasi:cli command. The shim is configured through its _set* hooks before
// the component is imported, so the guest sees exactly the spec's args, env
// and preopens (by default the shim would expose the host's env, cwd and /).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { _setArgs, _setCwd, _setEnv } from '@bytecodealliance/preview2-shim/cli';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = (r) => writeFileSync(config.reportPath, JSON.stringify(r));

_setArgs(config.args);
_setEnv(config.env);
_setCwd(config.cwd ?? undefined);
_setPreopens(config.preopens);

let mod;
try {
  mod = await import(pathToFileURL(config.jsPath).href);
} catch (e) {
  report({ error: `import: ${e?.stack ?? e}` });
  process.exit(0);
}
const run = mod.run?.run ?? mod['wasi:cli/run@0.2.12']?.run;
if (typeof run !== 'function') {
  report({ error: `no wasi:cli/run export; exports: ${Object.keys(mod).join(', ')}` });
  process.exit(0);
}
try {
  await run();
  // Let the shim's stream writes settle, as `jco run` does.
  await new Promise((resolve) => setTimeout(resolve));
  report({ exitCode: 0, trapped: false });
} catch (e) {
  if (e instanceof WebAssembly.RuntimeError) {
    report({ exitCode: null, trapped: true, trapMessage: e.message });
  } else if (e?.name === 'ComponentError' || e?.constructor?.name === 'ComponentError') {
    // run returned err: a 0.2 host exits with 1.
    report({ exitCode: 1, trapped: false });
  } else {
    // jco reports Canonical ABI violations (bad handle, bad UTF-8, ...) as
    // plain JS errors; in the component model those are traps too.
    report({ exitCode: null, trapped: true, trapMessage: `${e?.name}: ${e?.message}` });
  }
}
process.exit(0);
