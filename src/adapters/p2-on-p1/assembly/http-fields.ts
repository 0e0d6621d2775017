// wasi:http/types `fields` (headers and trailers), kept in memory: p1 has no
// HTTP, but a program builds headers whether or not a request can ever go
// out (componentize-js's `Headers` is backed by them), so they must work.
//
// A store is one packed block of entries, in insertion order:
//   u32 name length, u32 value length, name (lower-cased), value, padding to 4.
// Names are lower-cased on the way in, so the case-insensitive comparisons
// the WIT asks for are byte comparisons of the lower-cased query.
//
// FIELDS slot: +2 immutable, +4 store, +8 bytes used, +12 capacity.
// A mutable fields handle owns its store alone. Requests and responses take
// the store of the fields they are built from (which is consumed) and never
// change it again, so their `headers()` children share it read-only.
import { FIELDS, create, slot, release, SLOT_CLOSED } from "./handles";
import { alloc, stateAlloc, copyOut } from "./mem";

export const F_STORE: usize = 4;
export const F_USED: usize = 8;
export const F_CAP: usize = 12;

// header-error cases
const INVALID_SYNTAX: u8 = 0;
const IMMUTABLE: u8 = 2;

/** A new fields handle over `store`; immutable ones share a store they must not change. */
export function newFields(block: usize, used: u32, immutable: bool): u32 {
  const h = create(FIELDS);
  const s = slot(h, FIELDS);
  store<u8>(s + SLOT_CLOSED, immutable ? 1 : 0);
  store<u32>(s + F_STORE, <u32>block);
  store<u32>(s + F_USED, used);
  store<u32>(s + F_CAP, used);
  return h;
}

// ---- validation (RFC 9110 field syntax, as HTTP libraries check it) ----

/** tchar: the characters of a token (field names, methods). */
function isTchar(c: u32): bool {
  if (c - 0x30 < 10 || (c | 0x20) - 0x61 < 26) return true;
  switch (c) {
    case 0x21: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27: case 0x2a:
    case 0x2b: case 0x2d: case 0x2e: case 0x5e: case 0x5f: case 0x60: case 0x7c: case 0x7e:
      return true;
  }
  return false;
}

export function validToken(p: usize, len: usize): bool {
  if (len == 0) return false;
  for (let i: usize = 0; i < len; i++) if (!isTchar(load<u8>(p + i))) return false;
  return true;
}

/** field-value bytes: tab, visible ASCII, space and obs-text; no other controls (so no CR, LF, NUL). */
function validValue(p: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) {
    const c = <u32>load<u8>(p + i);
    if ((c < 0x20 && c != 9) || c == 0x7f) return false;
  }
  return true;
}

/** Every list<u8> of a list<field-value> at p (n elements of (ptr, len)) is a valid value. */
function validValues(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) {
    const e = p + (i << 3);
    if (!validValue(load<u32>(e), load<u32>(e, 4))) return false;
  }
  return true;
}

// ---- the store ----

function entrySize(nameLen: usize, valueLen: usize): usize {
  return 8 + ((nameLen + valueLen + 3) & ~(<usize>3));
}

function sizeAt(e: usize): usize {
  return entrySize(load<u32>(e), load<u32>(e, 4));
}

