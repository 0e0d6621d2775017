// The build plugin in each of its six bundlers: the example projects in
// fixtures/plugin/<bundler>/ are built with the bundler's JS API into a temp
// dir, and the bundle is imported (`?p1`, `?p2`) or its emitted assets read
// (asset rules); a corrupt .wasm must fail the build naming the file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { runP1 } from './harness/index.js';
import emitWasm from '../fixtures/plugin/emit-wasm.js';
import { convertedName } from '../src/plugin/convert.js';
import { fileMatcher } from '../src/plugin/glob.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'fixtures', 'plugin');
const HELLO_P2 = join(ROOT, 'fixtures', 'bin', 'p2', 'hello.wasm');
const HELLO_STDOUT = 'hello, world\n';
const COMPONENT_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

type Options = Record<string, unknown>;
/** Builds `entry` into `outDir` (ESM, `[name].mjs`, assets as `[name].wasm`); rejects with the bundler's errors. */
type Build = (plugins: unknown[], entry: string, outDir: string) => Promise<{ watchFiles?: string[] }>;
interface Bundler {
  name: 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack';
  build: Build;
  /** What the asset build needs besides our plugin to emit a .wasm (Rollup and Rolldown emit none themselves). */
  assetPlugins?: unknown[];
}

/** The plugin factory as a user gets it: the package's `exports` entry, in dist/. */
async function factory(name: Bundler['name']): Promise<(options?: Options) => unknown> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
  const mod = (await import(pathToFileURL(join(ROOT, pkg.exports[`./${name}`]!.default)).href)) as { default: (o?: Options) => unknown };
  return mod.default;
}

interface WebpackStats {
  toJson(o: object): { errors?: { message: string }[] };
  compilation: { fileDependencies: Iterable<string> };
}
type WebpackRun = (config: object, cb: (err: Error | null, stats?: WebpackStats) => void) => void;

const webpackLike =
  (load: () => Promise<WebpackRun>): Build =>
  async (plugins, entry, outDir) => {
    const run = await load();
    const config = {
      mode: 'none',
      context: ROOT,
      entry: { [entry.replace(/^.*\/|\.js$/g, '')]: entry },
      target: 'node',
      experiments: { outputModule: true },
      output: { path: outDir, filename: '[name].mjs', module: true, library: { type: 'module' }, assetModuleFilename: '[name][ext]' },
      plugins,
    };
    return new Promise((done, fail) =>
      run(config, (err, stats) => {
        if (err) return fail(err);
        const errors = stats!.toJson({ all: false, errors: true }).errors ?? [];
        if (errors.length > 0) return fail(new Error(errors.map((e) => e.message).join('\n')));
        done({ watchFiles: [...stats!.compilation.fileDependencies] });
      }),
    );
  };

