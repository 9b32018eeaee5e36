// Module 17 — Competition: generation as a server does it, with a managed KV cache.
//
// GPT::generate (module 14) allocates a fresh cache for every call: 2 * L * B * H * max_len * D floats, which for a
// server answering request after request is an allocation (and a page fault storm) per request. A KVCacheManager
// allocates once, for the largest batch and the longest request it will serve:
//     arena k, v of layer l     [max_batch, H, max_len, D]   preallocated, reused by every request
//     a request of B rows       views [B, H, max_len, D] of the arenas (rows 0 .. B-1), emptied (length 0)
// so serving a request allocates no cache memory at all, and the cache's size is known up front (the number a
// deployment budgets for: it grows linearly in max_len, layers, heads and batch). A request longer than max_len
// is refused with an error before any work, never truncated.
#pragma once

#include <cstdint>
#include <vector>

#include "gpt.h"

namespace tt {

class KVCacheManager {
public:
    KVCacheManager(const GPT& model, int64_t max_batch, int64_t max_len);

    // The cache for a request of `batch` rows (1 .. max_batch), emptied: every layer at length 0, its k and v views
    // of that layer's arenas. The same object every time for the same batch size.
    GPTCache& acquire(int64_t batch);

    int64_t max_batch() const { return max_batch_; }
    int64_t max_len() const { return max_len_; }
    int64_t n_layer() const { return static_cast<int64_t>(k_arena_.size()); }
    int64_t nbytes() const;                         // every arena: 2 * L * max_batch * H * max_len * D * 4 bytes
    int64_t requests() const { return requests_; }  // acquire() calls so far
    const float* arena_data(int64_t layer) const { return k_arena_[static_cast<size_t>(layer)].data(); }

private:
    int64_t max_batch_, max_len_, requests_ = 0;
    std::vector<Tensor> k_arena_, v_arena_;  // one per layer: [max_batch, H, max_len, D]
    std::vector<GPTCache> views_;            // views_[B - 1]: the caches of B rows over the arenas
};

// The bytes a cache for (batch, max_len) takes in model: what KVCacheManager allocates, computed from the config.
int64_t kv_cache_bytes(const GPTConfig& config, int64_t batch, int64_t max_len);

// idx [B, T0] followed by max_new_tokens sampled tokens, [B, T0 + max_new_tokens], using cache's arenas: the same
// tokens as model.generate(idx, max_new_tokens, options, gen) from the same generator state, bit for bit. An error
// when B > max_batch or T0 + max_new_tokens > max_len.
Tensor generate_cached(GPT& model, KVCacheManager& cache, const Tensor& idx, int64_t max_new_tokens,
                       const SamplingOptions& options, Generator& gen);

}  // namespace tt
