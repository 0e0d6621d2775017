import type { ComponentView, ModuleView } from './view.js';

/**
 * Whether a preview1 adapter calls functions another component of the composition lifts: WASI
 * interfaces a component implements (wasi-virt's shape: a virt exporting wasi:cli/environment or
 * wasi:filesystem to the program). Dropping that adapter would send the program's p1 calls to the
 * host's p1 past the component, so it is kept. The adapter imports such a lowering directly (from
 * a bag of lowerings) or a shim trampoline whose table slot a fixup fills with it.
 */
export function adapterCallsComponents(c: ComponentView): boolean {
  const lifted = new Set(c.coreFuncs.flatMap((f, index) => (f.kind === 'lower-lifted' ? [index] : [])));
  if (!lifted.size) return false;
  const receivesLifted = (arg: number | undefined, name: string): boolean => {
    const bag = arg === undefined ? undefined : c.coreInstances[arg];
    const ref = bag?.kind === 'exports' ? bag.exports.get(name) : undefined;
    return ref?.sort === 'func' && lifted.has(ref.index);
  };
  const fillsLifted = (shimKey: number, table: number, slot: number): boolean =>
    c.coreInstances.some((def) => {
      if (def.kind !== 'instantiate') return false;
      const w = c.modules[def.module]!;
      return w.imports.some((ti) => {
        const arg = ti.sort === 'table' ? def.args.get(ti.module) : undefined;
        const origin = arg === undefined ? undefined : c.origin(arg, ti.name, 'table');
        if (origin?.instance !== shimKey || moduleOf(c, shimKey)?.exportNamed(origin.name, 'table')?.index !== table) return false;
        return w.fillsAt(ti.index, slot).some((fill) => {
          const fi = fill.func < w.importedFuncs ? w.imports[w.importPosition('func', fill.func)] : undefined;
          return fi !== undefined && receivesLifted(def.args.get(fi.module), fi.name);
        });
      });
    });
  const callsLifted = (arg: number | undefined, name: string): boolean => {
    if (arg === undefined) return false;
    if (receivesLifted(arg, name)) return true;
    const origin = c.origin(arg, name, 'func');
    const shim = origin && moduleOf(c, origin.instance);
    const exp = shim?.exportNamed(origin!.name, 'func');
    const tramp = exp && shim!.trampolines.get(exp.index);
    return tramp !== undefined && fillsLifted(origin!.instance, tramp.table, tramp.slot);
  };
  return c.coreInstances.some((def) => {
    if (def.kind !== 'instantiate' || c.modules[def.module]!.role !== 'adapter') return false;
    return c.modules[def.module]!.imports.some((imp) => imp.sort === 'func' && callsLifted(def.args.get(imp.module), imp.name));
  });
}

function moduleOf(c: ComponentView, key: number): ModuleView | undefined {
  const def = c.coreInstances[key];
  return def?.kind === 'instantiate' ? c.modules[def.module] : undefined;
}
