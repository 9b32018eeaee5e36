// Module 16's systems panel, the pruning and distillation half (the quantization half is systems/16.mjs): the
// pretrained MNIST MLP pruned to each sparsity, before and after a short masked fine-tune, with its CSR size; and a
// small student trained alone vs distilled from the MLP. The engine measures (bindings/compression_prune.cpp:
// pruneCurve, distillCompare) on the site's assets and data sets; this file fetches them and formats. No DOM.
import { has, missing } from './measure.mjs';

const site = new URL('../../../', import.meta.url);  // web/js/course/systems/ -> the site root

async function bytes(path) {
  if (site.protocol === 'file:') {  // Node (tests): the repository's assets/ and the native build's data sets
    const fs = await import('node:fs');
    const local = path.startsWith('datasets/') ? new URL(`../build/${path}`, site) : new URL(`../${path}`, site);
    return new Uint8Array(fs.readFileSync(local));
  }
  const response = await fetch(new URL(path, site));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export const MLP = { name: 'mnist-mlp', architecture: 'flatten linear:784:128 relu linear:128:10', data: 'mnist' };
// Small enough to run in a few seconds in a browser tab; bench/bench_compression.cpp runs the full sets.
export const PANEL = { testCount: 1000, trainCount: 8000, finetuneSteps: 60, distillSteps: 150 };

const pct = (x) => `${x.toFixed(1)}%`;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

export async function measure(M) {
  if (!has(M, 'pruneCurve', 'distillCompare')) return missing('pruneCurve and distillCompare');
  const [weights, train, test] = await Promise.all([bytes(`assets/${MLP.name}.safetensors`),
    bytes(`datasets/${MLP.data}-train.ttds`), bytes(`datasets/${MLP.data}-test.ttds`)]);
  const curve = JSON.parse(M.pruneCurve(JSON.stringify({
    architecture: MLP.architecture, sparsities: [0, 0.5, 0.7, 0.8, 0.9, 0.95], global: true,
    finetune_steps: PANEL.finetuneSteps, train_count: PANEL.trainCount, test_count: PANEL.testCount, seed: 1,
  }), weights, train, test));
  const distill = JSON.parse(M.distillCompare(JSON.stringify({
    teacher: MLP.architecture, student: 'flatten linear:784:32 relu linear:32:10', steps: PANEL.distillSteps,
    temperature: 4, alpha: 0.9, train_count: 2000, test_count: PANEL.testCount, seed: 1,
  }), weights, train, test));
  const dense = curve.points[0];
  return {
    tables: [
      {
        caption: `${MLP.name} (${MLP.architecture}), magnitude pruning with one global threshold; held-out accuracy on ${PANEL.testCount} test images; fine-tune: ${PANEL.finetuneSteps} masked SGD steps`,
        columns: ['sparsity', 'accuracy', 'after fine-tune', 'dense', 'CSR', 'size'],
        rows: curve.points.map((p) => [pct(100 * p.sparsity), pct(p.accuracy), pct(p.finetuned), kb(p.dense_bytes),
          kb(p.sparse_bytes), `${(p.sparse_bytes / p.dense_bytes).toFixed(2)}×`]),
      },
      {
        caption: `Distillation: the same student (same seed, same ${PANEL.distillSteps} batches of 64 from 2,000 training images), alone vs distilled from ${MLP.name} at T = 4, alpha = 0.9`,
        columns: ['model', 'parameters', 'accuracy'],
        rows: [[`teacher ${MLP.name}`, distill.teacher_parameters.toLocaleString('en'), pct(distill.teacher)],
          ['student alone', distill.student_parameters.toLocaleString('en'), pct(distill.alone)],
          ['student distilled', distill.student_parameters.toLocaleString('en'), pct(distill.distilled)]],
      },
    ],
    note: `Dense accuracy ${pct(dense.accuracy)}; at 90% sparsity ${pct(curve.points[4].accuracy)} as pruned and ` +
      `${pct(curve.points[4].finetuned)} after fine-tuning. CSR stores each kept weight with a 2-byte column index, so ` +
      'a 50%-pruned layer saves only a quarter of its bytes, and an unpruned one would grow.',
  };
}
