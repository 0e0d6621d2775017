import { BinaryReader } from './reader.js';
import { lebSize } from './encode.js';
import { CANON_OPS, IMM_FIELD, OPT_FLAG_BY_CODE, OPT_INDEX_BY_CODE } from './component-codes.js';
import { bool, checkDepth, readCoreSort, readSort, vec } from './component-read-common.js';
import { readCoreType } from './component-read-core.js';
import { readAlias, readExternDesc, readExternName, readResultList, readTypeDef, readValType } from './component-read-types.js';
import { checkComponentPreamble } from './component-sniff.js';
import type {
  Canon, CanonOpt, Component, ComponentSection, CoreInstance, Export, Import, Instance, SectionItems,
} from './component-types.js';

/**
 * Parses a component binary. `base` is the absolute offset of `bytes[0]` in the
 * original input (for nested components and error offsets); `depth` counts
 * enclosing components. Sections keep views into `bytes`; nothing is copied.
 */
export function parseComponent(bytes: Uint8Array, base = 0, depth = 0): Component {
  checkComponentPreamble(bytes, base);
  const r = new BinaryReader(bytes, base, 8);
  checkDepth(r, depth);
  const sections: ComponentSection[] = [];
  while (!r.eof()) {
    const idAt = r.offset;
    const id = r.u8();
    const sizeAt = r.offset;
    const size = r.u32();
    if (size > r.remaining) {
      r.fail('truncated', `section ${id} declares ${size} bytes but only ${r.remaining} remain`, sizeAt);
    }
    const sizeBytes = r.offset - sizeAt;
    const offset = r.offset;
    const sr = r.fork(size);
    const payload = bytes.subarray(sr.pos, sr.end);
    const items = readSection(id, sr, depth, idAt);
    // A padded size LEB is remembered so the verbatim path reproduces it.
    const padded = sizeBytes > lebSize(size) ? { sizeBytes } : {};
    sections.push({ id, offset, payload, ...padded, ...items });
  }
  return { offset: base, sections };
}

function readSection(id: number, r: BinaryReader, depth: number, idAt: number): SectionItems {
  let items: SectionItems;
  switch (id) {
    case 0:
      items = { kind: 'custom', name: r.name(), data: r.bytes(r.remaining) };
      break;
    case 1:
      items = { kind: 'coreModule', module: r.bytes(r.remaining) };
      break;
    case 2:
      items = { kind: 'coreInstances', items: vec(r, 2, () => readCoreInstance(r)) };
      break;
    case 3:
      items = { kind: 'coreTypes', items: vec(r, 1, () => readCoreType(r, depth)) };
      break;
    case 4: {
      // Checked here, before recursing, so hostile nesting costs nothing.
      checkDepth(r, depth + 1);
      const start = r.pos;
      r.pos = r.end;
      items = { kind: 'component', component: parseComponent(r.buf.subarray(start, r.end), r.base + start, depth + 1) };
      break;
    }
    case 5:
      items = { kind: 'instances', items: vec(r, 2, () => readInstance(r)) };
      break;
    case 6:
      items = { kind: 'aliases', items: vec(r, 3, () => readAlias(r)) };
      break;
    case 7:
      items = { kind: 'types', items: vec(r, 1, () => readTypeDef(r, depth)) };
      break;
    case 8:
      items = { kind: 'canon', items: vec(r, 1, () => readCanon(r)) };
      break;
    case 9:
      items = { kind: 'start', start: { func: r.u32(), args: vec(r, 1, () => r.u32()), results: r.u32() } };
      break;
    case 10:
      items = { kind: 'imports', items: vec(r, 4, (): Import => ({ name: readExternName(r), desc: readExternDesc(r) })) };
      break;
    case 11:
      items = { kind: 'exports', items: vec(r, 5, () => readExport(r)) };
      break;
    case 12:
      items = {
        kind: 'values',
        items: vec(r, 2, () => {
          const type = readValType(r);
          return { type, data: r.bytes(r.u32()) };
        }),
      };
      break;
    default:
      return r.fail('bad-section', `unknown component section id ${id}`, idAt);
  }
  r.expectEnd(`component section ${id}`);
  return items;
}

