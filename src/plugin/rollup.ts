// `wasi-adapt/rollup`: the plugin for Rollup (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.rollup;
