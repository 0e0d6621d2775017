// JS hosts of the custom imports of the reactors test/lift-reactor.test.ts lifts: ours (from
// fixtures/src/reactor/*.wit), else the corpus reactors' (corpus/imports.mjs). Same conventions.
import { importsFor as corpusImportsFor } from './corpus/imports.mjs';

const OURS = {
  reactor_shapes: () => ({
    'test:shapes/host@0.1.0': {
      log: (msg) => console.log(`log: ${msg}`),
      scale: () => 3,
    },
  }),
  reactor_counters: () => ({
    'test:counters/host@0.1.0': {
      Logger: class Logger {
        constructor(prefix) {
          this.prefix = prefix;
        }
        log(msg) {
          console.log(`${this.prefix}${msg}`);
        }
      },
    },
  }),
  // test/lift-reactor-world-types.test.ts: a bare import taking a world-level record.
  world_types: () => ({
    $root: {
      pick: (p) => ['red', 'green', 'blue'][(p.a.x + p.a.y + p.b) % 3],
    },
  }),
};

export function importsFor(component) {
  return OURS[component]?.() ?? corpusImportsFor(component);
}
