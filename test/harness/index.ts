// Harness entry point for the differential tests.
export { runBrowserShim, runP1 } from './run-p1.js';
export { runP2, type P2RunSpec } from './run-p2.js';
export { pretranspile, transpiled } from './transpile-cache.js';
export { callExports, type CallResult, type ExportCall } from './call-export.js';
export { loadManifest, specOf, type Fixture, type HostName } from './manifest.js';
export { checkExpectations, filesAsJson } from './check.js';
export type { FileEntry, P1RunSpec, PreopenSpec, RunResult, RunSpec } from './types.js';
export { runWasmer } from './run-wasmer.js';
export { runWasmtime, runWasmtimeComponent, type WasmtimeOptions } from './run-wasmtime.js';
