// Module 09 — classification metrics: accuracy, the confusion matrix and per-class accuracy.
//
// The prediction of a row of logits [N, C] is its argmax, the FIRST index on a tie (as torch.argmax), so a model
// that outputs all zeros predicts class 0 everywhere. Targets are class indices [N] stored as floats. Metrics are
// plain numbers computed without autograd: they judge a model, nothing is trained on them.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor.h"

namespace tt::nn {

// The argmax of each row of logits [N, C].
std::vector<int64_t> predict_classes(const Tensor& logits);

// The fraction of rows whose prediction equals the target, in [0, 1]; NaN for an empty batch (0 / 0).
double accuracy(const Tensor& logits, const Tensor& target);

// [C, C] counts: row = true class, column = predicted class (the sklearn convention), so the diagonal holds the
// correct predictions and row i sums to the number of samples of class i.
Tensor confusion_matrix(const Tensor& logits, const Tensor& target, int64_t classes);

// Per class, correct / samples of that class (the diagonal over the row sums): [C]; NaN for a class without
// samples, which has no accuracy rather than a perfect or a zero one.
Tensor per_class_accuracy(const Tensor& confusion);

}  // namespace tt::nn
