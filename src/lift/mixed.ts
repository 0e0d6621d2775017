/**
 * "Mixed" modules: next to preview1, a module may import WASI 0.2 functions
 * directly at the canonical-ABI core level (`wasi:cli/stdout@0.2.3` /
 * `get-stdout`), as wit-bindgen guests built for the official reactor adapter
 * do. Those imports become the component's own imports of the interface,
 * lowered into main, sharing each interface import with the adapter.
 */
import { funcTypeEquals, type CoreModule, type FuncType } from '../binary/module.js';
import { WasiAdaptError } from '../errors.js';
import { wasiInterface } from './wasi.js';
import { abiOf } from './world.js';

export interface DirectImport {
  /** The core import module, with its version: `wasi:io/streams@0.2.3`. */
  module: string;
  /** The interface, unversioned as the adapter names it: `wasi:io/streams`. */
  iface: string;
  name: string;
  /** Its core type: the canonical-ABI lowering of the function. */
  type: FuncType;
}

const VERSIONED = /^(wasi:[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*)@(0\.2\.(\d+))$/;
const DROP = '[resource-drop]';

/** Is this a WASI 0.2 import module name (any version), which `directImports` takes? */
export function isWasi02(module: string): boolean {
  return module.startsWith('wasi:');
}

/**
 * The module's WASI 0.2 function imports (each module/name once), checked
 * against the WASI WIT (wasi.ts): known function, core type of its lowering.
 */
export function directImports(m: CoreModule): DirectImport[] {
  const out = new Map<string, DirectImport>();
  for (const im of m.imports) {
    if (!isWasi02(im.module)) continue;
    const what = `${im.module}.${im.name}`;
    const match = VERSIONED.exec(im.module);
    if (!match) throw new WasiAdaptError('unsupported', `imports ${what}; WASI 0.2 imports must name a 0.2.x version (\`${im.module}@0.2.0\`)`);
    const iface = match[1]!;
    const type = im.desc.kind === 'func' ? m.types[im.desc.typeIndex] : undefined;
    if (type?.kind !== 'func') throw new WasiAdaptError('unsupported', `imports ${what}, which is not a function`);
    if (!funcTypeEquals(type, expectedType(iface, im.name, what))) {
      throw new WasiAdaptError('unsupported', `${what} is imported with a core type that is not its canonical-ABI lowering`);
    }
    out.set(`${im.module}\0${im.name}`, { module: im.module, iface, name: im.name, type });
  }
  return [...out.values()];
}

function expectedType(iface: string, name: string, what: string): FuncType {
  const unknown = () => new WasiAdaptError('unsupported', `imports ${what}, which is not a function of WASI 0.2.12's wasi:cli or wasi:http imports (or is @unstable)`);
  const spec = wasiInterface(iface);
  if (!spec) throw unknown();
  if (name.startsWith(DROP)) {
    if (spec.types.get(name.slice(DROP.length))?.def.k !== 'resource') throw unknown();
    return { kind: 'func', params: ['i32'], results: [] };
  }
  const fn = spec.funcs.get(name);
  if (!fn) throw unknown();
  return { kind: 'func', ...abiOf(fn).lower };
}

/**
 * The WASI version of the component's imports: the requested one, else the
 * newest the module names (its functions exist there), else 0.2.0.
 */
export function versionOf(direct: readonly DirectImport[], requested: string | undefined): string {
  if (requested) return requested;
  let best = '0.2.0';
  for (const d of direct) {
    const v = VERSIONED.exec(d.module)![2]!;
    if (Number(v.split('.')[2]) > Number(best.split('.')[2])) best = v;
  }
  return best;
}
