// Module 03 — Activations: the nonlinearities, as forward/backward kernel pairs.
//
// Each *_forward computes y = f(x); each *_backward takes grad_out = dL/dy and returns dL/dx = grad_out * f'(x),
// using whatever is cheapest to keep from the forward pass: x for ReLU and GELU, y for Sigmoid, Tanh, Softmax and
// LogSoftmax (their derivatives are functions of y). The layers of module 05 and autograd (module 07) call these.
// All of them are numerically stable: inputs of +-1e4 give finite outputs and gradients (no inf, no NaN).
#pragma once

#include "tensor.h"

namespace tt {

Tensor relu_forward(const Tensor& x);
Tensor relu_backward(const Tensor& grad_out, const Tensor& x);

Tensor sigmoid_forward(const Tensor& x);
Tensor sigmoid_backward(const Tensor& grad_out, const Tensor& y);

Tensor tanh_forward(const Tensor& x);
Tensor tanh_backward(const Tensor& grad_out, const Tensor& y);

// GELU(x) = x * Phi(x), Phi the standard normal CDF: the exact erf form, PyTorch's default (approximate='none').
Tensor gelu_forward(const Tensor& x);
Tensor gelu_backward(const Tensor& grad_out, const Tensor& x);

// Softmax along one axis: y = exp(x - max) / sum(exp(x - max)); each slice along the axis sums to 1.
Tensor softmax_forward(const Tensor& x, int axis = -1);
Tensor softmax_backward(const Tensor& grad_out, const Tensor& y, int axis = -1);

// log(softmax(x)) computed as x - max - log(sum(exp(x - max))): finite where log(softmax) would give log(0).
Tensor log_softmax_forward(const Tensor& x, int axis = -1);
Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& y, int axis = -1);

}  // namespace tt
