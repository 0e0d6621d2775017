import { describe, expect, it } from 'vitest';
import { POLYFILL_SIGNATURES } from '../src/adapters/p2-on-p1/signatures.js';
import { ERROR_CODES, Host } from './polyfill-host.js';

const NOT_SUPPORTED = 2; // wasi:sockets/network.error-code

describe('wasi:sockets', () => {
  it('instance-network gives a network handle that can be dropped', () => {
    const h = new Host();
    const n = h.call('wasi:sockets/instance-network#instance-network') as number;
    expect(n).not.toBe(0);
    h.call('wasi:sockets/network#[resource-drop]network', n);
    expect(() => h.call('wasi:sockets/network#[resource-drop]network', n)).toThrow(WebAssembly.RuntimeError);
  });

  it('creating sockets and resolving names is not-supported', () => {
    const h = new Host();
    const ret = h.ret();
    for (const family of [0, 1]) {
      h.call('wasi:sockets/tcp-create-socket#create-tcp-socket', family, ret);
      expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, NOT_SUPPORTED]);
      h.call('wasi:sockets/udp-create-socket#create-udp-socket', family, ret);
      expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, NOT_SUPPORTED]);
    }
    const n = h.call('wasi:sockets/instance-network#instance-network') as number;
    h.call('wasi:sockets/ip-name-lookup#resolve-addresses', n, ...h.put('localhost'), ret);
    expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, NOT_SUPPORTED]);
    expect(() => h.call('wasi:sockets/ip-name-lookup#resolve-addresses', 0, ...h.put('x'), ret)).toThrow(WebAssembly.RuntimeError);
  });

  // No p2 function can produce these handles on p1, so any handle is unknown.
  const unreachableResources = /#\[(method|resource-drop)\](tcp-socket|udp-socket|incoming-datagram-stream|outgoing-datagram-stream|resolve-address-stream)\b/;
  const methods = [...POLYFILL_SIGNATURES].filter(([name]) => unreachableResources.test(name));
  it('covers every method and drop of the socket resources', () => {
    expect(methods.length).toBe(53);
  });
  it.each(methods)('%s traps on any handle', (name, sig) => {
    const h = new Host();
    const net = h.call('wasi:sockets/instance-network#instance-network') as number;
    const args = sig.params.map((t, i) => (t === 'i64' ? 0n : i === 0 ? net : h.ret()));
    expect(() => h.call(name, ...args)).toThrow(WebAssembly.RuntimeError);
  });
});

// The p1 errno -> error-code table, checked through a real call path: a
// host whose fd_sync fails with each errno in turn.
const EXPECTED: Record<number, (typeof ERROR_CODES)[number]> = {
  2: 'access', 6: 'would-block', 7: 'already', 8: 'bad-descriptor', 10: 'busy', 16: 'deadlock',
  19: 'quota', 20: 'exist', 22: 'file-too-large', 25: 'illegal-byte-sequence', 26: 'in-progress',
  27: 'interrupted', 28: 'invalid', 29: 'io', 31: 'is-directory', 32: 'loop', 34: 'too-many-links',
  35: 'message-size', 37: 'name-too-long', 42: 'insufficient-memory', 43: 'no-device', 44: 'no-entry',
  46: 'no-lock', 48: 'insufficient-memory', 51: 'insufficient-space', 52: 'unsupported',
  54: 'not-directory', 55: 'not-empty', 56: 'not-recoverable', 58: 'unsupported', 59: 'no-tty',
  60: 'no-such-device', 61: 'overflow', 63: 'not-permitted', 64: 'pipe', 69: 'read-only',
  70: 'invalid-seek', 74: 'text-file-busy', 75: 'cross-device', 76: 'access',
};

describe('p1 errno -> wasi:filesystem error-code', () => {
  it('maps every p1 errno (unlisted ones to io)', () => {
    let errno = 0;
    const h = new Host({
      p1: (_real, host) => ({
        fd_prestat_get: (fd: number, out: number) => {
          if (fd !== 3) return 8;
          host.bytes(out, 8).set([0, 0, 0, 0, 1, 0, 0, 0]); // directory, name length 1
          return 0;
        },
        fd_prestat_dir_name: (_fd: number, buf: number) => {
          host.bytes(buf, 1)[0] = 0x2f;
          return 0;
        },
        fd_sync: () => errno,
      }),
    });
    const ret = h.ret();
    h.call('wasi:filesystem/preopens#get-directories', ret);
    expect(h.u32(ret + 4)).toBe(1);
    const desc = h.u32(h.u32(ret));
    const got: Record<number, string> = {};
    const want: Record<number, string> = {};
    for (errno = 1; errno <= 76; errno++) {
      h.call('wasi:filesystem/types#[method]descriptor.sync', desc, ret);
      expect(h.u8(ret)).toBe(1);
      got[errno] = ERROR_CODES[h.u8(ret + 1)]!;
      want[errno] = EXPECTED[errno] ?? 'io';
    }
    expect(got).toEqual(want);
  });
});
