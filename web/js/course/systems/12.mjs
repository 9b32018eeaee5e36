// Module 12's systems panel: what an embedding table costs (bytes by vocabulary x width), how fast a lookup and its
// backward run, and how few rows one batch of the course text touches (gradient sparsity), measured by the engine.
import { fmtTime, has, missing } from './measure.mjs';
import { courseCorpus } from './corpus.mjs';

export async function measure(M) {
  if (!has(M, 'embeddingReport')) return missing('the embedding measurements (embeddingReport)');
  const r = JSON.parse(M.embeddingReport(await courseCorpus()));
  const dims = [...new Set(r.tables.map((t) => t.dim))];
  const vocabs = [...new Set(r.tables.map((t) => t.vocab))];
  const bytes = (V, C) => M.formatBytes(r.tables.find((t) => t.vocab === V && t.dim === C).bytes);
  const pct = (x) => `${(100 * x).toFixed(2)} %`;
  return {
    tables: [
      {
        caption: 'Embedding table [V, C] in float32 (the gradient and two Adam moments take 3x as much again)',
        columns: ['vocabulary V', ...dims.map((C) => `C = ${C}`)],
        rows: vocabs.map((V) => [V.toLocaleString('en'), ...dims.map((C) => bytes(V, C))]),
      },
      {
        caption: 'One batch of 1,024 ids: lookup (row copies) vs its dense backward',
        columns: ['table', 'forward (random ids)', 'forward (sorted ids)', 'GB/s', 'backward (dense dW)', 'dW bytes', 'one-hot @ W'],
        rows: r.lookups.map((l) => [`${l.vocab.toLocaleString('en')} × ${l.dim}`, fmtTime(l.forward_ms), fmtTime(l.forward_sorted_ms),
          l.gb_per_s.toFixed(2), fmtTime(l.backward_ms), M.formatBytes(l.backward_dense_bytes),
          l.onehot_matmul_ms === undefined ? '—' : fmtTime(l.onehot_matmul_ms)]),
      },
      {
        caption: 'Rows of the table one batch (8 × 64 tokens of the course text, BPE) sends a gradient to',
        columns: ['vocabulary', 'rows touched', 'fraction of the table'],
        rows: r.sparsity.map((s) => [s.vocab.toLocaleString('en'), s.rows_touched.toFixed(1), pct(s.fraction)]),
      },
    ],
    note: 'A lookup copies C floats per id: no arithmetic, and the same result as one_hot(ids) @ W for a fraction of the time. ' +
      'Its gradient is nonzero only in the rows the batch used; the dense backward still writes all V × C floats, which a sparse update would skip.',
  };
}