const BUNDLERS: Bundler[] = [
  {
    name: 'vite',
    build: async (plugins, entry, outDir) => {
      const { build } = await import('vite');
      await build({
        configFile: false,
        logLevel: 'silent',
        root: join(ROOT, 'fixtures'),
        plugins: plugins as never,
        build: {
          outDir,
          emptyOutDir: false,
          minify: false,
          assetsInlineLimit: 0,
          rolldownOptions: {
            input: entry,
            preserveEntrySignatures: 'strict',
            output: { format: 'es', entryFileNames: '[name].mjs', assetFileNames: '[name][extname]' },
          },
        },
      });
      return {};
    },
  },
  {
    name: 'rollup',
    build: async (plugins, input, dir) => {
      const { rollup } = await import('rollup');
      const bundle = await rollup({ input, plugins: plugins as never, onLog: () => {} });
      await bundle.write({ dir, format: 'es', entryFileNames: '[name].mjs', assetFileNames: '[name][extname]' });
      await bundle.close();
      return { watchFiles: bundle.watchFiles };
    },
    assetPlugins: [emitWasm(HELLO_P2, 'hello.wasm')],
  },
  {
    name: 'rolldown',
    build: async (plugins, input, dir) => {
      const { build } = await import('rolldown');
      await build({ input, plugins: plugins as never, logLevel: 'silent', output: { dir, format: 'es', entryFileNames: '[name].mjs', assetFileNames: '[name][extname]' } });
      return {};
    },
    assetPlugins: [emitWasm(HELLO_P2, 'hello.wasm')],
  },
  {
    name: 'esbuild',
    build: async (plugins, entry, outdir) => {
      const { build } = await import('esbuild');
      await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'node',
        outdir,
        outExtension: { '.js': '.mjs' },
        assetNames: '[name]',
        loader: { '.wasm': 'file' },
        logLevel: 'silent',
        plugins: plugins as never,
      });
      return {};
    },
  },
  { name: 'webpack', build: webpackLike(async () => (await import('webpack')).default as unknown as WebpackRun) },
  { name: 'rspack', build: webpackLike(async () => (await import('@rspack/core')).rspack as unknown as WebpackRun) },
];

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasi-adapt-plugin-'));
  temps.push(dir);
  return dir;
}
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The bytes are a p1 module that runs the hello fixture on node:wasi. */
async function expectHello(bytes: Uint8Array): Promise<void> {
  expect(bytes).toBeInstanceOf(Uint8Array);
  expect(WebAssembly.validate(bytes)).toBe(true);
  expect([...bytes.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const run = await runP1(bytes, { args: ['hello'] });
  expect(run.stdout.toString()).toBe(HELLO_STDOUT);
  expect(run.exitCode).toBe(0);
}

describe.each(BUNDLERS)('$name', (bundler) => {
  const build = async (entry: string, options?: Options, extra: unknown[] = []) => {
    const outDir = tempDir();
    const result = await bundler.build([(await factory(bundler.name))(options), ...extra], entry, outDir);
    return { outDir, ...result };
  };

  test('`?p1` gives the lowered module; the .wasm is a watched file', async () => {
    const { outDir, watchFiles } = await build(join(FIXTURES, bundler.name, 'main.js'));
    const bundle = (await import(pathToFileURL(join(outDir, 'main.mjs')).href)) as { p1: Uint8Array; p2?: Uint8Array };
    await expectHello(bundle.p1);
    if (bundler.name === 'vite') expect([...bundle.p2!.subarray(0, 8)]).toEqual(COMPONENT_HEADER);
    if (watchFiles) expect(watchFiles).toContain(HELLO_P2);
  });

  test("`emit: 'module'` gives a compiled WebAssembly.Module", async () => {
    const { outDir } = await build(join(FIXTURES, bundler.name, 'main.js'), { emit: 'module' });
    const { p1 } = (await import(pathToFileURL(join(outDir, 'main.mjs')).href)) as { p1: WebAssembly.Module };
    expect(p1).toBeInstanceOf(WebAssembly.Module);
    expect(WebAssembly.Module.exports(p1).map((e) => e.name)).toContain('_start');
  });

  test('an asset rule emits NAME.p1.wasm next to the emitted component', async () => {
    const { outDir } = await build(join(FIXTURES, bundler.name, 'asset.js'), { assets: [{ direction: 'down', include: '**/*.wasm' }] }, bundler.assetPlugins);
    const files = readdirSync(outDir).filter((f) => f.endsWith('.wasm')).sort();
    expect(files).toEqual(['hello.p1.wasm', 'hello.wasm']);
    expect(readFileSync(join(outDir, 'hello.wasm'))).toEqual(readFileSync(HELLO_P2));
    await expectHello(readFileSync(join(outDir, 'hello.p1.wasm')));
  });

  test('an asset rule that cannot convert fails the build, naming the asset', async () => {
    // `up` takes p1 modules; the emitted hello.wasm is a component.
    const options = { assets: [{ direction: 'up', include: /hello\.wasm$/ }] };
    await expect(build(join(FIXTURES, bundler.name, 'asset.js'), options, bundler.assetPlugins)).rejects.toThrow(/hello\.wasm: .*already a component/);
  });

  test('a corrupt .wasm fails the build, naming the file', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.wasm');
    writeFileSync(bad, Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x01, 0xff));
    writeFileSync(join(dir, 'bad.js'), "export { default } from './bad.wasm?p1';\n");
    await expect(build(join(dir, 'bad.js'))).rejects.toThrow(new RegExp(`${bad.replace(/[.\\]/g, '\\$&')}: at offset 0x[0-9a-f]+: .*\\[\\w+(-\\w+)*\\]`));
  });
});

