// wasi:http/types requests, responses and bodies, and
// wasi:http/outgoing-handler, in memory. p1 has no network, so a request can
// be built (componentize-js's `fetch` builds one before it sends) but never
// sent: `handle` consumes it and returns an error-code, and the program's
// fetch fails the way it does on a host whose network is down.
//
// Nothing can create an incoming-request, response-outparam,
// incoming-response, incoming-body, future-trailers or future-incoming-response
// (there is no server side, and `handle` never succeeds), so their methods
// and drops can only be given unknown handles, and trap (as sockets.ts does).
//
// Slots (see handles.ts for the shared header):
//   OUTGOING_REQUEST   +2 body taken, +4 header store, +8 its bytes, +12 request record
//   OUTGOING_RESPONSE  +2 body taken, +4 header store, +8 its bytes, +12 status code
//   REQUEST_OPTIONS    +1 which timeouts are set (bit 0, 1, 2), +8/+16/+24 the timeouts (ns)
//   OUTGOING_BODY      +2 stream taken, +12 live child streams
import {
  FIELDS, OUTGOING_REQUEST, REQUEST_OPTIONS, OUTGOING_RESPONSE, OUTGOING_BODY, OUTPUT, ERROR,
  create, slot, release, adopt, SLOT_KIND, SLOT_CLOSED, SLOT_CHILDREN, STREAM_DISCARD,
} from "./handles";
import { alloc, stateAlloc, copyOut } from "./mem";
import { newStream } from "./streams";
import { newFields, validToken, F_STORE, F_USED } from "./http-fields";

const TAKEN = SLOT_CLOSED; // body() / write() may succeed once
const H_STORE: usize = 4;
const H_USED: usize = 8;
const REQ_RECORD: usize = 12;
const RESP_STATUS: usize = 12;

// The request record (48 bytes, a state block): method, path-with-query,
// scheme, authority. Strings set by the guest are copied into state blocks.
const R_METHOD: usize = 0;     // u8 case, +4 ptr, +8 len (other)
const R_PATH: usize = 12;      // u8 some, +4 ptr, +8 len
const R_SCHEME: usize = 24;    // u8 some, +1 u8 case, +4 ptr, +8 len (other)
const R_AUTHORITY: usize = 36; // u8 some, +4 ptr, +8 len
const RECORD_SIZE: usize = 48;

const METHOD_OTHER: u32 = 9;
const SCHEME_OTHER: u32 = 2;

/** A state copy of a guest string (the guest may free or reuse its own). */
function keep(p: usize, len: usize): usize {
  if (len == 0) return 0;
  const q = stateAlloc(1, len);
  memory.copy(q, p, len);
  return q;
}

/** Takes the header store of fields `headers`, consuming the handle: the store is never changed again. */
function takeHeaders(headers: u32, s: usize): void {
  const f = slot(headers, FIELDS);
  store<u32>(s + H_STORE, load<u32>(f + F_STORE));
  store<u32>(s + H_USED, load<u32>(f + F_USED));
  release(headers);
}

/** An immutable fields child over the header store of slot s. */
function headersOf(s: usize): u32 {
  return newFields(load<u32>(s + H_STORE), load<u32>(s + H_USED), true);
}

/** result<own outgoing-body>: case at +0, handle at +4; only the first call succeeds. */
function takeBody(s: usize, ret: usize): void {
  if (load<u8>(s + TAKEN) != 0) {
    store<u8>(ret, 1);
    return;
  }
  store<u8>(s + TAKEN, 1); // before create: the table may move
  store<u8>(ret, 0);
  store<u32>(ret, create(OUTGOING_BODY), 4);
}

/** A flat bool / option discriminant: the canonical ABI traps on anything else. */
function flag(v: u32): bool {
  if (v > 1) unreachable();
  return v == 1;
}

// ---- validation: what HTTP libraries (and so hosts) accept in a request line ----

/** path-with-query: visible ASCII and non-ASCII bytes, no fragment. */
function validPath(p: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) {
    const c = <u32>load<u8>(p + i);
    if (c <= 0x20 || c == 0x7f || c == 0x23) return false;
  }
  return true;
}

