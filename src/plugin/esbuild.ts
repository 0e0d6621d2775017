// `wasi-adapt/esbuild`: the plugin for esbuild (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.esbuild;
