// The threaded web build (tt_web_mt: pthreads, loaded by cross-origin-isolated pages) against the single-threaded
// one: 2 threads available and used, and the same results bit for bit — a page gets the same numbers either way.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';

const single = await loadEngine();
const threaded = await loadEngine({ threaded: true });

function product(M, [m, k, n], seed) {
  const a = M.randn([m, k], seed), b = M.randn([k, n], seed + 1);
  const c = a.matmul(b);
  const out = c.toArray();
  for (const t of [a, b, c]) t.delete();
  return out;
}

test('builds: the single-threaded one has 1 thread, the threaded one 2, both start at 1', () => {
  assert.equal(single.maxThreads(), 1);
  assert.equal(threaded.maxThreads(), 2);
  assert.equal(threaded.numThreads(), 1);
  single.setNumThreads(2);  // quietly clamped
  assert.equal(single.numThreads(), 1);
});

test('matmul on 2 threads equals 1 thread and the single-threaded build, bit for bit', () => {
  for (const [shape, seed] of [[[256, 256, 256], 1], [[64, 784, 128], 2], [[3, 700, 4000], 3], [[131, 129, 200], 4]]) {
    threaded.setNumThreads(1);
    const one = product(threaded, shape, seed);
    threaded.setNumThreads(2);
    const two = product(threaded, shape, seed);
    const reference = product(single, shape, seed);
    assert.equal(one.length, shape[0] * shape[2]);
    assert.deepEqual(two, one, `2 threads vs 1, shape ${shape}`);
    assert.deepEqual(two, reference, `threaded build vs single-threaded build, shape ${shape}`);
  }
  assert.equal(threaded.liveTensors(), 0);
  threaded.setNumThreads(1);  // stops the pool's worker (else it would keep node running)
});
