// serve.py: MIME types, gzip twins, isolation headers, and no way out of the site root.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { startServer } from '../web/harness.mjs';

// A tiny site of its own, with a secret beside (not inside) the root.
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-serve-'));
const root = path.join(base, 'site');
fs.mkdirSync(path.join(root, 'wasm'), { recursive: true });
fs.writeFileSync(path.join(base, 'secret.txt'), 'SECRET');
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
fs.writeFileSync(path.join(root, 'wasm/m.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
fs.writeFileSync(path.join(root, 'app.mjs'), 'export const x = 1;\n'.repeat(100));
fs.writeFileSync(path.join(root, 'app.mjs.gz'), zlib.gzipSync(fs.readFileSync(path.join(root, 'app.mjs'))));
fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));

const server = await startServer(root);
test.after(() => { server.close(); fs.rmSync(base, { recursive: true, force: true }); });

// Raw request: the path goes on the wire exactly as written (no client-side normalisation).
function get(rawPath, headers = {}, method = 'GET') {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('.wasm is application/wasm, .mjs is JavaScript, both with COOP/COEP', async () => {
  const wasm = await get('/wasm/m.wasm', {}, 'HEAD');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(wasm.headers['cross-origin-embedder-policy'], 'require-corp');
  const mjs = await get('/app.mjs');
  assert.match(mjs.headers['content-type'], /^text\/javascript/);
  assert.equal(mjs.body.toString(), fs.readFileSync(path.join(root, 'app.mjs'), 'utf8'));
});

test('the .gz twin is sent when the client accepts gzip, the plain file otherwise', async () => {
  const gz = await get('/app.mjs', { 'Accept-Encoding': 'gzip, deflate' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.body).toString(), fs.readFileSync(path.join(root, 'app.mjs'), 'utf8'));
  const plain = await get('/app.mjs', { 'Accept-Encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
});

test('/ serves index.html; a missing file is 404', async () => {
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/nope.js')).status, 404);
});

for (const attempt of ['/../secret.txt', '/../../etc/passwd', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt',
                       '/..%2f..%2fetc%2fpasswd', '/wasm/../../secret.txt', '/%252e%252e/secret.txt',
                       '/..%5csecret.txt', '/link.txt', '/%00/../secret.txt']) {
  test(`no escape from the root: ${attempt}`, async () => {
    const res = await get(attempt);
    assert.ok(res.status === 404 || res.status === 403, `status ${res.status}`);
    assert.ok(!res.body.toString().includes('SECRET'));
    assert.ok(!res.body.toString().includes('root:'));
  });
}

test('without a built site it says how to build one', () => {
  const r = spawnSync('python3', [path.resolve(import.meta.dirname, '../../serve.py'), '--root', base, '--port', '0'],
                      { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no built site/);
  assert.match(r.stderr, /make site/);
});
