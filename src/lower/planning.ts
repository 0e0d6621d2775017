import { wasm as polyfillWasm } from '../adapters/generated/p2-on-p1.js';
import { wasm as p3PolyfillWasm } from '../adapters/generated/p3-on-p1.js';
import { usesAsync } from './p3-plan.js';
import { WasiAdaptError } from '../errors.js';
import type { ComponentInput } from './from-component.js';
import { readLinkModule, type LinkModule } from './link-module.js';
import { moduleView } from './module-view.js';
import { adapterCallsComponents } from './adapter-callees.js';
import { AdapterNeeded, plan, type Plan } from './plan.js';
import type { ModuleView } from './view.js';

export interface PlanningOptions {
  keepAdapter?: boolean;
  allowUnresolved?: boolean;
  strict?: boolean;
}

/**
 * What `down` decides for a component, before it writes anything: `lower` writes
 * this plan, and `inspect` states its verdict from it, so the two cannot disagree
 * about what a component needs or why it is refused.
 */
export function planLowering(view: ComponentInput, options: PlanningOptions): { plan: Plan; polyfill: Polyfill } {
  if (options.strict && options.allowUnresolved) {
    throw new WasiAdaptError('invalid-argument', 'strict and allowUnresolved contradict each other: choose one');
  }
  // WASI 0.3 components get the polyfill with the async runtime (p2-on-p1's functions and more).
  const polyfill = usesAsync(view.component) ? lazyPolyfill(p3PolyfillWasm, 'p3-on-p1 polyfill') : lazyPolyfill(polyfillWasm, 'p2-on-p1 polyfill');
  const unresolved = options.strict ? 'refuse' : options.allowUnresolved ? 'keep' : 'stand-in';
  const planOptions = { unresolved, loadPolyfill: () => polyfill.view(), linkModule: view.module } as const;
  try {
    // An adapter whose WASI another component implements stays: the host's p1 would bypass it.
    const dropAdapter = !options.keepAdapter && !adapterCallsComponents(view.component);
    return { plan: plan(view.component, { ...planOptions, dropAdapter }), polyfill };
  } catch (err) {
    // Something other than p1 calls reaches into the adapter: it cannot go, so keep it.
    if (!(err instanceof AdapterNeeded)) throw err;
    return { plan: plan(view.component, { ...planOptions, dropAdapter: false }), polyfill };
  }
}

export interface Polyfill {
  view(): ModuleView;
  module(): LinkModule;
}

/** The polyfill is decoded and parsed only when a lowering needs it (not for adapter-shaped components). */
function lazyPolyfill(wasm: () => Uint8Array, name: string): Polyfill {
  let lm: LinkModule | undefined;
  let mv: ModuleView | undefined;
  const load = (): LinkModule => (lm ??= readLinkModule(wasm(), 0));
  return {
    module: load,
    view: () => (mv ??= moduleView(-1, name, 'other', load())),
  };
}
