// Milestone 2 page (milestone-cnn-training.html): gated on modules 01-10 (gate.mjs). The form (controls.mjs) sets
// up a run; the run trains in train-worker.mjs on the reference engine — or, "Train on: your own compiled modules",
// in the student's own build (own-train.mjs), one chunk of steps per Run — and reports progress, which charts.mjs
// draws; every epoch's (own build: every chunk's) checkpoint goes to IndexedDB (checkpoint-store.mjs), so a reload
// can resume it. At the end: confusion matrix and confused pairs (confusion.mjs), predictions (predictions.mjs),
// weights to download — for an own-build run computed by the worker's reference engine from its final checkpoint.
import { h } from '../../course/shell.mjs';
import { openMilestone } from '../gate.mjs';
import * as controls from './controls.mjs';
import { trainingCharts } from './charts.mjs';
import { saveRun, loadRun, forgetRun } from './checkpoint-store.mjs';
import { BUNDLED, cachedData, cachedFolderKey, loadCifar, loadFolder, workerData } from './datasets.mjs';
import { showFilters, showFeatureMaps, drawImage } from './filters.mjs';
import { showConfusion, showPerClass, confusedPairs, showPairs } from './confusion.mjs';
import { showPredictions, topK } from './predictions.mjs';
import { pytorchScript } from './pytorch.mjs';
import { ownTraining } from './own-train.mjs';

const $ = (id) => document.getElementById(id);
const setState = (state) => { document.body.dataset.state = state; };
const fmtTime = (s) => (!Number.isFinite(s) ? '—' : s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

// The worker and a promise per awaited reply type.
const worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { type: 'module' });
const waiting = new Map();
function ask(message, reply, transfer = []) {
  return new Promise((resolve, reject) => {
    waiting.set(reply, { resolve, reject, during: message.type });
    worker.postMessage(message, transfer);
  });
}

let dataToken = 0;      // the latest data request (choosing a data set or picking files); earlier ones are ignored
let choice = null;      // the data: {kind: 'bundled', name, classes, shape} | {kind: 'cached', key, data, classes, shape}
let run = null;         // the run being trained: {setup, stepsPerEpoch, totalSteps}
let own = null;         // while a run trains on the student's own build: its {pause, resume, stop}
let lastInspect = -Infinity;  // when the filters and feature maps were last drawn
const charts = trainingCharts($('loss-chart'), $('acc-chart'));

function status(text, isError = false) {
  $('stat-status').textContent = text;
  $('stat-status').classList.toggle('error', isError);
}

// --- the form -------------------------------------------------------------------------------------------------
function setChoice(c) {
  choice = c;
  dataStatus(c ? `${c.classes.length} classes, images ${c.shape.join('×')}` +
    (c.kind === 'cached' ? `, ${c.data.train.labels.length} training / ${c.data.validation.labels.length} validation images` +
      (c.sha256 ? `, SHA-256 ${c.sha256}` : '') : '') : 'Pick the files above.');
  $('train').disabled = !c;
  document.body.dataset.data = c ? 'ready' : 'none';
  if (c) applyPreset();
}

function applyPreset() {
  const p = controls.currentPreset();
  const fitted = choice ? controls.fitArchitecture(p.architecture, choice.classes.length, choice.shape) : p.architecture;
  $('layers').value = controls.layersText(fitted);
  controls.writeOptions(p.options);
  updateSummary();
}

async function chooseDataset() {
  const name = $('dataset').value;
  controls.fillPresets(name);
  $('cifar-pick').hidden = name !== 'cifar10';
  $('folder-pick').hidden = name !== 'folder';
  const token = ++dataToken;
  if (BUNDLED[name]) return setChoice({ kind: 'bundled', name, ...BUNDLED[name] });
  setChoice(null);
  document.body.dataset.data = 'loading';
  // The archive, or the last image folder, picked on an earlier visit: no need to pick it again.
  const key = name === 'cifar10' ? 'cifar10' : await cachedFolderKey().catch(() => null);
  const cached = key && await cachedData(key).catch(() => null);
  if (token !== dataToken) return;  // the user chose other data meanwhile
  setChoice(cached && { kind: 'cached', name, key, sha256: cached.sha256, data: cached, classes: cached.classes, shape: cached.shape });
}

