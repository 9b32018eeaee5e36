// Finite-difference gradients: the oracle every backward kernel is checked against.
//
// For a function y = f(x) and an upstream gradient g, backward must return dL/dx of L(x) = sum(f(x) * g). Central
// differences estimate it one element at a time: dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps), with the
// sums taken in double. With float32 forward passes, eps = 1e-2 keeps rounding noise (~1e-7 |L| / eps) and the
// truncation error (~eps^2 f''') both near 1e-4, hence the tolerances of the checks.
#pragma once

#include <vector>

#include "tensor.h"

namespace tt_test {

template <typename F>
double weighted_sum(F& f, const tt::Tensor& x, const std::vector<float>& g) {
    std::vector<float> y = f(x).to_vector();
    double total = 0;
    for (size_t i = 0; i < y.size() && i < g.size(); ++i) total += static_cast<double>(y[i]) * g[i];
    return total;
}

// dL/dx for L(x) = sum(f(x) * g), by central differences; x is not modified.
template <typename F>
tt::Tensor numeric_grad(F f, const tt::Tensor& x, const tt::Tensor& g, float eps = 1e-2f) {
    tt::Tensor probe = x.clone();
    std::vector<float> gv = g.to_vector();
    tt::Tensor grad(x.shape());
    float* p = probe.data();
    for (int64_t i = 0; i < probe.numel(); ++i) {
        float saved = p[i];
        p[i] = saved + eps;
        double up = weighted_sum(f, probe, gv);
        p[i] = saved - eps;
        double down = weighted_sum(f, probe, gv);
        p[i] = saved;
        grad.data()[i] = static_cast<float>((up - down) / (2.0 * eps));
    }
    return grad;
}

}  // namespace tt_test
