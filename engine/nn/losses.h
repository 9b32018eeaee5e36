// Module 09 — the loss modules of torch.nn: MSELoss, CrossEntropyLoss, BCEWithLogitsLoss.
//
// A loss is configured once (weights, smoothing, reduction) and then called on (prediction, target) pairs; its
// forward returns a tensor recorded by autograd (tt::F), so `loss(model(x), y).backward()` fills every parameter's
// grad. Losses have no parameters, so they are not Modules (whose forward takes one input): nn::Loss is their own
// small base, which the training loop (optim/train_loop.h) takes.
#pragma once

#include <string>

#include "loss.h"
#include "tensor.h"

namespace tt::nn {

class Loss {
public:
    virtual ~Loss() = default;
    virtual Tensor forward(const Tensor& input, const Tensor& target) const = 0;
    Tensor operator()(const Tensor& input, const Tensor& target) const { return forward(input, target); }
    virtual std::string type_name() const = 0;
};

// (input - target)^2, averaged over every element (mean), summed, or kept (none).
class MSELoss : public Loss {
public:
    explicit MSELoss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
    Tensor forward(const Tensor& input, const Tensor& target) const override;
    std::string type_name() const override { return "MSELoss"; }

private:
    Reduction reduction_;
};

// logits [N, C] and class indices [N]; options as torch.nn.CrossEntropyLoss (loss.h: CrossEntropyOptions).
class CrossEntropyLoss : public Loss {
public:
    explicit CrossEntropyLoss(CrossEntropyOptions options = {});
    Tensor forward(const Tensor& input, const Tensor& target) const override;
    std::string type_name() const override { return "CrossEntropyLoss"; }
    const CrossEntropyOptions& options() const { return options_; }

private:
    CrossEntropyOptions options_;
};

// One logit per independent binary label; targets in [0, 1] of the input's shape; pos_weight [C] scales the
// positive term of each label (the last axis), e.g. #negatives / #positives for a rare label.
class BCEWithLogitsLoss : public Loss {
public:
    explicit BCEWithLogitsLoss(Tensor pos_weight = Tensor(), Reduction reduction = Reduction::Mean);
    Tensor forward(const Tensor& input, const Tensor& target) const override;
    std::string type_name() const override { return "BCEWithLogitsLoss"; }

private:
    Tensor pos_weight_;
    Reduction reduction_;
};

}  // namespace tt::nn
