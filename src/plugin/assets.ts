// The output hook: converts the .wasm assets a build emits and emits the result
// next to each (app.wasm -> app.p1.wasm), keeping the original, so a project
// that builds one WASI version ships both. One function per bundler family,
// because each family hands over its emitted files differently.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Plugin as EsbuildPlugin } from 'esbuild';
import { convert, convertedName, diagnostic, type ConvertOptions, type Direction } from './convert.js';
import { fileMatcher, type Pattern } from './glob.js';

export interface AssetRule {
  /** `down`: a WASI 0.2 component becomes a p1 module (`NAME.p1.wasm`); `up`: the reverse (`NAME.p2.wasm`). */
  direction: Direction;
  /** Globs (`**`, `*`, `?`) or RegExps over the asset's path in the output directory, e.g. `'**\/*.wasm'`. */
  include: Pattern | Pattern[];
  exclude?: Pattern | Pattern[];
}

/** The direction of the first rule matching an emitted file, if any. */
export type AssetPicker = (file: string) => Direction | undefined;

export function assetPicker(rules: AssetRule[]): AssetPicker {
  const matchers = rules.map((r) => ({ direction: r.direction, test: fileMatcher(r.include, r.exclude) }));
  return (file) => (file.toLowerCase().endsWith('.wasm') ? matchers.find((m) => m.test(file))?.direction : undefined);
}

/** Rollup, Rolldown and Vite: `generateBundle`'s bundle, before it is written. */
export interface BundleContext {
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
  error(message: string): never;
}
export type Bundle = Record<string, { type: string; fileName: string; source?: string | Uint8Array }>;

export function convertBundle(ctx: BundleContext, bundle: Bundle, pick: AssetPicker, options: ConvertOptions): void {
  for (const file of Object.values(bundle)) {
    const direction = pick(file.fileName);
    if (direction === undefined || file.type !== 'asset' || !(file.source instanceof Uint8Array)) continue;
    let bytes: Uint8Array;
    try {
      bytes = convert(file.source, direction, options);
    } catch (err) {
      ctx.error(diagnostic(err, file.fileName));
    }
    ctx.emitFile({ type: 'asset', fileName: convertedName(file.fileName, direction), source: bytes });
  }
}

/**
 * webpack and Rspack: a `processAssets` step that derives assets from the emitted ones. Their
 * compiler types differ, but both have this much of webpack's API.
 */
export interface WebpackLikeCompiler {
  webpack: {
    Compilation: { PROCESS_ASSETS_STAGE_DERIVED: number };
    sources: { RawSource: new (buffer: Buffer) => unknown };
    WebpackError: new (message: string) => Error;
  };
  hooks: { thisCompilation: { tap(name: string, fn: (compilation: WebpackLikeCompilation) => void): void } };
}
interface WebpackLikeCompilation {
  hooks: {
    processAssets: { tap(options: { name: string; stage: number }, fn: (assets: Record<string, { buffer(): Buffer }>) => void): void };
  };
  emitAsset(file: string, source: unknown): void;
  errors: { push(err: Error): unknown };
}

export function convertCompilationAssets(name: string, compiler: WebpackLikeCompiler, pick: AssetPicker, options: ConvertOptions): void {
  const { Compilation, sources, WebpackError } = compiler.webpack;
  compiler.hooks.thisCompilation.tap(name, (compilation) => {
    compilation.hooks.processAssets.tap({ name, stage: Compilation.PROCESS_ASSETS_STAGE_DERIVED }, (assets) => {
      for (const [file, source] of Object.entries(assets)) {
        const direction = pick(file);
        if (direction === undefined) continue;
        try {
          const bytes = convert(source.buffer(), direction, options);
          compilation.emitAsset(convertedName(file, direction), new sources.RawSource(Buffer.from(bytes)));
        } catch (err) {
          compilation.errors.push(new WebpackError(diagnostic(err, file)));
        }
      }
    });
  });
}

/**
 * esbuild: `onEnd`, over `outputFiles` when `write: false`, else over the
 * files the metafile lists (the plugin turns the metafile on), written to disk.
 */
export function convertEsbuildOutputs(pick: AssetPicker, options: ConvertOptions): EsbuildPlugin['setup'] {
  return (build) => {
    if (build.initialOptions.write !== false) build.initialOptions.metafile = true;
    const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
    const { outdir, outfile } = build.initialOptions;
    const outRoot = resolve(cwd, outdir ?? (outfile === undefined ? '.' : dirname(outfile)));
    const inOutput = (abs: string) => relative(outRoot, abs).split(sep).join('/');
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      const errors: { text: string; location: { file: string } }[] = [];
      // A copy: converted files join outputFiles, and must not be converted again.
      const written = result.outputFiles?.slice() ?? Object.keys(result.metafile?.outputs ?? {}).map((f) => ({ path: resolve(cwd, f), contents: undefined }));
      for (const out of written) {
        const direction = pick(inOutput(out.path));
        if (direction === undefined) continue;
        const path = convertedName(out.path, direction);
        try {
          const bytes = convert(out.contents ?? (await readFile(out.path)), direction, options);
          if (result.outputFiles) result.outputFiles.push(outputFile(path, bytes));
          else await writeFile(path, bytes);
        } catch (err) {
          errors.push({ text: diagnostic(err, out.path), location: { file: out.path } });
        }
      }
      return { errors };
    });
  };
}

function outputFile(path: string, contents: Uint8Array) {
  return { path, contents, hash: '', get text() { return new TextDecoder().decode(contents); } };
}
