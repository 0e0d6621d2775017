// The public API of wasi-adapt.
export { WasiAdaptError, type ErrorCode } from './errors.js';
export { VERSION } from './version.js';
export { inspect, type InspectReport, type WasmFileKind, type Verdict } from './inspect/index.js';
export { formatReport } from './inspect/format.js';
export { parseModule, writeModule, type CoreModule } from './binary/module.js';
export { parseComponent, writeComponent, sniffWasm, type Component } from './binary/component.js';
export { buildGraph } from './component/graph.js';
export { lift, type LiftOptions, type LiftReport } from './lift/index.js';
// A WIT world for `lift`'s `world` option: parseWit + resolveWit text, then pickWorld.
export { parseWit, resolveWit, type ResolvedWit, type World } from './wit/index.js';
export { pickWorld } from './lift/world-wit.js';
export { lower, type LowerOptions, type LowerReport } from './lower/index.js';
