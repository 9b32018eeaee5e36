// clang-loader.mjs hands yowasp a tagged copy of each wasm response to count and compiles the fetched original, so
// that Chromium can keep the compiler's machine code between visits (its code cache needs the response's URL). Here a
// yowasp-like wrapper (a `new Response(body.pipeThrough(counter), response)`, as @yowasp/runtime builds it) loads a
// wasm module from a local server through the shims.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { compileOriginals } from '../../web/js/student/clang-loader.mjs';

// A valid module with a 64 KiB custom section, so the body arrives in several chunks.
const name = new TextEncoder().encode('pad');
const pad = new Uint8Array(65536).fill(7);
const payload = [name.length, ...name, ...pad];
const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, ...leb(payload.length), ...payload]);

async function withServer(fn) {
  const server = http.createServer((req, res) => {
    if (req.url === '/m.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(WASM);
    else if (req.url === '/r.tar') res.writeHead(200, { 'content-type': 'application/x-tar' }).end('tar bytes');
    else res.writeHead(404, { 'content-type': 'application/wasm' }).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.close();
  }
}

// yowasp's progress wrapper around whatever fetch it captured
const counting = (fetchFn, status) => (url) => fetchFn(url).then((response) => new Response(response.body.pipeThrough(
  new TransformStream({ transform(chunk, c) { c.enqueue(chunk); status.done += chunk.length; } })), response));

test('the module is compiled from the fetched response (with its URL) while the copy drives the progress', async () => {
  const realFetch = globalThis.fetch;
  const realCompile = WebAssembly.compileStreaming;
  const compiled = [];
  const spy = async (source) => { const r = await source; compiled.push(r); return realCompile(r); };
  WebAssembly.compileStreaming = spy;
  try {
    await withServer(async (base) => {
      const undo = compileOriginals();
      const captured = globalThis.fetch;  // what yowasp keeps when its module is evaluated
      assert.notEqual(captured, realFetch);
      const status = { done: 0 };
      const load = counting(captured, status);
      const module = await load(`${base}/m.wasm`).then(WebAssembly.compileStreaming);
      assert.ok(module instanceof WebAssembly.Module);
      assert.equal(compiled.length, 1);
      assert.equal(compiled[0].url, `${base}/m.wasm`, 'the original response, not a constructed one (url "")');
      assert.equal(compiled[0].headers.get('x-tt-original'), null);
      for (let i = 0; i < 100 && status.done < WASM.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(status.done, WASM.length, 'every byte counted once');

      // not wasm, or not ok: passed through as fetched
      const tar = await captured(`${base}/r.tar`);
      assert.equal(tar.url, `${base}/r.tar`);
      assert.equal(await tar.text(), 'tar bytes');
      const missing = await captured(`${base}/gone.wasm`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('x-tt-original'), null);
      await missing.body?.cancel();

      undo();
      assert.equal(globalThis.fetch, realFetch);
      assert.equal(WebAssembly.compileStreaming, spy);
      // yowasp's captured fetch no longer copies anything
      const later = await captured(`${base}/m.wasm`);
      assert.equal(later.url, `${base}/m.wasm`);
      assert.equal(later.headers.get('x-tt-original'), null);
      assert.deepEqual(new Uint8Array(await later.arrayBuffer()), WASM);
    });
  } finally {
    globalThis.fetch = realFetch;
    WebAssembly.compileStreaming = realCompile;
  }
});

test('a response the shim did not tag is compiled as given', async () => {
  const realCompile = WebAssembly.compileStreaming;
  const compiled = [];
  WebAssembly.compileStreaming = async (source) => { const r = await source; compiled.push(r); return realCompile(r); };
  const realFetch = globalThis.fetch;
  const undo = compileOriginals();
  try {
    const constructed = new Response(WASM, { headers: { 'content-type': 'application/wasm' } });
    assert.ok(await WebAssembly.compileStreaming(constructed) instanceof WebAssembly.Module);
    assert.equal(compiled[0], constructed);
  } finally {
    undo();
    WebAssembly.compileStreaming = realCompile;
    globalThis.fetch = realFetch;
  }
});
