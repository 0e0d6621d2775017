import { BinaryWriter } from '../binary/writer.js';

/**
 * The declarations of an `(instance ...)` component type, written in order
 * with the instance's own type index space counted as they go. Identical
 * definitions are written once: every compound type a signature mentions is
 * declared where it is first needed, and the same one is needed often.
 */
export class InstanceDecls {
  private readonly w = new BinaryWriter();
  private count = 0;
  private types = 0;
  private readonly defined = new Map<string, number>();

  /** A type definition (its encoded body); the index of the one already written if identical. */
  define(body: Uint8Array): number {
    const key = body.join(',');
    const seen = this.defined.get(key);
    if (seen !== undefined) return seen;
    this.w.u8(0x01).bytes(body);
    this.count++;
    this.defined.set(key, this.types);
    return this.types++;
  }

  /** `(export name (type (eq bound)))`, or `(type (sub resource))`: a new type index. */
  exportType(name: string, bound: number | 'resource'): number {
    this.w.u8(0x04).u8(0x00).name(name).u8(0x03);
    if (bound === 'resource') this.w.u8(0x01);
    else this.w.u8(0x00).u32(bound);
    this.count++;
    return this.types++;
  }

  /** `(alias outer 1 index (type))`: a type of the enclosing component, as a new type index. */
  aliasOuter(index: number): number {
    this.w.u8(0x02).u8(0x03).u8(0x02).u32(1).u32(index);
    this.count++;
    return this.types++;
  }

  /** `(export name (func (type type)))`. */
  exportFunc(name: string, type: number): void {
    this.w.u8(0x04).u8(0x00).name(name).u8(0x01).u32(type);
    this.count++;
  }

  /** The whole `(instance ...)` type. */
  finish(): Uint8Array {
    const decls = this.w.finish();
    return new BinaryWriter(decls.length + 8).u8(0x42).u32(this.count).bytes(decls).finish();
  }
}
