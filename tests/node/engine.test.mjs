// The engine's JS API (web reference build): tensors, views, math, layers and safetensors from JS, errors crossing
// as JS Errors with the C++ message, and no leaked C++ tensors (C++ live-tensor counter).
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';

const M = await loadEngine();

// Runs body with a tracker; every handle passed to keep() is deleted afterwards, even when body throws.
function scoped(body) {
  const handles = [];
  const keep = (h) => (handles.push(h), h);
  try {
    return body(keep);
  } finally {
    for (const h of handles) if (!h.isDeleted()) h.delete();
  }
}

const close = (got, expected, tol = 1e-6) => {
  assert.equal(got.length, expected.length, `length: got ${got.length}, expected ${expected.length}`);
  for (let i = 0; i < got.length; i++)
    assert.ok(Math.abs(got[i] - expected[i]) <= tol, `index ${i}: got ${got[i]}, expected ${expected[i]}`);
};

test('new Tensor(shape, Float32Array): shape, toArray, get/set, repr, copy', () => scoped((keep) => {
  const t = keep(new M.Tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
  assert.deepEqual(t.shape(), [2, 3]);
  assert.deepEqual(t.strides(), [3, 1]);
  assert.equal(t.numel(), 6);
  assert.equal(t.dim(), 2);
  const a = t.toArray();
  assert.ok(a instanceof Float32Array);
  assert.deepEqual(Array.from(a), [1, 2, 3, 4, 5, 6]);
  assert.equal(t.get([1, 2]), 6);
  t.set([0, 0], 10);
  assert.equal(t.toArray()[0], 10);
  a[1] = 99; // toArray is a copy
  assert.equal(t.get([0, 1]), 2);
  assert.match(t.repr(), /^tensor\(\[\[10\.0000, 2\.0000, 3\.0000\],/);
  const c = keep(t.copy());
  assert.equal(c.sharesStorage(t), false);
  assert.deepEqual(Array.from(c.toArray()), Array.from(t.toArray()));
  const fromPlain = keep(new M.Tensor([2], [7, 8]));
  assert.deepEqual(Array.from(fromPlain.toArray()), [7, 8]);
}));

test('elementwise math with broadcasting, reductions and matmul', () => scoped((keep) => {
  const a = keep(new M.Tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])));
  const b = keep(new M.Tensor([3], new Float32Array([10, 20, 30])));
  assert.deepEqual(Array.from(keep(a.add(b)).toArray()), [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(Array.from(keep(a.mul(b)).toArray()), [10, 40, 90, 40, 100, 180]);
  assert.deepEqual(Array.from(keep(a.sub(b)).toArray()), [-9, -18, -27, -6, -15, -24]);
  assert.deepEqual(Array.from(keep(a.mulScalar(2)).toArray()), [2, 4, 6, 8, 10, 12]);
  assert.equal(keep(a.sum()).item(), 21);
  assert.deepEqual(Array.from(keep(a.sumAxis(0, false)).toArray()), [5, 7, 9]);
  assert.deepEqual(keep(a.sumAxis(1, true)).shape(), [2, 1]);
  assert.deepEqual(Array.from(keep(a.argmaxAxis(1, false)).toArray()), [2, 2]);
  const w = keep(new M.Tensor([3, 2], new Float32Array([7, 8, 9, 10, 11, 12])));
  assert.deepEqual(Array.from(keep(a.matmul(w)).toArray()), [58, 64, 139, 154]);
  close(keep(a.exp()).toArray(), [1, 2, 3, 4, 5, 6].map(Math.exp), 1e-3);
  close(keep(keep(a.softmax(1)).sumAxis(1, false)).toArray(), [1, 1]);
}));

test('views share storage from JS too; reshape of a transpose copies', () => scoped((keep) => {
  const base = keep(M.arange(0, 6, 1));
  const v = keep(base.reshape([2, 3]));
  assert.ok(v.sharesStorage(base));
  v.set([1, 2], -1);
  assert.equal(base.get([5]), -1);
  const t = keep(v.transpose(0, 1));
  assert.equal(t.isContiguous(), false);
  assert.deepEqual(t.strides(), [1, 3]);
  const r = keep(t.reshape([6]));
  assert.equal(r.sharesStorage(base), false);
  assert.deepEqual(Array.from(r.toArray()), [0, 3, 1, 4, 2, -1]);
  const s = keep(base.slice(0, 1, 6, 2));
  assert.deepEqual(Array.from(s.toArray()), [1, 3, -1]);
  const e = keep(keep(M.arange(0, 3, 1)).expand([2, 3]));
  assert.deepEqual(e.strides(), [0, 1]);
}));

test('factories: zeros, ones, full, arange, seeded randn/rand match the native golden values', () => scoped((keep) => {
  assert.deepEqual(Array.from(keep(M.zeros([2, 2])).toArray()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(keep(M.ones([3])).toArray()), [1, 1, 1]);
  assert.deepEqual(Array.from(keep(M.full([2], 2.5)).toArray()), [2.5, 2.5]);
  // Same values as the doctest "02 random: seeded values are identical in every build".
  assert.deepEqual(Array.from(keep(M.randn([3], 42)).toArray()), [-0.515000403, -1.65852571, -0.139457032].map(Math.fround));
  assert.deepEqual(Array.from(keep(M.rand([3], 42)).toArray()), [0.77864033, 0.182555139, 0.702082038].map(Math.fround));
  assert.deepEqual(Array.from(keep(M.randn([5], 7)).toArray()), Array.from(keep(M.randn([5], 7)).toArray()));
}));

test('C++ errors arrive as JS Errors with the C++ message', () => scoped((keep) => {
  const a = keep(M.zeros([2, 3]));
  const b = keep(M.zeros([4]));
  assert.throws(() => a.add(b), { name: 'Error', message: 'add: shapes [2, 3] and [4] cannot broadcast' });
  assert.throws(() => a.matmul(a), { message: 'matmul: inner sizes differ, [2, 3] @ [2, 3] (3 != 2)' });
  assert.throws(() => a.reshape([4, 2]), { message: 'reshape: shape [4, 2] is invalid for a tensor of 6 elements' });
  assert.throws(() => a.sumAxis(5, false), { message: 'sum: axis 5 is out of range for a tensor with 2 dimensions' });
  assert.throws(() => a.slice(1, 7, 9, 1), { message: 'slice: start 7 is out of range for axis 1 of shape [2, 3]' });
  assert.throws(() => new M.Tensor([2, 2], new Float32Array(3)), { message: 'Tensor: shape [2, 2] needs 4 values, got 3' });
  assert.throws(() => new M.Linear(0, 2, true), { message: 'Linear: in_features and out_features must be > 0, got 0 and 2' });
  // and the module keeps working
  assert.equal(keep(a.sum()).item(), 0);
}));

test('Linear: y = x W^T + b with W [out, in], backward fills grads', () => scoped((keep) => {
  const lin = keep(new M.Linear(3, 2, true, 5));
  assert.deepEqual(lin.parameterNames(), ['weight', 'bias']);
  const W = keep(lin.parameter('weight'));
  const bias = keep(lin.parameter('bias'));
  assert.deepEqual(W.shape(), [2, 3]);
  const x = keep(new M.Tensor([1, 3], new Float32Array([1, 2, 3])));
  const y = keep(lin.forward(x)).toArray();
  const w = W.toArray(), bb = bias.toArray();
  close(y, [0, 1].map((j) => w[3 * j] + 2 * w[3 * j + 1] + 3 * w[3 * j + 2] + bb[j]), 1e-5);
  const dx = keep(lin.backward(keep(M.ones([1, 2]))));
  close(dx.toArray(), [0, 1, 2].map((i) => w[i] + w[3 + i]), 1e-6);
  close(keep(lin.grad('weight')).toArray(), [1, 2, 3, 1, 2, 3]);
  close(keep(lin.grad('bias')).toArray(), [1, 1]);
  lin.zeroGrad();
  close(keep(lin.grad('bias')).toArray(), [0, 0]);
  assert.equal(lin.parameterCount(), 8);
  assert.equal(lin.parameterBytes(), 32);
  // seeded construction is reproducible
  const again = keep(new M.Linear(3, 2, true, 5));
  assert.deepEqual(Array.from(keep(again.parameter('weight')).toArray()), Array.from(w));
}));

test('Sequential of layers; state dict to and from safetensors bytes', () => scoped((keep) => {
  const build = (seed) => {
    const net = keep(new M.Sequential());
    for (const layer of [new M.Flatten(), new M.Linear(4, 5, true, seed), new M.ReLU(), new M.Linear(5, 3, true, seed + 1),
      new M.GELU(), new M.Linear(3, 2, true, seed + 2), new M.Tanh(), new M.Sigmoid()]) {
      net.add(layer);
      layer.delete(); // the Sequential holds its own reference
    }
    return net;
  };
  const a = build(1), b = build(100);
  assert.equal(a.size(), 8);
  assert.deepEqual(a.parameterNames(), ['1.weight', '1.bias', '3.weight', '3.bias', '5.weight', '5.bias']);
  const x = keep(M.randn([2, 2, 2], 3));
  const ya = keep(a.forward(x)).toArray();
  assert.notDeepEqual(Array.from(keep(b.forward(x)).toArray()), Array.from(ya));
  const bytes = a.stateDictBytes();
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(M.safetensorsNames(bytes), ['1.bias', '1.weight', '3.bias', '3.weight', '5.bias', '5.weight']);
  b.loadStateDictBytes(bytes);
  assert.deepEqual(Array.from(keep(b.forward(x)).toArray()), Array.from(ya));
  // backward through the whole stack returns a gradient of the input's shape
  assert.deepEqual(keep(b.backward(keep(M.ones([2, 2])))).shape(), [2, 2, 2]);
  // errors: bad bytes, and a state dict for another architecture
  assert.throws(() => b.loadStateDictBytes(new Uint8Array([1, 2, 3])),
    { message: 'safetensors: safetensors bytes is truncated: 3 bytes, not even the 8-byte header length' });
  const small = keep(new M.Linear(4, 5, true, 0));
  assert.throws(() => small.loadStateDictBytes(bytes), { message: "load_state_dict: missing key 'weight' (Linear expects it)" });
  assert.throws(() => b.loadStateDictBytes([1, 2]), { message: 'safetensors bytes must be a Uint8Array' });
}));

test('no leaks: the live C++ tensor count returns to where it was', () => {
  const before = M.liveTensors();
  const bytesBefore = M.liveBytes();
  scoped((keep) => {
    const a = keep(M.randn([8, 8], 1));
    for (let i = 0; i < 50; i++) {
      const b = keep(a.matmul(a));
      keep(keep(keep(b.add(a)).reshape([64])).sum());
    }
    const lin = keep(new M.Linear(8, 4, true, 1));
    keep(lin.forward(a));
    assert.ok(M.liveTensors() > before);
  });
  // Linear keeps its input for backward, but it was deleted with the layer.
  assert.equal(M.liveTensors(), before);
  assert.equal(M.liveBytes(), bytesBefore);
  // a failing call leaks nothing either
  scoped((keep) => {
    const a = keep(M.zeros([2, 3]));
    for (let i = 0; i < 100; i++) assert.throws(() => a.matmul(a));
  });
  assert.equal(M.liveTensors(), before);
});

test('memory accounting from JS: a view costs 0 bytes, a copy its size', () => scoped((keep) => {
  const before = M.liveBytes();
  const t = keep(M.zeros([256]));
  assert.equal(M.liveBytes() - before, 1024);
  keep(t.reshape([16, 16]));
  assert.equal(M.liveBytes() - before, 1024);
  keep(keep(t.reshape([16, 16])).transpose(0, 1)).contiguous();
  assert.ok(M.peakBytes() >= M.liveBytes());
  assert.equal(M.formatFlops(1.5e9), '1.50 GFLOP');
}));
