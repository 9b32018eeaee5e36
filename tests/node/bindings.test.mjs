// The Embind boundary: C++ errors arrive as JS Errors carrying the C++ message, and failing calls do not leak
// Emscripten's shadow stack.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';

const M = await loadEngine();

test('environment() reports the web-reference build on wasm simd128', () => {
  const env = M.environment();
  assert.equal(env.build, 'web-reference');
  assert.equal(env.simdArch, 'wasm');
  assert.equal(env.simdWidth, 4);
  assert.ok(env.threads >= 1);
});

test('a C++ tt::Error becomes a JS Error with the C++ message', () => {
  assert.equal(M.formatBytes(1536), '1.50 KiB');
  assert.throws(() => M.formatBytes(-5), (e) => e instanceof Error && e.message === 'format_bytes: bytes must be >= 0, got -5');
});

test('100,000 throwing calls leave the stack pointer where it was', () => {
  const before = M.stackSave();
  let caught = 0;
  for (let i = 0; i < 100_000; i++) {
    try {
      M.formatBytes(-1 - i);
    } catch {
      caught++;
    }
  }
  assert.equal(caught, 100_000);
  assert.equal(M.stackSave(), before);
  assert.equal(M.formatBytes(2048), '2.00 KiB'); // and the module still works
});
