// Module 17 — Competition: what the production techniques buy, measured by the engine — the numbers of lesson 17,
// of its systems panel (bindings/competition.cpp, in the browser) and of bench/bench_competition.cpp (natively).
// One implementation for all three, timed with core/profile.h's Timer, reported as JSON (core/json.h).
#pragma once

#include <cstdint>
#include <vector>

#include "batcher.h"
#include "datasets.h"
#include "gpt.h"
#include "json.h"

namespace tt {

// KV-cache memory and generation speed for GPT(config), batch 1:
// {"memory": [{"max_len", "per_layer_bytes", "total_bytes"}] for each max_len,
//  "speed": [{"tokens", "managed_tokens_per_s", "cached_tokens_per_s", "uncached_tokens_per_s"}]} for each number
// of generated tokens after a 1-token prompt (greedy): the managed cache (KVCacheManager), GPT::generate with its
// own cache per call, and without a cache (every step reruns the whole prefix). tokens + 1 <= block_size.
Json profile_kv_cache(const GPTConfig& config, const std::vector<int64_t>& max_lens, const std::vector<int64_t>& tokens,
                      int repeats = 1);

// The batcher under growing load: service times of model on batches of 1 .. max_batch copies of example (measured),
// then `requests` Poisson arrivals at each rate (requests/s) scheduled with `options` and without batching
// (max_batch 1): {"service_ms": [...], "rows": [{"rate", "batched": {"mean_ms", "p50_ms", "p99_ms",
// "throughput", "mean_batch"}, "single": {...}}]}.
Json profile_batching(nn::Module& model, const Tensor& example, const std::vector<double>& rates, int64_t requests,
                      const BatcherOptions& options, double sample_seconds);

// A 2-layer MLP (in -> hidden -> classes, ReLU) trained `steps` SGD steps on a fixed random classification batch,
// in fp32 and in mixed precision (bf16 weights and activations, fp32 masters, loss scaling), from the same start:
// {"rows": [{"precision", "final_loss", "ms_per_step", "weight_bytes", "grad_bytes", "activation_bytes",
// "master_bytes", "skipped_steps"}]}. Bytes count what each scheme stores: 4 per element in fp32, 2 in bf16.
Json profile_mixed_precision(int64_t batch, int64_t in, int64_t hidden, int64_t classes, int steps);

// Ensembles of MLPs (784 -> hidden -> 10) trained from different seeds on images [0, train_count) of `train`
// (epochs of SGD with momentum, batch 32) and evaluated on images [test_start, test_start + test_count) of `test`
// (one file can be split: train on its first part, test on the rest): {"architecture", "rows":
// [{"members", "accuracy", "ms_per_example", "parameter_bytes", "member_accuracy"}]} for 1 .. members.
Json profile_ensemble(const ImageDataset& train, const ImageDataset& test, int64_t members, int64_t hidden,
                      int64_t train_count, int64_t test_start, int64_t test_count, int epochs, double sample_seconds);

}  // namespace tt
