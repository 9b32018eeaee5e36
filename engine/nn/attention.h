// Module 13 — MultiheadAttention: H attention heads side by side, and the KV cache that makes decoding one token
// at a time cost O(T) per token instead of recomputing O(T^2).
//
// Self-attention of x [B, T, C] with H heads of D = C / H features each, torch.nn.MultiheadAttention's layout and
// parameter names (batch_first = True):
//     qkv = x in_proj_weight^T + in_proj_bias       [B, T, 3C]  one fused matmul for q, k and v
//     q, k, v = the three C-wide thirds, each split into heads: [B, T, H, D] -> transpose -> [B, H, T, D]
//     o = scaled_dot_product_attention(q, k, v)     [B, H, T, D]  every head attends on its own
//     merged = o transposed back and reshaped       [B, T, C]    the heads side by side again
//     y = out_proj(merged)                          [B, T, C]
// A layer with no hand-written backward: forward is tt::F ops, so autograd records it (records_own_graph).
//
// KV cache: when a model generates, token t's keys and values never change once computed (a causal model's token
// never looks ahead), so they are stored, and each new token only computes its own q, k, v and attends to the
// stored ones: per token O(T C) work for attention instead of the O(T^2 C) of running the whole prefix again.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "linear.h"
#include "module.h"
#include "random.h"

namespace tt::nn {

// The keys and values of one attention layer for every position decoded so far, preallocated for max_len
// positions: k, v [B, H, max_len, D]; positions [0, length) are filled.
struct KVCache {
    KVCache(int64_t batch, int64_t heads, int64_t max_len, int64_t head_dim);
    // A cache over tensors someone else allocated, [B, H, max_len, D] each (module 17's KVCacheManager: views of one
    // arena per layer, so a request allocates nothing).
    KVCache(Tensor k_, Tensor v_) : k(std::move(k_)), v(std::move(v_)) {}
    Tensor k, v;
    int64_t length = 0;

    int64_t capacity() const { return k.shape(2); }
    int64_t nbytes() const { return k.nbytes() + v.nbytes(); }  // 2 * B * H * max_len * D * 4 bytes, used or not
    void reset() { length = 0; }
    // Writes k_new, v_new [B, H, Tn, D] at positions [length, length + Tn) and returns views of the filled part,
    // [B, H, length + Tn, D] each (no copy of the earlier positions). An error when the cache is full.
    std::pair<Tensor, Tensor> append(const Tensor& k_new, const Tensor& v_new);
};

class MultiheadAttention : public Module {
public:
    MultiheadAttention(int64_t embed_dim, int64_t num_heads, bool bias = true, Generator& gen = default_generator());

    Tensor forward(const Tensor& x) override;  // no mask: every position sees every other (torch's default)
    // attn_mask: additive, broadcast to [B, H, T, T] (kernels/attention_softmax.h: causal_mask, key_padding_mask).
    Tensor forward(const Tensor& x, const Tensor& attn_mask, bool is_causal);
    // x [B, Tn, C]: the next Tn positions after the cache's `length`; their keys and values are appended and they
    // attend causally to everything cached. Equal to the last Tn rows of a causal forward of the whole sequence.
    Tensor forward_cached(const Tensor& x, KVCache& cache);
    Tensor backward(const Tensor& grad_out) override;  // an error: autograd differentiates forward
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "MultiheadAttention"; }

    KVCache make_cache(int64_t batch, int64_t max_len) const { return KVCache(batch, num_heads, max_len, head_dim); }

    const int64_t embed_dim;
    const int64_t num_heads;
    const int64_t head_dim;
    Parameter& in_proj_weight;  // [3C, C]: rows 0..C-1 make q, C..2C-1 k, 2C..3C-1 v
    Parameter* in_proj_bias;    // [3C] or nullptr
    std::shared_ptr<Linear> out_proj;

private:
    // x [B, T, C] -> q, k, v [B, H, T, D] each
    void project_heads(const Tensor& x, Tensor& q, Tensor& k, Tensor& v);
    Tensor merge_and_project(const Tensor& o);  // [B, H, T, D] -> [B, T, C] -> out_proj
};

// [B, T, C] -> [B, H, T, D] and back: the head axis split off the features and moved ahead of T (recorded views and
// reshapes).
Tensor split_heads(const Tensor& x, int64_t num_heads);
Tensor merge_heads(const Tensor& x);

}  // namespace tt::nn
