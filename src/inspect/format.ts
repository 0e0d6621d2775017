import type { InspectReport } from './index.js';

const KIND_TEXT: Record<InspectReport['kind'], string> = {
  'wasi-p1-command': 'WASI preview 1 core module (command)',
  'wasi-p1-reactor': 'WASI preview 1 core module (reactor)',
  'wasi-0.2-component': 'WASI 0.2 component',
  'wasi-0.3-component': 'WASI 0.3 component',
  component: 'component (no WASI imports or exports)',
  'core-module': 'core module (no WASI preview 1 imports)',
  'not-wasm': 'not WebAssembly',
};

/** Short, aligned text for a terminal: one labelled line per fact, lists indented below. */
export function formatReport(file: string, r: InspectReport): string {
  const rows: [string, string][] = [];
  const row = (label: string, value: string): void => {
    rows.push([label, value]);
  };
  row('file', `${file} (${groupDigits(r.size)} bytes)`);
  row('kind', KIND_TEXT[r.kind]);
  if (r.kind !== 'not-wasm') {
    if (r.imports.length === 0) row('imports', 'none');
    r.imports.forEach((p, i) => {
      const ifaces = p.interfaces
        .map((f) => (f.name ? f.name : '') + (f.versions.length ? `@${f.versions.join(',')}` : ''))
        .filter((s) => s !== '');
      row(i === 0 ? 'imports' : '', ifaces.length ? `${p.package}: ${ifaces.join(' ')}` : p.package);
    });
    row('exports', r.exports.length ? r.exports.join(' ') : 'none');
  }
  if (r.modules) {
    r.modules.forEach((m, i) => {
      const where = m.component.length ? ` in component ${m.component.join('.')}` : '';
      const times = m.instantiations === 1 ? 'instantiated once' : `instantiated ${m.instantiations} times`;
      row(
        i === 0 ? 'core modules' : '',
        `#${m.index} ${m.role.padEnd(7)} ${groupDigits(m.size).padStart(11)} B  ${times}${where}`,
      );
    });
    row('memories', String(r.memories));
    row('tables', String(r.tables));
    row('nested components', String(r.nestedComponents));
  }
  if (r.canon) {
    const c = r.canon;
    const opts = [
      `${c.lowers} lower, ${c.lifts} lift`,
      c.stringEncodings.length ? `strings ${c.stringEncodings.join('/')}` : '',
      c.realloc ? 'realloc' : '',
      c.postReturn ? 'post-return' : '',
      c.async ? 'async' : '',
    ].filter(Boolean);
    row('canon', opts.join(', '));
    if (c.asyncBuiltins.length) row('async built-ins', c.asyncBuiltins.join(' '));
  }
  if (r.standIns?.length) row('stand-ins', r.standIns.join(' '));
  const v = r.verdict;
  row('verdict', v.convert === 'none' ? `no conversion: ${v.reason}` : `${v.convert}: ${v.reason}`);
  row('runs as is on', v.runsOn.length ? v.runsOn.join(', ') : 'nothing without conversion');
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([label, value]) => (label ? `${label}:`.padEnd(width) : ''.padEnd(width)) + value).join('\n') + '\n';
}

/** 1234567 -> "1,234,567" (toLocaleString would load ICU data: slow on a cold start). */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
