// The milestone-2 Trainer binding (engine/models/cnn_trainer.h, bound in engine/bindings/trainer_inspect.cpp) in node
// on the web-reference engine: training lowers the loss; a checkpoint taken in the middle of an epoch resumes to the
// very bytes of an uninterrupted run (with augmentation, dropout, BatchNorm and Adam, the parts that carry state or
// draw random numbers); the per-layer summary, the evaluation and the exported weights agree with the rest of the
// engine; bad input gives clear errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from './load-engine.mjs';
import { PRESETS, fitArchitecture } from '../../web/js/milestones/cnn-training/controls.mjs';

const siteDir = process.env.TT_SITE_DIR ?? path.resolve(import.meta.dirname, '../../build/site');
const read = (name) => fs.readFileSync(path.join(siteDir, 'datasets', name));
const train = read('fashion-mnist-train.ttds'), testSet = read('fashion-mnist-test.ttds');
const M = await loadEngine();

const ARCH = 'conv:1:4:3:1 bn:4 relu maxpool:2 flatten dropout:0.25 linear:784:10';
const OPTIONS = { optimizer: 'adam', lr: 0.003, batchSize: 20, epochs: 2, seed: 5, cropPadding: 2, flip: true,
  schedule: 'cosine', warmup: 3 };

function trainer(options = OPTIONS, arch = ARCH, count = 200) {
  const t = new M.Trainer(arch, '1x28x28', options);
  t.setPackedData('train', train, 'fashion-mnist-train.ttds', count);
  t.setPackedData('validation', testSet, 'fashion-mnist-test.ttds', 100);
  return t;
}
const runToEnd = (t, k = 7) => { while (!t.finished()) t.trainSteps(k); return t.exportWeights(); };
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

test('a checkpoint from the middle of an epoch resumes to the bytes of the uninterrupted run', () => {
  const a = trainer();
  assert.equal(a.stepsPerEpoch(), 10);
  assert.equal(a.totalSteps(), 20);
  const r = a.trainSteps(13);  // stops at the end of epoch 1
  assert.deepEqual([r.steps, r.epochEnd, r.step, r.epoch], [10, true, 10, 1]);
  a.trainSteps(3);
  const checkpoint = a.saveCheckpoint();
  const whole = runToEnd(a);

  const b = trainer();
  b.loadCheckpoint(checkpoint);
  assert.deepEqual([b.step(), b.epoch()], [13, 1]);
  assert.ok(same(runToEnd(b, 4), whole), 'resumed at step 13');
  const c = trainer();
  assert.ok(same(runToEnd(c, 1), whole), 'one step per call');
  const d = trainer({ ...OPTIONS, seed: 6 });
  assert.ok(!same(runToEnd(d), whole), 'another seed trains other weights');
  for (const t of [a, b, c, d]) t.delete();
});

test('training lowers the loss; evaluation, prediction and export agree with each other and with Classifier', () => {
  const t = trainer({ lr: 0.05, batchSize: 32, epochs: 3, seed: 1 }, 'conv:1:8:3:1 relu maxpool:2 flatten linear:1568:10', 640);
  const first = t.trainSteps(1).loss;
  let last = first;
  while (!t.finished()) last = t.trainSteps(5).loss;
  assert.ok(last < first - 0.5, `loss ${first} → ${last}`);

  const e = t.evaluate('validation', 0, -1);
  assert.equal(e.count, 100);
  assert.equal(e.confusion.reduce((a, b) => a + b, 0), 100);
  let diagonal = 0;
  for (let k = 0; k < 10; k++) diagonal += e.confusion[11 * k];
  assert.equal(diagonal, e.correct);
  assert.ok(e.correct > 55, `validation ${e.correct}/100`);
  for (const i of [0, 1, 2, 3]) {
    const p = t.predict('validation', i);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(p.indexOf(Math.max(...p)), e.predicted[i], `image ${i}`);
  }

  // The exported weights in milestone 1's Classifier, inputs normalised as the card says: the same probabilities.
  const card = JSON.parse(t.modelCard(JSON.stringify({ name: 'x', classes: ['a'] })));
  assert.equal(card.name, 'x');
  assert.equal(card.input_shape, '1x28x28');
  assert.equal(card.parameters, 8 * 9 + 8 + 1568 * 10 + 10);
  const model = new M.Classifier(card.architecture, card.input_shape, t.exportWeights(), 'exported');
  const pixels = t.image('validation', 2);
  const x = Float32Array.from(pixels, (v) => (v / 255 - card.normalization.mean[0]) / card.normalization.std[0]);
  const fromClassifier = model.predict(x, 1), fromTrainer = t.predict('validation', 2);
  for (let k = 0; k < 10; k++) assert.ok(Math.abs(fromClassifier[k] - fromTrainer[k]) < 1e-6);
  assert.deepEqual(t.filters().shape, [8, 1, 3, 3]);
  assert.deepEqual(t.featureMaps('validation', 0).shape, [8, 28, 28]);
  assert.ok(t.featureMaps('validation', 0).data.every((v) => v >= 0), 'after the ReLU that follows the conv');
  model.delete();
  t.delete();
});

