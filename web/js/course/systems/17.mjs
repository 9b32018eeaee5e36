// Module 17's systems panel: what the production techniques buy, measured by the reference engine
// (models/competition_profile.h via bindings/competition.cpp): KV-cache memory and tokens/s with and without the
// cache, the dynamic batcher's latency and throughput as the load grows, bf16 mixed precision against fp32, and
// ensembles' accuracy against their cost on MNIST (the site's datasets/mnist-test.ttds, split in two).
import { fetchBytes } from '../../milestones/assets.mjs';
import { fmtTime, has, missing } from './measure.mjs';

const CONFIG = { vocabSize: 65, blockSize: 256, nLayer: 4, nHead: 4, nEmbd: 128 };
const int = (n) => Math.round(n).toLocaleString('en');
const pct = (x) => `${(100 * x).toFixed(1)} %`;

function kvCache(M) {
  const r = JSON.parse(M.profileKvCache(JSON.stringify({ config: CONFIG, maxLens: [64, 256, 1024], tokens: [32, 128] })));
  return [
    {
      caption: `KV cache of a GPT with ${CONFIG.nLayer} layers, width ${CONFIG.nEmbd}, batch 1 (2 × L × max_len × C floats, preallocated once)`,
      columns: ['max_len', 'per layer', 'all layers'],
      rows: r.memory.map((m) => [int(m.max_len), M.formatBytes(m.per_layer_bytes), M.formatBytes(m.total_bytes)]),
    },
    {
      caption: 'Greedy generation after a 1-token prompt: tokens per second',
      columns: ['tokens', 'managed cache (KVCacheManager)', 'GPT::generate (new cache per call)', 'no cache', 'cache / none'],
      rows: r.speed.map((s) => [int(s.tokens), int(s.managed_tokens_per_s), int(s.cached_tokens_per_s), int(s.uncached_tokens_per_s),
        `${(s.managed_tokens_per_s / s.uncached_tokens_per_s).toFixed(1)}×`]),
    },
  ];
}

function batching(M) {
  const r = JSON.parse(M.profileBatching(JSON.stringify({ rates: [200, 1000, 3000, 6000, 12000], requests: 600, maxBatch: 16, maxWait: 2 })));
  const lat = (s) => `${fmtTime(s.p50_ms)} / ${fmtTime(s.p99_ms)}`;
  return {
    caption: `Dynamic batching of an MLP 784-128-10 (max_batch 16, max_wait 2 ms), 600 Poisson arrivals per load on a simulated clock; one forward pass takes ${fmtTime(r.service_ms[0])} for 1 request, ${fmtTime(r.service_ms[15])} for 16`,
    columns: ['load (req/s)', 'batched p50 / p99', 'batched req/s', 'mean batch', 'one at a time p50 / p99', 'one at a time req/s'],
    rows: r.rows.map((x) => [int(x.rate), lat(x.batched), int(x.batched.throughput), x.batched.mean_batch.toFixed(1), lat(x.single), int(x.single.throughput)]),
  };
}

function mixedPrecision(M) {
  const r = JSON.parse(M.profileMixedPrecision(JSON.stringify({ batch: 256, in: 32, hidden: 256, classes: 10, steps: 100 })));
  return {
    caption: 'MLP 32-256-10, batch 256, 100 SGD steps from the same start: fp32 against bf16 weights and activations with fp32 master weights and loss scaling',
    columns: ['precision', 'final loss', 'time per step', 'weights', 'gradients', 'activations', 'fp32 masters', 'skipped steps'],
    rows: r.rows.map((x) => [x.precision, x.final_loss.toFixed(4), fmtTime(x.ms_per_step), M.formatBytes(x.weight_bytes),
      M.formatBytes(x.grad_bytes), M.formatBytes(x.activation_bytes), x.master_bytes ? M.formatBytes(x.master_bytes) : '—', int(x.skipped_steps)]),
  };
}

async function ensembles(M) {
  const bytes = await fetchBytes('datasets/mnist-test.ttds');
  const r = JSON.parse(M.profileEnsemble(bytes, 'mnist-test.ttds', JSON.stringify({ members: 4, hidden: 32, trainCount: 1200, testStart: 1200, testCount: 800, epochs: 3 })));
  return {
    caption: `Ensembles of ${r.architecture} (seeds 100, 101, …), trained on images 0-1199 of the site's MNIST test set, scored on its images 1200-1999: logit averaging`,
    columns: ['members', 'ensemble accuracy', 'this member alone', 'time per example', 'parameters'],
    rows: r.rows.map((x) => [int(x.members), pct(x.accuracy), pct(x.member_accuracy), fmtTime(x.ms_per_example), M.formatBytes(x.parameter_bytes)]),
  };
}

export async function measure(M) {
  if (!has(M, 'profileKvCache', 'profileBatching', 'profileMixedPrecision', 'profileEnsemble')) {
    return missing('the competition profiles (profileKvCache, profileBatching, profileMixedPrecision, profileEnsemble)');
  }
  const tables = [...kvCache(M), batching(M), mixedPrecision(M)];
  let extra = '';
  try {
    tables.push(await ensembles(M));
  } catch (error) {
    extra = ` (The ensemble table needs datasets/mnist-test.ttds: ${error.message}.)`;
  }
  return {
    tables,
    note: 'The cache turns each new token into O(T) work instead of rerunning the whole prefix; managing it only removes the per-request allocation. ' +
      'Batching costs latency at low load (a request waits up to max_wait for company) and wins throughput at high load, where one-at-a-time serving falls behind and its queue grows. ' +
      'bf16 halves the bytes of weights, gradients and activations but adds fp32 master weights. Ensembles buy accuracy with linear cost.' + extra,
  };
}
