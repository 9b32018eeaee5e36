#include "reduce.h"

#include <limits>

#include "elementwise.h"
#include "error.h"

namespace tt {

AxisSplit split_at_axis(const Shape& shape, int axis) {
    AxisSplit s{1, shape[axis], 1};
    for (int d = 0; d < axis; ++d) s.outer *= shape[d];
    for (int d = axis + 1; d < static_cast<int>(shape.size()); ++d) s.inner *= shape[d];
    return s;
}

namespace {

Shape reduced_shape(const Shape& shape, int axis, bool keepdim) {
    Shape out = shape;
    if (keepdim) out[axis] = 1;
    else out.erase(out.begin() + axis);
    return out;
}

enum class Op { Sum, Max, Min, ArgMax };

// One reduction over one axis of a contiguous input; the heart of every function in this file.
Tensor reduce_axis(const Tensor& input, int axis, bool keepdim, Op op, const char* what) {
    TT_CHECK(input.defined(), what << ": the tensor is undefined (default-constructed)");
    if (input.dim() == 0) return input.clone();  // a scalar reduces to itself
    int a = normalize_axis(axis, input.dim(), what);
    TT_CHECK(op == Op::Sum || input.shape(a) > 0,
             what << ": cannot reduce axis " << axis << " of size 0 (shape " << input.shape() << ")");
    Tensor x = input.contiguous();
    Tensor out(reduced_shape(x.shape(), a, keepdim));
    AxisSplit s = split_at_axis(x.shape(), a);
    const float* src = x.data();
    float* dst = out.data();
    // BEGIN SOLUTION for each (o, i): combine src[o*n*inner + k*inner + i] over k; Sum adds, Max/Min keep the extreme, ArgMax keeps the first index of the largest; store at dst[o*inner + i]
    for (int64_t o = 0; o < s.outer; ++o)
        for (int64_t i = 0; i < s.inner; ++i) {
            const float* p = src + o * s.n * s.inner + i;
            float acc = op == Op::Sum ? 0.0f : p[0];
            int64_t best = 0;
            for (int64_t k = 0; k < s.n; ++k) {
                float v = p[k * s.inner];
                if (op == Op::Sum) acc += v;
                else if (op == Op::Min ? v < acc : v > acc) {
                    acc = v;
                    best = k;
                }
            }
            dst[o * s.inner + i] = op == Op::ArgMax ? static_cast<float>(best) : acc;
        }
    // END SOLUTION
    return out;
}

Tensor flat(const Tensor& x) { return x.reshape({-1}); }

}  // namespace

Tensor sum(const Tensor& x) { return reduce_axis(flat(x), 0, false, Op::Sum, "sum"); }
Tensor sum(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, Op::Sum, "sum"); }

Tensor mean(const Tensor& x) {
    TT_CHECK(x.numel() > 0, "mean: the tensor of shape " << x.shape() << " has no elements");
    return sum(x) / static_cast<float>(x.numel());
}

Tensor mean(const Tensor& x, int axis, bool keepdim) {
    int a = normalize_axis(axis, x.dim(), "mean");
    TT_CHECK(x.shape(a) > 0, "mean: cannot reduce axis " << axis << " of size 0 (shape " << x.shape() << ")");
    return sum(x, a, keepdim) / static_cast<float>(x.shape(a));
}

Tensor max(const Tensor& x) { return reduce_axis(flat(x), 0, false, Op::Max, "max"); }
Tensor max(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, Op::Max, "max"); }
Tensor min(const Tensor& x) { return reduce_axis(flat(x), 0, false, Op::Min, "min"); }
Tensor min(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, Op::Min, "min"); }
Tensor argmax(const Tensor& x) { return reduce_axis(flat(x), 0, false, Op::ArgMax, "argmax"); }
Tensor argmax(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, Op::ArgMax, "argmax"); }

Tensor sum_to(const Tensor& x, const Shape& shape) {
    TT_CHECK(broadcast_shapes(shape, x.shape(), "sum_to") == x.shape(),
             "sum_to: shape " << x.shape() << " is not a broadcast of " << shape);
    Tensor out = x;
    // Leading axes that broadcasting added, then axes stretched from size 1.
    while (out.dim() > static_cast<int>(shape.size())) out = sum(out, 0);
    for (int d = 0; d < out.dim(); ++d)
        if (shape[d] == 1 && out.shape(d) != 1) out = sum(out, d, true);
    return out;
}

}  // namespace tt
