// The corpus's other WASI 0.3 test components (../shared/corpus/p3), lowered by `down` and called
// on node:wasi as jco's tests call them (packages/jco-transpile's round-trip, post-return and
// inter-task scenarios, ported from wasmtime's component-async-tests). Custom imports are p1 host
// functions; where jco composes a caller with a callee, the caller's imports are served by the
// callee's down output, values copied between the two memories by the test's Canonical ABI
// (harness/cabi.ts). jco 1.35 cannot run these here (JSPI), so the references are its assertions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inspect } from '../src/inspect/index.js';
import { lower } from '../src/lower/index.js';
import { liftArgs, liftResult, lowerArgs, lowerResult, type CoreVal, type CType, type FuncSig, type Mem } from './harness/cabi.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'p3');
const corpus = (name: string) => new Uint8Array(readFileSync(join(CORPUS, `${name}.wasm`)));

type HostFunc = (...core: CoreVal[]) => CoreVal | undefined;
interface Guest {
  exports: Record<string, WebAssembly.ExportValue>;
  mem: Mem;
  module: WebAssembly.Module;
  call(name: string, ...core: CoreVal[]): CoreVal | undefined;
}

/** The down output of a corpus component on node:wasi, its custom imports served by `host` (given the guest's memory). */
async function guest(name: string | Uint8Array, host: (mem: Mem) => Record<string, Record<string, HostFunc>> = () => ({})): Promise<Guest> {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const module = new WebAssembly.Module(lower(typeof name === 'string' ? corpus(name) : name).module);
  let exports: Record<string, WebAssembly.ExportValue> = {};
  const mem: Mem = {
    memory: () => exports.memory as WebAssembly.Memory,
    realloc: (...a) => (exports.cabi_realloc as (...a: number[]) => number)(...a),
  };
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport, ...host(mem) } as WebAssembly.Imports);
  exports = instance.exports;
  // node:wasi only needs the memory (the outputs export _start, which initialize() refuses).
  wasi.initialize({ exports: { memory: exports.memory } } as unknown as WebAssembly.Instance);
  const call = (f: string, ...core: CoreVal[]) => (exports[f] as (...a: CoreVal[]) => CoreVal | undefined)(...core);
  return { exports, mem, module, call };
}

/** A call of an export through its synchronous p1 form: arguments lowered, result lifted, then its post-return. */
function callExport(g: Guest, name: string, sig: FuncSig, args: unknown[]): unknown {
  const ret = g.call(name, ...lowerArgs(g.mem, sig, args));
  const value = liftResult(g.mem, sig, ret);
  if (g.exports[`cabi_post_${name}`]) g.call(`cabi_post_${name}`, ...(ret === undefined ? [] : [ret]));
  return value;
}

/** A host function of type `sig` for a guest with memory `mem`: its arguments go to `f`, its result back. */
function hostFunc(mem: Mem, sig: FuncSig, f: (...args: unknown[]) => unknown): HostFunc {
  return (...core) => lowerResult(mem, sig, core, f(...liftArgs(mem, sig, core)));
}

const INPUTS = ['hello, world!', '¡hola, mundo!', "hi y'all!"];
const expected = (input: string) => `${input} - entered guest - entered host - exited host - exited guest`;
const str: CType = { k: 'string' };

