// Module 16's systems panel, the pruning and distillation tables (systems/16.mjs shows them after the quantization
// table): the pretrained MNIST MLP pruned to each sparsity, before and after a short masked fine-tune, with its CSR
// size; and a small student trained alone vs distilled from the MLP. The engine measures (bindings/
// compression_prune.cpp: pruneCurve, distillCompare, models/compression_study.h — what bench/bench_compression.cpp
// runs natively on the full sets); this file only chooses the sizes and formats. No DOM.
import { has } from './measure.mjs';

export const MLP = { name: 'mnist-mlp', architecture: 'flatten linear:784:128 relu linear:128:10' };
export const STUDENT = 'flatten linear:784:32 relu linear:32:10';
export const SPARSITIES = [0, 0.5, 0.7, 0.8, 0.9, 0.95];
// The page loads no training set: the first SCORED test images are scored, fine-tuning and the students train on
// test images past them (never the scored ones). Sized for a few seconds in a browser tab.
export const PANEL = { scored: 2000, trainOffset: 2000, trainCount: 8000, finetuneSteps: 60, distillSteps: 150,
  distillImages: 2000 };

const pct = (x) => `${x.toFixed(1)} %`;

// The panel's sizes for a test set of `count` images: a smaller set (a site built without the full MNIST test split)
// scores its first half and trains on the rest, never the scored images.
export function panelSizes(count) {
  const scored = Math.min(PANEL.scored, Math.floor(count / 2));
  return { ...PANEL, scored, trainOffset: scored, trainCount: Math.min(PANEL.trainCount, count - scored),
    distillImages: Math.min(PANEL.distillImages, count - scored) };
}

// weights: the MLP's safetensors bytes; test: mnist-test.ttds bytes. Returns {tables, note} or null without the
// bindings.
export function measurePruning(M, weights, test) {
  if (!has(M, 'pruneCurve', 'distillCompare')) return null;
  const sizes = panelSizes(new DataView(test.buffer, test.byteOffset, test.byteLength).getUint32(8, true));
  const curve = JSON.parse(M.pruneCurve(JSON.stringify({
    architecture: MLP.architecture, sparsities: SPARSITIES, global: true, finetune_steps: sizes.finetuneSteps,
    train_offset: sizes.trainOffset, train_count: sizes.trainCount, test_count: sizes.scored, seed: 1,
  }), weights, test, test));
  const distill = JSON.parse(M.distillCompare(JSON.stringify({
    teacher: MLP.architecture, student: STUDENT, steps: sizes.distillSteps, temperature: 4, alpha: 0.9,
    train_offset: sizes.trainOffset, train_count: sizes.distillImages, test_count: sizes.scored, seed: 1,
  }), weights, test, test));
  const at90 = curve.points[SPARSITIES.indexOf(0.9)];
  const params = (n) => n.toLocaleString('en');
  return {
    tables: [
      {
        caption: `Magnitude pruning of the MNIST MLP (one global threshold over both weight matrices): accuracy on ${params(sizes.scored)} test images, as pruned and after ${sizes.finetuneSteps} masked SGD steps`,
        columns: ['sparsity', 'accuracy', 'after fine-tune', 'dense', 'with CSR', 'size'],
        rows: curve.points.map((p) => [`${Math.round(100 * p.sparsity)} %`, pct(p.accuracy), pct(p.finetuned),
          M.formatBytes(p.dense_bytes), M.formatBytes(p.sparse_bytes), `${(p.sparse_bytes / p.dense_bytes).toFixed(2)}×`]),
      },
      {
        caption: `Distillation: one student (${STUDENT}), the same seed and the same ${sizes.distillSteps} batches of 64 from ${params(sizes.distillImages)} images, trained on the labels alone vs distilled from the MLP (T = 4, α = 0.9)`,
        columns: ['model', 'parameters', 'accuracy'],
        rows: [['teacher: the MNIST MLP', params(distill.teacher_parameters), pct(distill.teacher)],
          ['student alone', params(distill.student_parameters), pct(distill.alone)],
          ['student distilled', params(distill.student_parameters), pct(distill.distilled)]],
      },
    ],
    note: `At 90 % sparsity the MLP keeps ${pct(at90.accuracy)} as pruned and ${pct(at90.finetuned)} after fine-tuning ` +
      `(dense: ${pct(curve.points[0].accuracy)}). CSR pays a 2-byte column index per kept weight, so half-pruned ` +
      'weights save only a quarter of their bytes.',
  };
}
