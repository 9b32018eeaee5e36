// Elementwise operations with NumPy/PyTorch broadcasting.
//
// Broadcasting: align the two shapes on the right; each pair of sizes must be equal or one of them 1 (a missing
// axis counts as 1); the result takes the larger size. [4, 1, 3] with [2, 3] gives [4, 2, 3]. A broadcast operand is
// read through expand(): a view with stride 0 along the repeated axes, so nothing is copied.
#pragma once

#include "tensor.h"

namespace tt {

// The broadcast shape of a and b; `what` names the operation in the error ("add: shapes [2, 3] and [4] cannot
// broadcast").
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what = "broadcast");

Tensor broadcast_to(const Tensor& t, const Shape& shape);  // = t.expand(shape), a view

// out[i] = f(a[i], b[i]) over the broadcast shape: the engine's one binary loop.
template <typename F>
Tensor binary_op(const Tensor& a, const Tensor& b, F f, const char* what);
// out[i] = f(x[i]).
template <typename F>
Tensor unary_op(const Tensor& x, F f);

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// Comparisons give 1.0f where true and 0.0f where false (float32 is the engine's only dtype).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);  // condition != 0 ? a : b

Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, float exponent);
Tensor clamp(const Tensor& x, float lo, float hi);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, float s);
Tensor operator-(const Tensor& a, float s);
Tensor operator*(const Tensor& a, float s);
Tensor operator/(const Tensor& a, float s);
Tensor operator*(float s, const Tensor& a);

// Largest |a - b| over the broadcast shape: how the tests compare with tolerances.
float max_abs_diff(const Tensor& a, const Tensor& b);
bool allclose(const Tensor& a, const Tensor& b, float rtol = 1e-5f, float atol = 1e-8f);

// ---- templates ------------------------------------------------------------------------------------------------

template <typename F>
Tensor binary_op(const Tensor& a, const Tensor& b, F f, const char* what) {
    Shape shape = broadcast_shapes(a.shape(), b.shape(), what);
    Tensor out(shape);
    float* dst = out.data();
    const int64_t n = out.numel();
    if (a.shape() == shape && b.shape() == shape && a.is_contiguous() && b.is_contiguous()) {
        const float* pa = a.data();  // the common case: same shape, dense: one flat loop
        const float* pb = b.data();
        for (int64_t i = 0; i < n; ++i) dst[i] = f(pa[i], pb[i]);
        return out;
    }
    Tensor ea = a.expand(shape), eb = b.expand(shape);
    OffsetWalker wa(shape, ea.strides(), ea.offset());
    OffsetWalker wb(shape, eb.strides(), eb.offset());
    const float* base_a = a.storage()->data();
    const float* base_b = b.storage()->data();
    for (int64_t i = 0; i < n; ++i) {
        dst[i] = f(base_a[wa.offset()], base_b[wb.offset()]);
        wa.next();
        wb.next();
    }
    return out;
}

template <typename F>
Tensor unary_op(const Tensor& x, F f) {
    Tensor src = x.contiguous();
    Tensor out(x.shape());
    const float* s = src.data();
    float* d = out.data();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) d[i] = f(s[i]);
    return out;
}

}  // namespace tt
