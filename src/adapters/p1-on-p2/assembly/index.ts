// The preview1 adapter: every wasi_snapshot_preview1 function over WASI 0.2.
// Lifting keeps only the exports a module imports; see src/lift/strip.ts.
export * from "./misc";
export * from "./fd";
export * from "./path";
export * from "./poll";
export { cabiImportRealloc as cabi_import_realloc } from "./state";
