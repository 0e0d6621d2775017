// `up`'s WASI 0.2 interfaces (src/lift/wasi.ts): the WASI 0.2.12 WIT jco ships, made `up`'s world
// model at build time (wasi-digest.ts); the lifted components' bytes are checked elsewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASI_DIGEST } from '../src/lift/generated/wasi-wit.js';
import { planWasiImports, wasiInterface } from '../src/lift/wasi.js';
import { digest, undigest, wasiInterfaces, type WasiInterfaces, type WasiModel } from '../src/lift/wasi-digest.js';
import { describeItem } from '../src/lift/world.js';

const BUILTIN = join(import.meta.dirname, '..', 'node_modules', '@bytecodealliance', 'jco', 'lib', 'wit', 'builtin', '0.2.12');
const fromWit = () => wasiInterfaces(readdirSync(BUILTIN).map((pkg) => ({ file: `${pkg}.wit`, text: readFileSync(join(BUILTIN, pkg, 'package.wit'), 'utf8') })));
const described = (m: WasiInterfaces) => [...m].map(([id, i]) => [id, describeItem(i)]);
const readAll = (m: WasiModel): WasiInterfaces => new Map(m.ids.map((id) => [id, m.iface(id)!]));

describe('the WASI digest', () => {
  it('is what the WIT jco ships gives now (the build wrote it from the same parser and model)', () => {
    expect(described(readAll(undigest(WASI_DIGEST)))).toEqual(described(fromWit()));
  });

  it('reads back as the same model, a `use`d type one object in every interface that names it', () => {
    const back = readAll(undigest(digest(fromWit())));
    expect(described(back)).toEqual(described(fromWit()));
    const streams = back.get('wasi:io/streams@0.2.12')!.types.get('output-stream')!;
    expect(back.get('wasi:cli/stdout@0.2.12')!.types.get('output-stream')).toBe(streams);
    expect(back.get('wasi:cli/stderr@0.2.12')!.types.get('output-stream')).toBe(streams);
    // An absent variant payload stays absent (JSON writes it as null).
    const streamError = back.get('wasi:io/streams@0.2.12')!.types.get('stream-error')!.def;
    expect(streamError).toEqual({ k: 'variant', cases: [['last-operation-failed', { k: 'own', res: expect.objectContaining({ name: 'error' }) }], ['closed', undefined]] });
  });
});

describe('WASI interfaces', () => {
  it('are wasi:cli\'s imports and an HTTP client\'s, without what the WIT marks @unstable', () => {
    expect(wasiInterface('wasi:sockets/tcp')!.funcs.has('[method]tcp-socket.start-connect')).toBe(true);
    expect(wasiInterface('wasi:http/outgoing-handler')!.funcs.has('handle')).toBe(true);
    // A `use` under another name: wasi:http/types's io-error is wasi:io/error's error.
    expect(wasiInterface('wasi:http/types')!.types.get('io-error')).toBe(wasiInterface('wasi:io/error')!.types.get('error'));
    expect(wasiInterface('wasi:http/incoming-handler')).toBeUndefined();
    expect(wasiInterface('wasi:clocks/timezone')).toBeUndefined();
    expect(wasiInterface('wasi:sockets/network')!.funcs.has('network-error-code')).toBe(false);
    expect(wasiInterface('wasi:http/types')!.funcs.has('[method]response-outparam.send-informational')).toBe(false);
    expect(wasiInterface('wasi:http/types')!.funcs.has('[static]response-outparam.set')).toBe(true);
    expect(wasiInterface('wasi:clocks/wall-clock')!.funcs.has('now')).toBe(true);
  });

  it('write a name for a structural type as that type, as `up` always wrote them', () => {
    expect(wasiInterface('wasi:clocks/monotonic-clock')!.funcs.get('now')).toEqual({ params: [], result: { k: 'prim', name: 'u64' } });
  });

  it('are planned providers first, for every function of every interface', () => {
    const all = new Map<string, Set<string>>();
    for (const [id, i] of fromWit()) all.set(id.replace(/@.*$/, ''), new Set(i.funcs.keys()));
    const plans = planWasiImports(all);
    expect(plans.length).toBe(all.size);
    const at = new Map(plans.map((p, i) => [p.id, i]));
    for (const [i, p] of plans.entries()) {
      for (const [, n] of p.types) if (n.owner !== p.id) expect(at.get(n.owner), `${p.name} uses ${n.owner}/${n.name}`).toBeLessThan(i);
    }
    // The first ones in the order `up` has always written them.
    expect(plans.slice(0, 3).map((p) => p.name)).toEqual(['wasi:io/error', 'wasi:io/poll', 'wasi:io/streams']);
  });
});
