// Module 13 — the softmax of attention: scores to weights, with a scale, an additive mask and a causal mask.
//
// Scaled dot-product attention (autograd/functional_attention.cpp) is two matmuls around this kernel:
//     S = Q K^T            [..., Tq, Tk]   one score per (query, key) pair: the O(T^2) tensor
//     P = softmax(scale * S + mask)        along the keys; masked pairs (-inf) get weight exactly 0
//     O = P V              [..., Tq, Dv]
// Stable as softmax is (module 03): the row maximum is subtracted before exp. A row whose every key is masked has
// no maximum to subtract (-inf - -inf is NaN): its weights are all 0, so its output row is 0 and no gradient flows
// through it. PyTorch's math path does the same since 2.5 (`_safe_softmax`); earlier versions (the 1.13 of the
// fixtures) return NaN for such a row, so the checks compare it with 0 and every other row with PyTorch.
#pragma once

#include <cstdint>

#include "tensor.h"

namespace tt {

// scores [..., Tq, Tk] -> weights of the same shape. mask: undefined, or additive (0 = attend, -inf = masked, any
// other value a bias) and broadcastable to scores' shape. is_causal: query i attends to keys j <= i (PyTorch's
// is_causal, aligned top-left).
Tensor attention_softmax_forward(const Tensor& scores, float scale, const Tensor& mask = Tensor(),
                                 bool is_causal = false);
// dL/dscores from dL/dweights and the weights: scale * P * (g - sum_j g P) per row (masked pairs get 0).
Tensor attention_softmax_backward(const Tensor& grad_out, const Tensor& weights, float scale);

// Additive causal mask [Tq, Tk] for Tq queries that are the LAST Tq of Tk positions (aligned bottom-right): query i
// sits at position Tk - Tq + i and sees keys 0 .. Tk - Tq + i. For Tq == Tk it is is_causal's mask; for new tokens
// attending to a KV cache (Tk = cached + new) it is the one incremental decoding needs. Needs Tq <= Tk.
Tensor causal_mask(int64_t Tq, int64_t Tk);

// Additive key-padding mask [B, 1, 1, Tk] from pad [B, Tk] (1 = padding, 0 = token), like nn.MultiheadAttention's
// key_padding_mask (True = ignore): broadcast over heads and queries, padded keys get -inf.
Tensor key_padding_mask(const Tensor& pad);

}  // namespace tt
