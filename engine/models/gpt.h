// Module 14 — GPT: a decoder-only transformer language model (GPT-2's layout,
// as nanoGPT writes it).
//
//     idx [B, T] token ids (integers stored as float)
//     x = wte(idx) + wpe(0 .. T-1)          [B, T, C]   token embedding plus
//     learned position embedding x = h.0(x) ... h.{L-1}(x)              [B, T,
//     C]   transformer blocks (nn/transformer.h), causal logits =
//     lm_head(ln_f(x))              [B, T, V]   the head: its own [V, C]
//     weight, or wte's (tied)
// Parameter names follow the module tree ("wte.weight",
// "h.0.attn.in_proj_weight", "h.1.mlp.fc.bias", "ln_f.weight", "lm_head.weight"
// when untied), so a state dict made in PyTorch with the same tree loads by
// name. Tied (the default, as GPT-2): the output layer reuses the token table,
// so V * C parameters serve twice and wte's gradient is the sum of both uses.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "attention.h"
#include "embedding.h"
#include "linear.h"
#include "module.h"
#include "norm.h"
#include "random.h"
#include "sampling.h"
#include "sequential.h"

namespace tt {

struct GPTConfig {
    int64_t vocab_size = 65;
    int64_t block_size = 64;  // the longest context: wpe has this many rows
    int64_t n_layer = 2;
    int64_t n_head = 2;
    int64_t n_embd = 64;
    bool tie_weights = true;
};

// One KV cache per block, all at the same length.
struct GPTCache {
    std::vector<nn::KVCache> layers;
    int64_t length() const { return layers.empty() ? 0 : layers[0].length; }
    int64_t nbytes() const;  // every layer's k and v
};

class GPT : public nn::Module {
public:
    explicit GPT(const GPTConfig& config, Generator& gen = default_generator());

    Tensor forward(const Tensor& idx) override;  // [B, T] -> logits [B, T, V], T <= block_size
    // Mean cross entropy of logits [B, T, V] against targets [B, T] (the next
    // token at every position).
    static Tensor loss(const Tensor& logits, const Tensor& targets);
    Tensor backward(const Tensor& grad_out) override;  // an error: autograd differentiates forward
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "GPT"; }

    // Incremental decoding: idx_new [B, Tn] are the positions cache.length() ...
    // + Tn - 1; returns their logits [B, Tn, V], equal to those rows of forward()
    // on the whole sequence. No graph is recorded.
    GPTCache make_cache(int64_t batch,
                        int64_t max_len = 0) const;  // 0: block_size positions
    Tensor forward_cached(const Tensor& idx_new, GPTCache& cache);

    // idx [B, T0] followed by max_new_tokens sampled tokens: [B, T0 +
    // max_new_tokens]. With the cache the whole length must fit in block_size;
    // without it the context is cropped to the last block_size tokens.
    Tensor generate(const Tensor& idx, int64_t max_new_tokens, const SamplingOptions& options, Generator& gen,
                    bool use_cache = true);

    const GPTConfig config;
    std::shared_ptr<nn::Embedding> wte, wpe;
    std::shared_ptr<nn::Sequential> h;  // the blocks, "h.0" ... "h.{L-1}"
    std::shared_ptr<nn::LayerNorm> ln_f;
    std::shared_ptr<nn::Linear> lm_head;  // nullptr when tied

private:
    Tensor head(const Tensor& x);  // ln_f, then the output layer
};

}  // namespace tt
