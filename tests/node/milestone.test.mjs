// Milestone 1 on the web-reference engine (wasm, under node): every committed asset loads from its safetensors
// bytes and scores exactly what its model card (trained and evaluated natively) says, on the same held-out images.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from './load-engine.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const assets = path.join(repo, 'assets');
const datasets = process.env.TT_DATASETS_DIR ?? path.join(repo, 'build/datasets');
const M = await loadEngine();

const card = (name) => JSON.parse(fs.readFileSync(path.join(assets, `${name}.json`), 'utf8'));
const classifier = (name) => new M.Classifier(card(name).architecture, card(name).input_shape,
  fs.readFileSync(path.join(assets, `${name}.safetensors`)), `${name}.safetensors`);

test('xor-mlp: the four XOR points get their classes', () => {
  const model = classifier('xor-mlp');
  try {
    assert.equal(model.architecture(), card('xor-mlp').architecture);
    const probs = model.predict(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), 4);
    assert.equal(probs.length, 8);
    const predicted = [0, 1, 2, 3].map((i) => (probs[2 * i + 1] > probs[2 * i] ? 1 : 0));
    assert.deepEqual(predicted, [0, 1, 1, 0]);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(probs[2 * i] + probs[2 * i + 1] - 1) < 1e-6);
  } finally {
    model.delete();
  }
});

for (const name of ['mnist-mlp', 'fashion-cnn']) {
  test(`${name}: held-out accuracy on wasm equals the native model card`, (t) => {
    if (!fs.existsSync(path.join(assets, `${name}.safetensors`))) {
      assert.fail(`assets/${name}.safetensors is missing: run build/native/tt train ${name}`);
    }
    const c = card(name);
    const shard = path.join(datasets, `${c.data.dataset}-test.ttds`);
    const data = new M.ImageDataset(fs.readFileSync(shard), path.basename(shard));
    const model = classifier(name);
    try {
      assert.equal(data.count(), c.test_count);
      assert.equal(model.inputShape(), c.input_shape);
      let correct = 0;
      for (let start = 0; start < data.count(); start += 1024) {
        correct += model.countCorrect(data, start, Math.min(1024, data.count() - start));
      }
      assert.equal(correct, c.test_correct, `wasm ${correct}/${c.test_count}, native card ${c.test_correct}`);
      t.diagnostic(`${name}: ${correct}/${c.test_count} = ${(100 * correct / c.test_count).toFixed(2)}%`);
    } finally {
      model.delete();
      data.delete();
    }
  });
}

test('bad bytes are JS Errors that name the problem', () => {
  const xor = card('xor-mlp');
  assert.throws(() => new M.Classifier(xor.architecture, xor.input_shape, new Uint8Array([1, 2, 3]), 'junk.safetensors'),
                /junk.safetensors/);
  const bytes = fs.readFileSync(path.join(assets, 'mnist-mlp.safetensors'));
  assert.throws(() => new M.Classifier(xor.architecture, xor.input_shape, bytes, 'mnist-mlp.safetensors'),
                /load_state_dict: '1.weight' has shape \[128, 784\]/);
  assert.throws(() => new M.Classifier('flatten linear:3:2', '1x1x2', bytes, 'x'), /layer 1 \(linear:3:2\) receives 2 features/);
  assert.throws(() => new M.ImageDataset(new Uint8Array(40), 'x.ttds'), /x.ttds: not a packed data set/);
  const model = classifier('xor-mlp');
  try {
    assert.throws(() => model.predict(new Float32Array(3), 1), /got 3 values for a batch of 1 x 2/);
    assert.throws(() => model.timeForward(new Float32Array(3), 1, 0.01), /timeForward: got 3 values for a batch of 1 x 2/);
    assert.throws(() => model.timeForward(new Float32Array(2), 1, 0), /sample_seconds = 0 must be in \(0, 10\]/);
  } finally {
    model.delete();
  }
});

test('timeForward: the reference side of the own-build comparison times one forward pass, per pass not per sample', () => {
  const model = classifier('mnist-mlp');
  try {
    const x = new Float32Array(16 * 784).fill(0.5);
    const ms = model.timeForward(x, 16, 0.01);
    // a 784-128-10 MLP on 16 images is ~2 MFLOP: far below a 10 ms sample, far above a nanosecond
    assert.ok(ms > 1e-4 && ms < 10, `${ms} ms per pass`);
  } finally {
    model.delete();
  }
});

test('a drawing becomes an MNIST-style input: fitted into 20x20 and centred by mass in 28x28', async () => {
  const { toMnistInput } = await import('../../web/js/milestones/digit.mjs');
  assert.equal(toMnistInput(new Float32Array(100 * 100), 100), null);  // nothing drawn
  // a 10-wide, 40-tall white bar in the top-left corner of a 100x100 canvas
  const gray = new Float32Array(100 * 100);
  for (let y = 5; y < 45; y++) for (let x = 3; x < 13; x++) gray[y * 100 + x] = 1;
  const input = toMnistInput(gray, 100);
  assert.equal(input.length, 784);
  let mass = 0, cx = 0, cy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const v = input[y * 28 + x];
    if (v > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    mass += v; cx += v * x; cy += v * y;
  }
  assert.equal(y1 - y0 + 1, 20);  // the long side is scaled to 20 pixels
  assert.equal(x1 - x0 + 1, 5);   // the aspect ratio is kept
  assert.ok(Math.abs(cx / mass - 14) <= 1 && Math.abs(cy / mass - 14) <= 1, `centre of mass ${cx / mass}, ${cy / mass}`);
  assert.ok(Math.max(...input) <= 1);
});
