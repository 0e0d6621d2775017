/**
 * Component import/export names of the form `ns:pkg/iface@1.2.3` (the
 * interface and version parts are optional). WASI versions vary within one
 * component (`@0.2.6` beside `@0.2.12`), so matching is done on the
 * version-less `ns:pkg/iface` key.
 */
export interface InterfaceName {
  namespace: string;
  package: string;
  /** Absent for a plain function or world-level name. */
  iface?: string;
  version?: string;
}

const PATTERN = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)(?:\/([a-z][a-z0-9-]*))?(?:@([0-9A-Za-z.+-]+))?$/;

export function parseInterfaceName(name: string): InterfaceName | undefined {
  const m = PATTERN.exec(name);
  if (!m) return undefined;
  return { namespace: m[1]!, package: m[2]!, iface: m[3], version: m[4] };
}

/** `wasi:io/streams@0.2.12` -> `wasi:io/streams`; other names are returned as they are. */
export function withoutVersion(name: string): string {
  const at = name.lastIndexOf('@');
  return at > 0 && parseInterfaceName(name) ? name.slice(0, at) : name;
}

/** WASI major line of a version string: '0.2.12' -> '0.2'. */
export function wasiLine(version: string | undefined): string | undefined {
  const m = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
}