// Milestone 2's presets are only strings in a page file: each must build in the engine, for every image size and
// class count the page can hand it, and a preset named after a recipe must be that recipe's network.
test("the page's presets build for their data; a recipe preset has its card's parameter count", () => {
  const shapes = { 'fashion-mnist': [[1, 28, 28]], mnist: [[1, 28, 28]], cifar10: [[3, 32, 32]],
    folder: [[3, 16, 16], [3, 32, 32], [3, 64, 64], [1, 32, 32]] };
  const assets = path.resolve(import.meta.dirname, '../../assets');
  let recipes = 0;
  const globalPooled = new Map();
  for (const [dataset, presets] of Object.entries(PRESETS)) {
    for (const p of presets) {
      for (const shape of shapes[dataset]) {
        for (const classes of dataset === 'folder' ? [3, 10] : [10]) {
          const arch = fitArchitecture(p.architecture, classes, shape);
          const t = new M.Trainer(arch, shape.join('x'), p.options);
          const s = JSON.parse(t.summary());
          t.delete();
          assert.deepEqual(s.layers.at(-1).output, [classes], `${dataset} / ${p.name} at ${shape.join('x')}`);
          if (/avgpool:\d+ flatten/.test(p.architecture)) {  // a global pool: the classifier is the same at any size
            const key = `${dataset} / ${p.name}, ${shape[0]} channels, ${classes} classes`;
            assert.equal(globalPooled.get(key) ?? s.parameters, s.parameters, `${key}: parameters at ${shape.join('x')}`);
            globalPooled.set(key, s.parameters);
          }
          const recipe = /recipe ([\w-]+)/.exec(p.name)?.[1];
          const card = recipe && JSON.parse(fs.readFileSync(path.join(assets, `${recipe}.json`), 'utf8'));
          if (card && card.input_shape === shape.join('x') && card.classes.length === classes) {
            assert.equal(arch, card.architecture, `${dataset} / ${p.name} is the recipe's network`);
            assert.equal(s.parameters, card.parameters, `${dataset} / ${p.name}: parameters`);
            recipes++;
          }
        }
      }
    }
  }
  assert.ok(recipes >= 4, `recipe presets checked against their cards: ${recipes}`);
});

test('summary: per-layer shapes, parameters and FLOPs of the fashion-cnn recipe', () => {
  const arch = 'conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10';
  const t = new M.Trainer(arch, '1x28x28', {});
  const s = JSON.parse(t.summary());
  t.delete();
  assert.equal(s.parameters, 105866);  // assets/fashion-cnn.json
  assert.deepEqual(s.layers.map((l) => l.output.join('x')),
    ['16x28x28', '16x28x28', '16x14x14', '32x14x14', '32x14x14', '32x7x7', '1568', '64', '64', '10']);
  assert.equal(s.layers[0].flops, 2 * 16 * 28 * 28 * 9);
  assert.equal(s.layers[3].flops, 2 * 32 * 14 * 14 * 16 * 9);
  assert.equal(s.layers[7].flops, 2 * 64 * 1568);
  assert.equal(s.layers[0].activation_bytes, 4 * 16 * 28 * 28);
  assert.equal(s.layers[0].spec, 'conv:1:16:3:1');
});

test('bad input: clear errors', () => {
  const error = (fn, re) => assert.throws(fn, (e) => re.test(e.message), re.source);
  error(() => new M.Trainer(ARCH, '1x28', {}), /input shape '1x28' is not CxHxW/);
  error(() => new M.Trainer(ARCH, '3x28x28', {}), /conv\) expects 1 channels, receives 3/);
  error(() => new M.Trainer(ARCH, '1x28x28', { optimizer: 'rmsprop' }), /optimizer 'rmsprop' is not one of/);
  error(() => new M.Trainer(ARCH, '1x28x28', { lr: -1 }), /learning rate must be > 0/);
  error(() => new M.Trainer(ARCH, '1x28x28', { seed: 1.5 }), /seed must be a non-negative integer/);
  const t = new M.Trainer(ARCH, '1x28x28', OPTIONS);
  error(() => t.trainSteps(1), /no training set yet/);
  error(() => t.setData('train', new Uint8Array(784 * 2), new Uint8Array([1])), /1568 image bytes for 1 labels of 784/);
  error(() => t.setData('train', new Uint8Array(784), new Uint8Array([10])), /label 10 of image 0 is not below 10/);
  error(() => t.setData('test', new Uint8Array(784), new Uint8Array([1])), /which must be 'train' or 'validation'/);
  error(() => t.setPackedData('train', read('mnist-test.ttds').subarray(0, 100), 'cut.ttds', 0), /cut\.ttds/);
  t.setPackedData('train', train, 'fashion-mnist-train.ttds', 200);
  error(() => t.loadCheckpoint(new Uint8Array(10)), /checkpoint/);
  t.trainSteps(3);
  const checkpoint = t.saveCheckpoint();
  const wider = new M.Trainer('conv:1:8:3:1 bn:8 relu maxpool:2 flatten dropout:0.25 linear:1568:10', '1x28x28', OPTIONS);
  wider.setPackedData('train', train, 'fashion-mnist-train.ttds', 200);
  error(() => wider.loadCheckpoint(checkpoint), /model\.0\.weight|shape/);
  wider.delete();
  const u = trainer({ ...OPTIONS, epochs: 1 }, ARCH, 20);  // 1 step per epoch: a step-3 checkpoint does not fit
  error(() => u.loadCheckpoint(checkpoint), /does not fit this run/);
  u.delete();
  error(() => t.evaluate('validation', 0, -1), /no validation set yet/);
  error(() => t.modelCard('[1]'), /extra must be a JSON object/);
  t.delete();
});
