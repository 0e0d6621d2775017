import type { CoreModule } from './module.js';
import { BinaryReader } from './reader.js';
import { BinaryWriter } from './writer.js';

export type NameMap = Map<number, string>;
export type IndirectNameMap = Map<number, NameMap>;

/**
 * Name subsections that map one index space to names, by subsection id.
 * Ids 10 and 11 stay raw: wabt writes tag names as 10, wasm-tools as 11 (with 10 for fields).
 */
const DIRECT = { 1: 'functions', 4: 'types', 5: 'tables', 6: 'memories', 7: 'globals', 8: 'elems', 9: 'data' } as const;
/** Name subsections that map (outer index, inner index) to names. */
const INDIRECT = { 2: 'locals', 3: 'labels' } as const;
type DirectKey = (typeof DIRECT)[keyof typeof DIRECT];
type IndirectKey = (typeof INDIRECT)[keyof typeof INDIRECT];

/** The "name" custom section. Unknown subsections are kept as raw payloads. */
export type NameSection = { module?: string; raw: { id: number; payload: Uint8Array }[] } & Partial<Record<DirectKey, NameMap>> &
  Partial<Record<IndirectKey, IndirectNameMap>>;

/** Decodes a "name" section's data (after the section name); `offset` is the absolute offset of `data[0]`. */
export function parseNameSection(data: Uint8Array, offset: number): NameSection {
  const r = new BinaryReader(data, offset);
  const names: NameSection = { raw: [] };
  let lastId = -1;
  while (!r.eof()) {
    const at = r.offset;
    const id = r.u8();
    if (id <= lastId) r.fail('bad-section', `name subsection ${id} is out of order or repeated`, at);
    lastId = id;
    const s = r.fork(r.u32());
    if (id === 0) {
      names.module = s.name();
    } else if (id in DIRECT) {
      names[DIRECT[id as keyof typeof DIRECT]] = readNameMap(s);
    } else if (id in INDIRECT) {
      const outer: IndirectNameMap = new Map();
      const n = s.count(2);
      for (let i = 0; i < n; i++) {
        const index = s.u32();
        outer.set(index, readNameMap(s));
      }
      names[INDIRECT[id as keyof typeof INDIRECT]] = outer;
    } else {
      names.raw.push({ id, payload: s.bytes(s.remaining) });
    }
    s.expectEnd(`name subsection ${id}`);
  }
  return names;
}

function readNameMap(r: BinaryReader): NameMap {
  const map: NameMap = new Map();
  const n = r.count(2);
  for (let i = 0; i < n; i++) {
    const index = r.u32();
    map.set(index, r.name());
  }
  return map;
}

/** The module's "name" section, decoded on request (undefined if it has none). */
export function readNames(m: CoreModule): NameSection | undefined {
  const c = m.customs.find((s) => s.name === 'name');
  return c && parseNameSection(c.data, c.offset);
}

/** Encodes a name section's data (pass to `encodeCustomSection('name', ...)`); subsections in id order, maps sorted by index. */
export function encodeNameSection(names: NameSection): Uint8Array {
  const parts: { id: number; payload: Uint8Array }[] = [...names.raw];
  if (names.module !== undefined) parts.push({ id: 0, payload: new BinaryWriter(64).name(names.module).finish() });
  for (const [id, key] of Object.entries(DIRECT)) {
    const map = names[key];
    if (map) parts.push({ id: Number(id), payload: writeNameMap(new BinaryWriter(), map).finish() });
  }
  for (const [id, key] of Object.entries(INDIRECT)) {
    const outer = names[key];
    if (!outer) continue;
    const w = new BinaryWriter();
    w.u32(outer.size);
    for (const index of [...outer.keys()].sort((a, b) => a - b)) writeNameMap(w.u32(index), outer.get(index)!);
    parts.push({ id: Number(id), payload: w.finish() });
  }
  parts.sort((a, b) => a.id - b.id);
  const w = new BinaryWriter();
  for (const p of parts) w.u8(p.id).u32(p.payload.length).bytes(p.payload);
  return w.finish();
}

function writeNameMap(w: BinaryWriter, map: NameMap): BinaryWriter {
  w.u32(map.size);
  for (const index of [...map.keys()].sort((a, b) => a - b)) w.u32(index).name(map.get(index)!);
  return w;
}