// Reads the files the user picked; while it runs nothing can be trained, and a failure (a wrong archive, a folder
// with one class, …) leaves no data chosen and says what was wrong where the data's description goes.
async function pickData(what, load) {
  const token = ++dataToken;
  setChoice(null);
  dataStatus(what);
  document.body.dataset.data = 'loading';
  const current = () => token === dataToken;  // not replaced by a later pick or data set
  try {
    const c = await load((text) => { if (current()) dataStatus(text); });
    if (current()) setChoice(c);
  } catch (error) {
    if (!current()) return;
    dataStatus(error.message, true);
    document.body.dataset.data = 'error';
  }
}

function dataStatus(text, isError = false) {
  $('data-status').textContent = text;
  $('data-status').classList.toggle('error', isError);
}

const engineChoice = () => document.querySelector('input[name="train-engine"]:checked')?.value ?? 'reference';
const inputShape = () => (choice ? choice.shape.join('x') : '1x28x28');
let summaryTimer = null;
function updateSummary() {
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(async () => {
    try {
      const { summary } = await ask({ type: 'summary', architecture: controls.architectureOf($('layers').value), inputShape: inputShape() }, 'summary');
      showSummary(summary);
    } catch (error) {
      $('summary').replaceChildren(h('p', { class: 'error' }, error.message));
      $('summary').dataset.parameters = '';
    }
  }, 150);
}