/** authority: visible ASCII without the characters that end it ('/', '?', '#'). */
function validAuthority(p: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) {
    const c = <u32>load<u8>(p + i);
    if (c <= 0x20 || c >= 0x7f || c == 0x2f || c == 0x3f || c == 0x23) return false;
  }
  return true;
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986). */
function validScheme(p: usize, len: usize): bool {
  if (len == 0) return false;
  for (let i: usize = 0; i < len; i++) {
    const c = <u32>load<u8>(p + i);
    const alpha = (c | 0x20) - 0x61 < 26;
    if (!alpha && (i == 0 || !(c - 0x30 < 10 || c == 0x2b || c == 0x2d || c == 0x2e))) return false;
  }
  return true;
}

// ---- outgoing-request ----

export function http_types__constructor_outgoing_request(headers: u32): u32 {
  const record = stateAlloc(4, RECORD_SIZE);
  memory.fill(record, 0, RECORD_SIZE); // GET, and no path, scheme or authority
  const h = create(OUTGOING_REQUEST);
  const s = slot(h, OUTGOING_REQUEST);
  takeHeaders(headers, s);
  store<u32>(s + REQ_RECORD, <u32>record);
  return h;
}

function record(self: u32): usize {
  return load<u32>(slot(self, OUTGOING_REQUEST) + REQ_RECORD);
}

/** An optional string field of the record, as option<string> at ret. */
function optionalString(field: usize, ret: usize): void {
  const some = load<u8>(field);
  store<u8>(ret, some);
  if (some == 0) return;
  const len = <usize>load<u32>(field, 8);
  store<u32>(ret, <u32>copyOut(load<u32>(field, 4), len), 4);
  store<u32>(ret, <u32>len, 8);
}

function setOptionalString(field: usize, some: bool, p: usize, len: usize): void {
  store<u8>(field, some ? 1 : 0);
  store<u32>(field, some ? <u32>keep(p, len) : 0, 4);
  store<u32>(field, some ? <u32>len : 0, 8);
}

export function http_types__method_outgoing_request_body(self: u32, ret: usize): void {
  takeBody(slot(self, OUTGOING_REQUEST), ret);
}

/** method: case at +0, other's string at +4. */
export function http_types__method_outgoing_request_method(self: u32, ret: usize): void {
  const r = record(self) + R_METHOD;
  const c = load<u8>(r);
  store<u8>(ret, c);
  if (c != METHOD_OTHER) return;
  const len = <usize>load<u32>(r, 8);
  store<u32>(ret, <u32>copyOut(load<u32>(r, 4), len), 4);
  store<u32>(ret, <u32>len, 8);
}

/** result: 0 = ok, 1 = err (other() must be a token). */
export function http_types__method_outgoing_request_set_method(self: u32, c: u32, p: usize, len: usize): u32 {
  const r = record(self) + R_METHOD;
  if (c > METHOD_OTHER) unreachable();
  const other = c == METHOD_OTHER;
  if (other && !validToken(p, len)) return 1;
  store<u8>(r, <u8>c);
  store<u32>(r, other ? <u32>keep(p, len) : 0, 4);
  store<u32>(r, other ? <u32>len : 0, 8);
  return 0;
}

export function http_types__method_outgoing_request_path_with_query(self: u32, ret: usize): void {
  optionalString(record(self) + R_PATH, ret);
}

export function http_types__method_outgoing_request_set_path_with_query(self: u32, some: u32, p: usize, len: usize): u32 {
  const r = record(self) + R_PATH;
  const has = flag(some);
  if (has && !validPath(p, len)) return 1;
  setOptionalString(r, has, p, len);
  return 0;
}

/** option<scheme>: some at +0, case at +4, other's string at +8. */
export function http_types__method_outgoing_request_scheme(self: u32, ret: usize): void {
  const r = record(self) + R_SCHEME;
  const some = load<u8>(r);
  store<u8>(ret, some);
  if (some == 0) return;
  const c = load<u8>(r, 1);
  store<u8>(ret, c, 4);
  if (c != SCHEME_OTHER) return;
  const len = <usize>load<u32>(r, 8);
  store<u32>(ret, <u32>copyOut(load<u32>(r, 4), len), 8);
  store<u32>(ret, <u32>len, 12);
}

export function http_types__method_outgoing_request_set_scheme(self: u32, some: u32, c: u32, p: usize, len: usize): u32 {
  const r = record(self) + R_SCHEME;
  const has = flag(some);
  if (has && c > SCHEME_OTHER) unreachable();
  const other = has && c == SCHEME_OTHER;
  if (other && !validScheme(p, len)) return 1;
  store<u8>(r, has ? 1 : 0);
  store<u8>(r, has ? <u8>c : 0, 1);
  store<u32>(r, other ? <u32>keep(p, len) : 0, 4);
  store<u32>(r, other ? <u32>len : 0, 8);
  return 0;
}