function lower(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** Entry e's name equals the (any-case) name at p. */
function matches(e: usize, p: usize, len: usize): bool {
  if (<usize>load<u32>(e) != len) return false;
  for (let i: usize = 0; i < len; i++) if (lower(load<u8>(p + i)) != <u32>load<u8>(e + 8 + i)) return false;
  return true;
}

/** Room for `extra` more bytes in the store of fields slot s; the store may move (the old block is left behind). */
function reserve(s: usize, extra: usize): void {
  const used = <usize>load<u32>(s + F_USED);
  const cap = <usize>load<u32>(s + F_CAP);
  if (used + extra <= cap) return;
  let n: usize = cap < 256 ? 256 : cap << 1;
  if (n < used + extra) n = used + extra;
  const moved = stateAlloc(4, n);
  memory.copy(moved, load<u32>(s + F_STORE), used);
  store<u32>(s + F_STORE, <u32>moved);
  store<u32>(s + F_CAP, <u32>n);
}

function append(s: usize, name: usize, nameLen: usize, value: usize, valueLen: usize): void {
  const size = entrySize(nameLen, valueLen);
  reserve(s, size);
  const used = load<u32>(s + F_USED);
  const e = <usize>load<u32>(s + F_STORE) + used;
  store<u32>(e, <u32>nameLen);
  store<u32>(e, <u32>valueLen, 4);
  for (let i: usize = 0; i < nameLen; i++) store<u8>(e + 8 + i, <u8>lower(load<u8>(name + i)));
  memory.copy(e + 8 + nameLen, value, valueLen);
  store<u32>(s + F_USED, used + <u32>size);
}

/** Removes every entry named `name`, keeping the order of the others. */
function remove(s: usize, name: usize, len: usize): void {
  const base = <usize>load<u32>(s + F_STORE);
  const end = base + load<u32>(s + F_USED);
  let w = base;
  for (let r = base; r < end;) {
    const size = sizeAt(r);
    if (!matches(r, name, len)) {
      if (w != r) memory.copy(w, r, size);
      w += size;
    }
    r += size;
  }
  store<u32>(s + F_USED, <u32>(w - base));
}

/** result<_, header-error>: case at +0, error at +1. */
function headerResult(ret: usize, error: i32): void {
  store<u8>(ret, error < 0 ? 0 : 1);
  if (error >= 0) store<u8>(ret, <u8>error, 1);
}

/** The error a change of fields slot s would get (-1: none); syntax is checked before mutability. */
function changeError(s: usize, name: usize, len: usize, valuesOk: bool): i32 {
  if (!validToken(name, len) || !valuesOk) return INVALID_SYNTAX;
  if (load<u8>(s + SLOT_CLOSED) != 0) return IMMUTABLE;
  return -1;
}

// ---- wasi:http/types fields ----

export function http_types__constructor_fields(): u32 {
  return newFields(0, 0, false);
}

/** result<own fields, header-error>: case at +0, handle or error at +4. */
export function http_types__static_fields_from_list(list: usize, n: usize, ret: usize): void {
  let total: usize = 0;
  for (let i: usize = 0; i < n; i++) {
    const e = list + (i << 4); // tuple<string, list<u8>>: 16 bytes
    const nameLen = <usize>load<u32>(e, 4);
    const valueLen = <usize>load<u32>(e, 12);
    if (!validToken(load<u32>(e), nameLen) || !validValue(load<u32>(e, 8), valueLen)) {
      store<u8>(ret, 1);
      store<u8>(ret, INVALID_SYNTAX, 4);
      return;
    }
    total += entrySize(nameLen, valueLen);
  }
  const h = newFields(0, 0, false);
  const s = slot(h, FIELDS);
  reserve(s, total);
  for (let i: usize = 0; i < n; i++) {
    const e = list + (i << 4);
    append(s, load<u32>(e), load<u32>(e, 4), load<u32>(e, 8), load<u32>(e, 12));
  }
  store<u8>(ret, 0);
  store<u32>(ret, h, 4);
}

/** list<field-value> at ret: (ptr, len), each value its own allocation. */
export function http_types__method_fields_get(self: u32, name: usize, len: usize, ret: usize): void {
  const s = slot(self, FIELDS);
  const base = <usize>load<u32>(s + F_STORE);
  const end = base + load<u32>(s + F_USED);
  let n: usize = 0;
  for (let e = base; e < end; e += sizeAt(e)) if (matches(e, name, len)) n++;
  const list = alloc(4, n << 3);
  let k = list;
  for (let e = base; e < end; e += sizeAt(e)) {
    if (!matches(e, name, len)) continue;
    const valueLen = <usize>load<u32>(e, 4);
    store<u32>(k, <u32>copyOut(e + 8 + len, valueLen));
    store<u32>(k, <u32>valueLen, 4);
    k += 8;
  }
  store<u32>(ret, <u32>list);
  store<u32>(ret, <u32>n, 4);
}

export function http_types__method_fields_has(self: u32, name: usize, len: usize): u32 {
  const s = slot(self, FIELDS);
  const base = <usize>load<u32>(s + F_STORE);
  const end = base + load<u32>(s + F_USED);
  for (let e = base; e < end; e += sizeAt(e)) if (matches(e, name, len)) return 1;
  return 0;
}

export function http_types__method_fields_set(self: u32, name: usize, len: usize, values: usize, n: usize, ret: usize): void {
  const s = slot(self, FIELDS);
  const error = changeError(s, name, len, validValues(values, n));
  if (error < 0) {
    remove(s, name, len);
    for (let i: usize = 0; i < n; i++) {
      const v = values + (i << 3);
      append(s, name, len, load<u32>(v), load<u32>(v, 4));
    }
  }
  headerResult(ret, error);
}

export function http_types__method_fields_delete(self: u32, name: usize, len: usize, ret: usize): void {
  const s = slot(self, FIELDS);
  const error = changeError(s, name, len, true);
  if (error < 0) remove(s, name, len);
  headerResult(ret, error);
}

export function http_types__method_fields_append(self: u32, name: usize, len: usize, value: usize, valueLen: usize, ret: usize): void {
  const s = slot(self, FIELDS);
  const error = changeError(s, name, len, validValue(value, valueLen));
  if (error < 0) append(s, name, len, value, valueLen);
  headerResult(ret, error);
}

/** list<tuple<field-name, field-value>> at ret, every name and value its own allocation. */
export function http_types__method_fields_entries(self: u32, ret: usize): void {
  const s = slot(self, FIELDS);
  const base = <usize>load<u32>(s + F_STORE);
  const end = base + load<u32>(s + F_USED);
  let n: usize = 0;
  for (let e = base; e < end; e += sizeAt(e)) n++;
  const list = alloc(4, n << 4);
  let k = list;
  for (let e = base; e < end; e += sizeAt(e)) {
    const nameLen = <usize>load<u32>(e);
    const valueLen = <usize>load<u32>(e, 4);
    store<u32>(k, <u32>copyOut(e + 8, nameLen));
    store<u32>(k, <u32>nameLen, 4);
    store<u32>(k, <u32>copyOut(e + 8 + nameLen, valueLen), 8);
    store<u32>(k, <u32>valueLen, 12);
    k += 16;
  }
  store<u32>(ret, <u32>list);
  store<u32>(ret, <u32>n, 4);
}

/** A mutable deep copy, also of immutable fields. */
export function http_types__method_fields_clone(self: u32): u32 {
  const s = slot(self, FIELDS);
  const used = <usize>load<u32>(s + F_USED);
  const copy: usize = used == 0 ? 0 : stateAlloc(4, used);
  memory.copy(copy, load<u32>(s + F_STORE), used);
  return newFields(copy, <u32>used, false);
}

export function http_types__resource_drop_fields(self: u32): void {
  slot(self, FIELDS);
  release(self);
}