describe.skipIf(!existsSync(CORPUS))('corpus 0.3 scenarios on node:wasi (as jco\'s tests call them)', () => {
  // local:local/many (wasmtime's component-async-tests WIT, which jco's manyArguments follows):
  // foo(a: string, b: u32, c: list<u8>, d: tuple<u64, u64>, e: stuff, f: option<stuff>, g: result<stuff>)
  //   -> tuple<string, u32, list<u8>, tuple<u64, u64>, stuff, option<stuff>, result<stuff>>
  const stuff: CType = { k: 'record', fields: [{ name: 'a', type: { k: 'list', elem: { k: 's32' } } }, { name: 'b', type: { k: 'bool' } }, { name: 'c', type: { k: 'u64' } }] };
  const manyTypes: CType[] = [str, { k: 'u32' }, { k: 'list', elem: { k: 'u8' } }, { k: 'tuple', types: [{ k: 'u64' }, { k: 'u64' }] }, stuff, { k: 'option', type: stuff }, { k: 'result', ok: stuff }];
  const many: FuncSig = { params: manyTypes.map((type, i) => ({ name: 'abcdefg'[i]!, type })), result: { k: 'tuple', types: manyTypes } };
  const manyArguments = (input: string): unknown[] => {
    const s = { a: new Int32Array(42).fill(42), b: true, c: 424242n };
    return [input, 42, new Uint8Array(42).fill(42), [4242n, 424242424242n], s, s, { tag: 'err', val: undefined }];
  };

  // many-stackless's guest frees its result right after task.return, inside the same callback (its
  // allocator then overwrites the string's first bytes): task.return keeps a copy, as a 0.3 host lifts it then.
  test.each(['async-round-trip-many-stackless', 'async-round-trip-many-wait', 'async-round-trip-many-synchronous'])(
    '%s: its exported foo (21 flat parameters, by pointer both ways) round-trips jco\'s manyArguments through the host\'s foo',
    (name) => manyRoundTrip(name),
  );
  async function manyRoundTrip(name: string): Promise<void> {
    const seen: unknown[][] = [];
    const g = await guest(name, (mem) => ({
      'local:local/many': {
        foo: hostFunc(mem, many, (...args) => {
          seen.push(args);
          return [`${args[0] as string} - entered host - exited host`, ...args.slice(1)];
        }),
      },
    }));
    const outputs = INPUTS.map((input) => callExport(g, 'local:local/many#foo', many, manyArguments(input)));
    expect(outputs).toEqual(INPUTS.map((input) => manyArguments(expected(input))));
    expect(seen).toEqual(INPUTS.map((input) => manyArguments(`${input} - entered guest`)));
  }

  // jco composes caller and callee and calls run(); the caller asserts foo's result and that the
  // callee's post-return ran (get-post-return-value), so a failed assertion traps.
  test('async-post-return-caller with async-post-return-callee: run() returns', async () => {
    const foo: FuncSig = { params: [{ name: 's', type: str }], result: str };
    const value: FuncSig = { params: [], result: str };
    const callee = await guest('async-post-return-callee');
    const caller = await guest('async-post-return-caller', (mem) => ({
      'local:local/post-return': {
        foo: hostFunc(mem, foo, (s) => callExport(callee, 'local:local/post-return#foo', foo, [s])),
        'get-post-return-value': hostFunc(mem, value, () => callExport(callee, 'local:local/post-return#get-post-return-value', value, [])),
      },
    }));
    const run: FuncSig = { params: [] };
    expect(callExport(caller, 'local:local/run#run', run, [])).toBeUndefined();
    expect(callExport(caller, 'local:local/run#run', run, [])).toBeUndefined();
  });

  // jco: run(300) returns undefined and sleep-millis is called with 300 (callee) or 600 (the
  // caller doubles it); the spawned task that calls it outlives run on a 0.3 host, on p1 run
  // waits for it (docs/p3.md), so the call has happened when run returns.
  const sleep: FuncSig = { params: [{ name: 'time-in-millis', type: { k: 'u64' } }] };
  test('async-sleep-post-return-callee: run(300) returns and sleep-millis(300) is called', async () => {
    const calls: unknown[] = [];
    const g = await guest('async-sleep-post-return-callee', (mem) => ({ 'local:local/sleep': { 'sleep-millis': hostFunc(mem, sleep, (ms) => void calls.push(ms)) } }));
    expect(callExport(g, 'local:local/sleep-post-return#run', sleep, [300n])).toBeUndefined();
    expect(calls).toEqual([300n]);
  });

  test('async-sleep-post-return-caller with its callee: run(300) returns; the callee\'s sleep-millis calls get 600', async () => {
    const calls: unknown[] = [];
    const sleepHost = (mem: Mem) => ({ 'local:local/sleep': { 'sleep-millis': hostFunc(mem, sleep, (ms) => void calls.push(ms)) } });
    const callee = await guest('async-sleep-post-return-callee', sleepHost);
    const caller = await guest('async-sleep-post-return-caller', (mem) => ({
      ...sleepHost(mem),
      'local:local/sleep-post-return': { run: hostFunc(mem, sleep, (ms) => callExport(callee, 'local:local/sleep-post-return#run', sleep, [ms])) },
    }));
    expect(callExport(caller, 'local:local/sleep-post-return#run', sleep, [300n])).toBeUndefined();
    // The caller's spawned task calls the callee's run(600) twice (each sleeps 600), then sleeps 300 itself.
    expect(calls).toEqual([600n, 600n, 300n]);
  });

  // component.wasm: push-context(val) sets context slot 0 and returns val; pull-context returns
  // slot 0. Its memory is defined by its module but exported by no instance. Each call of a
  // synchronous export is a new task, whose slots start at 0 (CanonicalABI.md: a new Task's
  // context is [0, 0]), so what one call stored is never seen by the next.
  test('component.wasm (context.* only, an unexported memory): push-context / pull-context, each call a new task', async () => {
    const { module, report } = lower(corpus('component'));
    expect(report.modules).toEqual([{ name: 'module 0', role: 'other' }, { name: 'p3-on-p1 polyfill', role: 'polyfill' }]);
    expect(inspect(corpus('component')).verdict.convert).toBe('down');
    const g = await guest('component');
    expect(WebAssembly.Module.exports(g.module).map((e) => e.name).sort()).toEqual(['memory', 'pull-context', 'push-context']);
    expect(module.length).toBeLessThan(2000);
    expect(g.call('pull-context')).toBe(0);
    expect(g.call('push-context', 42)).toBe(42);
    expect(g.call('pull-context')).toBe(0);
    expect(g.call('push-context', 0xfffffffe | 0)).toBe(-2);
    expect(g.call('pull-context')).toBe(0);
  });

  // Its run needs two tasks at once: the first waits on a set the second (a later call of run)
  // adds to. On p1 a call returns when its task exits, so the first run's WAIT can never end: the
  // runtime traps instead of hanging (jco skips this scenario; wasmtime calls run twice concurrently).
  test('async-intertask-communication: the first run\'s wait traps (two concurrent tasks are needed)', async () => {
    const g = await guest('async-intertask-communication');
    expect(() => g.call('local:local/run#run')).toThrowError(WebAssembly.RuntimeError);
  });
});

