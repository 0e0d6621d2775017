// `up` of reactors with embedded worlds on Wasmtime (49, through its Python API): the same
// export calls on the lifted component and on wit-component's component of the same module
// give the same values, host calls and handle behaviour. jco's side is lift-reactor.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { componentNew, preview1AdapterReactorPath } from '@bytecodealliance/jco';
import { lift } from '../src/lift/index.js';
import { WASMTIME_PYTHON } from './harness/run-wasmtime.js';
import { FIXTURES_DIR } from './harness/manifest.js';

/**
 * Calls each export in order on one instance, printing one JSON line per call: its value
 * (records as objects, variants as {tag, payload}, flags sorted, handles as "<handle>") or
 * its error. Host imports log into the same output.
 */
const DRIVER = String.raw`
import json, sys, wasmtime
import wasmtime.component as wc
from wasmtime.component import Record, Variant

config = json.load(open(sys.argv[1]))
out = []

def rec(**kw):
    r = Record()
    r.__dict__.update(kw)
    return r

def plain(v):
    if isinstance(v, Record):
        return {k: plain(x) for k, x in sorted(v.__dict__.items())}
    if isinstance(v, Variant):
        return {"tag": v.tag, "payload": plain(v.payload)}
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return list(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return "<handle>"

engine = wasmtime.Engine()
store = wasmtime.Store(engine)
store.set_wasi(wasmtime.WasiConfig())
component = wc.Component.from_file(engine, config["path"])
linker = wc.Linker(engine)
linker.add_wasip2()
with linker.root() as root:
    exec(config["host"], {"root": root, "out": out, "wc": wc})
instance = linker.instantiate(store, component)
results = []
for iface, name, args in config["calls"]:
    at = instance.get_export_index(store, iface) if iface else None
    f = instance.get_func(store, instance.get_export_index(store, name, at))
    try:
        value = f(store, *eval(args, {"rec": rec, "results": results}))
        f.post_return(store)
        results.append(value)
        out.append(json.dumps({"ok": plain(value)}))
    except Exception as e:
        results.append(None)
        out.append(json.dumps({"error": type(e).__name__ + ": " + str(e)}))
print("\n".join(out))
`;

interface Case {
  target: string;
  /** Python defining the custom imports on `root` (the linker's root instance), logging to `out`. */
  host: string;
  /** [interface or '', function, Python list of arguments (`results[i]` is call i's value)]. */
  calls: [string, string, string][];
}

const SHAPES = 'test:shapes/api@0.1.0';
const COUNTERS = 'test:counters/counters@0.1.0';
const CASES: Case[] = [
  {
    target: 'reactor_shapes',
    host: `
with root.add_instance('test:shapes/host@0.1.0') as host:
    host.add_func('log', lambda store, msg: out.append('log: ' + msg))
    host.add_func('scale', lambda store: 3)
`,
    calls: [
      [SHAPES, 'greet', "['wasm ⚑']"],
      [SHAPES, 'greet', "['']"],
      [SHAPES, 'sum', '[[1, 2, 4294967295]]'],
      [SHAPES, 'sum', '[[]]'],
      // shape's cases have distinct Python types, so wasmtime-py takes them untagged.
      [SHAPES, 'area', '[2]'],
      [SHAPES, 'area', '[rec(x=-3, y=4)]'],
      [SHAPES, 'area', '[None]'],
      [SHAPES, 'parse', "['12,-5']"],
      [SHAPES, 'parse', "['nope']"],
      [SHAPES, 'flip', "[{'read', 'exec'}]"],
      [SHAPES, 'flip', '[set()]'],
      [SHAPES, 'next', "['blue']"],
      [SHAPES, 'words', "['  one two  🚀 ']"],
      [SHAPES, 'words', "['']"],
      [SHAPES, 'mid', '[rec(x=1, y=2), rec(x=5, y=-8)]'],
      ['', 'version', '[]'],
    ],
  },
  {
    target: 'reactor_counters',
    // The logger resource: a host resource whose rep indexes the prefixes.
    host: `
prefixes = []
def new_logger(store, prefix):
    prefixes.append(prefix)
    return wc.ResourceHost.own(len(prefixes) - 1, 7)
def log(store, this, msg):
    out.append(prefixes[this.to_host(store).rep] + msg)
with root.add_instance('test:counters/host@0.1.0') as host:
    host.add_resource('logger', wc.ResourceType.host(7), lambda store, rep: out.append('drop logger %d' % rep))
    host.add_func('[constructor]logger', new_logger)
    host.add_func('[method]logger.log', log)
`,
    calls: [
      [COUNTERS, '[constructor]counter', '[5]'],
      [COUNTERS, '[method]counter.bump', '[results[0], 3]'],
      [COUNTERS, '[constructor]counter', '[10]'],
      [COUNTERS, '[static]counter.merge', '[results[0], results[2]]'],
      [COUNTERS, '[method]counter.bump', '[results[3], 1]'],
      [COUNTERS, 'live', '[]'],
      [COUNTERS, 'shout', "['hey']"],
      [COUNTERS, 'live', '[]'],
    ],
  },
];

async function callOnWasmtime(component: Uint8Array, c: Case): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lift-reactor-wasmtime-'));
  try {
    writeFileSync(join(dir, 'c.wasm'), component);
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ path: join(dir, 'c.wasm'), host: c.host, calls: c.calls }));
    const { stdout } = await promisify(execFile)(WASMTIME_PYTHON, [join(dir, 'driver.py'), join(dir, 'config.json')], { timeout: 120_000 });
    return stdout.trimEnd().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.concurrent('up reactors on Wasmtime', () => {
  for (const c of CASES) {
    test(`${c.target}: every call as on wit-component's component`, async () => {
      const module = readFileSync(join(FIXTURES_DIR, `bin/p1/${c.target}.wasm`));
      const reference = await componentNew(module, [['wasi_snapshot_preview1', readFileSync(preview1AdapterReactorPath())]]);
      const [ours, theirs] = await Promise.all([callOnWasmtime(lift(module).component, c), callOnWasmtime(reference, c)]);
      expect(ours).toEqual(theirs);
      expect(ours.filter((l) => l.startsWith('{"error"'))).toEqual([]);
      expect(ours.filter((l) => l.startsWith('{"ok"'))).toHaveLength(c.calls.length);
    });
  }
});
