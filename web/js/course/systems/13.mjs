// Module 13's systems panel: causal attention's time and memory against the sequence length (the O(T^2) curve,
// measured), and the time per generated token with and without the KV cache (models/gpt_profile.h via
// bindings/attention.cpp).
import { fmtTime, has, missing } from './measure.mjs';

const CONFIG = { vocabSize: 65, blockSize: 256, nLayer: 2, nHead: 4, nEmbd: 64 };

export function measure(M) {
  if (!has(M, 'profileAttention', 'profileDecoding')) return missing('the attention profiles (profileAttention, profileDecoding)');
  const att = JSON.parse(M.profileAttention(JSON.stringify({ lengths: [32, 64, 128, 256, 512], heads: 4, headDim: 32, repeats: 3 })));
  const base = att.rows[0];
  const attention = att.rows.map((r) => [
    String(r.T),
    fmtTime(r.forward_ms),
    fmtTime(r.backward_ms),
    `${(r.forward_ms / base.forward_ms).toFixed(1)}×`,
    `${((r.T / base.T) ** 2).toFixed(0)}×`,
    M.formatBytes(r.scores_bytes),
    M.formatBytes(r.saved_bytes),
  ]);
  const dec = JSON.parse(M.profileDecoding(JSON.stringify({ config: CONFIG, lengths: [16, 64, 192] })));
  const decoding = dec.rows.map((r) => [
    String(r.tokens),
    fmtTime(r.uncached_ms_per_token),
    fmtTime(r.cached_ms_per_token),
    `${r.speedup.toFixed(1)}×`,
    M.formatBytes(r.cache_bytes),
  ]);
  return {
    tables: [
      {
        caption: `Causal scaled dot-product attention, ${att.heads} heads × ${att.head_dim} features, batch 1`,
        columns: ['T', 'forward', 'backward', 'time vs T=32', '(T/32)²', 'one score matrix', 'saved for backward'],
        rows: attention,
      },
      {
        caption: `Generating T tokens (greedy) with a GPT of ${CONFIG.nLayer} blocks, width ${CONFIG.nEmbd}: time per token`,
        columns: ['T', 'no cache', 'KV cache', 'speedup', 'cache bytes'],
        rows: decoding,
      },
    ],
    note: 'Doubling T quadruples the score matrix and, once it outgrows the fixed costs, the time: attention is O(T²) in both. Without a cache every new token reruns the whole prefix (O(T²) per token for attention, O(T) for the rest); with it a token computes only its own q, k, v — the cache costs 2 × layers × T × width floats.',
  };
}
