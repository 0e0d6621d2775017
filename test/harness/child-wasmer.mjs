// Child process: runs one preview1 module on @wasmer/sdk (Wasmer + WASIX
// compiled to wasm, ~2-4 s a run). Preopen seed files are bundled into the
// package at their guest paths: the SDK only exposes /workspace to the
// host API and bundles are private overlays, so the post-run tree cannot
// be read back. A trap makes run() reject (EXECUTION_ERROR) and loses the
// output captured so far.
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk/node';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = (r) => writeFileSync(config.reportPath, JSON.stringify(r));

// argv[0] is the command name, so it must be a plain name.
const name = (config.args[0] ?? 'main').replace(/[^A-Za-z0-9_-]/g, '_') || 'main';
const files = {};
for (const [guest, seed] of Object.entries(config.seeds)) {
  for (const [rel, content] of Object.entries(seed)) files[`${guest}/${rel}`] = content;
}
const wasmer = new Wasmer({ cache: false });
try {
  const pkg = await wasmer.packages.create({
    modules: { app: readFileSync(config.wasmPath) },
    commands: { [name]: { module: 'app' } },
    files,
  });
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
  try {
    const out = await sandbox
      .command(pkg, config.args.slice(1), { env: config.env })
      .run({ check: false, stdin: readFileSync(config.stdinPath) });
    writeSync(1, out.stdout.bytes);
    writeSync(2, out.stderr.bytes);
    report({ exitCode: out.exitCode, trapped: false });
  } catch (e) {
    if (e?.code === 'EXECUTION_ERROR' && /RuntimeError/.test(e.message)) {
      report({ exitCode: null, trapped: true, trapMessage: e.message });
    } else {
      report({ error: `run: ${e?.stack ?? e}` });
    }
  } finally {
    await sandbox.close();
  }
} catch (e) {
  report({ error: `setup: ${e?.stack ?? e}` });
} finally {
  await wasmer.close().catch(() => {});
}
process.exit(0);