function readCoreInstance(r: BinaryReader): CoreInstance {
  const at = r.offset;
  const tag = r.u8();
  if (tag === 0x00) {
    const module = r.u32();
    const args = vec(r, 3, () => {
      const name = r.name();
      const sortAt = r.offset;
      if (r.u8() !== 0x12) r.fail('bad-value', 'core instantiate argument must be a core instance (0x12)', sortAt);
      return { name, instance: r.u32() };
    });
    return { kind: 'instantiate', module, args };
  }
  if (tag === 0x01) {
    return { kind: 'exports', exports: vec(r, 3, () => ({ name: r.name(), sort: readCoreSort(r), index: r.u32() })) };
  }
  return r.fail('bad-value', `unknown core instance form 0x${tag.toString(16)}`, at);
}

function readInstance(r: BinaryReader): Instance {
  const at = r.offset;
  const tag = r.u8();
  if (tag === 0x00) {
    const component = r.u32();
    return { kind: 'instantiate', component, args: vec(r, 3, () => ({ name: r.name(), sort: readSort(r), index: r.u32() })) };
  }
  if (tag === 0x01) {
    return { kind: 'exports', exports: vec(r, 4, () => ({ name: readExternName(r), sort: readSort(r), index: r.u32() })) };
  }
  return r.fail('bad-value', `unknown instance form 0x${tag.toString(16)}`, at);
}

function readExport(r: BinaryReader): Export {
  const name = readExternName(r);
  const sort = readSort(r);
  const index = r.u32();
  const desc = bool(r, 'export type flag') ? readExternDesc(r) : undefined;
  return desc === undefined ? { name, sort, index } : { name, sort, index, desc };
}

function readCanonOpts(r: BinaryReader): CanonOpt[] {
  return vec(r, 1, (): CanonOpt => {
    const at = r.offset;
    const code = r.u8();
    const flag = OPT_FLAG_BY_CODE.get(code);
    if (flag !== undefined) return { kind: flag };
    const indexed = OPT_INDEX_BY_CODE.get(code);
    if (indexed !== undefined) return { kind: indexed, index: r.u32() };
    return r.fail('bad-value', `unknown canonical option 0x${code.toString(16)}`, at);
  });
}

function expectFuncSort(r: BinaryReader): void {
  const at = r.offset;
  if (r.u8() !== 0x00) r.fail('bad-value', 'canon lift/lower must name a function (0x00)', at);
}

function readCanon(r: BinaryReader): Canon {
  const at = r.offset;
  const code = r.u8();
  if (code === 0x00) {
    expectFuncSort(r);
    const coreFunc = r.u32();
    const options = readCanonOpts(r);
    return { kind: 'lift', coreFunc, options, type: r.u32() };
  }
  if (code === 0x01) {
    expectFuncSort(r);
    return { kind: 'lower', func: r.u32(), options: readCanonOpts(r) };
  }
  const op = CANON_OPS.get(code);
  if (op === undefined) return r.fail('bad-value', `unknown canon opcode 0x${code.toString(16)}`, at);
  const item: Record<string, unknown> = { kind: op.kind };
  for (const imm of op.imm) {
    const field = IMM_FIELD[imm as keyof typeof IMM_FIELD];
    switch (imm) {
      case 'o':
        item[field] = readCanonOpts(r);
        break;
      case 'f':
      case 'h':
        item[field] = bool(r, `${op.kind} flag`);
        break;
      case 'v':
        item[field] = r.u8();
        break;
      case 'r':
        item[field] = readResultList(r);
        break;
      default:
        item[field] = r.u32();
    }
  }
  // The table in component-codes.ts pairs each opcode with exactly the fields its Canon variant has.
  return item as Canon;
}
