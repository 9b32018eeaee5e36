// Module 14's systems panel: where a GPT's parameters are, and how many tokens per second it trains on
// (forward + backward + AdamW), measured by the reference engine (models/gpt_profile.h via bindings/attention.cpp).
import { fmtTime, has, missing } from './measure.mjs';

const CONFIG = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 };

export function measure(M) {
  if (!has(M, 'profileGpt')) return missing('the GPT profile (profileGpt)');
  const tied = JSON.parse(M.profileGpt(JSON.stringify({ config: CONFIG, batch: 4, T: 64, steps: 3 })));
  const untied = JSON.parse(M.profileGpt(JSON.stringify({ config: { ...CONFIG, tieWeights: false }, batch: 4, T: 64, steps: 1 })));
  const total = tied.parameters.total;
  const parts = tied.parameters.rows.map((r) => [
    r.component,
    r.parameters.toLocaleString('en'),
    M.formatBytes(r.bytes),
    `${((100 * r.parameters) / total).toFixed(1)} %`,
  ]);
  parts.push(['total (tied head)', total.toLocaleString('en'), M.formatBytes(tied.parameters.total_bytes), '100 %']);
  parts.push(['total (untied head)', untied.parameters.total.toLocaleString('en'), M.formatBytes(untied.parameters.total_bytes), `${((100 * untied.parameters.total) / total).toFixed(1)} %`]);
  const t = tied.training;
  return {
    tables: [
      {
        caption: `GPT, ${CONFIG.nLayer} blocks, width ${CONFIG.nEmbd}, ${CONFIG.nHead} heads, vocabulary ${CONFIG.vocabSize}, context ${CONFIG.blockSize}: parameters by component`,
        columns: ['component', 'parameters', 'bytes', 'share'],
        rows: parts,
      },
      {
        caption: 'Training step (forward, cross entropy, backward, AdamW)',
        columns: ['batch × T', 'time per step', 'tokens/s'],
        rows: [[`${t.batch} × ${t.T}`, fmtTime(t.ms_per_step), Math.round(t.tokens_per_s).toLocaleString('en')]],
      },
    ],
    note: 'Per block, attention holds 4C² weights (q, k, v and the output projection) and the MLP 8C²: two thirds of a transformer are its MLPs. Training with AdamW keeps four floats per parameter (value, gradient, two moments) plus the activations of every block until backward.',
  };
}
