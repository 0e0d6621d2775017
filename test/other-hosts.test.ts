// The p1 fixtures on the other preview1 hosts we target: every one on
// @bjorn3/browser_wasi_shim, and a few on @wasmer/sdk (slow, ~1.5-4 s a run,
// and it cannot show the files a run leaves, so file-changing fixtures are
// not picked).
import { describe, test } from 'vitest';
import { checkExpectations, loadManifest, runBrowserShim, runWasmer, specOf } from './harness/index.js';

const fixtures = loadManifest().filter((f) => f.p1);
const WASMER = new Set(['hello', 'exit_120', 'cat', 'bigout']);

describe.concurrent('p1 fixtures on @bjorn3/browser_wasi_shim', () => {
  for (const f of fixtures) {
    const t = f.hostIssues.shim ? test.fails : test;
    t(`${f.name}${f.hostIssues.shim ? ' (known host issue)' : ''}`, async () =>
      checkExpectations(f, await runBrowserShim(f.p1!, specOf(f)), 'p1'));
  }
});

describe.concurrent('p1 fixtures on @wasmer/sdk', () => {
  for (const f of fixtures.filter((x) => WASMER.has(x.name))) {
    const t = f.hostIssues.wasmer ? test.fails : test;
    t(f.name, async () => checkExpectations(f, await runWasmer(f.p1!, specOf(f)), 'p1', { files: false }), 120_000);
  }
});
