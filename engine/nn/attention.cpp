#include "attention.h"

#include "attention_softmax.h"
#include "error.h"
#include "functional.h"
#include "grad_mode.h"
#include "init.h"

namespace tt::nn {

KVCache::KVCache(int64_t batch, int64_t heads, int64_t max_len, int64_t head_dim)
    : k({batch, heads, max_len, head_dim}), v({batch, heads, max_len, head_dim}) {
    TT_CHECK(batch > 0 && heads > 0 && max_len > 0 && head_dim > 0,
             "KVCache: batch, heads, max_len and head_dim must be > 0, got " << batch << ", " << heads << ", "
                                                                             << max_len << ", " << head_dim);
}

std::pair<Tensor, Tensor> KVCache::append(const Tensor& k_new, const Tensor& v_new) {
    Shape expected = k.shape();
    expected[2] = k_new.defined() && k_new.dim() == 4 ? k_new.shape(2) : -1;
    TT_CHECK(k_new.defined() && v_new.defined() && k_new.shape() == expected && v_new.shape() == expected,
             "KVCache::append: k and v must be [B, H, Tn, D] with B, H, D = " << k.shape(0) << ", " << k.shape(1)
                                                                              << ", " << k.shape(3));
    const int64_t n = k_new.shape(2);
    TT_CHECK(length + n <= capacity(),
             "KVCache::append: " << length << " cached + " << n << " new positions exceed "
                                 << "the capacity of " << capacity() << " (max_len)");
    // BEGIN SOLUTION copy k_new, v_new into positions [length, length + n) of axis 2 (slice + copy_), advance length, return the slices [0, length) of k and v (views)
    k.slice(2, length, length + n).copy_(k_new);
    v.slice(2, length, length + n).copy_(v_new);
    length += n;
    return {k.slice(2, 0, length), v.slice(2, 0, length)};
    // END SOLUTION
}

Tensor split_heads(const Tensor& x, int64_t num_heads) {
    TT_CHECK(x.defined() && x.dim() == 3 && num_heads > 0 && x.shape(2) % num_heads == 0,
             "split_heads: x must be [B, T, C] with C divisible by " << num_heads << " heads, got "
                                                                     << (x.defined() ? x.shape() : Shape{}));
    // BEGIN SOLUTION reshape [B, T, C] to [B, T, H, D] (D = C / H), then swap axes 1 and 2: [B, H, T, D] (F ops)
    return F::transpose(F::reshape(x, {x.shape(0), x.shape(1), num_heads, x.shape(2) / num_heads}), 1, 2);
    // END SOLUTION
}

Tensor merge_heads(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() == 4,
             "merge_heads: x must be [B, H, T, D], got " << (x.defined() ? x.shape() : Shape{}));
    // BEGIN SOLUTION swap axes 1 and 2 back ([B, T, H, D]) and reshape to [B, T, H * D] (F ops)
    return F::reshape(F::transpose(x, 1, 2), {x.shape(0), x.shape(2), x.shape(1) * x.shape(3)});
    // END SOLUTION
}

MultiheadAttention::MultiheadAttention(int64_t embed_dim_, int64_t num_heads_, bool bias, Generator& gen)
    : embed_dim(embed_dim_),
      num_heads(num_heads_),
      head_dim(num_heads_ > 0 ? embed_dim_ / num_heads_ : 0),
      in_proj_weight(register_parameter("in_proj_weight", Tensor({3 * embed_dim_, embed_dim_}))),
      in_proj_bias(nullptr) {
    TT_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0,
             "MultiheadAttention: embed_dim (" << embed_dim << ") must be a positive multiple of num_heads ("
                                               << num_heads << ")");
    // torch.nn.MultiheadAttention's initialisation: xavier_uniform_ for the fused projection, zero biases.
    init::xavier_uniform_(in_proj_weight.value, gen);
    if (bias) in_proj_bias = &register_parameter("in_proj_bias", Tensor({3 * embed_dim}));
    out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, bias, gen));
    if (bias) out_proj->bias->value.fill_(0.0f);
}

void MultiheadAttention::project_heads(const Tensor& x, Tensor& q, Tensor& k, Tensor& v) {
    TT_CHECK(x.defined() && x.dim() == 3 && x.shape(2) == embed_dim,
             "MultiheadAttention: x must be [B, T, " << embed_dim << "] (embed_dim), got "
                                                     << (x.defined() ? x.shape() : Shape{}));
    const int64_t C = embed_dim;
    // BEGIN SOLUTION one F::linear with in_proj_weight (and in_proj_bias if any) gives [B, T, 3C]; F::slice its last axis into thirds q | k | v and split_heads each
    Tensor qkv = F::linear(x, in_proj_weight.value, in_proj_bias ? in_proj_bias->value : Tensor());
    q = split_heads(F::slice(qkv, 2, 0, C), num_heads);
    k = split_heads(F::slice(qkv, 2, C, 2 * C), num_heads);
    v = split_heads(F::slice(qkv, 2, 2 * C, 3 * C), num_heads);
    // END SOLUTION
}

Tensor MultiheadAttention::merge_and_project(const Tensor& o) {
    return F::linear(merge_heads(o), out_proj->weight.value, out_proj->bias ? out_proj->bias->value : Tensor());
}

Tensor MultiheadAttention::forward(const Tensor& x) { return forward(x, Tensor(), false); }

Tensor MultiheadAttention::forward(const Tensor& x, const Tensor& attn_mask, bool is_causal) {
    Tensor q, k, v;
    project_heads(x, q, k, v);
    return merge_and_project(F::scaled_dot_product_attention(q, k, v, attn_mask, is_causal));
}

Tensor MultiheadAttention::forward_cached(const Tensor& x, KVCache& cache) {
    TT_CHECK(cache.k.shape(1) == num_heads && cache.k.shape(3) == head_dim,
             "MultiheadAttention::forward_cached: the cache holds "
                 << cache.k.shape(1) << " heads of " << cache.k.shape(3) << " features, this layer " << num_heads
                 << " of " << head_dim);
    // Decoding is inference: the cache is written in place, which a recorded graph could not differentiate.
    autograd::NoGrad no_grad;
    Tensor q, k, v;
    project_heads(x, q, k, v);
    const int64_t n = x.shape(1);
    // BEGIN SOLUTION append k, v to the cache (its views of every position so far come back), then attend: one new token sees all of them (no mask), n > 1 new tokens need causal_mask(n, cached length)
    auto [keys, values] = cache.append(k, v);
    Tensor mask = n > 1 ? causal_mask(n, cache.length) : Tensor();
    return merge_and_project(F::scaled_dot_product_attention(q, keys, values, mask));
    // END SOLUTION
}

Tensor MultiheadAttention::backward(const Tensor&) {
    TT_CHECK(false,
             "MultiheadAttention::backward: this layer has no hand-written backward; call it as layer(x) "
             "and differentiate with autograd (loss.backward())");
    return Tensor();
}

}  // namespace tt::nn