// task.return copies what a result points to (a 0.3 host lifts the result during task.return),
// so a guest may overwrite it before its task exits: here it fills its data with 0xff right after
// (so each export can run once; the second task reuses the first one's kept storage).
describe('task.return keeps the result', () => {
  const bytes = (...words: number[]) => words.map((w) => [0, 8, 16, 24].map((s) => `\\${((w >>> s) & 0xff).toString(16).padStart(2, '0')}`).join('')).join('');
  const text = `(component
    (core module $mem (memory (export "memory") 1))
    (core instance $memi (instantiate $mem))
    (alias core export $memi "memory" (core memory $memory))
    (type $small (tuple (list string) string u32))
    (type $big (tuple string (option string) ${'u32 '.repeat(16)}))
    (core module $m
      (import "b" "tr-small" (func $small (param i32 i32 i32 i32 i32)))
      (import "b" "tr-big" (func $big (param i32)))
      (import "mem" "memory" (memory 1))
      (data (i32.const 16) "abc")
      (data (i32.const 32) "hello")
      (data (i32.const 48) "hi")
      (data (i32.const 64) "${bytes(16, 3, 32, 5)}")
      (data (i32.const 160) "abc")
      (data (i32.const 176) "hi")
      (data (i32.const 256) "${bytes(160, 3, 1, 176, 2, ...Array.from({ length: 16 }, (_, i) => i + 1))}")
      (func (export "small") (result i32)
        (call $small (i32.const 64) (i32.const 2) (i32.const 48) (i32.const 2) (i32.const 7))
        (memory.fill (i32.const 0) (i32.const 0xff) (i32.const 128))
        (i32.const 0))
      (func (export "big") (result i32)
        (call $big (i32.const 256))
        (memory.fill (i32.const 160) (i32.const 0xff) (i32.const 352))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core func $tr-small (canon task.return (result $small) (memory $memory)))
    (core func $tr-big (canon task.return (result $big) (memory $memory)))
    (core instance $b (export "tr-small" (func $tr-small)) (export "tr-big" (func $tr-big)))
    (core instance $main (instantiate $m (with "b" (instance $b)) (with "mem" (instance $memi))))
    (type $small-f (func async (result $small)))
    (type $big-f (func async (result $big)))
    (func $small-f (type $small-f) (canon lift (core func $main "small") async (callback (core func $main "cb")) (memory $memory)))
    (func $big-f (type $big-f) (canon lift (core func $main "big") async (callback (core func $main "cb")) (memory $memory)))
    (export "small" (func $small-f))
    (export "big" (func $big-f))
  )`;

  // Variants with payloads as task.return gets them: the joined flat types, stored in the result's layout.
  test('result<string, u32>, result<u64, f32> (the f32 joined into an i64), tuple<option<f64>, u8>', async () => {
    const jco = await import('@bytecodealliance/jco');
    const g = await guest(await jco.parse(`(component
      (core module $mem (memory (export "memory") 1))
      (core instance $memi (instantiate $mem))
      (alias core export $memi "memory" (core memory $memory))
      (type $rs (result string (error u32)))
      (type $rf (result u64 (error f32)))
      (type $of (tuple (option f64) u8))
      (core module $m
        (import "b" "rs" (func $rs (param i32 i32 i32)))
        (import "b" "rf" (func $rf (param i32 i64)))
        (import "b" "of" (func $of (param i32 f64 i32)))
        (import "mem" "memory" (memory 1))
        (data (i32.const 200) "world")
        (func (export "rs") (param i32) (result i32)
          (if (local.get 0)
            (then (call $rs (i32.const 1) (i32.const 42) (i32.const 0)))
            (else (call $rs (i32.const 0) (i32.const 200) (i32.const 5))))
          (i32.const 0))
        (func (export "rf") (result i32) (call $rf (i32.const 1) (i64.const 0x3fc00000)) (i32.const 0))
        (func (export "of") (result i32) (call $of (i32.const 1) (f64.const 2.25) (i32.const 9)) (i32.const 0))
        (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
      (core func $tr-rs (canon task.return (result $rs) (memory $memory)))
      (core func $tr-rf (canon task.return (result $rf)))
      (core func $tr-of (canon task.return (result $of)))
      (core instance $b (export "rs" (func $tr-rs)) (export "rf" (func $tr-rf)) (export "of" (func $tr-of)))
      (core instance $main (instantiate $m (with "b" (instance $b)) (with "mem" (instance $memi))))
      (type $rs-f (func async (param "e" bool) (result $rs)))
      (type $rf-f (func async (result $rf)))
      (type $of-f (func async (result $of)))
      (func $rs-f (type $rs-f) (canon lift (core func $main "rs") async (callback (core func $main "cb")) (memory $memory)))
      (func $rf-f (type $rf-f) (canon lift (core func $main "rf") async (callback (core func $main "cb"))))
      (func $of-f (type $of-f) (canon lift (core func $main "of") async (callback (core func $main "cb"))))
      (export "rs" (func $rs-f))
      (export "rf" (func $rf-f))
      (export "of" (func $of-f))
    )`));
    const rs: FuncSig = { params: [{ name: 'e', type: { k: 'bool' } }], result: { k: 'result', ok: { k: 'string' }, err: { k: 'u32' } } };
    const rf: FuncSig = { params: [], result: { k: 'result', ok: { k: 'u64' }, err: { k: 'f32' } } };
    const of: FuncSig = { params: [], result: { k: 'tuple', types: [{ k: 'option', type: { k: 'f64' } }, { k: 'u8' }] } };
    expect(callExport(g, 'rs', rs, [false])).toEqual({ tag: 'ok', val: 'world' });
    expect(callExport(g, 'rs', rs, [true])).toEqual({ tag: 'err', val: 42 });
    expect(callExport(g, 'rf', rf, [])).toEqual({ tag: 'err', val: 1.5 });
    expect(callExport(g, 'of', of, [])).toEqual([2.25, 9]);
    // A host that skips the post-return: the task it left parked makes the next call trap.
    g.call('of');
    expect(() => g.call('of')).toThrowError(WebAssembly.RuntimeError);
  });

  test('a list of strings, a string and a u32 (5 flat values); a string, an option<string> and 16 u32s (21: by pointer)', async () => {
    const jco = await import('@bytecodealliance/jco');
    const g = await guest(await jco.parse(text));
    const str: CType = { k: 'string' };
    const small: FuncSig = { params: [], result: { k: 'tuple', types: [{ k: 'list', elem: str }, str, { k: 'u32' }] } };
    const big: FuncSig = { params: [], result: { k: 'tuple', types: [str, { k: 'option', type: str }, ...Array.from({ length: 16 }, (): CType => ({ k: 'u32' }))] } };
    expect(callExport(g, 'small', small, [])).toEqual([['abc', 'hello'], 'hi', 7]);
    expect(callExport(g, 'big', big, [])).toEqual(['abc', 'hi', ...Array.from({ length: 16 }, (_, j) => j + 1)]);
  });
});

