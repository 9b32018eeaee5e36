// Module 12 — Embeddings: the lookup table that turns token ids into vectors, as a forward/backward kernel pair.
//
// weight [V, C] holds one row per token id; indices (any shape, integer values stored as float: float32 is the
// engine's only dtype) pick rows: out[..., :] = weight[indices[...], :], shape [..., C]. The forward is a gather of
// rows, so it costs memory traffic, not arithmetic (no multiply at all: the same result as one_hot(indices) @ weight
// without the [N, V] matrix). Its backward is the matching scatter-add: dweight[indices[n]] += dout[n]. An id that
// occurs twice in a batch receives the sum of both rows of dout — this is where += instead of = matters.
#pragma once

#include <cstdint>

#include "tensor.h"

namespace tt {

// indices[n] as a row of a table with V rows, checked: an integer in [0, V), else an error
// "<who>: indices[n] = t is ..." naming the index and V (an index outside would read another tensor's memory).
int64_t embedding_index(const float* indices, int64_t n, int64_t V, const char* who);

// weight [V, C], indices of any shape -> [..., C] (a fresh, contiguous tensor).
Tensor embedding_forward(const Tensor& weight, const Tensor& indices);

// dL/dweight [V, C] from grad_out [..., C]: the rows of grad_out scatter-added into the rows their indices name.
// Rows never named stay 0, and so does row padding_idx (-1: none): a padding token's vector is never trained.
Tensor embedding_backward(const Tensor& grad_out, const Tensor& indices, int64_t num_embeddings,
                          int64_t padding_idx = -1);

// The rows a batch touches: how many distinct ids `indices` holds (for a table of V rows). Its backward writes only
// these rows of dweight; every other row of the [V, C] gradient is 0 — the sparsity module 12 measures.
int64_t embedding_rows_touched(const Tensor& indices, int64_t num_embeddings);

}  // namespace tt
