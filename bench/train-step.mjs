// The training-step benchmark: one SGD step (forward, cross-entropy, backward, update; lr 0.01, batch 64), the
// engine's public training API (bench/train_step.h: optim::train_step) against what a user would pick instead.
//   wasm:   MLP 784-256-128-10, ours (tt_bench's TrainStep) vs TF.js-wasm (the same step in TF.js ops, see tfjsMlp),
//           1 thread each, the same weights and batch, every parameter compared after one step, then timed in
//           rotation (common.mjs).
//           The Fashion-MNIST CNN: ours only — the peer is checked for the kernel a conv's weight gradient needs.
//   native: the Fashion-MNIST CNN (and the MLP), tt_train_step_native vs PyTorch CPU on 1 thread
//           (bench/torch_train_step.py), alternated RUNS times; each side's median over the runs.
// Part of bench/run.mjs (a section of results.md); alone: node bench/train-step.mjs [--quick] [--clock=wall]
//   → build/bench/train-step.md and .json.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { CLOCK, QUICK, SAMPLE_SECONDS, fmtMs, loadOurs, loadPeers, maxAbsDiff, median, outDir, randomArray, ratio, root,
  steadyStateWasm, timeRotation } from './common.mjs';

export const NETS = {
  mlp: { name: 'MLP 784-256-128-10', architecture: 'flatten linear:784:256 relu linear:256:128 relu linear:128:10' },
  cnn: { name: 'Fashion-MNIST CNN', architecture: JSON.parse(fs.readFileSync(path.join(root, 'assets/fashion-cnn.json'))).architecture },
};
const BATCH = 64, LR = 0.01, CLASSES = 10;
const GOALS = { wasm: 0.8, native: 1.0 };  // ours / peer time
const RUNS = QUICK ? 1 : 3;
const nativeTool = process.env.TT_TRAIN_STEP_NATIVE ?? path.join(root, 'build/native-bench/bench/tt_train_step_native');

// Copies between our heap and JS arrays.
function heap(M, n) {
  const ptr = M._malloc(n * 4);
  return { ptr, read: () => M.HEAPF32.slice(ptr >> 2, (ptr >> 2) + n), write: (a) => M.HEAPF32.set(a, ptr >> 2), free: () => M._free(ptr) };
}
function readParameters(M, t) {
  const out = [];
  for (let i = 0; i < t.parameterTensors(); ++i) {
    const h = heap(M, t.parameterSize(i));
    t.readParameter(i, h.ptr);
    out.push(h.read());
    h.free();
  }
  return out;
}

