// Module 14 — the transformer block (GPT-2's pre-norm form) and its MLP.
//
//     x = x + attn(ln_1(x))      causal self-attention: tokens exchange information
//     x = x + mlp(ln_2(x))       mlp(h) = proj(gelu(fc(h))), fc: C -> 4C, proj: 4C -> C: each token on its own
// The residual stream x passes through every block unchanged plus what each sublayer adds, so dL/dx reaches the
// first block through an identity path of the sum's gradient, whatever the sublayers' own gradients do (the
// lesson measures it). Pre-norm normalises what enters each sublayer, never the stream itself.
#pragma once

#include <memory>

#include "attention.h"
#include "linear.h"
#include "module.h"
#include "norm.h"
#include "random.h"

namespace tt::nn {

class MLP : public Module {
public:
    MLP(int64_t embed_dim, int64_t hidden_dim, Generator& gen = default_generator());
    Tensor forward(const Tensor& x) override;  // [..., C] -> [..., C]
    Tensor backward(const Tensor& grad_out) override;
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "MLP"; }

    std::shared_ptr<Linear> fc, proj;  // names "fc", "proj"; called through F::linear, so one layer may run twice
};

class TransformerBlock : public Module {
public:
    TransformerBlock(int64_t embed_dim, int64_t num_heads, Generator& gen = default_generator());
    Tensor forward(const Tensor& x) override;  // x [B, T, C], causal
    // x [B, Tn, C]: the next Tn positions, attending through the cache (MultiheadAttention::forward_cached).
    Tensor forward_cached(const Tensor& x, KVCache& cache);
    Tensor backward(const Tensor& grad_out) override;
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "TransformerBlock"; }

    std::shared_ptr<LayerNorm> ln_1;
    std::shared_ptr<MultiheadAttention> attn;
    std::shared_ptr<LayerNorm> ln_2;
    std::shared_ptr<MLP> mlp;
};

}  // namespace tt::nn