export function http_types__method_outgoing_request_authority(self: u32, ret: usize): void {
  optionalString(record(self) + R_AUTHORITY, ret);
}

export function http_types__method_outgoing_request_set_authority(self: u32, some: u32, p: usize, len: usize): u32 {
  const r = record(self) + R_AUTHORITY;
  const has = flag(some);
  if (has && !validAuthority(p, len)) return 1;
  setOptionalString(r, has, p, len);
  return 0;
}

export function http_types__method_outgoing_request_headers(self: u32): u32 {
  return headersOf(slot(self, OUTGOING_REQUEST));
}

export function http_types__resource_drop_outgoing_request(self: u32): void {
  slot(self, OUTGOING_REQUEST);
  release(self);
}

// ---- request-options: kept and reported back; nothing waits, so they change nothing ----

export function http_types__constructor_request_options(): u32 {
  return create(REQUEST_OPTIONS);
}

/** option<duration>: some at +0, u64 at +8. */
function timeout(self: u32, which: u32, ret: usize): void {
  const s = slot(self, REQUEST_OPTIONS);
  const some = <u8>((<u32>load<u8>(s + SLOT_KIND) >> which) & 1);
  store<u8>(ret, some);
  if (some != 0) store<u64>(ret, load<u64>(s + 8 + (<usize>which << 3)), 8);
}

function setTimeout(self: u32, which: u32, some: u32, ns: u64): u32 {
  const s = slot(self, REQUEST_OPTIONS);
  const bit = <u8>(<u32>1 << which);
  const set = load<u8>(s + SLOT_KIND);
  store<u8>(s + SLOT_KIND, flag(some) ? set | bit : set & ~bit);
  store<u64>(s + 8 + (<usize>which << 3), some != 0 ? ns : 0);
  return 0;
}

export function http_types__method_request_options_connect_timeout(self: u32, ret: usize): void {
  timeout(self, 0, ret);
}
export function http_types__method_request_options_set_connect_timeout(self: u32, some: u32, ns: u64): u32 {
  return setTimeout(self, 0, some, ns);
}
export function http_types__method_request_options_first_byte_timeout(self: u32, ret: usize): void {
  timeout(self, 1, ret);
}
export function http_types__method_request_options_set_first_byte_timeout(self: u32, some: u32, ns: u64): u32 {
  return setTimeout(self, 1, some, ns);
}
export function http_types__method_request_options_between_bytes_timeout(self: u32, ret: usize): void {
  timeout(self, 2, ret);
}
export function http_types__method_request_options_set_between_bytes_timeout(self: u32, some: u32, ns: u64): u32 {
  return setTimeout(self, 2, some, ns);
}
export function http_types__resource_drop_request_options(self: u32): void {
  slot(self, REQUEST_OPTIONS);
  release(self);
}

// ---- outgoing-response (what an incoming-handler would answer with) ----

export function http_types__constructor_outgoing_response(headers: u32): u32 {
  const h = create(OUTGOING_RESPONSE);
  const s = slot(h, OUTGOING_RESPONSE);
  takeHeaders(headers, s);
  store<u32>(s + RESP_STATUS, 200);
  return h;
}
export function http_types__method_outgoing_response_status_code(self: u32): u32 {
  return load<u32>(slot(self, OUTGOING_RESPONSE) + RESP_STATUS);
}
/** A status code must have three digits. */
export function http_types__method_outgoing_response_set_status_code(self: u32, code: u32): u32 {
  const s = slot(self, OUTGOING_RESPONSE);
  const status = code & 0xffff; // lifting a u16 keeps the low 16 bits
  if (status < 100 || status > 999) return 1;
  store<u32>(s + RESP_STATUS, status);
  return 0;
}
export function http_types__method_outgoing_response_headers(self: u32): u32 {
  return headersOf(slot(self, OUTGOING_RESPONSE));
}
export function http_types__method_outgoing_response_body(self: u32, ret: usize): void {
  takeBody(slot(self, OUTGOING_RESPONSE), ret);
}
export function http_types__resource_drop_outgoing_response(self: u32): void {
  slot(self, OUTGOING_RESPONSE);
  release(self);
}

// ---- outgoing-body ----