// TF.js: the same MLP and the same step, written with TF.js ops. tfjs-core's Node build registers no gradient
// functions (the union package adds them as ES-module side effects, which Node cannot load from tfjs-core's dist),
// so optimizer.minimize cannot run here: the backward is spelled out — the matMuls autograd would run (none for the
// input, which needs no gradient), the ReLU masks, and the SGD update in place (Variable.assign).
// Weights as tf.layers keeps them ([in, out]); forward with fused matMul + bias + ReLU.
function tfjsMlp(params, x, target) {
  const [w1, b1, w2, b2, w3, b3] = params;
  const dense = (w, b, nIn, nOut) => [tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w, [nOut, nIn])))), tf.variable(tf.tensor1d(b))];
  const layers = [dense(w1, b1, 784, 256), dense(w2, b2, 256, 128), dense(w3, b3, 128, CLASSES)];
  const tx = tf.tensor2d(x, [BATCH, 784]);
  const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(target), 'int32'), CLASSES), 'float32'));
  const step = () => {
    const loss = tf.tidy(() => {
      const hs = [tx];  // each layer's input
      layers.forEach(([w, b], i) => hs.push(tf.fused.matMul({ a: hs[i], b: w, bias: b, activation: i < layers.length - 1 ? 'relu' : 'linear' })));
      const logp = tf.logSoftmax(hs.pop());
      const mean = tf.div(tf.neg(tf.sum(tf.mul(labels, logp))), BATCH);
      let g = tf.div(tf.sub(tf.exp(logp), labels), BATCH);  // dL/dlogits of the mean cross-entropy
      for (let i = layers.length - 1; i >= 0; --i) {
        const [w, b] = layers[i];
        const dw = tf.matMul(hs[i], g, true, false), db = tf.sum(g, 0);
        if (i > 0) g = tf.mul(tf.matMul(g, w, false, true), tf.step(hs[i]));  // through the ReLU that made hs[i]
        w.assign(tf.sub(w, tf.mul(dw, LR)));
        b.assign(tf.sub(b, tf.mul(db, LR)));
      }
      return mean;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
  return {
    step,
    parameters: () => layers.flatMap(([w, b]) => [tf.tidy(() => tf.transpose(w).dataSync()), b.dataSync()]),  // [out, in]
    dispose: () => { for (const [w, b] of layers) { w.dispose(); b.dispose(); } tx.dispose(); labels.dispose(); },
  };
}

async function wasmRows(M) {
  const rows = [];
  // MLP: the same start for both engines, one step each, compared; then timed.
  const ours = new M.TrainStep(NETS.mlp.architecture, '1x28x28', BATCH, LR);
  const params = readParameters(M, ours);
  const x = heap(M, BATCH * 784), t = heap(M, BATCH);
  const input = randomArray(BATCH * 784, 31);
  const target = new Float32Array(BATCH).map((_, i) => (7 * i + 3) % CLASSES);
  x.write(input); t.write(target);
  ours.writeInput(x.ptr); ours.writeTarget(t.ptr);
  x.free(); t.free();
  const peer = tfjsMlp(params, input, target);
  const losses = [ours.step(), peer.step()];
  const after = readParameters(M, ours), peerAfter = peer.parameters();
  const weightDiff = Math.max(...after.map((p, i) => maxAbsDiff(p, peerAfter[i])));
  if (!(Math.abs(losses[0] - losses[1]) <= 1e-4 && weightDiff <= 1e-5))
    throw new Error(`train step MLP: ours and TF.js disagree after one step (loss ${losses}, weights ${weightDiff})`);
  const s = await timeRotation({ ours: () => ours.step(), tfjs: peer.step });
  rows.push({ workload: `${NETS.mlp.name} train step, batch ${BATCH}`, build: 'wasm', peer: 'TF.js-wasm', goal: GOALS.wasm,
    seconds: { ours: s.ours, peer: s.tfjs }, wallSeconds: s.wall, check: { loss: losses, maxParameterDiff: weightDiff } });
  peer.dispose(); ours.delete();

  // CNN: ours only; TF.js-wasm has the forward conv but not the kernel for the filter's gradient.
  const cnn = new M.TrainStep(NETS.cnn.architecture, '1x28x28', BATCH, LR);
  const c = await timeRotation({ ours: () => cnn.step() });
  cnn.delete();
  const missing = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'].filter((k) => !tf.getKernel(k, 'wasm'));
  rows.push({ workload: `${NETS.cnn.name} train step, batch ${BATCH}`, build: 'wasm', peer: 'TF.js-wasm', goal: null,
    seconds: { ours: c.ours, peer: null }, wallSeconds: c.wall,
    note: missing.length ? `TF.js-wasm ${tf.version_core} cannot train it: no ${missing.join(', ')} kernel in the wasm backend` : 'TF.js-wasm has the conv gradient kernels now: add it' });
  return rows;
}

function nativeRows() {
  if (!fs.existsSync(nativeTool)) return { note: `${nativeTool} missing: bash bench/run.sh (builds build/native-bench)` };
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const runs = { ours: [], torch: [] };
  for (let r = 0; r < RUNS; ++r) {  // alternated: drift on the shared cores hits both alike
    console.error(`train step, native vs PyTorch, run ${r + 1}/${RUNS} ...`);
    runs.ours.push(JSON.parse(execFileSync(nativeTool, [String(SAMPLE_SECONDS), CLOCK], { env, encoding: 'utf8' })));
    runs.torch.push(JSON.parse(execFileSync('/usr/bin/python3', [path.join(root, 'bench/torch_train_step.py'), String(SAMPLE_SECONDS), CLOCK], { env, encoding: 'utf8' })));
  }
  const rows = [];
  for (const [key, net] of Object.entries({ cnn: NETS.cnn, mlp: NETS.mlp })) {
    const ours = runs.ours.map((o) => o[key]), torch = runs.torch.map((o) => o[key]);
    if (ours[0].parameters !== torch[0].parameters)
      throw new Error(`train step ${key}: ${ours[0].parameters} parameters here, ${torch[0].parameters} in PyTorch's copy`);
    rows.push({ workload: `${net.name} train step, batch ${BATCH}`, build: `native (${runs.ours[0].arch})`, peer: `PyTorch ${runs.torch[0].torch} CPU`,
      goal: key === 'cnn' ? GOALS.native : null, seconds: { ours: median(ours.map((o) => o.seconds)), peer: median(torch.map((o) => o.seconds)) },
      runs: { ours: ours.map((o) => o.seconds), peer: torch.map((o) => o.seconds) } });
  }
  const t = runs.torch[0];
  const last = runs.ours.at(-1).cnn;
  return { rows, profile: { ...last.profile, step: last.seconds }, torch: { version: t.torch, blas: t.blas, mkldnn: t.mkldnn } };
}

export async function trainStepSection(M) {
  console.error('train step, wasm ...');
  const wasm = await wasmRows(M);
  const native = nativeRows();
  return { rows: [...wasm, ...(native.rows ?? [])], nativeNote: native.note, profile: native.profile, torch: native.torch };
}

export function trainStepMarkdown(r) {
  const lines = ['', `## Training step: forward + cross-entropy + backward + SGD step, batch ${BATCH} (1 thread)`, ''];
  lines.push('Ours is the engine\'s training API (`optim::train_step` over the model, `nn::CrossEntropyLoss`, `optim::SGD`). '
    + 'The wasm MLP starts from the same weights and batch as TF.js (whose step is written in TF.js ops: its Node build has no gradient functions for `minimize`); after one step of each, the losses and every parameter are compared before timing. '
    + `The native rows alternate our tool and PyTorch ${RUNS} time(s) and take each side's median.`, '');
  lines.push('| workload | ours | peer | ours ms | peer ms | ours/peer | goal | met |');
  lines.push('|---|---|---|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    const s = row.seconds, q = s.peer == null ? null : s.ours / s.peer;
    lines.push(`| ${row.workload} | ${row.build} | ${row.peer} | ${fmtMs(s.ours)} | ${s.peer == null ? `- (${row.note})` : fmtMs(s.peer)} | ${ratio(s.ours, s.peer)} | ${row.goal == null ? '-' : `<= ${row.goal.toFixed(1)}`} | ${row.goal == null || q == null ? '-' : q <= row.goal ? 'yes' : '**no**'} |`);
  }
  if (r.nativeNote) lines.push('', `Native rows skipped: ${r.nativeNote}`);
  if (r.torch) {
    lines.push('', `PyTorch ${r.torch.version} (Debian) runs convolutions on oneDNN (available: ${r.torch.mkldnn}) and nn.Linear on the system BLAS, here ${r.torch.blas}.`
      + (/\/blas\/libblas/.test(r.torch.blas) ? ' That is the reference (netlib) BLAS, not an optimised one: the MLP rows measure it, not PyTorch at its best; the CNN\'s time is mostly convolutions, a fair comparison.' : ''));
  }
  lines.push('', 'Our step also computes the first layer\'s input gradient, which no one needs (a layer\'s backward always returns dL/dx): about a third of the MLP\'s backward FLOPs.');
  if (r.profile) {
    const p = r.profile, layers = p.layers;
    const total = layers.reduce((a, l) => a + l.forward + l.backward, 0) + p.loss + p.optimizer_step + p.zero_grad;
    lines.push('', 'Where the native CNN step\'s time goes (each part timed alone on the step\'s own tensors; the layers\' hand-written forward and backward are what the graph runs):', '');
    lines.push('| part | forward ms | backward ms | share |', '|---|---:|---:|---:|');
    for (const l of layers) lines.push(`| ${l.layer} | ${fmtMs(l.forward)} | ${fmtMs(l.backward)} | ${((100 * (l.forward + l.backward)) / total).toFixed(0)}% |`);
    for (const [name, s] of [['cross-entropy + its gradient', p.loss], ['SGD step', p.optimizer_step], ['zero_grad', p.zero_grad]])
      lines.push(`| ${name} | ${fmtMs(s)} | | ${((100 * s) / total).toFixed(0)}% |`);
    lines.push(`| sum of the parts | ${fmtMs(total)} | | |`);
    lines.push(`| the whole step (same run) | ${fmtMs(p.step)} | | |`);
    lines.push('', `The ${fmtMs(p.step - total)} ms of the step that no part accounts for is around the kernels: fresh output and gradient tensors every step (allocation, zero-filling, first-touch page faults), autograd's bookkeeping and the copy of each gradient it keeps.`);
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  steadyStateWasm();
  const M = await loadOurs();
  await loadPeers();
  const r = await trainStepSection(M);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'train-step.json'), JSON.stringify({ date: new Date().toISOString(), clock: CLOCK, ...r }, null, 2));
  const md = trainStepMarkdown(r);
  fs.writeFileSync(path.join(outDir, 'train-step.md'), md);
  console.log(md);
}
