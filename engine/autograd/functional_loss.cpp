// tt::F, the losses of module 09: each entry is one loss kernel (kernels/loss.h) plus one recorded closure. The
// options travel in the closure by value, so a backward long after the call sees the options of that call.
#include "elementwise.h"
#include "functional.h"
#include "graph.h"
#include "loss.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
    // The class weights are saved by the closure, detached: a later change to the caller's tensor must not matter.
    CrossEntropyOptions saved = options;
    if (saved.weight.defined()) saved.weight = saved.weight.detach().clone();
    return record("cross_entropy", cross_entropy_forward(logits, target, saved), {logits}, {logits, target},
                  [saved](const SavedList& s, const Tensor& g) -> Grads {
                      return {cross_entropy_backward(g, s[0], s[1], saved)};
                  });
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
    return record("mse_loss", mse_loss_forward(input, target, reduction), {input, target}, {input, target},
                  [reduction](const SavedList& s, const Tensor& g) -> Grads {
                      Tensor d = mse_loss_backward(g, s[0], s[1], reduction);
                      return {d, tt::neg(d)};
                  });
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& pos_weight,
                                        Reduction reduction) {
    Tensor pw = pos_weight.defined() ? pos_weight.detach().clone() : Tensor();
    return record("binary_cross_entropy_with_logits", bce_with_logits_forward(input, target, pw, reduction), {input},
                  {input, target}, [pw, reduction](const SavedList& s, const Tensor& g) -> Grads {
                      return {bce_with_logits_backward(g, s[0], s[1], pw, reduction)};
                  });
}

}  // namespace tt::F
