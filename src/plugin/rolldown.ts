// `wasi-adapt/rolldown`: the plugin for Rolldown (see docs/plugin.md).
import { unplugin } from './core.js';

export type { AssetRule, WasiAdaptOptions } from './core.js';
export default unplugin.rolldown;
