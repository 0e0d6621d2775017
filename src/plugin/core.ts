// The build-step plugin, written once with unplugin; src/plugin/<bundler>.ts
// are its entry points. Two uses: `import bytes from './app.wasm?p1'` (or
// `?p2`) converts at build time and gives the bundle the bytes, and `assets`
// rules convert the .wasm files the build emits (see assets.ts).
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createUnplugin } from 'unplugin';
import type { LiftOptions, LowerOptions } from '../index.js';
import { assetPicker, convertBundle, convertCompilationAssets, convertEsbuildOutputs, type AssetRule, type Bundle, type BundleContext, type WebpackLikeCompiler } from './assets.js';
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
  const pick = assetPicker(options.assets ?? []);
  return {
    name: NAME,
    // Before Vite's own .wasm handling and any asset plugin.
    enforce: 'pre',
    // Relative and absolute specifiers become absolute ids that keep the query; bare ones are left to the bundler.
    resolveId: {
      filter: { id: QUERY },
      handler(id, importer) {
        if (isAbsolute(id)) return id;
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
    rollup: { generateBundle: bundleHook(pick, options) },
    rolldown: { generateBundle: bundleHook(pick, options) },
    vite: { generateBundle: bundleHook(pick, options) },
    webpack: (compiler) => convertCompilationAssets(NAME, compiler as unknown as WebpackLikeCompiler, pick, options),
    rspack: (compiler) => convertCompilationAssets(NAME, compiler as unknown as WebpackLikeCompiler, pick, options),
    esbuild: { onResolveFilter: QUERY, onLoadFilter: QUERY, setup: convertEsbuildOutputs(pick, options) },
  };
});

function bundleHook(pick: ReturnType<typeof assetPicker>, options: WasiAdaptOptions) {
  return function (this: BundleContext, _output: unknown, bundle: Bundle): void {
    convertBundle(this, bundle, pick, options);
  };
}
