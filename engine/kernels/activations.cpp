#include "activations.h"

#include <algorithm>
#include <cmath>

#include "elementwise.h"
#include "error.h"
#include "reduce.h"

namespace tt {

namespace {

void check_same_shape(const Tensor& grad_out, const Tensor& saved, const char* what) {
    TT_CHECK(grad_out.defined() && saved.defined(), what << ": undefined tensor (was forward run first?)");
    TT_CHECK(grad_out.shape() == saved.shape(),
             what << ": grad_out has shape " << grad_out.shape() << " but the forward tensor has shape "
                  << saved.shape());
}

constexpr float kSqrt1_2 = 0.70710678118654752f;     // 1 / sqrt(2)
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1 / sqrt(2 pi)

}  // namespace

// ---- ReLU ---------------------------------------------------------------------------------------------------

Tensor relu_forward(const Tensor& x) {
    // BEGIN SOLUTION max(x, 0) elementwise (unary_op)
    return unary_op(x, [](float v) { return v > 0.0f ? v : 0.0f; });
    // END SOLUTION
}

Tensor relu_backward(const Tensor& grad_out, const Tensor& x) {
    check_same_shape(grad_out, x, "relu_backward");
    // BEGIN SOLUTION the gradient passes where x > 0 and is 0 elsewhere (binary_op)
    auto pass_where_positive = [](float g, float v) { return v > 0.0f ? g : 0.0f; };
    return binary_op(grad_out, x, pass_where_positive, "relu_backward");
    // END SOLUTION
}

// ---- Sigmoid ------------------------------------------------------------------------------------------------

Tensor sigmoid_forward(const Tensor& x) {
    // BEGIN SOLUTION 1 / (1 + exp(-x)) overflows exp for very negative x: there use exp(x) / (1 + exp(x))
    return unary_op(x, [](float v) {
        if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
        float e = std::exp(v);
        return e / (1.0f + e);
    });
    // END SOLUTION
}

Tensor sigmoid_backward(const Tensor& grad_out, const Tensor& y) {
    check_same_shape(grad_out, y, "sigmoid_backward");
    // BEGIN SOLUTION sigmoid' = y * (1 - y)
    auto times_slope = [](float g, float s) { return g * s * (1.0f - s); };
    return binary_op(grad_out, y, times_slope, "sigmoid_backward");
    // END SOLUTION
}

// ---- Tanh ---------------------------------------------------------------------------------------------------

Tensor tanh_forward(const Tensor& x) {
    return unary_op(x, [](float v) { return std::tanh(v); });
}

Tensor tanh_backward(const Tensor& grad_out, const Tensor& y) {
    check_same_shape(grad_out, y, "tanh_backward");
    // BEGIN SOLUTION tanh' = 1 - y^2
    auto times_slope = [](float g, float t) { return g * (1.0f - t * t); };
    return binary_op(grad_out, y, times_slope, "tanh_backward");
    // END SOLUTION
}

// ---- GELU ---------------------------------------------------------------------------------------------------

Tensor gelu_forward(const Tensor& x) {
    // BEGIN SOLUTION x * Phi(x) with Phi(x) = 0.5 * (1 + erf(x / sqrt(2)))
    return unary_op(x, [](float v) { return 0.5f * v * (1.0f + std::erf(v * kSqrt1_2)); });
    // END SOLUTION
}

Tensor gelu_backward(const Tensor& grad_out, const Tensor& x) {
    check_same_shape(grad_out, x, "gelu_backward");
    // BEGIN SOLUTION product rule: GELU' = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
    return binary_op(
        grad_out, x,
        [](float g, float v) {
            float cdf = 0.5f * (1.0f + std::erf(v * kSqrt1_2));
            float pdf = kInvSqrt2Pi * std::exp(-0.5f * v * v);
            return g * (cdf + v * pdf);
        },
        "gelu_backward");
    // END SOLUTION
}

// ---- Softmax and LogSoftmax ---------------------------------------------------------------------------------
// Both work on a contiguous copy seen as [outer, n, inner] (split_at_axis): the n values of one slice are
// p[0], p[inner], p[2 * inner], ...

Tensor softmax_forward(const Tensor& x, int axis) {
    int a = normalize_axis(axis, x.dim(), "softmax_forward");
    Tensor in = x.contiguous();
    Tensor out(x.shape());
    AxisSplit s = split_at_axis(x.shape(), a);
    if (s.n == 0) return out;
    for (int64_t o = 0; o < s.outer; ++o)
        for (int64_t i = 0; i < s.inner; ++i) {
            const float* p = in.data() + o * s.n * s.inner + i;
            float* q = out.data() + o * s.n * s.inner + i;
            // BEGIN SOLUTION subtract the slice's max before exp (so exp never overflows), then divide by the sum
            float m = p[0];
            for (int64_t k = 1; k < s.n; ++k) m = std::max(m, p[k * s.inner]);
            float total = 0.0f;
            for (int64_t k = 0; k < s.n; ++k) {
                q[k * s.inner] = std::exp(p[k * s.inner] - m);
                total += q[k * s.inner];
            }
            for (int64_t k = 0; k < s.n; ++k) q[k * s.inner] /= total;
            // END SOLUTION
        }
    return out;
}

Tensor softmax_backward(const Tensor& grad_out, const Tensor& y, int axis) {
    check_same_shape(grad_out, y, "softmax_backward");
    normalize_axis(axis, y.dim(), "softmax_backward");
    // BEGIN SOLUTION dx = y * (g - sum(g * y)), the sum along the axis (keepdim, so it broadcasts back)
    Tensor gy = grad_out * y;
    return y * (grad_out - sum(gy, axis, true));
    // END SOLUTION
}

Tensor log_softmax_forward(const Tensor& x, int axis) {
    int a = normalize_axis(axis, x.dim(), "log_softmax_forward");
    Tensor in = x.contiguous();
    Tensor out(x.shape());
    AxisSplit s = split_at_axis(x.shape(), a);
    if (s.n == 0) return out;
    for (int64_t o = 0; o < s.outer; ++o)
        for (int64_t i = 0; i < s.inner; ++i) {
            const float* p = in.data() + o * s.n * s.inner + i;
            float* q = out.data() + o * s.n * s.inner + i;
            // BEGIN SOLUTION y = x - m - log(sum(exp(x - m))) with m the slice's max (the log-sum-exp trick)
            float m = p[0];
            for (int64_t k = 1; k < s.n; ++k) m = std::max(m, p[k * s.inner]);
            float total = 0.0f;
            for (int64_t k = 0; k < s.n; ++k) total += std::exp(p[k * s.inner] - m);
            float log_total = std::log(total);
            for (int64_t k = 0; k < s.n; ++k) q[k * s.inner] = p[k * s.inner] - m - log_total;
            // END SOLUTION
        }
    return out;
}

Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& y, int axis) {
    check_same_shape(grad_out, y, "log_softmax_backward");
    normalize_axis(axis, y.dim(), "log_softmax_backward");
    // BEGIN SOLUTION dx = g - softmax * sum(g), softmax = exp(y), the sum along the axis (keepdim)
    return grad_out - exp(y) * sum(grad_out, axis, true);
    // END SOLUTION
}

}  // namespace tt
