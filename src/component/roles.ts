import type { CoreModule } from '../binary/module.js';
import type { ComponentGraph, ModuleRole } from './graph-types.js';

/** Every wasi_snapshot_preview1 function name: an adapter exports some of them, a linker forwards them. */
export const P1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
]);

/**
 * A module's role judged from its own imports and exports alone; `main` is
 * chosen among the unclassified modules by `classifyModules`, so this returns
 * 'other' for main candidates.
 */
export function classifyModule(m: CoreModule): ModuleRole {
  const importsFrom = (module: string): boolean => m.imports.some((i) => i.module === module);
  if (importsFrom('__main_module__')) return 'adapter';
  // The indirect-call shim: owns the table of trampolines the fixup fills in later. It is
  // tested before the adapter because its trampolines carry the p1 names too.
  if (m.imports.length === 0 && m.exports.some((e) => e.kind === 'table' && e.name === '$imports')) return 'shim';
  if (!importsFrom('wasi_snapshot_preview1') && m.exports.some((e) => e.kind === 'func' && P1_FUNCTIONS.has(e.name))) {
    return 'adapter';
  }
  if (m.imports.some((i) => i.desc.kind === 'table') && m.functions.length === 0 && m.elements.length > 0) return 'fixup';
  if (m.exports.length === 0 && m.start !== undefined) return 'init';
  return 'other';
}

/** How strongly a module looks like the program itself. */
export function mainScore(m: CoreModule): number {
  let score = 0;
  if (m.imports.some((i) => i.module === 'wasi_snapshot_preview1' || i.module.startsWith('wasi:'))) score += 2;
  if (m.exports.some((e) => e.name === '_start' || e.name === '_initialize' || /^wasi:cli\/run@[^#]*#run$/.test(e.name))) score += 2;
  if (m.exports.some((e) => e.kind === 'memory') && m.memories.length > 0) score += 1;
  return score;
}

/** Sets `role` on every module embedded in the graph. */
export function classifyModules(g: ComponentGraph): void {
  let best: { index: number; score: number; size: number } | undefined;
  for (const [i, info] of g.modules.entries()) {
    const m = info.core;
    info.role = classifyModule(m);
    if (info.role !== 'other') continue;
    const score = mainScore(m);
    if (score > 0 && (!best || score > best.score || (score === best.score && info.bytes.length > best.size))) {
      best = { index: i, score, size: info.bytes.length };
    }
  }
  if (best) g.modules[best.index]!.role = 'main';
}
