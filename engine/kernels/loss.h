// Loss kernels, forward/backward pairs like the activations of module 03: autograd's F::cross_entropy and
// F::mse_loss (module 07) call them, and module 09 builds its loss modules (nn/losses.h) on them.
//
// Cross entropy has one kernel pair, module 09's, with torch.nn's options: module 07's F::cross_entropy(logits,
// target) is that kernel with the default options (PyTorch's F.cross_entropy defaults: mean, no weights, no
// smoothing, ignore_index -100). The two-argument MSE kernels reduce by the mean, PyTorch's default. Module 09's
// backwards take dL/dloss as a tensor: a scalar for mean and sum, [N] (or the input's shape) for none.
#pragma once

#include "tensor.h"

namespace tt {

// target[n] as a class index, checked: an integer in [0, classes), else an error "<who>: target[n] = t is not a class
// index in [0, classes)<note>" — an index outside would read another row's logits. Every class-target reader uses it.
int64_t class_index(const float* target, int64_t n, int64_t classes, const char* who, const char* note = "");

// mean((input - target)^2) over every element, a scalar; the shapes must be equal.
Tensor mse_loss_forward(const Tensor& input, const Tensor& target);
// dL/dinput = grad * 2 (input - target) / numel; dL/dtarget is its negative.
Tensor mse_loss_backward(float grad, const Tensor& input, const Tensor& target);

// Module 09 — the options of torch.nn's losses.
enum class Reduction { None, Mean, Sum };

// torch.nn.functional.cross_entropy's options. With class weights w, smoothing e over C classes and y_n the
// target of row n, each row that is not ignored costs
//     l_n = (1 - e) * w[y_n] * -logp[n, y_n]  +  (e / C) * sum_c w[c] * -logp[n, c]
// and an ignored row (y_n == ignore_index) costs 0. Mean divides the sum by W = sum of w[y_n] over the rows NOT
// ignored (their count when unweighted) — not by N: with every row ignored that is 0 / 0 = NaN, as in PyTorch.
struct CrossEntropyOptions {
    Tensor weight;                 // [C] or undefined (all 1); no gradient flows to it
    int64_t ignore_index = -100;   // a target equal to it is skipped (it need not be a class index)
    float label_smoothing = 0.0f;  // in [0, 1]
    Reduction reduction = Reduction::Mean;
};

// logits [N, C], target [N] holding class indices 0..C-1 (as floats: float32 is the engine's only dtype) -> a
// scalar (mean, sum) or [N] (none); through log-sum-exp, so finite for any finite logits. With the default options:
// mean_n( -log_softmax(logits)[n, target[n]] ).
Tensor cross_entropy_forward(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});
// dL/dlogits [N, C] from grad = dL/dloss (a scalar, or [N] for none); with the default options
// grad * (softmax(logits) - onehot(target)) / N.
Tensor cross_entropy_backward(const Tensor& grad, const Tensor& logits, const Tensor& target,
                              const CrossEntropyOptions& options = {});

// torch.nn.functional.binary_cross_entropy_with_logits: per element, with p = pos_weight (broadcast along the last
// axis, [C] or undefined = 1) and targets y in [0, 1],
//     l = -(p * y * log(sigmoid(x)) + (1 - y) * log(1 - sigmoid(x)))
// computed as (1 - y) * x + (1 + (p - 1) * y) * softplus(-x), softplus(z) = max(z, 0) + log1p(exp(-|z|)): finite
// for any finite x, where log(sigmoid(x)) overflows to -inf at x = -1e4. Mean is over every element.
Tensor bce_with_logits_forward(const Tensor& input, const Tensor& target, const Tensor& pos_weight,
                               Reduction reduction = Reduction::Mean);
// dL/dinput = grad * ((1 - y) - (1 + (p - 1) * y) * sigmoid(-x)) (/ numel for mean). No gradient flows to target.
Tensor bce_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& pos_weight,
                                Reduction reduction = Reduction::Mean);

// (input - target)^2 reduced; dL/dtarget is the negative of dL/dinput.
Tensor mse_loss_forward(const Tensor& input, const Tensor& target, Reduction reduction);
Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction);

}  // namespace tt
