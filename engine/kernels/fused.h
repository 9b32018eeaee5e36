// Module 15 — Kernels: fused kernels. Each does in one pass over its data what a chain of the engine's kernels
// does in several, each of which reads its input from memory and writes its output back.
//
// A chain of cheap elementwise steps (+ bias, ReLU, exp, divide) is memory-bound: it spends its time moving bytes,
// not computing. Fusing it keeps the intermediate values in registers or L1 and writes only the result, so the
// time falls with the bytes moved (bench/ and lesson 15's systems panel measure both). Every fused kernel has a
// `_ref` twin that runs the unfused chain with the existing kernels (sgemm, relu_forward, gelu_forward,
// log_softmax_forward, the tensor ops, attention_softmax_forward): the checks compare the two, and the timings
// compare the two.
//
// Shapes (docs/architecture.md letters): M rows (a batch), K input features, N output features, C classes or
// features, Tq queries, Tk keys, D features per head, Dv features per value.
#pragma once

#include "tensor.h"

namespace tt {

enum class Activation { None, ReLU, GELU };  // GELU: the exact erf form, PyTorch's default (approximate='none')

// ---- fused.cpp ----------------------------------------------------------------------------------------------

// y [M, N] = act(x [M, K] @ weight [N, K]^T + bias [N]): Linear's forward (weight stored as nn.Linear stores it)
// with the bias and the activation applied by sgemm's epilogue to each tile of y as it is written, not in a second
// pass over y. bias may be undefined (no bias).
Tensor fused_linear_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act);
// sgemm into y, then add(y, bias), then relu_forward / gelu_forward: three kernels, three passes over [M, N].
Tensor fused_linear_forward_ref(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act);

// Cross entropy (mean over the rows, PyTorch's default) and its gradient for dL/dloss = 1, from one read of each
// row of logits [N, C]: the row max, log-sum-exp, the loss term and dlogits = (softmax - onehot(target)) / N.
// target [N]: class indices as floats. N = 0 gives loss NaN (0 / 0, as PyTorch) and dlogits [0, C].
struct LossAndGrad {
    Tensor loss;     // a scalar
    Tensor dlogits;  // [N, C]
};
LossAndGrad fused_softmax_cross_entropy(const Tensor& logits, const Tensor& target);
// log_softmax_forward, a gather of -logp at the targets, then exp(logp), - onehot, / N: five passes.
LossAndGrad fused_softmax_cross_entropy_ref(const Tensor& logits, const Tensor& target);

// LayerNorm over the last axis of x [..., C] (biased variance, as layer_norm_forward): one read of each row for
// its mean and variance together (Welford's running update, stable where E[x^2] - E[x]^2 is not), one to write y.
// weight, bias: [C] or undefined.
Tensor fused_layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps = 1e-5f);
// The tensor-op chain: mean, x - mean, square, mean, + eps, sqrt, divide, * weight, + bias (a pass each).
Tensor fused_layer_norm_ref(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps = 1e-5f);

// ---- fused_attention.cpp --------------------------------------------------------------------------------------

// One head of scaled dot-product attention, o [Tq, Dv] = softmax(scale * q k^T + mask) v, for q [Tq, D],
// k [Tk, D], v [Tk, Dv], without the [Tq, Tk] score matrix: queries in tiles of kAttentionQueryTile, keys in tiles
// of kAttentionKeyTile, a running max and sum per query (the online softmax of flash attention). mask: undefined
// or additive [Tq, Tk] (0 = attend, -inf = masked); is_causal: query i attends to keys j <= i (top-left, as
// PyTorch). A query whose every key is masked gets an output row of 0, as attention_softmax_forward gives it.
constexpr int kAttentionQueryTile = 32, kAttentionKeyTile = 64;
Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, float scale, const Tensor& mask = Tensor(),
                       bool is_causal = false);
// S = q k^T (sgemm), P = attention_softmax_forward(S, scale, mask, is_causal), o = P v (sgemm): [Tq, Tk] twice.
Tensor fused_attention_ref(const Tensor& q, const Tensor& k, const Tensor& v, float scale,
                           const Tensor& mask = Tensor(), bool is_causal = false);

}  // namespace tt
