#include "losses.h"

#include <utility>

#include "error.h"
#include "functional.h"

namespace tt::nn {

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) const {
    return F::mse_loss(input, target, reduction_);
}

CrossEntropyLoss::CrossEntropyLoss(CrossEntropyOptions options) : options_(std::move(options)) {
    // Checked here as well as on every call: a bad option is a mistake in the setup, best reported there.
    TT_CHECK(options_.label_smoothing >= 0.0f && options_.label_smoothing <= 1.0f,
             "CrossEntropyLoss: label_smoothing must be in [0, 1], got " << options_.label_smoothing);
    TT_CHECK(!options_.weight.defined() || options_.weight.dim() == 1,
             "CrossEntropyLoss: weight must be one value per class, got shape " << options_.weight.shape());
    if (options_.weight.defined()) options_.weight = options_.weight.detach().clone();
}

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) const {
    return F::cross_entropy(input, target, options_);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(Tensor pos_weight, Reduction reduction)
    : pos_weight_(pos_weight.defined() ? pos_weight.detach().clone() : Tensor()), reduction_(reduction) {}

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) const {
    return F::binary_cross_entropy_with_logits(input, target, pos_weight_, reduction_);
}

}  // namespace tt::nn
