// The build-step plugin, written once with unplugin; src/plugin/<bundler>.ts
// are its entry points. Two uses: `import bytes from './app.wasm?p1'` (or
// `?p2`) converts at build time and gives the bundle the bytes, and `assets`
// rules convert the .wasm files the build emits (see assets.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createUnplugin, type UnpluginOptions } from 'unplugin';
import type { LiftOptions, LowerOptions } from '../index.js';
import { assetPicker, convertBundle, convertCompilationAssets, convertEsbuildOutputs, type AssetPicker, type AssetRule, type Bundle, type BundleContext, type WebpackLikeCompiler } from './assets.js';
import { convert, diagnostic } from './convert.js';

export type { AssetRule };

export interface WasiAdaptOptions {
  /** Options for `lower`, used by `?p1` imports and `down` asset rules. */
  lower?: LowerOptions;
  /** Options for `lift`, used by `?p2` imports and `up` asset rules. */
  lift?: LiftOptions;
  /**
   * What a `?p1` import's default export is: `'bytes'` (default), a `Uint8Array`; `'module'`, a
   * compiled `WebAssembly.Module` (top-level await, so ESM output only). `?p2` always gives bytes:
   * no engine compiles components.
   */
  emit?: 'bytes' | 'module';
  /** Emitted `.wasm` assets to convert; the first matching rule applies. Default: none. */
  assets?: AssetRule[];
}

const NAME = 'wasi-adapt';
/** An import of a .wasm file with `?p1` (lower it) or `?p2` (lift it). */
const QUERY = /\.wasm\?(p[12])$/i;

export const unplugin = createUnplugin<WasiAdaptOptions | undefined, false>((options = {}) => {
  const load = loadHooks(options);
  // The output hook only where there are rules: it costs esbuild a metafile and every bundler a pass over the output.
  const assets = options.assets?.length ? assetHooks(assetPicker(options.assets), options) : {};
  return { ...load, ...assets, esbuild: { ...load.esbuild, ...assets.esbuild } };
});

/** `?p1` / `?p2` imports. */
function loadHooks(options: WasiAdaptOptions): UnpluginOptions {
  return {
    name: NAME,
    // Before Vite's own .wasm handling and any asset plugin.
    enforce: 'pre',
    // Relative specifiers and absolute paths of existing files become absolute ids that keep the
    // query; the rest (bare, Vite's root-relative '/x.wasm?p1') are left to the bundler.
    resolveId: {
      filter: { id: QUERY },
      handler(id, importer) {
        if (isAbsolute(id)) return existsSync(id.replace(/\?.*$/, '')) ? id : null;
        if (!id.startsWith('.') || importer === undefined) return null;
        return resolve(dirname(importer.replace(/\?.*$/, '')), id);
      },
    },
    load: {
      filter: { id: QUERY },
      async handler(id) {
        const down = QUERY.exec(id)![1]!.toLowerCase() === 'p1';
        const file = id.replace(/\?.*$/, '');
        this.addWatchFile(file);
        try {
          const bytes = convert(await readFile(file), down ? 'down' : 'up', options);
          // Base64 in the bundle: every bundler inlines it as code, and atob runs in browsers and Node.
          const value = `Uint8Array.from(atob(${JSON.stringify(Buffer.from(bytes).toString('base64'))}), (c) => c.charCodeAt(0))`;
          return `export default ${down && options.emit === 'module' ? `await WebAssembly.compile(${value})` : value};\n`;
        } catch (err) {
          this.error({ message: diagnostic(err, file), id: file });
          // webpack and esbuild collect errors instead of throwing; they still want module code.
          return 'export default undefined;\n';
        }
      },
    },
    // esbuild calls plugins for every path unless filtered up front.
    esbuild: { onResolveFilter: QUERY, onLoadFilter: QUERY },
  };
}

/** The output hook, in each bundler's own terms (see assets.ts). */
function assetHooks(pick: AssetPicker, options: WasiAdaptOptions): Partial<UnpluginOptions> {
  const generateBundle = function (this: BundleContext, _output: unknown, bundle: Bundle): void {
    convertBundle(this, bundle, pick, options);
  };
  const webpackLike = (compiler: object) => convertCompilationAssets(NAME, compiler as WebpackLikeCompiler, pick, options);
  return {
    rollup: { generateBundle },
    rolldown: { generateBundle },
    vite: { generateBundle },
    webpack: webpackLike,
    rspack: webpackLike,
    esbuild: { setup: convertEsbuildOutputs(pick, options) },
  };
}
