// `wasi-adapt/vite`: the plugin for Vite (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.vite;
