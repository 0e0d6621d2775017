// The WASI 0.3 runtime (src/adapters/p3-on-p1) called directly, on a fake p1 host: the
// Canonical ABI's traps (definitions.py's trap_if), the callback codes, and its contract.
import { describe, expect, test } from 'vitest';
import { parse } from '../src/adapters/p2-on-p1/finish.js';
import { wasm } from '../src/adapters/generated/p3-on-p1.js';
import { P3_POLYFILL_SIGNATURES } from '../src/adapters/p3-on-p1/signatures.js';

type Fn = (...args: (number | bigint)[]) => number | bigint;

/** A fresh instance: a bump allocator for both reallocs, a monotonic clock that poll_oneoff advances. */
function runtime(): { call: (name: string, ...args: (number | bigint)[]) => number | bigint; view: () => DataView; polls: () => number } {
  const memory = new WebAssembly.Memory({ initial: 4 });
  let next = 0x10000;
  const realloc = (_p: number, _o: number, align: number, size: number) => {
    next = (next + align - 1) & -align;
    const at = next;
    next += size;
    return at;
  };
  let now = 1_000_000n;
  let polls = 0;
  const view = () => new DataView(memory.buffer);
  const p1: Record<string, Fn> = {
    clock_time_get: (_id, _precision, out) => (view().setBigUint64(Number(out), now, true), 0),
    poll_oneoff: (subs, events, n, out) => {
      polls++;
      for (let i = 0; i < Number(n); i++) {
        const sub = Number(subs) + i * 48;
        if (view().getUint8(sub + 8) === 0) now += view().getBigUint64(sub + 24, true);
      }
      view().setUint32(Number(out), 1, true);
      view().setBigUint64(Number(events), view().getBigUint64(Number(subs), true), true);
      return 0;
    },
  };
  const imports: WebAssembly.Imports = { env: { memory }, cabi: { realloc, state_realloc: realloc }, wasi_snapshot_preview1: {} };
  const module = new WebAssembly.Module(wasm());
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'wasi_snapshot_preview1') (imports.wasi_snapshot_preview1 as Record<string, Fn>)[imp.name] = p1[imp.name] ?? (() => 8);
  }
  const exports = new WebAssembly.Instance(module, imports).exports as Record<string, Fn>;
  return { call: (name, ...args) => exports[name]!(...args), view, polls: () => polls };
}

const TYPE = 7;
const U8 = 1; // size 1, align 1, a number
const STRING = (8 | (2 << 24) | 0x80000000) | 0; // not a number: a copy inside the instance traps
const ends = (packed: number | bigint) => [Number(BigInt(packed) & 0xffffffffn), Number(BigInt(packed) >> 32n)] as const;

