#include "elementwise.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace tt {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
    // BEGIN SOLUTION align on the right; sizes must match or one be 1 (a missing axis counts as 1); else TT_CHECK with "<what>: shapes <a> and <b> cannot broadcast"
    size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (size_t i = 0; i < n; ++i) {
        // i counts axes from the right
        int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
        int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
        TT_CHECK(sa == sb || sa == 1 || sb == 1, what << ": shapes " << a << " and " << b << " cannot broadcast");
        out[n - 1 - i] = sa == 1 ? sb : sa;
    }
    return out;
    // END SOLUTION
}

Tensor broadcast_to(const Tensor& t, const Shape& shape) { return t.expand(shape); }

// One line per operation, lambdas inline: clang-format 14 would break each of these calls before its first argument.
// clang-format off
Tensor add(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x + y; }, "add");
}
Tensor sub(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x - y; }, "sub");
}
Tensor mul(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x * y; }, "mul");
}
Tensor div(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x / y; }, "div");
}
Tensor maximum(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return std::max(x, y); }, "maximum");
}
Tensor minimum(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return std::min(x, y); }, "minimum");
}

Tensor eq(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x == y ? 1.0f : 0.0f; }, "eq");
}
Tensor ne(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x != y ? 1.0f : 0.0f; }, "ne");
}
Tensor lt(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x < y ? 1.0f : 0.0f; }, "lt");
}
Tensor le(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x <= y ? 1.0f : 0.0f; }, "le");
}
Tensor gt(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x > y ? 1.0f : 0.0f; }, "gt");
}
Tensor ge(const Tensor& a, const Tensor& b) {
    return binary_op(a, b, [](float x, float y) { return x >= y ? 1.0f : 0.0f; }, "ge");
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
    Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
    // Selection, not arithmetic: a NaN or inf in the branch not taken must not leak into the result.
    Tensor c = condition.expand(shape).contiguous();
    Tensor x = a.expand(shape).contiguous();
    Tensor y = b.expand(shape).contiguous();
    Tensor out(shape);
    const float *pc = c.data(), *px = x.data(), *py = y.data();
    float* dst = out.data();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) dst[i] = pc[i] != 0.0f ? px[i] : py[i];
    return out;
}

Tensor neg(const Tensor& x) { return unary_op(x, [](float v) { return -v; }); }
Tensor abs(const Tensor& x) { return unary_op(x, [](float v) { return std::fabs(v); }); }
Tensor exp(const Tensor& x) { return unary_op(x, [](float v) { return std::exp(v); }); }
Tensor log(const Tensor& x) { return unary_op(x, [](float v) { return std::log(v); }); }
Tensor sqrt(const Tensor& x) { return unary_op(x, [](float v) { return std::sqrt(v); }); }
Tensor pow(const Tensor& x, float exponent) {
    return unary_op(x, [exponent](float v) { return std::pow(v, exponent); });
}
Tensor clamp(const Tensor& x, float lo, float hi) {
    TT_CHECK(lo <= hi, "clamp: lo " << lo << " is greater than hi " << hi);
    return unary_op(x, [lo, hi](float v) { return std::min(std::max(v, lo), hi); });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, float s) { return unary_op(a, [s](float v) { return v + s; }); }
Tensor operator-(const Tensor& a, float s) { return unary_op(a, [s](float v) { return v - s; }); }
Tensor operator*(const Tensor& a, float s) { return unary_op(a, [s](float v) { return v * s; }); }
Tensor operator/(const Tensor& a, float s) { return unary_op(a, [s](float v) { return v / s; }); }
Tensor operator*(float s, const Tensor& a) { return a * s; }
// clang-format on

float max_abs_diff(const Tensor& a, const Tensor& b) {
    auto abs_diff = [](float x, float y) { return std::fabs(x - y); };
    Tensor d = binary_op(a, b, abs_diff, "max_abs_diff");
    float m = 0.0f;
    for (float v : d.to_vector()) m = std::isnan(v) ? v : std::max(m, v);
    return m;
}

bool allclose(const Tensor& a, const Tensor& b, float rtol, float atol) {
    Tensor ok = binary_op(
        a, b, [rtol, atol](float x, float y) { return std::fabs(x - y) <= atol + rtol * std::fabs(y) ? 1.0f : 0.0f; },
        "allclose");
    for (float v : ok.to_vector())
        if (v == 0.0f) return false;
    return true;
}

// ---- in place -------------------------------------------------------------------------------------------------

Tensor& Tensor::fill_(float value) {
    TT_CHECK(defined(), "fill_: the tensor is undefined (default-constructed)");
    storage_->bump_version();
    float* base = storage_->data();
    OffsetWalker walk(shape_, strides_, offset_);
    for (int64_t i = 0, n = numel(); i < n; ++i, walk.next()) base[walk.offset()] = value;
    return *this;
}

namespace {

// dst[i] = f(dst[i], src[i]) for every element of dst (through its strides), src broadcast to dst's shape.
// `op` and `verb` name the operation in errors ("copy_: cannot copy shape [3] into shape [2, 2]").
template <typename F>
Tensor& update_from(Tensor& dst, const Tensor& src, const char* op, const char* verb, F f) {
    TT_CHECK(dst.defined(), op << ": the tensor is undefined (default-constructed)");
    Shape shape = broadcast_shapes(dst.shape(), src.shape(), op);
    TT_CHECK(shape == dst.shape(),
             op << ": cannot " << verb << " shape " << src.shape() << " into shape " << dst.shape());
    // Read everything first: src may overlap dst's storage (e.g. a transposed view of it).
    Tensor values = src.expand(dst.shape()).clone();
    const float* s = values.data();
    float* base = dst.storage()->data();
    dst.storage()->bump_version();
    OffsetWalker walk(dst.shape(), dst.strides(), dst.offset());
    for (int64_t i = 0, n = dst.numel(); i < n; ++i, walk.next()) base[walk.offset()] = f(base[walk.offset()], s[i]);
    return dst;
}

}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
    return update_from(*this, src, "copy_", "copy", [](float, float v) { return v; });
}

Tensor& Tensor::add_(const Tensor& other, float alpha) {
    return update_from(*this, other, "add_", "add", [alpha](float old, float v) { return old + alpha * v; });
}

Tensor& Tensor::mul_(float value) {
    TT_CHECK(defined(), "mul_: the tensor is undefined (default-constructed)");
    storage_->bump_version();
    float* base = storage_->data();
    OffsetWalker walk(shape_, strides_, offset_);
    for (int64_t i = 0, n = numel(); i < n; ++i, walk.next()) base[walk.offset()] *= value;
    return *this;
}

}  // namespace tt
