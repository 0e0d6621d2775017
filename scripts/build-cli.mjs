// Bundles the CLI into one file, dist/cli/wasi-adapt.js (package.json `bin`): Node then loads
// one module at start instead of resolving, reading and linking ~60 (see docs/lower.md, Bench).
// The library entry (dist/index.js) stays tsc's output, so importers and bundlers still see
// separate modules. Runs after tsc, which type-checks what esbuild only strips.
import { build } from 'esbuild';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'cli', 'wasi-adapt.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // binaryen (--optimize) is an optional dependency loaded on demand: it stays an import.
  external: ['binaryen'],
  // Whitespace and syntax only: V8 parses a fifth less at every start, and function names
  // stay as written, so an internal error's stack still reads without the source map.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
});