// An async lowering of a custom import with 5 to 16 flat parameters: the guest passes them in
// memory, the p1 host's synchronous function takes them on the stack, read as a lift would.
test('an async import of 7 flat parameters (string, u8, option<u32>, char, bool) reaches the synchronous host function', async () => {
  const jco = await import('@bytecodealliance/jco');
  const word = (...ws: number[]) => ws.map((w) => [0, 8, 16, 24].map((b) => `\\${((w >>> b) & 0xff).toString(16).padStart(2, '0')}`).join('')).join('');
  const component = await jco.parse(`(component
    (import "local:t/host" (instance $host
      (export "f" (func (param "a" string) (param "b" u8) (param "c" (option u32)) (param "d" char) (param "e" bool) (result u32)))))
    (alias export $host "f" (func $f))
    (core module $mem (memory (export "memory") 1))
    (core instance $memi (instantiate $mem))
    (alias core export $memi "memory" (core memory $memory))
    (core func $f-async (canon lower (func $f) async (memory $memory)))
    (core func $tr (canon task.return (result u32)))
    (core module $m
      (import "b" "f" (func $f (param i32 i32) (result i32)))
      (import "b" "task.return" (func $tr (param i32)))
      (import "mem" "memory" (memory 1))
      (data (i32.const 16) "abc")
      (data (i32.const 512) "${word(16, 3, 200, 1, 7, 0xe9, 2)}")
      (func (export "run") (param i32) (result i32)
        (i32.store8 (i32.const 524) (select (i32.const 0) (i32.const 1) (local.get 0)))
        (if (i32.ne (call $f (i32.const 512) (i32.const 600)) (i32.const 2)) (then unreachable))
        (call $tr (i32.load (i32.const 600)))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core instance $b (export "f" (func $f-async)) (export "task.return" (func $tr)))
    (core instance $main (instantiate $m (with "b" (instance $b)) (with "mem" (instance $memi))))
    (type $run-f (func async (param "none" bool) (result u32)))
    (func $run (type $run-f) (canon lift (core func $main "run") async (callback (core func $main "cb"))))
    (export "run" (func $run))
  )`);
  const f: FuncSig = {
    params: [
      { name: 'a', type: { k: 'string' } },
      { name: 'b', type: { k: 'u8' } },
      { name: 'c', type: { k: 'option', type: { k: 'u32' } } },
      { name: 'd', type: { k: 'char' } },
      { name: 'e', type: { k: 'bool' } },
    ],
    result: { k: 'u32' },
  };
  const seen: { args: unknown[]; flat: CoreVal[] }[] = [];
  const g = await guest(component, (mem) => ({
    'local:t/host': { f: (...core: CoreVal[]) => (seen.push({ args: liftArgs(mem, f, core), flat: core }), 99) },
  }));
  const run: FuncSig = { params: [{ name: 'none', type: { k: 'bool' } }], result: { k: 'u32' } };
  expect(callExport(g, 'run', run, [false])).toBe(99);
  expect(callExport(g, 'run', run, [true])).toBe(99);
  expect(seen.map((s) => s.args)).toEqual([['abc', 200, 7, 'é', true], ['abc', 200, undefined, 'é', true]]);
  // The bool byte 2 arrives as 1; none's payload slot is 0 (the 7 left in memory is not its value).
  expect(seen.map((s) => s.flat.slice(2))).toEqual([[200, 1, 7, 0xe9, 1], [200, 0, 0, 0xe9, 1]]);
});
