#include "generate.h"

#include "error.h"
#include "grad_mode.h"

namespace tt {

int64_t kv_cache_bytes(const GPTConfig& c, int64_t batch, int64_t max_len) {
    return 2 * c.n_layer * batch * c.n_embd * max_len * static_cast<int64_t>(sizeof(float));  // H * D = C
}

KVCacheManager::KVCacheManager(const GPT& model, int64_t max_batch, int64_t max_len)
    : max_batch_(max_batch), max_len_(max_len) {
    const GPTConfig& c = model.config;
    TT_CHECK(max_batch > 0 && max_len > 0 && max_len <= c.block_size,
             "KVCacheManager: max_batch (" << max_batch << ") must be > 0 and max_len (" << max_len
                                           << ") in 1 .. block_size (" << c.block_size << ")");
    const int64_t H = c.n_head, D = c.n_embd / c.n_head;
    for (int64_t l = 0; l < c.n_layer; ++l) {
        k_arena_.emplace_back(Shape{max_batch, H, max_len, D});
        v_arena_.emplace_back(Shape{max_batch, H, max_len, D});
    }
    // Every batch size's views are made now, once: acquire() then only resets lengths.
    views_.resize(static_cast<size_t>(max_batch));
    for (int64_t b = 1; b <= max_batch; ++b)
        for (int64_t l = 0; l < c.n_layer; ++l)
            views_[static_cast<size_t>(b - 1)].layers.emplace_back(k_arena_[static_cast<size_t>(l)].slice(0, 0, b),
                                                                   v_arena_[static_cast<size_t>(l)].slice(0, 0, b));
}

int64_t KVCacheManager::nbytes() const {
    int64_t n = 0;
    for (size_t l = 0; l < k_arena_.size(); ++l) n += k_arena_[l].nbytes() + v_arena_[l].nbytes();
    return n;
}

GPTCache& KVCacheManager::acquire(int64_t batch) {
    TT_CHECK(batch > 0 && batch <= max_batch_,
             "KVCacheManager::acquire: a batch of " << batch << " rows; this cache serves 1 .. " << max_batch_);
    ++requests_;
    // BEGIN SOLUTION the cache of `batch` rows is views_[batch - 1]: reset every layer (length 0; the old keys need no clearing, they are overwritten before they are read) and return it
    GPTCache& cache = views_[static_cast<size_t>(batch - 1)];
    for (auto& layer : cache.layers) layer.reset();
    return cache;
    // END SOLUTION
}

Tensor generate_cached(GPT& model, KVCacheManager& cache, const Tensor& idx, int64_t max_new_tokens,
                       const SamplingOptions& options, Generator& gen) {
    TT_CHECK(idx.defined() && idx.dim() == 2 && idx.shape(1) > 0 && max_new_tokens >= 0,
             "generate_cached: idx must be [B, T0] with T0 > 0 and max_new_tokens >= 0");
    const int64_t B = idx.shape(0), T0 = idx.shape(1), V = model.config.vocab_size;
    TT_CHECK(T0 + max_new_tokens <= cache.max_len(),
             "generate_cached: the request needs " << T0 << " prompt + " << max_new_tokens
                                                   << " new = " << T0 + max_new_tokens
                                                   << " positions, more than the cache's max_len " << cache.max_len());
    TT_CHECK(B <= cache.max_batch(),
             "generate_cached: a batch of " << B << " rows, more than the cache's max_batch " << cache.max_batch());
    autograd::NoGrad no_grad;
    Tensor out({B, T0 + max_new_tokens});
    out.slice(1, 0, T0).copy_(idx);
    if (max_new_tokens == 0) return out;
    GPTCache& kv = cache.acquire(B);
    // BEGIN SOLUTION prefill: logits = model.forward_cached(the prompt, kv); then for each new token s: every row b draws sample_next_token from the last position's logits (rows in order, as GPT::generate), the tokens go to column T0 + s of out, and unless it is the last token that column [B, 1] is fed back through forward_cached
    Tensor logits = model.forward_cached(idx, kv);
    for (int64_t s = 0; s < max_new_tokens; ++s) {
        const Tensor last = logits.slice(1, logits.shape(1) - 1, logits.shape(1)).contiguous();  // [B, 1, V]
        for (int64_t b = 0; b < B; ++b)
            out.data()[b * (T0 + max_new_tokens) + T0 + s] =
                static_cast<float>(sample_next_token(last.data() + b * V, V, options, gen));
        if (s + 1 < max_new_tokens) logits = model.forward_cached(out.slice(1, T0 + s, T0 + s + 1), kv);
    }
    return out;
    // END SOLUTION
}

}  // namespace tt
