import { parseInterfaceName } from '../interface-name.js';

/** Imported interfaces of one package, e.g. `wasi:cli` -> environment@0.2.12, stdout@0.2.12. */
export interface PackageImports {
  package: string;
  interfaces: { name: string; versions: string[] }[];
}

/**
 * Groups interface names (`wasi:cli/stdout@0.2.12`) by package, keeping
 * every version seen: one component may import the same package at several
 * 0.2.x versions, and a user deploying it needs to see that.
 */
export function groupByPackage(names: Iterable<string>): PackageImports[] {
  const packages = new Map<string, Map<string, Set<string>>>();
  for (const full of names) {
    const parsed = parseInterfaceName(full);
    const pkg = parsed ? `${parsed.namespace}:${parsed.package}` : full;
    const iface = parsed?.iface ?? (parsed ? '' : full);
    let ifaces = packages.get(pkg);
    if (!ifaces) packages.set(pkg, (ifaces = new Map()));
    let versions = ifaces.get(iface);
    if (!versions) ifaces.set(iface, (versions = new Set()));
    if (parsed?.version) versions.add(parsed.version);
  }
  return [...packages]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pkg, ifaces]) => ({
      package: pkg,
      interfaces: [...ifaces]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) })),
    }));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map(Number);
  const pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return a.localeCompare(b);
}
