// Derives every WASI 0.2.12 function's core signature from the WIT itself:
// `jco embed --dummy` writes a core module importing the whole
// wasi:cli/imports world plus wasi:http/types and wasi:http/outgoing-handler
// (stable features only) with canonical-ABI types.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parse } from '../src/adapters/p2-on-p1/finish.js';
import { POLYFILL_SIGNATURES, assemblyName } from '../src/adapters/p2-on-p1/signatures.js';

const root = join(import.meta.dirname, '..');
const builtin = join(root, 'node_modules', '@bytecodealliance', 'jco', 'lib', 'wit', 'builtin', '0.2.12');
const work = mkdtempSync(join(tmpdir(), 'polyfill-wit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `cm32p2|wasi:io/streams@0.2` + `output-stream_drop` -> `wasi:io/streams#[resource-drop]output-stream`. */
function canonical(module: string, field: string): string {
  const iface = module.replace(/^cm32p2\|/, '').replace(/@[\d.]+$/, '');
  const drop = /^(.*)_drop$/.exec(field);
  return `${iface}#${drop ? `[resource-drop]${drop[1]}` : field}`;
}

function witSignatures(): Map<string, string> {
  for (const pkg of readdirSync(builtin)) {
    mkdirSync(join(work, 'wit', 'deps', pkg), { recursive: true });
    cpSync(join(builtin, pkg, 'package.wit'), join(work, 'wit', 'deps', pkg, 'package.wit'));
  }
  writeFileSync(join(work, 'wit', 'world.wit'), 'package local:polyfill;\nworld all {\n  include wasi:cli/imports@0.2.12;\n  import wasi:http/types@0.2.12;\n  import wasi:http/outgoing-handler@0.2.12;\n}\n');
  const out = join(work, 'dummy.wasm');
  execFileSync(process.execPath, [join(root, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js'), 'embed', '--dummy', '--wit', join(work, 'wit'), '-n', 'all', '-o', out], { stdio: 'pipe' });
  const m = parse(new Uint8Array(readFileSync(out)));
  return new Map(m.imports.filter((i) => i.kind === 0).map((i) => [canonical(i.module, i.field), `${i.type!.params.join(' ')} -> ${i.type!.results.join(' ')}`]));
}

it('signatures.ts matches the WASI 0.2.12 WIT exactly', () => {
  const wit = witSignatures();
  const ours = new Map([...POLYFILL_SIGNATURES].map(([name, s]) => [name, `${s.params.join(' ')} -> ${s.results.join(' ')}`]));
  expect(wit.size).toBe(200);
  // wasi:cli/imports has 137 functions; wasi:http/types 62 and outgoing-handler 1.
  expect([...wit.keys()].filter((n) => n.startsWith('wasi:http/'))).toHaveLength(63);
  expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(wit));
}, 120_000);

it('AssemblyScript names are unique', () => {
  const names = [...POLYFILL_SIGNATURES.keys()].map(assemblyName);
  expect(new Set(names).size).toBe(names.length);
});