test('esbuild with `write: false`: the converted asset joins outputFiles', async () => {
  const { build } = await import('esbuild');
  const plugin = (await factory('esbuild'))({ assets: [{ direction: 'down', include: '*.wasm' }] });
  const outdir = tempDir();
  const result = await build({
    entryPoints: [join(FIXTURES, 'esbuild', 'asset.js')],
    bundle: true,
    outdir,
    assetNames: '[name]',
    loader: { '.wasm': 'file' },
    write: false,
    logLevel: 'silent',
    plugins: [plugin as never],
  });
  const p1 = result.outputFiles.find((f) => f.path === join(outdir, 'hello.p1.wasm'));
  await expectHello(p1!.contents);
  expect(readdirSync(outdir)).toEqual([]);
});

test('rollup watch mode: changing the .wasm rebuilds', async () => {
  const { watch } = await import('rollup');
  const dir = tempDir();
  const wasm = join(dir, 'app.wasm');
  writeFileSync(wasm, readFileSync(HELLO_P2));
  writeFileSync(join(dir, 'main.js'), "export { default } from './app.wasm?p1';\n");
  const watcher = watch({ input: join(dir, 'main.js'), plugins: [(await factory('rollup'))() as never], output: { dir: join(dir, 'out') }, onLog: () => {} });
  const events: string[] = [];
  try {
    await new Promise<void>((done) =>
      watcher.on('event', (e) => {
        events.push(e.code);
        if (e.code === 'BUNDLE_END') void e.result.close();
        // First build done: break the file (once the watcher is set up); the rebuild must fail, naming it.
        if (e.code === 'END' && events.length === 4) setTimeout(() => writeFileSync(wasm, 'not wasm'), 200);
        if (e.code === 'ERROR') {
          expect(e.error.message).toContain(`${wasm}: at offset 0x0`);
          done();
        }
      }),
    );
  } finally {
    await watcher.close();
  }
  expect(events.slice(0, 4)).toEqual(['START', 'BUNDLE_START', 'BUNDLE_END', 'END']);
});

test('`lower` options reach lower: keepAdapter keeps the adapter (rollup)', async () => {
  const { rollup } = await import('rollup');
  const sizes: number[] = [];
  for (const keepAdapter of [false, true]) {
    const dir = tempDir();
    const bundle = await rollup({ input: join(FIXTURES, 'rollup', 'main.js'), plugins: [(await factory('rollup'))({ lower: { keepAdapter } }) as never] });
    await bundle.write({ dir, format: 'es', entryFileNames: '[name].mjs' });
    const { p1 } = (await import(pathToFileURL(join(dir, 'main.mjs')).href)) as { p1: Uint8Array };
    await expectHello(p1);
    sizes.push(p1.length);
  }
  // The kept adapter (and the polyfill it runs on) make the module several times bigger.
  expect(sizes[1]).toBeGreaterThan(2 * sizes[0]!);
});

test('asset rules: globs over output paths, and the converted names', () => {
  const m = fileMatcher(['**/*.wasm', /^x/], 'vendor/**');
  expect(['a.wasm', 'assets/a.wasm', 'x.bin'].every(m)).toBe(true);
  expect(['a.wasm.map', 'vendor/a.wasm', 'ab.wasmx'].some(m)).toBe(false);
  expect(fileMatcher('*.wasm')('assets/a.wasm')).toBe(false);
  expect(fileMatcher('a?.wasm')('a1.wasm')).toBe(true);
  expect([convertedName('assets/app.wasm', 'down'), convertedName('app.p2.wasm', 'down'), convertedName('app.p1.wasm', 'up')]).toEqual(['assets/app.p1.wasm', 'app.p1.wasm', 'app.p2.wasm']);
});
