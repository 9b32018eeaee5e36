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

// Bad calls through each kind of binding (free function, method, class constructor and smart_ptr factory), each
// error with the exact text the C++ side writes. The threaded build used to let them all out as a bare
// WebAssembly.Exception: its typed catch clauses never matched (engine/bindings/wasm_eh_threads.cpp says why).
const badCalls = [
  ['free function', (M) => M.formatBytes(-5), 'Error', 'format_bytes: bytes must be >= 0, got -5'],
  ['free function taking an object', (M) => M.loaderBenchmark(5), 'Error', 'loaderBenchmark: pass an options object'],
  ['method', (M, [a, b]) => a.matmul(b), 'Error', 'matmul: inner sizes differ, [2, 3] @ [2, 3] (3 != 2)'],
  ['method (reshape)', (M, [a]) => a.reshape([7]), 'Error', 'reshape: shape [7] is invalid for a tensor of 6 elements'],
  ['smart_ptr factory', (M) => new M.Linear(0, 3, true), 'Error', 'Linear: in_features and out_features must be > 0, got 0 and 3'],
  ['constructor', (M) => new M.Trainer('conv:3:16:3:1\nrelu\nflatten\nlinear:12544:10', '1x28x28', {}), 'Error',
    'architecture: layer 0 (conv) expects 3 channels, receives 1'],
  // two tensors of 2.1 GB, each under the engine's 2^29-float bound (tensor.cpp), together over wasm32's memory
  ['std::bad_alloc', (M) => {
    const first = M.zeros([23000, 23000]);
    try { return M.zeros([23000, 23000]); } finally { first.delete(); }
  }, 'RangeError', 'out of memory'],
  ['over the storage bound', (M) => M.zeros([30000, 30000]), 'Error',
    'Storage: 900000000 floats is more than the engine allocates (at most 536870912, 2 GiB)'],
];

test('a C++ error reaches JS as the same Error with the same message from both builds', () => {
  for (const M of [single, threaded]) {
    const tensors = [M.randn([2, 3], 1), M.randn([2, 3], 2)];
    for (const [kind, call, name, message] of badCalls) {
      const where = `${kind}, ${M === threaded ? 'tt_web_mt' : 'tt_web'}`;
      const sp = M.stackSave();
      assert.throws(() => call(M, tensors), (e) => {
        assert.ok(e instanceof Error, `${where}: ${e?.constructor?.name} ${e}`);
        assert.equal(e.name, name, where);
        assert.equal(e.message, message, where);
        return true;
      });
      assert.equal(M.stackSave(), sp, `${where}: the stack pointer is restored`);
    }
    assert.equal(M.formatBytes(1536), '1.50 KiB');  // the module still works
    for (const t of tensors) t.delete();
    assert.equal(M.liveTensors(), 0);
  }
});
