// Module 10's systems panel (web/js/course/systems/10.mjs) against the real reference engine: the layer table's
// FLOPs, feature-map bytes and im2col buffers follow from the layers' shapes, every layer is timed, and the panel
// frees every tensor it makes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadEngine } from './load-engine.mjs';
import { measureSystems } from '../../web/js/course/systems.mjs';
import { layerFlops, im2colBytes, NETWORKS } from '../../web/js/course/systems/10.mjs';

const M = await loadEngine();
const live = () => (M.liveTensors ? M.liveTensors() : 0);

test('10: FLOPs of a 3x3 convolution are 2 * C * 9 per output element; im2col holds C*9 rows of OH*OW floats', () => {
  assert.equal(layerFlops('Conv2d', [16, 1, 3, 3], [32, 1, 28, 28], [32, 16, 28, 28]), 2 * 32 * 16 * 28 * 28 * 9);
  assert.equal(layerFlops('Linear', [64, 1568], [32, 1568], [32, 64]), 2 * 32 * 64 * 1568);
  assert.equal(layerFlops('Flatten', [], [32, 32, 7, 7], [32, 1568]), 0);
  assert.equal(im2colBytes([32, 16, 3, 3], [32, 32, 14, 14]), 4 * 16 * 9 * 14 * 14);
});

test('10: the milestone CNNs layer by layer, and im2col against the direct loops', async () => {
  const before = live();
  const r = await measureSystems(M, '10');
  assert.ok(r.tables, r.note);
  assert.equal(r.tables.length, NETWORKS.length + 1);
  const fashion = r.tables[0];
  assert.deepEqual(fashion.rows.map((row) => row[0]),
    ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear', 'ReLU', 'Linear', 'total']);
  assert.deepEqual(fashion.rows.slice(0, 3).map((row) => row[1]),
    ['[32, 16, 28, 28]', '[32, 16, 28, 28]', '[32, 16, 14, 14]']);
  assert.equal(fashion.rows[0][2], M.formatFlops(2 * 32 * 16 * 28 * 28 * 9));
  assert.equal(fashion.rows[3][2], M.formatFlops(2 * 32 * 32 * 14 * 14 * 16 * 9));
  assert.equal(fashion.rows[0][3], M.formatBytes(4 * 32 * 16 * 28 * 28));
  assert.equal(fashion.rows[3][6], M.formatBytes(4 * 16 * 9 * 14 * 14));
  const cifar = r.tables[1];
  assert.equal(cifar.rows[0][2], M.formatFlops(2 * 32 * 16 * 32 * 32 * 3 * 9));
  for (const row of [...fashion.rows, ...cifar.rows]) assert.match(row[4], /\d (ns|µs|ms)$/, `${row[0]} is timed`);
  const versus = r.tables[2];
  assert.equal(versus.rows.length, 4);
  for (const row of versus.rows) assert.ok(parseFloat(row[5]) > 0, `speedup of ${row[0]}`);
  assert.deepEqual(versus.rows.map((row) => row[6].replace(/^.*\((.*)\)$/, '$1')),
    ['direct kernel', 'im2col + sgemm', 'direct kernel', 'im2col + sgemm']);
  assert.equal(versus.rows[1][2], M.formatBytes(4 * 16 * 9 * 14 * 14));
  assert.equal(live(), before, 'every tensor made for the panel is deleted');
});

test('10: the three routes of conv2dWith compute the same convolution', () => {
  for (const [c, oc, size, pad] of [[3, 16, 12, 1], [16, 8, 9, 0]]) {  // the direct kernel's shape, and im2col's
    const x = M.randn([2, c, size, size], 7), w = M.randn([oc, c, 3, 3], 8), b = M.randn([oc], 9);
    const [im2col, loops, engine] = ['im2col', 'loops', 'engine'].map((route) => {
      const y = M.conv2dWith(x, w, b, 1, pad, 1, route), values = y.toArray();
      y.delete();
      return values;
    });
    assert.deepEqual(engine, im2col, `${c} channels: the engine's route gives im2col's bits`);
    const worst = Math.max(...loops.map((v, i) => Math.abs(v - im2col[i])));
    assert.ok(worst < 1e-4, `${c} channels: the direct loops differ by ${worst}`);
    for (const t of [x, w, b]) t.delete();
  }
});

test('10: the spatial bindings check their arguments', () => {
  assert.throws(() => new M.Conv2d(3, 8, 3, 1, 1, 1, -1), /Conv2d: seed must be a non-negative integer/);
  assert.throws(() => new M.MaxPool2d(2, 2, 2), /MaxPool2d: bad configuration/);
  assert.throws(() => M.classifierLayers('conv:1:4:3:1 softmax', 1), /unknown layer 'softmax'/);
  const x = M.randn([1, 1, 2, 2], 1), w = M.randn([1, 1, 3, 3], 2), b = M.randn([1], 3);
  assert.throws(() => M.conv2dWith(x, w, b, 1, 0, 1, 'im2col'), /kernel 3x3 is larger than the padded input 2x2/);
  assert.throws(() => M.conv2dWith(x, w, b, 1, 1, 1, 'fast'), /route must be 'im2col', 'loops' or 'engine', got 'fast'/);
  for (const t of [x, w, b]) t.delete();
});