const fmt = (n) => n.toLocaleString('en');
function showSummary(s) {
  const rows = s.layers.map((l) => h('tr', {}, h('td', {}, `${l.name} ${l.spec}`), h('td', {}, l.output.join('×')),
    h('td', {}, fmt(l.parameters)), h('td', {}, fmt(l.flops)), h('td', {}, fmt(l.activation_bytes))));
  $('summary').replaceChildren(h('table', { class: 'layers' },
    h('thead', {}, h('tr', {}, ...['layer', 'output (one image)', 'parameters', 'FLOPs', 'feature-map bytes'].map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows, h('tr', {}, h('th', {}, 'total'), h('td'), h('th', {}, fmt(s.parameters)), h('th', {}, fmt(s.flops)),
      h('th', {}, fmt(s.activation_bytes))))),
  h('p', { class: 'muted' }, `${fmt(s.parameters)} parameters = ${fmt(s.parameter_bytes)} bytes (as much again for gradients, ` +
    'and the optimizer\'s state on top); feature maps are per image: a batch keeps B times as much for backward.'));
  $('summary').dataset.parameters = String(s.parameters);
}

// --- a run ------------------------------------------------------------------------------------------------------
function currentSetup() {
  const stem = `${$('dataset').value}-trained`;
  return {
    dataset: $('dataset').value, dataKey: choice.kind === 'cached' ? choice.key : null,
    trainLimit: Number($('train-limit').value) || 0, validationLimit: Number($('validation-limit').value) || 0,
    architecture: controls.architectureOf($('layers').value), inputShape: inputShape(), options: controls.readOptions(),
    classes: choice.classes, preset: $('preset').value, stem, engine: engineChoice(),
  };
}

async function startRun(setup, checkpoint = null, history = null) {
  setState('starting');
  controls.setFormDisabled(true);
  $('train').disabled = true;
  $('results').hidden = true;
  status('loading the data…');
  delete document.body.dataset.savedEpoch;
  if (!checkpoint) await forgetRun().catch(() => {});  // a new run replaces the stored one
  $('resume-card').hidden = true;
  $('own-status').textContent = '';
  const data = workerData(choice, setup.trainLimit, setup.validationLimit);
  const card = { name: setup.stem, weights: `${setup.stem}.safetensors`, classes: setup.classes, dataset: setup.dataset };
  const ready = await ask({ type: 'init', setup: { architecture: setup.architecture, inputShape: setup.inputShape,
    options: setup.options, data, card }, checkpoint }, 'ready');
  run = { setup, ...ready };
  lastInspect = -Infinity;
  $('env-threads').textContent = String(ready.threads);
  charts.reset(history ?? { train: [], validation: [] });
  $('pause').disabled = $('stop').disabled = false;
  $('pause').textContent = 'Pause';
  status(checkpoint ? `resumed at epoch ${ready.epoch}` : 'training');
  setState('training');
  document.body.dataset.engine = setup.engine ?? 'reference';
  if (setup.engine === 'mine') own = ownTraining({ setup, data, classes: setup.classes, ready, checkpoint, post: onMessage });
  else worker.postMessage({ type: 'start' });
}

// Pause, resume and stop go to the engine the run trains on.
function control(type) {
  if (own) own[type]();
  else worker.postMessage({ type });
}

function togglePause() {
  const state = document.body.dataset.state;
  if (state === 'training') { control('pause'); $('pause').textContent = 'Resume'; setState('pausing'); }
  else if (state === 'paused' || state === 'pausing') { control('resume'); $('pause').textContent = 'Pause'; setState('training'); status('training'); }
}

function finishRun(state) {
  own = null;
  $('pause').disabled = $('stop').disabled = true;
  controls.setFormDisabled(false);
  $('train').disabled = !choice;
  setState(state);
}

function onProgress(m) {
  charts.add('train', { x: m.step / m.stepsPerEpoch, loss: m.loss, acc: m.acc });
  run.imagesPerSec = m.imagesPerSec;  // saved with the checkpoint: milestone 3's comparison reads this run's speed
  $('stat-step').textContent = `${m.step} / ${m.totalSteps}`;
  $('stat-epoch').textContent = `${(m.step / m.stepsPerEpoch).toFixed(2)}`;
  $('stat-speed').textContent = Math.round(m.imagesPerSec).toLocaleString('en');
  $('stat-eta').textContent = fmtTime(m.eta);
  $('stat-lr').textContent = m.lr.toPrecision(3);
  $('progress').max = m.totalSteps;
  $('progress').value = m.step;
  document.body.dataset.step = String(m.step);
  if (performance.now() - lastInspect > 5000) inspect();
}

async function onEpoch(m) {
  charts.add('validation', { x: m.epoch, loss: m.validation.loss, acc: m.validation.acc });
  document.body.dataset.epoch = String(m.epoch);
  status(`epoch ${m.epoch}: validation accuracy ${(100 * m.validation.acc).toFixed(2)}%`);
  if (m.checkpoint) await onCheckpoint(m);  // the own build's comes after its chunk
}

async function onCheckpoint(m) {
  try {
    await saveRun({ setup: run.setup, epoch: m.epoch, step: m.step, totalSteps: run.totalSteps, checkpoint: m.checkpoint,
      history: charts.until(m.step / run.stepsPerEpoch), imagesPerSec: run.imagesPerSec, savedAt: new Date().toISOString() });
    document.body.dataset.savedEpoch = String(m.epoch);
    document.body.dataset.savedStep = String(m.step);
    window.ttCnn.saved.push(m.step);
  } catch (error) {
    status(error.message, true);
  }
}

async function onDone({ evaluation }) {
  finishRun('finishing');
  const classes = run.setup.classes, C = classes.length;
  const acc = evaluation.correct / evaluation.count;
  $('results').hidden = false;
  $('final-accuracy').textContent = `Validation accuracy: ${evaluation.correct}/${evaluation.count} = ${(100 * acc).toFixed(2)}%`;
  $('final-accuracy').dataset.correct = String(evaluation.correct);
  $('final-accuracy').dataset.count = String(evaluation.count);
  showConfusion($('confusion'), evaluation, classes);
  showPerClass($('per-class'), evaluation, classes);
  const pairs = confusedPairs(evaluation, C);
  const indices = [...new Set([...Array.from({ length: Math.min(12, evaluation.count) }, (_, i) => i), ...pairs.flatMap((p) => p.examples)])];
  const { items } = await ask({ type: 'predict', indices }, 'predict');
  const shape = run.setup.inputShape.split('x').map(Number);
  showPairs($('pairs'), pairs, classes, new Map(items.map((it) => [it.index, { image: it.image, shape }])));
  showPredictions($('predictions'), items.slice(0, Math.min(12, evaluation.count)), classes, shape);
  $('pytorch-help').textContent = pytorchScript(run.setup.stem);
  await inspect();
  status(`done: ${(100 * acc).toFixed(2)}% on the validation set`);
  setState('done');
}

async function inspect() {
  if (!run || waiting.has('inspect')) return;
  lastInspect = performance.now();
  const index = Math.max(0, Math.min(Number($('inspect-index').value) || 0, run.validationCount - 1));
  try {
    const r = await ask({ type: 'inspect', index }, 'inspect');
    drawImage($('inspect-image'), r.image, run.setup.inputShape.split('x').map(Number));
    const best = topK(r.probs);
    $('inspect-top').textContent = `true: ${run.setup.classes[r.label]}; model: ` +
      best.map(({ c, p }) => `${run.setup.classes[c]} ${(100 * p).toFixed(1)}%`).join(', ');
    showFilters($('filters'), r.filters);
    showFeatureMaps($('maps'), r.maps);
  } catch (error) {
    $('inspect-top').textContent = error.message;
  }
}

async function download() {
  const { weights, card } = await ask({ type: 'export' }, 'export');
  const link = (id, blob, name) => {
    const a = $(id);
    if (a.href) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = false;
  };
  link('download-weights', new Blob([weights], { type: 'application/octet-stream' }), `${run.setup.stem}.safetensors`);
  link('download-card', new Blob([JSON.stringify(card, null, 2) + '\n'], { type: 'application/json' }), `${run.setup.stem}.json`);
  $('download-weights').click();
}

// --- resume after a reload -------------------------------------------------------------------------------------
async function offerResume() {
  const saved = await loadRun().catch(() => null);
  if (!saved || saved.step >= saved.totalSteps) return;
  $('resume-card').hidden = false;
  $('resume-text').textContent = `${saved.setup.dataset}, ${saved.setup.architecture}: stopped after epoch ${saved.epoch} ` +
    `(step ${saved.step} of ${saved.totalSteps}${saved.setup.engine === 'mine' ? ', on your own build' : ''}), ` +
    `saved ${new Date(saved.savedAt).toLocaleString()}.`;
  // the own build keeps a checkpoint per chunk, which may end inside an epoch
  $('resume-run').textContent = saved.setup.engine === 'mine' ? `Resume from step ${saved.step}` : `Resume from epoch ${saved.epoch}`;
  document.body.dataset.resumable = String(saved.epoch);
  $('resume-run').onclick = async () => {
    const s = saved.setup;
    $('dataset').value = s.dataset;
    await chooseDataset();
    if (s.dataKey && (!choice || choice.key !== s.dataKey)) {
      const data = await cachedData(s.dataKey).catch(() => null);
      if (!data) { $('resume-text').textContent = 'The data of this run is no longer in the browser: pick the files again.'; return; }
      choice = { kind: 'cached', key: s.dataKey, data, classes: data.classes, shape: data.shape };
    }
    $('preset').value = s.preset;
    document.querySelector(`input[name="train-engine"][value="${s.engine ?? 'reference'}"]`).checked = true;
    $('layers').value = controls.layersText(s.architecture);
    controls.writeOptions(s.options);
    $('train-limit').value = String(s.trainLimit);
    $('validation-limit').value = String(s.validationLimit);
    $('resume-card').hidden = true;
    await startRun(s, saved.checkpoint, saved.history).catch(failed);
  };
  $('forget-run').onclick = async () => { await forgetRun(); $('resume-card').hidden = true; delete document.body.dataset.resumable; };
}

function failed(error) {
  status(error.message, true);
  finishRun('failed-run');
}

// The worker's messages, and the same messages from an own-build run (own-train.mjs) with a few of its own.
function onMessage(m) {
  if (m.type === 'own-status') { $('own-status').textContent = m.text; return; }
  if (m.type === 'checkpoint') {  // an own-build chunk: the worker shows its weights (filters, predictions)
    worker.postMessage({ type: 'load', checkpoint: m.checkpoint.slice() });
    return void onCheckpoint(m);
  }
  if (m.type === 'own-finished') {  // the worker's reference engine evaluates the final weights: 'done' follows
    own = null;
    worker.postMessage({ type: 'load', checkpoint: m.checkpoint });
    worker.postMessage({ type: 'start' });
    return;
  }
  if (m.type === 'progress') return onProgress(m);
  if (m.type === 'epoch') return void onEpoch(m);
  if (m.type === 'paused') { status(`paused at step ${m.step}`); setState('paused'); return; }
  if (m.type === 'stopped') {
    status(`stopped at step ${m.step}`);
    finishRun('stopped');
    return void offerResume();  // from the last finished epoch's checkpoint
  }
  if (m.type === 'done') return void onDone(m).catch(failed);
  if (m.type === 'error') {
    const pending = [...waiting.entries()].find(([, w]) => w.during === m.during);
    if (pending) { waiting.delete(pending[0]); pending[1].reject(new Error(m.message)); return; }
    return failed(new Error(m.message));
  }
  const w = waiting.get(m.type);
  if (w) { waiting.delete(m.type); w.resolve(m); }
}
worker.onmessage = ({ data: m }) => onMessage(m);
// For the tests: the charts' points and the run.
window.ttCnn = { history: () => charts.history(), run: () => run, saved: [] /* steps of the checkpoints kept */ };
worker.onerror = (e) => failed(new Error(e.message || 'the training worker failed to start'));

async function main() {
  if (!(await openMilestone('cnn-training'))) return;
  $('dataset').onchange = () => chooseDataset().catch(failed);
  $('preset').onchange = applyPreset;
  $('layers').oninput = updateSummary;
  $('cifar-file').onchange = () => pickData('reading the archive…', async (progress) => {
    const file = $('cifar-file').files[0];
    if (!file) return null;
    const r = await loadCifar(file, (p) => progress(p.phase === 'sha256' ? 'computing its SHA-256…' :
      `reading the archive… ${Math.round((100 * (p.done ?? 0)) / (p.total || 1))}%`));
    return { kind: 'cached', name: 'cifar10', key: r.key, sha256: r.sha256, data: r.data, classes: r.data.classes, shape: r.data.shape };
  });
  $('folder-files').onchange = () => pickData('decoding the images…', async (progress) => {
    if ($('folder-files').files.length === 0) return null;
    const r = await loadFolder($('folder-files').files, Number($('folder-size').value) || 32,
      (p) => progress(`decoding the images… ${p.done}/${p.total}`));
    return { kind: 'cached', name: 'folder', key: r.key, data: r.data, classes: r.data.classes, shape: r.data.shape };
  });
  $('folder-size').onchange = () => { if ($('folder-files').files.length > 0) $('folder-files').onchange(); };
  $('train').onclick = () => startRun(currentSetup()).catch(failed);
  $('pause').onclick = togglePause;
  $('stop').onclick = () => control('stop');
  $('inspect').onclick = inspect;
  $('download').onclick = () => download().catch((error) => status(error.message, true));
  controls.onSpace(togglePause);
  await chooseDataset();
  await offerResume();
  setState('ready');
}

main().catch((error) => {
  setState('failed');
  document.querySelector('main').prepend(h('p', { class: 'card error' }, `The milestone could not start: ${error.message}`));
  console.error(error);
});
