import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseComponent, writeComponent } from '../src/binary/component.js';
import { buildGraph, lowers } from '../src/component/graph.js';
it('bench', () => {
  for (const f of ['fixtures/bin/p2/js_hello.wasm', 'fixtures/bin/p2/rust_std.wasm', 'fixtures/bin/p2/files.wasm']) {
    const b = new Uint8Array(readFileSync(f));
    const time = (fn: () => unknown, n = 200) => { fn(); const t0 = performance.now(); for (let i = 0; i < n; i++) fn(); return (performance.now() - t0) / n; };
    const p = time(() => parseComponent(b));
    const c = parseComponent(b);
    const w = time(() => writeComponent(c), 50);
    const r = time(() => writeComponent(c, { reencode: true }), 50);
    const g = time(() => lowers(buildGraph(c)), 20);
    // Parse without the 12 MB module view: bytes of component structure actually decoded.
    const structural = c.sections.filter((s) => s.kind !== 'coreModule').reduce((n, s) => n + (s.payload?.length ?? 0), 0);
    console.log(f, b.length, 'parse', p.toFixed(3), 'ms', (b.length / p / 1e6).toFixed(0), 'GB/s nominal; structural bytes', structural, (structural / p / 1e3).toFixed(1), 'MB/s; write', w.toFixed(2), 'reencode', r.toFixed(2), 'graph+lowers(incl parseModule)', g.toFixed(1));
  }
});
