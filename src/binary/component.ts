/**
 * Component binaries (Binary.md, version 0x0d): read, write, sniff.
 * The public entry point; the work is split over the component-*.ts files.
 */
export { parseComponent } from './component-read.js';
export { writeComponent, encodeSectionPayload, writeCanon, type WriteOptions } from './component-write.js';
export { sniffWasm, isComponent, COMPONENT_VERSION, type WasmKind } from './component-sniff.js';
export { MAX_DEPTH } from './component-read-common.js';
export * from './component-types.js';