describe('traps as definitions.py traps', () => {
  test.each<[string, (r: ReturnType<typeof runtime>) => void]>([
    ['a read through handle 0', (r) => r.call('p3#stream.read', 0, 0x100, 1, TYPE)],
    ['a read through a writable end', (r) => r.call('p3#stream.read', ends(r.call('p3#stream.new', TYPE, U8))[1], 0x100, 1, TYPE)],
    ['a read through an end of another type', (r) => r.call('p3#stream.read', ends(r.call('p3#stream.new', TYPE, U8))[0], 0x100, 1, TYPE + 1)],
    ['a second read while one waits', (r) => {
      const [rd] = ends(r.call('p3#stream.new', TYPE, U8));
      r.call('p3#stream.read', rd, 0x100, 1, TYPE);
      r.call('p3#stream.read', rd, 0x100, 1, TYPE);
    }],
    ['dropping an end while it copies', (r) => {
      const [rd] = ends(r.call('p3#stream.new', TYPE, U8));
      r.call('p3#stream.read', rd, 0x100, 1, TYPE);
      r.call('p3#stream.drop-readable', rd, TYPE);
    }],
    ['cancelling when no copy is in flight', (r) => r.call('p3#stream.cancel-read', ends(r.call('p3#stream.new', TYPE, U8))[0], TYPE)],
    ['a copy of strings between two ends of one instance', (r) => {
      const [rd, wr] = ends(r.call('p3#stream.new', TYPE, STRING));
      r.call('p3#stream.read', rd, 0x100, 1, TYPE);
      r.call('p3#stream.write', wr, 0x200, 1, TYPE);
    }],
    ['a misaligned buffer', (r) => r.call('p3#stream.read', ends(r.call('p3#stream.new', TYPE, STRING))[0], 0x101, 1, TYPE)],
    ['a future writer dropped before its write is done', (r) => r.call('p3#future.drop-writable', ends(r.call('p3#future.new', TYPE, U8))[1], TYPE)],
    ['a waitable set dropped with a member', (r) => {
      const set = r.call('p3#waitable-set.new') as number;
      r.call('p3#waitable.join', ends(r.call('p3#stream.new', TYPE, U8))[0], set);
      r.call('p3#waitable-set.drop', set);
    }],
    ['joining a set to a set', (r) => r.call('p3#waitable.join', r.call('p3#waitable-set.new'), r.call('p3#waitable-set.new'))],
    ['a subtask dropped before its resolve is delivered', (r) => r.call('p3#subtask.drop', Number(r.call('wasi:clocks/monotonic-clock@0.3#[async]wait-for', 1000n)) >> 4)],
    ['task.return twice', (r) => {
      r.call('p3#task.return0');
      r.call('p3#task.return0');
    }],
    ['EXIT before task.return', (r) => r.call('p3#next', 0)],
    ['a callback code above WAIT', (r) => r.call('p3#next', 3)],
    ['WAIT with nothing that can ever happen', (r) => r.call('p3#next', 2 | ((r.call('p3#waitable-set.new') as number) << 4))],
    ['task.cancel (no cancellation was delivered)', (r) => r.call('p3#task.cancel')],
    ['backpressure.dec below 0', (r) => r.call('p3#backpressure.dec')],
    ['an error context dropped twice', (r) => {
      const e = r.call('p3#error-context.new', 0, 0);
      r.call('p3#error-context.drop', e);
      r.call('p3#error-context.drop', e);
    }],
  ])('%s traps', (_name, f) => {
    expect(() => f(runtime())).toThrowError(WebAssembly.RuntimeError);
  });
});

describe('the event loop', () => {
  test('WAIT sleeps in poll_oneoff until the timer, then delivers SUBTASK, RETURNED', () => {
    const r = runtime();
    const set = r.call('p3#waitable-set.new') as number;
    const code = Number(r.call('wasi:clocks/monotonic-clock@0.3#[async]wait-for', 5_000_000n));
    expect(code & 0xf).toBe(1); // STARTED
    r.call('p3#waitable.join', code >> 4, set);
    expect(r.call('p3#next', 2 | (set << 4))).toBe(1);
    expect([r.call('p3#event-code'), r.call('p3#event-p1'), r.call('p3#event-p2')]).toEqual([1, code >> 4, 2]);
    expect(r.polls()).toBe(1);
    r.call('p3#subtask.drop', code >> 4);
  });

  test('YIELD gives EVENT_NONE; EXIT after task.return ends the loop with the result', () => {
    const r = runtime();
    expect(r.call('p3#next', 1)).toBe(1);
    expect([r.call('p3#event-code'), r.call('p3#event-p1'), r.call('p3#event-p2')]).toEqual([0, 0, 0]);
    r.call('p3#task.return1', 1);
    expect(r.call('p3#next', 0)).toBe(0);
    expect(r.call('p3#finish')).toBe(1);
  });

  test('a new task starts with context slots 0 and no result', () => {
    const r = runtime();
    r.call('p3#context.set1', 42);
    r.call('p3#task.return0');
    r.call('p3#begin');
    expect(r.call('p3#context.get1')).toBe(0);
    expect(() => r.call('p3#next', 0)).toThrowError(WebAssembly.RuntimeError);
  });
});

test('exports exactly the signatures the linker expects', () => {
  const m = parse(wasm());
  const got = new Map(m.exports.map((e) => [e.name, m.funcTypes[e.index]!]));
  expect([...got.keys()].sort()).toEqual([...P3_POLYFILL_SIGNATURES.keys()].sort());
  for (const [name, sig] of P3_POLYFILL_SIGNATURES) expect(got.get(name), name).toEqual({ params: [...sig.params], results: [...sig.results] });
});