/** result<own output-stream>: a stream that accepts every write and keeps nothing. */
export function http_types__method_outgoing_body_write(self: u32, ret: usize): void {
  const s = slot(self, OUTGOING_BODY);
  if (load<u8>(s + TAKEN) != 0) {
    store<u8>(ret, 1);
    return;
  }
  store<u8>(s + TAKEN, 1);
  const stream = newStream(OUTPUT, STREAM_DISCARD, -1, 0);
  adopt(stream, OUTPUT, self); // the WIT: finishing or dropping the body first traps
  store<u8>(ret, 0);
  store<u32>(ret, stream, 4);
}

/** The body's stream must be gone first (WIT); the body and any trailers are consumed. */
function endBody(self: u32): void {
  if (load<u32>(slot(self, OUTGOING_BODY) + SLOT_CHILDREN) != 0) unreachable();
  release(self);
}

/** result<_, error-code>: always ok (case 0 at +0). */
export function http_types__static_outgoing_body_finish(self: u32, some: u32, trailers: u32, ret: usize): void {
  slot(self, OUTGOING_BODY);
  if (flag(some)) slot(trailers, FIELDS);
  endBody(self);
  if (some != 0) release(trailers);
  store<u8>(ret, 0);
}
export function http_types__resource_drop_outgoing_body(self: u32): void {
  endBody(self);
}

// ---- errors ----

/** option<error-code> (none at +0): no io error of ours comes from HTTP. */
export function http_types_http_error_code(err: u32, ret: usize): void {
  slot(err, ERROR);
  store<u8>(ret, 0);
}

// ---- wasi:http/outgoing-handler ----

const INTERNAL_ERROR: u8 = 38; // error-code case internal-error(option<string>)
const MESSAGE_LEN: usize = 40;

/**
 * result<future-incoming-response, error-code> at ret: err at +0, the
 * error-code case at +8, its option<string> at +16 (some at +16, string at
 * +20). The message is built from constants: the polyfill has no data.
 */
export function http_outgoing_handler_handle(request: u32, some: u32, options: u32, ret: usize): void {
  slot(request, OUTGOING_REQUEST);
  if (flag(some)) slot(options, REQUEST_OPTIONS);
  release(request);
  if (some != 0) release(options);
  const m = alloc(1, MESSAGE_LEN);
  store<u64>(m, 0x6164612d69736177, 0);  // "wasi-ada"
  store<u64>(m, 0x6e206f6e203a7470, 8);  // "pt: no n"
  store<u64>(m, 0x6f206b726f777465, 16); // "etwork o"
  store<u64>(m, 0x702049534157206e, 24); // "n WASI p"
  store<u64>(m, 0x3120776569766572, 32); // "review 1"
  store<u8>(ret, 1);
  store<u8>(ret, INTERNAL_ERROR, 8);
  store<u8>(ret, 1, 16);
  store<u32>(ret, <u32>m, 20);
  store<u32>(ret, <u32>MESSAGE_LEN, 24);
}

// ---- resources that cannot exist (see the top): any handle is unknown ----

export function http_types__method_incoming_request_method(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__method_incoming_request_path_with_query(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__method_incoming_request_scheme(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__method_incoming_request_authority(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__method_incoming_request_headers(_self: u32): u32 { return unreachable(); }
export function http_types__method_incoming_request_consume(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__resource_drop_incoming_request(_self: u32): void { unreachable(); }
export function http_types__static_response_outparam_set(_param: u32, _a1: u32, _a2: u32, _a3: u32, _a4: u64, _a5: u32, _a6: u32, _a7: u32, _a8: u32): void { unreachable(); }
export function http_types__resource_drop_response_outparam(_self: u32): void { unreachable(); }
export function http_types__method_incoming_response_status(_self: u32): u32 { return unreachable(); }
export function http_types__method_incoming_response_headers(_self: u32): u32 { return unreachable(); }
export function http_types__method_incoming_response_consume(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__resource_drop_incoming_response(_self: u32): void { unreachable(); }
export function http_types__method_incoming_body_stream(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__static_incoming_body_finish(_self: u32): u32 { return unreachable(); }
export function http_types__resource_drop_incoming_body(_self: u32): void { unreachable(); }
export function http_types__method_future_trailers_subscribe(_self: u32): u32 { return unreachable(); }
export function http_types__method_future_trailers_get(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__resource_drop_future_trailers(_self: u32): void { unreachable(); }
export function http_types__method_future_incoming_response_subscribe(_self: u32): u32 { return unreachable(); }
export function http_types__method_future_incoming_response_get(_self: u32, _ret: usize): void { unreachable(); }
export function http_types__resource_drop_future_incoming_response(_self: u32): void { unreachable(); }
