// Module 07 — tt::F, the differentiable op table.
//
// Each entry is one kernel call plus one recorded closure (graph.h: record): the kernel computes the output, the
// closure maps dL/dout to one gradient per input by calling the kernels' own `_backward` partners. Recording is
// explicit — tt::add never records, F::add does — so code that needs no graph (the kernels, the hand-written
// layers, the optimizers) pays nothing for autograd. Composite functions are built from these entries.
//
// Gradients of broadcasting ops may have the broadcast shape: backward() reduces them to each input's shape.
#pragma once

#include <functional>

#include "loss.h"
#include "random.h"
#include "tensor.h"

namespace tt::F {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);  // batched and broadcast like tt::matmul

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int axis, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int axis, bool keepdim = false);

Tensor reshape(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, int axis0, int axis1);
Tensor slice(const Tensor& x, int axis, int64_t start, int64_t stop, int64_t step = 1);

Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x);
Tensor softmax(const Tensor& x, int axis = -1);
Tensor log_softmax(const Tensor& x, int axis = -1);

// x [..., in], weight [out, in], bias [out] or undefined -> [..., out]
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// x [N, C, H, W], weight [OC, C, KH, KW], bias [OC] or undefined (module 10: conv.h)
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), int64_t stride = 1,
              int64_t padding = 0, int64_t dilation = 1);
// stride 0: = kernel_size; padding at most kernel_size / 2 (module 10: pool.h)
Tensor max_pool2d(const Tensor& x, int64_t kernel_size, int64_t stride = 0, int64_t padding = 0);

// Mean over the batch; target [N] holds class indices (float). No gradient flows to target. The options overload
// below with its defaults: one node, one kernel (kernels/cross_entropy.cpp).
Tensor cross_entropy(const Tensor& logits, const Tensor& target);
Tensor mse_loss(const Tensor& input, const Tensor& target);  // mean over every element

// Module 09 (functional_loss.cpp): the losses with torch.nn's options (loss.h says what each option means). A
// reduction of None returns the per-row (cross entropy) or per-element losses. No gradient flows to the targets,
// the class weights or pos_weight.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& pos_weight = Tensor(),
                                        Reduction reduction = Reduction::Mean);

// Gradient checkpointing: y = segment(x) computed without recording, so the segment saves nothing for backward;
// backward runs the segment again (recording this time) and backpropagates through that copy. Memory for time:
// the segment's saved tensors exist only while its own backward runs. `segment` must compute the same function
// both times (no randomness) and must outlive the backward.
Tensor checkpoint(const std::function<Tensor(const Tensor&)>& segment, const Tensor& x);

// Module 10 (functional_nn.cpp): the rest of the spatial ops, with torch.nn.functional's arguments.
// Average over square windows; padding counts as zeros in the divisor (count_include_pad=True).
Tensor avg_pool2d(const Tensor& x, int64_t kernel_size, int64_t stride = 0, int64_t padding = 0);
// x [N, C, H, W]; running statistics, weight and bias [C] or undefined. training: normalize with the batch's
// statistics and, when the running ones are given, update them IN PLACE (batchnorm.h); otherwise use the running
// ones. Gradients flow to x, weight and bias, never to the running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  float momentum = 0.1f, float eps = 1e-5f);
// training: zero each element with probability p (masks from gen), scale the rest by 1 / (1 - p); else x itself.
Tensor dropout(const Tensor& x, float p = 0.5f, bool training = true, Generator& gen = default_generator());
// Modules 13-14 (functional_attention.cpp, functional_norm.cpp): attention and layer norm.
// The softmax of attention (kernels/attention_softmax.h): softmax(scale * scores + mask) along the last axis, causal if
// asked, a fully masked row giving weights 0. No gradient flows to the mask.
Tensor attention_softmax(const Tensor& scores, float scale, const Tensor& mask = Tensor(), bool is_causal = false);
// q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] -> [..., Tq, Dv]: softmax(q k^T * scale + attn_mask) v, as
// torch.nn.functional.scaled_dot_product_attention. attn_mask: additive (0 / -inf), broadcast to [..., Tq, Tk];
// is_causal: query i sees keys j <= i; scale <= 0 means 1 / sqrt(D). A query whose keys are all masked gets 0.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& attn_mask = Tensor(), bool is_causal = false, float scale = 0.0f);
// x [..., C] normalised over its last axis; weight, bias [C] or undefined (torch.nn.functional.layer_norm with
// normalized_shape = [C]).
Tensor layer_norm(const Tensor& x, const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), float eps = 1e-5f);

}  // namespace tt::F

// Module 12 (functional_embedding.cpp): weight [V, C], indices of any shape holding integer ids (as float) ->
// [..., C], row indices[...] of weight. Backward scatter-adds dL/dout into dL/dweight (a repeated id accumulates);
// row padding_idx (-1: none) gets no gradient. An id that is not an integer in [0, V) is an error naming it and V.
namespace tt::F {
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1);
}  // namespace tt::F
