// Module 09 — binary cross entropy on logits, the stable form of torch.nn.BCEWithLogitsLoss: one logit per
// independent yes/no (multi-label tagging, a detector's objectness), never a sigmoid followed by a log.
#include <algorithm>
#include <cmath>
#include <vector>

#include "error.h"
#include "loss.h"

namespace tt {

namespace {

// pos_weight per element of the input: [C] broadcast along the last axis (undefined: all 1).
std::vector<float> expand_pos_weight(const Tensor& input, const Tensor& target, const Tensor& pos_weight) {
    TT_CHECK(input.defined() && target.defined() && input.shape() == target.shape(),
             "binary_cross_entropy_with_logits: input and target must have one shape, got "
                 << (input.defined() ? input.shape() : Shape{}) << " and "
                 << (target.defined() ? target.shape() : Shape{}));
    std::vector<float> p(static_cast<size_t>(input.numel()), 1.0f);
    if (!pos_weight.defined()) return p;
    const int64_t C = input.dim() ? input.shape(-1) : 1;
    TT_CHECK(pos_weight.dim() == 1 && pos_weight.shape(0) == C,
             "binary_cross_entropy_with_logits: pos_weight must be [C] = [" << C << "] (the input's last axis), got "
                                                                            << pos_weight.shape());
    std::vector<float> w = pos_weight.to_vector();
    for (size_t i = 0; i < p.size(); ++i) p[i] = w[i % static_cast<size_t>(C)];
    return p;
}

// softplus(z) = log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|)).
double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }

}  // namespace

Tensor bce_with_logits_forward(const Tensor& input, const Tensor& target, const Tensor& pos_weight,
                               Reduction reduction) {
    std::vector<float> p = expand_pos_weight(input, target, pos_weight);
    std::vector<float> x = input.to_vector(), y = target.to_vector();
    std::vector<double> loss(x.size());
    // BEGIN SOLUTION per element: loss[i] = (1 - y) * x + (1 + (p - 1) * y) * softplus(-x), in double (softplus above is the stable log(1 + exp(.)))
    for (size_t i = 0; i < x.size(); ++i) {
        const double lw = 1.0 + (static_cast<double>(p[i]) - 1.0) * y[i];
        loss[i] = (1.0 - y[i]) * static_cast<double>(x[i]) + lw * softplus(-static_cast<double>(x[i]));
    }
    // END SOLUTION
    if (reduction == Reduction::None) {
        std::vector<float> out(loss.begin(), loss.end());
        return Tensor(input.shape(), std::move(out));
    }
    double total = 0;
    for (double l : loss) total += l;
    if (reduction == Reduction::Mean) total /= static_cast<double>(loss.size());  // NaN for an empty input, as torch
    return scalar(static_cast<float>(total));
}

Tensor bce_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& pos_weight,
                                Reduction reduction) {
    std::vector<float> p = expand_pos_weight(input, target, pos_weight);
    std::vector<float> x = input.to_vector(), y = target.to_vector();
    std::vector<float> g;
    if (reduction == Reduction::None) {
        TT_CHECK(grad.defined() && grad.numel() == input.numel(),
                 "bce_with_logits_backward: reduction none needs a gradient of the input's shape");
        g = grad.to_vector();
    } else {
        TT_CHECK(grad.defined() && grad.numel() == 1,
                 "bce_with_logits_backward: the gradient of a scalar loss is a scalar");
        double s = grad.item();
        if (reduction == Reduction::Mean) s /= static_cast<double>(x.size());
        g.assign(x.size(), static_cast<float>(s));
    }
    std::vector<float> d(x.size());
    // BEGIN SOLUTION per element: d[i] = g[i] * ((1 - y) - (1 + (p - 1) * y) * sigmoid(-x)), sigmoid(-x) = 1 / (1 + exp(x)) computed without overflow
    for (size_t i = 0; i < x.size(); ++i) {
        const double xi = x[i];
        const double e = std::exp(-std::abs(xi));  // <= 1: no overflow for either sign
        const double sig_neg = xi >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
        const double lw = 1.0 + (static_cast<double>(p[i]) - 1.0) * y[i];
        d[i] = static_cast<float>(g[i] * ((1.0 - y[i]) - lw * sig_neg));
    }
    // END SOLUTION
    return Tensor(input.shape(), std::move(d));
}

}  // namespace tt
