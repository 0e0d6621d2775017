import { detectFeatures, type Feature } from '../binary/features.js';
import { parseModule } from '../binary/module.js';

/** binaryen's flag for each feature family, so the optimizer may use only what the module already uses. */
const BINARYEN_FEATURE: Record<Feature, readonly string[]> = {
  'sign-ext': ['SignExt'],
  'sat-float-to-int': ['NontrappingFPToInt'],
  'bulk-memory': ['BulkMemory', 'BulkMemoryOpt'],
  'reference-types': ['ReferenceTypes', 'CallIndirectOverlong'],
  'multi-value': ['Multivalue'],
  simd: ['SIMD128'],
  'relaxed-simd': ['RelaxedSIMD'],
  threads: ['Atomics'],
  'tail-call': ['TailCall'],
  exceptions: ['ExceptionHandling'],
  'legacy-exceptions': ['ExceptionHandling'],
  exnref: ['ExceptionHandling'],
  gc: ['GC', 'ReferenceTypes'],
  'function-references': ['GC', 'ReferenceTypes'],
  'multi-memory': ['MultiMemory'],
  memory64: ['Memory64'],
  'extended-const': ['ExtendedConst'],
  'mutable-globals': ['MutableGlobals'],
  'custom-page-sizes': ['CustomPageSizes'],
};

/** binaryen -O2 over a linked module. binaryen is large, so it is loaded only when asked for. */
export async function optimize(module: Uint8Array): Promise<Uint8Array> {
  const { default: binaryen } = await import('binaryen');
  const flags = binaryen.Features as unknown as Record<string, number>;
  let features = flags.MutableGlobals!;
  for (const f of detectFeatures(parseModule(module))) for (const name of BINARYEN_FEATURE[f]) features |= flags[name]!;
  const m = binaryen.readBinaryWithFeatures(module, features);
  try {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    m.optimize();
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
