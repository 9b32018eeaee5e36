// serve.py: MIME types, gzip twins, isolation headers, no way out of the site root, and what a class needs:
// keep-alive, ETag/304, byte ranges, Accept-Encoding q-values, cache headers and timeouts.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { startServer } from '../web/harness.mjs';

const servePy = path.resolve(import.meta.dirname, '../../serve.py');

// A tiny site of its own, with secrets beside (not inside) the root.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-serve-'));
const root = path.join(base, 'site');
const put = (rel, data) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), data);
};
fs.mkdirSync(root);
fs.writeFileSync(path.join(base, 'secret.txt'), 'SECRET');
fs.writeFileSync(path.join(base, 'outside.js.gz'), zlib.gzipSync('export const SECRET = "twin";\n'));
put('index.html', '<!doctype html><title>t</title>');
put('wasm/m.wasm', Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
const appText = 'export const x = 1;\n'.repeat(100);
put('app.mjs', appText);
put('app.mjs.gz', zlib.gzipSync(appText));
put('vendor/c.wasm', Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
put('vendor/list.json', '{"files":[]}');
put('lessons.json', '[]');
put('evil.js', 'export const ok = 1;\n');
fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
// gzip twins that are symlinks out of the root: one beside a real file, one alone
fs.symlinkSync(path.join(base, 'outside.js.gz'), path.join(root, 'evil.js.gz'));
fs.symlinkSync(path.join(base, 'outside.js.gz'), path.join(root, 'ghost.js.gz'));
const later = new Date(Date.now() + 3600e3);  // fresher than evil.js, so only the root check can refuse it
fs.utimesSync(path.join(base, 'outside.js.gz'), later, later);
// larger than what loopback socket buffers hold, for the slow-reader test
const bigSize = 24 << 20;
put('big.bin', Buffer.alloc(bigSize, 7));

const server = await startServer(root);
const plainServer = await startServer(root, { isolate: false });
const quickServer = await startServer(root, { args: ['--timeout', '1'] });
test.after(() => {
  for (const s of [server, plainServer, quickServer]) s.close();
  fs.rmSync(base, { recursive: true, force: true });
});

// Raw request: the path goes on the wire exactly as written (no client-side normalisation).
function get(rawPath, headers = {}, method = 'GET', { agent, via = server } = {}) {
  const { port } = new URL(via.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
                                    reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

const isolation = (res) => [res.headers['cross-origin-opener-policy'], res.headers['cross-origin-embedder-policy'],
                            res.headers['cross-origin-resource-policy']];

test('.wasm is application/wasm, .mjs is JavaScript, both with COOP/COEP/CORP', async () => {
  const wasm = await get('/wasm/m.wasm', {}, 'HEAD');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.deepEqual(isolation(wasm), ['same-origin', 'require-corp', 'same-origin']);
  const mjs = await get('/app.mjs');
  assert.match(mjs.headers['content-type'], /^text\/javascript/);
  assert.equal(mjs.body.toString(), appText);
});

test('HEAD gives the length of the body GET would send, and no body', async () => {
  const head = await get('/app.mjs', {}, 'HEAD');
  assert.equal(head.headers['content-length'], String(appText.length));
  assert.equal(head.body.length, 0);
  const headGz = await get('/app.mjs', { 'Accept-Encoding': 'gzip' }, 'HEAD');
  assert.equal(headGz.headers['content-length'], String(fs.statSync(path.join(root, 'app.mjs.gz')).size));
});

test('the .gz twin is sent when the client accepts gzip, the plain file otherwise', async () => {
  const gz = await get('/app.mjs', { 'Accept-Encoding': 'gzip, deflate' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.equal(zlib.gunzipSync(gz.body).toString(), appText);
  const plain = await get('/app.mjs', { 'Accept-Encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers.vary, 'Accept-Encoding');
  assert.equal(plain.body.toString(), appText);
});

for (const [accept, gzip] of [['gzip;q=0', false], ['gzip; q=0.0, deflate', false], ['*, gzip;q=0', false],
                              ['identity, *;q=0', false], ['*;q=0.5', true], ['GZIP;q=1', true],
                              ['deflate, gzip;q=0.001', true], ['x-gzip', true], ['gzip;q=bogus', false]]) {
  test(`Accept-Encoding: ${accept} → ${gzip ? 'gzip' : 'plain'}`, async () => {
    const res = await get('/app.mjs', { 'Accept-Encoding': accept });
    assert.equal(res.headers['content-encoding'], gzip ? 'gzip' : undefined);
    assert.equal((gzip ? zlib.gunzipSync(res.body) : res.body).toString(), appText);
  });
}

test('a .gz twin symlinked out of the root is never sent: the plain file is, or 404 without one', async () => {
  const evil = await get('/evil.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(evil.status, 200);
  assert.equal(evil.headers['content-encoding'], undefined);
  assert.equal(evil.body.toString(), 'export const ok = 1;\n');
  const ghost = await get('/ghost.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(ghost.status, 404);
  assert.ok(!ghost.body.toString().includes('SECRET'));
  assert.equal((await get('/evil.js.gz', { 'Accept-Encoding': 'gzip' })).status, 404);
});

test('ETag + If-None-Match: 304 with no body, per representation', async () => {
  const first = await get('/app.mjs');
  const etag = first.headers.etag;
  assert.match(etag, /^"[^"]+"$/);
  const again = await get('/app.mjs', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, etag);
  assert.equal(again.headers.vary, 'Accept-Encoding');
  assert.equal(again.headers['content-length'], String(appText.length));  // what the 200 would carry
  assert.equal((await get('/app.mjs', { 'If-None-Match': `"x", W/${etag}` })).status, 304);
  assert.equal((await get('/app.mjs', { 'If-None-Match': '*' })).status, 304);
  assert.equal((await get('/app.mjs', { 'If-None-Match': '"other"' })).status, 200);
  // the gzip twin is another representation: another tag, and the plain one's tag does not match it
  const gz = await get('/app.mjs', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
  assert.equal(gz.status, 200);
  assert.notEqual(gz.headers.etag, etag);
  assert.equal((await get('/app.mjs', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag })).status, 304);
  // If-None-Match wins over If-Modified-Since
  assert.equal((await get('/app.mjs', { 'If-None-Match': '"other"',
                                        'If-Modified-Since': first.headers['last-modified'] })).status, 200);
  assert.equal((await get('/app.mjs', { 'If-Modified-Since': first.headers['last-modified'] })).status, 304);
});

test('a single byte range → 206 with Content-Range; several ranges → the whole file', async () => {
  const size = appText.length;
  const mid = await get('/app.mjs', { Range: 'bytes=10-29' });
  assert.equal(mid.status, 206);
  assert.equal(mid.headers['content-range'], `bytes 10-29/${size}`);
  assert.equal(mid.headers['content-length'], '20');
  assert.equal(mid.body.toString(), appText.slice(10, 30));
  const tail = await get('/app.mjs', { Range: 'bytes=-7' });
  assert.equal(tail.headers['content-range'], `bytes ${size - 7}-${size - 1}/${size}`);
  assert.equal(tail.body.toString(), appText.slice(-7));
  const open = await get('/app.mjs', { Range: `bytes=${size - 3}-` });
  assert.equal(open.body.toString(), appText.slice(-3));
  const past = await get('/app.mjs', { Range: `bytes=${size - 2}-${size + 100}` });
  assert.equal(past.headers['content-range'], `bytes ${size - 2}-${size - 1}/${size}`);
  assert.equal(past.body.length, 2);
  const multi = await get('/app.mjs', { Range: 'bytes=0-1,5-6' });
  assert.equal(multi.status, 200);
  assert.equal(multi.body.toString(), appText);
  assert.equal((await get('/app.mjs', { Range: 'bytes=9-3' })).status, 200);  // invalid: ignored
  assert.equal((await get('/app.mjs', { Range: 'rows=1-2' })).status, 200);
  // ranges apply to the representation sent: here the gzip twin's bytes
  const gz = fs.readFileSync(path.join(root, 'app.mjs.gz'));
  const gzPart = await get('/app.mjs', { Range: 'bytes=0-9', 'Accept-Encoding': 'gzip' });
  assert.equal(gzPart.status, 206);
  assert.equal(gzPart.headers['content-encoding'], 'gzip');
  assert.deepEqual(gzPart.body, gz.subarray(0, 10));
});

test('If-Range: a range of a changed file is not mixed with the new one', async () => {
  const { headers } = await get('/app.mjs');
  assert.equal((await get('/app.mjs', { Range: 'bytes=0-4', 'If-Range': headers.etag })).status, 206);
  const stale = await get('/app.mjs', { Range: 'bytes=0-4', 'If-Range': '"old"' });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.toString(), appText);
});

test('an unsatisfiable range → 416 with Content-Range bytes */size', async () => {
  for (const range of [`bytes=${appText.length}-`, 'bytes=99999-100000', 'bytes=-0']) {
    const res = await get('/app.mjs', { Range: range });
    assert.equal(res.status, 416, range);
    assert.equal(res.headers['content-range'], `bytes */${appText.length}`);
    assert.equal(res.headers['content-length'], String(res.body.length));
  }
});

test('COOP/COEP/CORP on every response: 404, 304, 416, 501 too', async () => {
  const { headers } = await get('/app.mjs');
  const responses = [await get('/nope.js'), await get('/app.mjs', { 'If-None-Match': headers.etag }),
                     await get('/app.mjs', { Range: 'bytes=99999-' }), await get('/app.mjs', {}, 'POST')];
  assert.deepEqual(responses.map((r) => r.status), [404, 304, 416, 501]);
  for (const res of responses) assert.deepEqual(isolation(res), ['same-origin', 'require-corp', 'same-origin']);
});

test('--no-isolate leaves COOP/COEP/CORP out, on files and errors', async () => {
  for (const p of ['/app.mjs', '/nope.js']) {
    assert.deepEqual(isolation(await get(p, {}, 'GET', { via: plainServer })), [undefined, undefined, undefined]);
  }
});

test('Cache-Control: our files revalidate every time, vendor/ may be reused for an hour', async () => {
  assert.equal((await get('/index.html')).headers['cache-control'], 'no-cache');
  assert.equal((await get('/lessons.json')).headers['cache-control'], 'no-cache');
  assert.equal((await get('/app.mjs')).headers['cache-control'], 'no-cache');
  assert.equal((await get('/vendor/c.wasm')).headers['cache-control'], 'max-age=3600, must-revalidate');
  assert.equal((await get('/vendor/list.json')).headers['cache-control'], 'no-cache');
});

test('keep-alive: one socket carries every kind of response, each framed by its Content-Length', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const etag = (await get('/app.mjs', {}, 'GET', { agent })).headers.etag;
    const sequence = [
      ['/app.mjs', {}, 'HEAD', 200, ''],
      ['/nope.js', {}, 'GET', 404, 'Not found\n'],
      ['/app.mjs', { 'If-None-Match': etag }, 'GET', 304, ''],
      ['/app.mjs', { Range: 'bytes=0-5' }, 'GET', 206, appText.slice(0, 6)],
      ['/app.mjs', { Range: 'bytes=99999-' }, 'GET', 416, 'Range not satisfiable\n'],
      ['/nope.js', {}, 'HEAD', 404, ''],
      ['/index.html', {}, 'GET', 200, '<!doctype html><title>t</title>'],
    ];
    for (const [p, headers, method, status, body] of sequence) {
      const res = await get(p, headers, method, { agent });
      assert.equal(res.status, status, `${method} ${p}`);
      assert.equal(res.body.toString(), body, `${method} ${p}`);
      assert.equal(res.reused, true, `${method} ${p} on the same socket`);
      assert.notEqual(res.headers.connection, 'close');
    }
  } finally {
    agent.destroy();
  }
});

// A raw connection to the server with --timeout 1: writes `requests`, resolves when the server closes it.
function holdOpen(requests = '') {
  const { port } = new URL(quickServer.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const t0 = performance.now();
    let received = '';
    sock.on('connect', () => sock.write(requests));
    sock.on('data', (d) => { received += d; });
    sock.on('error', reject);
    sock.on('close', () => resolve({ seconds: (performance.now() - t0) / 1000, received }));
  });
}

test('timeout: a connection that sends nothing is closed by the server', async () => {
  const { seconds, received } = await holdOpen();
  assert.ok(seconds > 0.8 && seconds < 3, `closed after ${seconds.toFixed(2)} s`);
  assert.equal(received, '');
});

test('timeout: an idle keep-alive connection is closed after its response', async () => {
  const { seconds, received } = await holdOpen('GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(received, /^HTTP\/1\.1 200 /);
  assert.ok(seconds > 0.8 && seconds < 3, `closed after ${seconds.toFixed(2)} s`);
});

test('timeout: a client trickling its request head byte by byte is cut off too', async () => {
  const { port } = new URL(quickServer.url);
  const sock = net.connect(port, '127.0.0.1');
  const t0 = performance.now();
  await new Promise((resolve) => sock.on('connect', resolve));
  sock.write('GET /index.html HTTP/1.1\r\n');
  const trickle = setInterval(() => sock.write('X'), 200);  // well inside the 1 s per-read timeout
  const seconds = await new Promise((resolve) => {
    sock.on('error', () => {});
    sock.on('close', () => resolve((performance.now() - t0) / 1000));
    setTimeout(() => resolve(Infinity), 6000);
  });
  clearInterval(trickle);
  sock.destroy();
  assert.ok(seconds < 3, `still open after ${seconds} s`);
});

test('timeout: a client that stops reading a large file is dropped; others are still served', async () => {
  const { port } = new URL(quickServer.url);
  const sock = net.connect(port, '127.0.0.1');
  sock.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
  let received = 0;
  sock.on('data', (d) => { received += d.length; });
  sock.pause();  // stop reading: the kernel buffers fill, the server's sendfile waits
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const closed = new Promise((resolve) => { sock.on('close', resolve); sock.on('error', () => {}); });
  sock.resume();
  await closed;  // the server gave up: the stream ends short of the file
  assert.ok(received > 0 && received < bigSize, `received ${received} of ${bigSize} bytes`);
  assert.equal((await get('/index.html', {}, 'GET', { via: quickServer })).status, 200);
});

// A request body the server does not want (a POST to the static site) is still read and dropped after the answer:
// closing with unread bytes makes the kernel reset the connection, which fails the upload and can destroy the answer.
test('an unwanted 4 MB POST body: the client finishes sending and gets the whole 501, every time', async () => {
  const { port } = new URL(server.url);
  const body = Buffer.alloc(4 << 20, 1);
  for (let i = 0; i < 5; i++) {
    const received = await new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let data = '';
      sock.on('connect', () => sock.end(Buffer.concat([
        Buffer.from(`POST /app.mjs HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body])));
      sock.on('data', (d) => { data += d; });
      sock.on('error', reject);
      sock.on('close', () => resolve(data));
    });
    assert.match(received, /^HTTP\/1\.1 501 /, `attempt ${i + 1}`);
    assert.match(received, /Unsupported method \('POST'\)/, `attempt ${i + 1}`);
  }
});

test('/ serves index.html; a missing file is 404', async () => {
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/nope.js')).status, 404);
});

for (const attempt of ['/../secret.txt', '/../../etc/passwd', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt',
                       '/..%2f..%2fetc%2fpasswd', '/wasm/../../secret.txt', '/%252e%252e/secret.txt',
                       '/..%5csecret.txt', '/link.txt', '/%00/../secret.txt', '/%ff%fe']) {
  test(`no escape from the root: ${attempt}`, async () => {
    const res = await get(attempt);
    assert.ok(res.status === 404 || res.status === 403, `status ${res.status}`);
    assert.ok(!res.body.toString().includes('SECRET'));
    assert.ok(!res.body.toString().includes('root:'));
  });
}

test('without a built site it says how to build it', () => {
  const r = spawnSync('python3', [servePy, '--root', base, '--port', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no built site/);
  assert.match(r.stderr, /make site/);
});

test('a bad --timeout is refused with a message naming it', () => {
  for (const bad of ['0', '-1', 'soon', 'nan']) {
    const r = spawnSync('python3', [servePy, '--root', root, '--port', '0', '--timeout', bad], { encoding: 'utf8' });
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--timeout: expected a positive number of seconds/);
  }
});
