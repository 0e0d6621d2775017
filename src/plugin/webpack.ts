// `wasi-adapt/webpack`: the plugin for webpack (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.webpack;
