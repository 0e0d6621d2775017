// Imports outside wasi_snapshot_preview1, each satisfied by a function that
// traps when called: a module that keeps imports the host cannot provide
// (wasi:http, say) still instantiates, and only fails if it uses them.
// Non-function imports are left alone: instantiation then names them.
export function trappingStubs(module) {
  const stubs = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (from === 'wasi_snapshot_preview1' || kind !== 'function') continue;
    stubs[from] ??= {};
    stubs[from][name] = () => {
      throw new WebAssembly.RuntimeError(`stubbed import ${from}#${name} was called`);
    };
  }
  return stubs;
}
