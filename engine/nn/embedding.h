// Module 12 — Embedding: a learned table of vectors, one row per token id, and the position encodings a model adds
// to them (attention, module 13, sees a set of vectors: without positions "dog bites man" = "man bites dog").
//
// As in torch.nn.Embedding: weight [V, C] initialised N(0, 1); ids [...] -> vectors [..., C]; padding_idx (-1: none)
// names a row that starts at 0 and never receives a gradient, so padded positions of a batch (module 11's pad id)
// contribute nothing to the table.
//
// Positions, two ways:
//  - sinusoidal_positions(T, C): fixed, no parameters (Vaswani et al. 2017, "Attention Is All You Need", 3.5):
//        PE[t, 2i] = sin(t / 10000^(2i / C)),   PE[t, 2i+1] = cos(t / 10000^(2i / C))
//    every pair of columns is a clock of its own frequency, from one turn per 2 pi positions down to one per
//    10000 * 2 pi; PE[t + k] is a rotation of PE[t] for every t, so a fixed offset k looks the same everywhere.
//  - learned positions (GPT-2): an Embedding(max_T, C) of its own, looked up with the ids 0 .. T-1
//    (tt::arange(T)); the model adds tok(ids) [B, T, C] + pos(arange(T)) [T, C] by broadcasting. It cannot
//    represent a position it has no row for: T must stay <= max_T.
#pragma once

#include <cstdint>

#include "module.h"
#include "random.h"

namespace tt::nn {

class Embedding : public Module {
public:
    Embedding(int64_t num_embeddings, int64_t embedding_dim, int64_t padding_idx = -1,
              Generator& gen = default_generator());

    // ids [...] (integers stored as float) -> [..., embedding_dim], through F::embedding: with autograd on and the
    // weight requiring grad (it does), the lookup is one node of the graph.
    Tensor forward(const Tensor& ids) override;
    // The hand-written protocol (module 04): weight.grad += scatter-add of grad_out at the last forward's ids.
    // Returns an undefined tensor: ids are not values and have no gradient.
    Tensor backward(const Tensor& grad_out) override;
    bool records_own_graph() const override { return true; }  // forward records its own F::embedding node
    std::string type_name() const override { return "Embedding"; }

    const int64_t num_embeddings;
    const int64_t embedding_dim;
    const int64_t padding_idx;
    Parameter& weight;

private:
    Tensor ids_;  // the last forward's ids
};

// [T, C] with the formula above (C even, else an error; T >= 0). Computed in double, rounded once to float.
Tensor sinusoidal_positions(int64_t T, int64_t C);

}  // namespace tt::nn
