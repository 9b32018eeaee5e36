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

test('guardModule keeps Embind overload dispatch working (methods and free functions)', async () => {
  const { guardModule } = await import('../../web/js/engine.mjs');
  // The shape Embind 3.1.6 gives overloaded names (ensureOverloadTable): a dispatcher that looks its table up
  // through the name it was stored under, so a wrapper at that name must carry the table.
  let sp = 100;
  const fake = { stackSave: () => sp, stackRestore: (v) => { sp = v; } };
  function dispatcher(owner, name) {
    return function (...args) { return owner[name].overloadTable[args.length].apply(this, args); };
  }
  class Handle { isDeleted() { return false; } }
  class Thing extends Handle {}
  Thing.prototype.f = dispatcher(Thing.prototype, 'f');
  Thing.prototype.f.overloadTable = { 0: () => 'none', 1: (x) => `one ${x}` };
  fake.Thing = Thing;
  fake.g = dispatcher(fake, 'g');
  fake.g.overloadTable = { 0: () => 0, 1: () => { sp -= 32; throw new Error('bad'); } };
  guardModule(fake);
  const t = new fake.Thing();
  assert.equal(t.f(), 'none');
  assert.equal(t.f(2), 'one 2');
  assert.equal(fake.g(), 0);
  assert.throws(() => fake.g(1), /bad/);
  assert.equal(sp, 100, 'the overloaded free function is guarded too');
});
