// runP1 / runBrowserShim with `stubImports`: imports outside wasi_snapshot_preview1 get
// functions that trap when called, so such a module instantiates on a preview1 host.
import { describe, expect, it } from 'vitest';
import { runBrowserShim, runP1, runWasmtime } from './harness/index.js';
import { wat } from './helpers/wat.js';

/** Prints "ok\n", then calls the wasi:http import when argv has a second entry. */
const program = wat(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.12" "[method]fields.entries" (func $entries (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ok\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
    (if (i32.gt_u (i32.load (i32.const 32)) (i32.const 1))
      (then (call $entries (i32.const 0) (i32.const 64))))))`);

describe.each([['node:wasi', runP1], ['browser_wasi_shim', runBrowserShim], ['wasmtime', runWasmtime]] as const)('stubImports on %s', (_, run) => {
  it('lets a module with other imports run when it never calls them', async () => {
    const r = await run(await program, { stubImports: true });
    expect([r.stdout.toString(), r.exitCode, r.trapped]).toEqual(['ok\n', 0, false]);
  });

  it('traps, naming the import, when the module calls one', async () => {
    const r = await run(await program, { stubImports: true, args: ['main.wasm', 'call'] });
    expect([r.stdout.toString(), r.trapped]).toEqual(['ok\n', true]);
    // node:wasi and the shim say `module#name`, wasmtime `module::name`.
    expect(r.trapMessage).toMatch(/wasi:http\/types@0\.2\.12(#|::)\[method\]fields\.entries/);
  });

  it('without it, instantiation fails', async () => {
    await expect(run(await program)).rejects.toThrow(/instantiate/);
  });
});
