#include "loss.h"

#include <cmath>

#include "error.h"

namespace tt {

int64_t class_index(const float* target, int64_t n, int64_t classes, const char* who, const char* note) {
    float t = target[n];
    TT_CHECK(t >= 0 && t < static_cast<float>(classes) && std::floor(t) == t,
             who << ": target[" << n << "] = " << t << " is not a class index in [0, " << classes << ")" << note);
    return static_cast<int64_t>(t);
}

Tensor mse_loss_forward(const Tensor& input, const Tensor& target) {
    TT_CHECK(input.defined() && target.defined() && input.shape() == target.shape(),
             "mse_loss: input and target must have one shape, got " << (input.defined() ? input.shape() : Shape{})
                                                                    << " and "
                                                                    << (target.defined() ? target.shape() : Shape{}));
    std::vector<float> a = input.to_vector(), b = target.to_vector();
    double total = 0;
    for (size_t i = 0; i < a.size(); ++i)
        total += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return scalar(a.empty() ? 0.0f : static_cast<float>(total / static_cast<double>(a.size())));
}

Tensor mse_loss_backward(float grad, const Tensor& input, const Tensor& target) {
    TT_CHECK(input.defined() && target.defined() && input.shape() == target.shape(),
             "mse_loss: input and target must have one shape");
    std::vector<float> a = input.to_vector(), b = target.to_vector();
    const float scale = a.empty() ? 0.0f : 2.0f * grad / static_cast<float>(a.size());
    for (size_t i = 0; i < a.size(); ++i) a[i] = scale * (a[i] - b[i]);
    return Tensor(input.shape(), std::move(a));
}

namespace {

void check_mse(const Tensor& input, const Tensor& target) {
    TT_CHECK(input.defined() && target.defined() && input.shape() == target.shape(),
             "mse_loss: input and target must have one shape, got " << (input.defined() ? input.shape() : Shape{})
                                                                    << " and "
                                                                    << (target.defined() ? target.shape() : Shape{}));
}

}  // namespace

Tensor mse_loss_forward(const Tensor& input, const Tensor& target, Reduction reduction) {
    check_mse(input, target);
    std::vector<float> a = input.to_vector(), b = target.to_vector();
    if (reduction == Reduction::None) {
        for (size_t i = 0; i < a.size(); ++i) a[i] = (a[i] - b[i]) * (a[i] - b[i]);
        return Tensor(input.shape(), std::move(a));
    }
    double total = 0;
    for (size_t i = 0; i < a.size(); ++i)
        total += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    if (reduction == Reduction::Mean) total /= static_cast<double>(a.size());  // NaN for no elements, as torch
    return scalar(static_cast<float>(total));
}

Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction) {
    check_mse(input, target);
    std::vector<float> a = input.to_vector(), b = target.to_vector();
    if (reduction == Reduction::None) {
        TT_CHECK(grad.defined() && grad.numel() == input.numel(),
                 "mse_loss_backward: reduction none needs a gradient of the input's shape");
        std::vector<float> g = grad.to_vector();
        for (size_t i = 0; i < a.size(); ++i) a[i] = 2.0f * g[i] * (a[i] - b[i]);
        return Tensor(input.shape(), std::move(a));
    }
    TT_CHECK(grad.defined() && grad.numel() == 1, "mse_loss_backward: the gradient of a scalar loss is a scalar");
    float scale = 2.0f * grad.item();
    if (reduction == Reduction::Mean) scale /= static_cast<float>(a.size());
    for (size_t i = 0; i < a.size(); ++i) a[i] = scale * (a[i] - b[i]);
    return Tensor(input.shape(), std::move(a));
}

}  // namespace tt
