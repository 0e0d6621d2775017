#!/usr/bin/env node
// Makes sure Debian's chromium is at /usr/bin/chromium for test/browser.test.ts (driven by
// playwright-core, which downloads no browser). Run by `npm test` before vitest, so a fresh
// machine (CI runs as root) gets it from apt; with chromium present it only checks (~0.1 s).
// Fails loudly (exit 1, with apt's output) rather than letting the browser tests skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function fail(what, r) {
  console.error(`setup-chromium: ${what} failed (status ${r.status ?? r.error?.message})`);
  console.error(`${r.stdout ?? ''}${r.stderr ?? ''}`.trim());
  console.error(`The browser tests need Debian's chromium at ${CHROMIUM}: run \`apt-get install chromium\` as root.`);
  process.exit(1);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')}`, r);
  return r;
}

if (!existsSync(CHROMIUM)) {
  console.log(`setup-chromium: ${CHROMIUM} is missing, installing Debian's chromium with apt-get`);
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', 'chromium']);
  console.log(`setup-chromium: ${run(CHROMIUM, ['--version']).stdout.trim()} ready`);
} else {
  // A broken install (missing libraries) fails here, not in the middle of the tests.
  run(CHROMIUM, ['--version']);
}
