// poll_oneoff over wasi:io/poll. Clock subscriptions become monotonic-clock
// pollables, stdio subscriptions stream pollables; files are always ready.
import * as host from "./imports";
import { KIND_FILE, KIND_STDERR, KIND_STDIN, KIND_STDOUT, alloc, entry, resetScratch, zero } from "./state";
import { BADF, INVAL, SUCCESS } from "./errno";
import { inputStream, outputStream, wallNanos } from "./shared";

const SUB: u32 = 48;
const EVENT: u32 = 32;

function putEvent(out: u32, sub: u32, error: u32): void {
  zero(out, EVENT);
  store<u64>(out, load<u64>(sub));
  store<u16>(out, <u16>error, 8);
  const tag = load<u8>(sub, 8);
  store<u8>(out, tag, 10);
  if (tag != 0 && error == 0) store<u64>(out, 1, 16);
}

/** A pollable for one subscription, 0 when it is ready now, or 0xff000000 | errno. */
function pollableFor(sub: u32): u32 {
  const tag = load<u8>(sub, 8);
  if (tag == 0) {
    const id = load<u32>(sub, 16);
    const timeout = load<u64>(sub, 24);
    const absolute = (load<u16>(sub, 40) & 1) != 0;
    if (id == 1) return absolute ? host.subscribeInstant(timeout) : host.subscribeDuration(timeout);
    if (id != 0) return 0xff000000 | INVAL;
    if (!absolute) return host.subscribeDuration(timeout);
    const now = wallNanos();
    return host.subscribeDuration(timeout > now ? timeout - now : 0);
  }
  const e = entry(load<u32>(sub, 16));
  if (e == 0) return 0xff000000 | BADF;
  const kind = load<u8>(e);
  if (kind == KIND_FILE) return 0;
  if (tag == 1 && kind == KIND_STDIN) return host.subscribeInput(inputStream(e));
  if (tag == 2 && (kind == KIND_STDOUT || kind == KIND_STDERR)) return host.subscribeOutput(outputStream(e));
  return 0xff000000 | BADF;
}

export function poll_oneoff(subs: u32, events: u32, n: u32, out: u32): u32 {
  if (n == 0) return INVAL;
  resetScratch();
  const handles = alloc(n * 4, 4);
  const index = alloc(n * 4, 4);
  let count: u32 = 0;
  let ready: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const sub = subs + i * SUB;
    const p = pollableFor(sub);
    if (p == 0 || p >= 0xff000000) {
      putEvent(events + ready * EVENT, sub, p == 0 ? 0 : p & 0xffff);
      ready++;
    } else {
      store<u32>(handles + count * 4, p);
      store<u32>(index + count * 4, i);
      count++;
    }
  }
  if (ready == 0) {
    const ret = alloc(8, 4);
    host.poll(handles, count, ret);
    const list = load<u32>(ret);
    const m = load<u32>(ret, 4);
    for (let j: u32 = 0; j < m; j++) {
      const i = load<u32>(index + load<u32>(list + j * 4) * 4);
      putEvent(events + ready * EVENT, subs + i * SUB, SUCCESS);
      ready++;
    }
  }
  for (let j: u32 = 0; j < count; j++) host.dropPollable(load<u32>(handles + j * 4));
  store<u32>(out, ready);
  return SUCCESS;
}
