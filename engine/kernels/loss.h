// Loss kernels, forward/backward pairs like the activations of module 03: autograd's F::cross_entropy and
// F::mse_loss (module 07) call them, and module 09 builds its loss modules on them.
//
// Both reduce by the mean, PyTorch's default: cross entropy over the batch, the squared error over every element.
#pragma once

#include "tensor.h"

namespace tt {

// logits [N, C], target [N] holding class indices 0..C-1 (as floats: float32 is the engine's only dtype).
// loss = mean_n( -log_softmax(logits)[n, target[n]] ), a scalar; computed through log-sum-exp, so finite for any
// finite logits.
Tensor cross_entropy_forward(const Tensor& logits, const Tensor& target);
// dL/dlogits = grad * (softmax(logits) - onehot(target)) / N, `grad` being dL/dloss.
Tensor cross_entropy_backward(float grad, const Tensor& logits, const Tensor& target);

// mean((input - target)^2) over every element, a scalar; the shapes must be equal.
Tensor mse_loss_forward(const Tensor& input, const Tensor& target);
// dL/dinput = grad * 2 (input - target) / numel; dL/dtarget is its negative.
Tensor mse_loss_backward(float grad, const Tensor& input, const Tensor& target);

}  // namespace tt
