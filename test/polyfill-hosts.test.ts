// The polyfill on a second preview1 implementation (browser_wasi_shim, an
// in-memory file system), to catch reliance on node:wasi/uvwasi quirks.
import { ConsoleStdout, Directory, File, OpenFile, PreopenDirectory, WASI } from '@bjorn3/browser_wasi_shim';
import { expect, it } from 'vitest';
import { Host, fs, io, type P1Imports } from './polyfill-host.js';

function shimHost(out: string[]): { h: Host; root: Map<string, File | Directory> } {
  const root = new Map<string, File | Directory>([
    ['hello.txt', new File(new TextEncoder().encode('hi there'))],
    ['sub', new Directory(new Map([['inner.txt', new File(new Uint8Array(3))]]))],
  ]);
  const fds = [
    new OpenFile(new File(new Uint8Array())),
    ConsoleStdout.lineBuffered((line: string) => out.push(line)),
    ConsoleStdout.lineBuffered((line: string) => out.push(`err: ${line}`)),
    new PreopenDirectory('/data', root),
  ];
  const wasi = new WASI(['prog', 'arg'], ['K=V'], fds);
  const h = new Host({
    host: (memory) => {
      wasi.initialize({ exports: { memory } } as unknown as WebAssembly.Instance & { exports: { memory: WebAssembly.Memory } });
      return wasi.wasiImport as unknown as P1Imports;
    },
  });
  return { h, root };
}

it('runs cli, io and filesystem functions on browser_wasi_shim', () => {
  const out: string[] = [];
  const { h, root } = shimHost(out);
  const ret = h.ret();
  h.call('wasi:cli/environment#get-arguments', ret);
  expect([h.string(h.u32(ret)), h.string(h.u32(ret) + 8)]).toEqual(['prog', 'arg']);
  h.call('wasi:cli/environment#get-environment', ret);
  expect([h.string(h.u32(ret)), h.string(h.u32(ret) + 8)]).toEqual(['K', 'V']);

  const so = h.call('wasi:cli/stdout#get-stdout') as number;
  h.call(io('[method]output-stream.blocking-write-and-flush'), so, ...h.put('hello\n'), ret);
  expect(h.u8(ret)).toBe(0);
  expect(out).toEqual(['hello']);

  h.call('wasi:filesystem/preopens#get-directories', ret);
  expect([h.u32(ret + 4), h.string(h.u32(ret) + 4)]).toEqual([1, '/data']);
  const dir = h.u32(h.u32(ret));
  h.call(fs('[method]descriptor.open-at'), dir, 0, ...h.put('hello.txt'), 0, 1, ret);
  expect(h.u8(ret)).toBe(0);
  const file = h.u32(ret + 4);
  h.call(fs('[method]descriptor.read-via-stream'), file, 3n, ret);
  const input = h.u32(ret + 4);
  h.call(io('[method]input-stream.blocking-read'), input, 100n, ret);
  expect(h.string(ret + 4)).toBe('there');
  h.call(io('[resource-drop]input-stream'), input);
  h.call(fs('[method]descriptor.stat'), file, ret);
  expect([h.u8(ret), h.u64(ret + 24)]).toEqual([0, 8n]);

  h.call(fs('[method]descriptor.open-at'), dir, 0, ...h.put('new.txt'), 1, 2, ret);
  expect(h.u8(ret)).toBe(0);
  const created = h.u32(ret + 4);
  h.call(fs('[method]descriptor.write'), created, ...h.put('abc'), 0n, ret);
  expect([h.u8(ret), h.u64(ret + 8)]).toEqual([0, 3n]);
  expect(new TextDecoder().decode((root.get('new.txt') as File).data)).toBe('abc');

  h.call(fs('[method]descriptor.read-directory'), dir, ret);
  const stream = h.u32(ret + 4);
  const names: string[] = [];
  for (;;) {
    h.call(fs('[method]directory-entry-stream.read-directory-entry'), stream, ret);
    expect(h.u8(ret)).toBe(0);
    if (!h.u8(ret + 4)) break;
    names.push(h.string(ret + 12));
  }
  expect(names.sort()).toEqual(['hello.txt', 'new.txt', 'sub']);

  h.call(fs('[method]descriptor.open-at'), dir, 0, ...h.put('missing'), 0, 1, ret);
  expect([h.u8(ret), h.u8(ret + 4)]).toEqual([1, 20]); // no-entry
});
