// Child process: imports a transpiled reactor component and calls exported
// functions in order (state carries over between calls), reporting each
// result or error as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const mod = await import(pathToFileURL(config.jsPath).href);
const results = [];
for (const call of config.calls) {
  const iface = mod[call.export];
  try {
    if (!iface || typeof iface[call.func] !== 'function') throw new Error(`no export ${call.export}.${call.func}`);
    const value = await iface[call.func](...call.args);
    results.push({ ok: true, value: typeof value === 'bigint' ? value.toString() : value });
  } catch (e) {
    results.push({ ok: false, error: `${e?.name}: ${e?.message}` });
  }
}
writeFileSync(config.reportPath, JSON.stringify({ exitCode: 0, results }));
