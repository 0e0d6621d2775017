// `wasi-adapt/rspack`: the plugin for Rspack (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.rspack;
