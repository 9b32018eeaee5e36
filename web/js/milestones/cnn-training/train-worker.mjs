// Milestone 2's training worker: owns the engine's Trainer (engine/models/cnn_trainer.h, bound in
// bindings/trainer_inspect.cpp) and trains it in slices of a few batches, so that pause / resume / stop messages are
// handled between two slices and the page stays responsive. The reference engine comes in its threaded build when the
// page is cross-origin isolated (engine.mjs decides, as for milestone 1).
//
// Messages in:  {type: 'init', setup, checkpoint?}   setup = {architecture, inputShape, options, data, card}
//                 data = {kind: 'bundled', name: 'fashion-mnist', trainLimit, validationLimit}
//                      | {kind: 'arrays', train: {images, labels}, validation: {images, labels}}
//               {type: 'summary', architecture, inputShape}        the layer table, without data
//               {type: 'start'} {type: 'pause'} {type: 'resume'} {type: 'stop'}
//               {type: 'inspect', index}                           filters, feature maps and top-3 of one image
//               {type: 'predict', indices}                         images, labels and probabilities
//               {type: 'export'}                                   weights + model card
//               {type: 'load', checkpoint}    the weights of a run trained on the student's own build (own-train.mjs),
//                                             for the filters, predictions, evaluation and export
// Messages out: ready, summary, progress {step, epoch, loss, acc, imagesPerSec, eta, lr}, epoch {epoch, validation,
//               checkpoint}, paused, done {evaluation}, stopped, inspect, predict, export, error {message, during}.
import { loadEngine } from '../../engine.mjs';
import { fetchBytes } from '../assets.mjs';

const enginePromise = loadEngine();
const SLICE_MS = 150;  // one slice of batches lasts about this long: the pause button's latency

let trainer = null, setup = null;
let state = 'idle';  // idle | running | paused | stopped | done
let wake = null;     // resolves a paused run

const post = (message, transfer = []) => postMessage(message, transfer);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));  // lets queued messages in

async function init(message) {
  const M = await enginePromise;
  trainer?.delete();
  trainer = null;
  setup = message.setup;
  trainer = new M.Trainer(setup.architecture, setup.inputShape, setup.options);
  const { data } = setup;
  if (data.kind === 'bundled') {
    const [train, test] = await Promise.all([fetchBytes(`datasets/${data.name}-train.ttds`),
      fetchBytes(`datasets/${data.name}-test.ttds`)]);
    trainer.setPackedData('train', train, `${data.name}-train.ttds`, data.trainLimit ?? 0);
    trainer.setPackedData('validation', test, `${data.name}-test.ttds`, data.validationLimit ?? 0);
  } else {
    trainer.setData('train', data.train.images, data.train.labels);
    trainer.setData('validation', data.validation.images, data.validation.labels);
  }
  if (message.checkpoint) trainer.loadCheckpoint(message.checkpoint);
  state = 'idle';
  post({ type: 'ready', step: trainer.step(), epoch: trainer.epoch(), stepsPerEpoch: trainer.stepsPerEpoch(),
    totalSteps: trainer.totalSteps(), trainCount: trainer.count('train'), validationCount: trainer.count('validation'),
    threads: M.numThreads(), summary: JSON.parse(trainer.summary()) });
}

async function summary({ architecture, inputShape }) {
  const M = await enginePromise;
  const t = new M.Trainer(architecture, inputShape, {});
  try {
    post({ type: 'summary', summary: JSON.parse(t.summary()) });
  } finally {
    t.delete();
  }
}

function evaluation() {
  const e = trainer.evaluate('validation', 0, -1);
  const labels = new Int32Array(e.count);
  for (let i = 0; i < e.count; i++) labels[i] = trainer.label('validation', i);
  return { ...e, labels };
}

async function run() {
  state = 'running';
  let perStep = null;  // ms per batch, measured
  let images = 0, busyMs = 0;
  while (!trainer.finished()) {
    if (state === 'paused') {
      post({ type: 'paused', step: trainer.step(), epoch: trainer.epoch() });
      await new Promise((resolve) => { wake = resolve; });
    }
    if (state === 'stopped') break;
    const k = perStep ? Math.max(1, Math.round(SLICE_MS / perStep)) : 1;
    const t0 = performance.now();
    const r = trainer.trainSteps(k);
    const ms = performance.now() - t0;
    perStep = ms / r.steps;
    images += r.samples;
    busyMs += ms;
    const imagesPerSec = images / (busyMs / 1000);
    const left = (trainer.totalSteps() - r.step) * setup.options.batchSize;
    post({ type: 'progress', step: r.step, epoch: r.epoch, totalSteps: trainer.totalSteps(),
      stepsPerEpoch: trainer.stepsPerEpoch(), loss: r.loss, acc: r.correct / r.samples, lr: r.lr, imagesPerSec,
      eta: left / imagesPerSec });
    if (r.epochEnd) {
      const v = trainer.evaluate('validation', 0, -1);
      const checkpoint = trainer.saveCheckpoint();
      post({ type: 'epoch', epoch: r.epoch, step: r.step, validation: { loss: v.loss, acc: v.accuracy }, checkpoint },
        [checkpoint.buffer]);
    }
    await tick();
  }
  if (state === 'stopped') {
    post({ type: 'stopped', step: trainer.step(), epoch: trainer.epoch() });
    return;
  }
  state = 'done';
  const e = evaluation();
  post({ type: 'done', evaluation: e }, [e.confusion.buffer, e.predicted.buffer, e.labels.buffer]);
}

function inspect({ index }) {
  const image = trainer.image('validation', index);
  post({ type: 'inspect', index, image, label: trainer.label('validation', index),
    probs: trainer.predict('validation', index), filters: trainer.filters(),
    maps: trainer.featureMaps('validation', index) });
}

function predictions({ indices }) {
  const items = indices.map((index) => ({ index, image: trainer.image('validation', index),
    label: trainer.label('validation', index), probs: trainer.predict('validation', index) }));
  post({ type: 'predict', items });
}

function exportWeights() {
  const weights = trainer.exportWeights();
  const e = trainer.evaluate('validation', 0, -1);
  const extra = { ...setup.card, test_correct: e.correct, test_count: e.count,
    test_accuracy_percent: Math.round(10000 * e.accuracy) / 100 };
  post({ type: 'export', weights, card: JSON.parse(trainer.modelCard(JSON.stringify(extra))) }, [weights.buffer]);
}

onmessage = async ({ data: message }) => {
  try {
    switch (message.type) {
      case 'init': await init(message); break;
      case 'summary': await summary(message); break;
      case 'start': if (state === 'idle') await run(); break;
      case 'pause': if (state === 'running') state = 'paused'; break;
      case 'resume':
      case 'stop':
        if (state === 'running' || state === 'paused') {
          state = message.type === 'stop' ? 'stopped' : 'running';
          wake?.();
          wake = null;
        }
        break;
      case 'inspect': inspect(message); break;
      case 'predict': predictions(message); break;
      case 'export': exportWeights(); break;
      case 'load': if (state === 'idle') trainer.loadCheckpoint(message.checkpoint); break;
      default: throw new Error(`train worker: unknown message '${message.type}'`);
    }
  } catch (error) {
    if (message.type === 'start') state = 'idle';
    post({ type: 'error', message: error instanceof Error ? error.message : String(error), during: message.type });
  }
};
