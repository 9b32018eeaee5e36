// tt::F, arithmetic, reductions and views: each entry runs its kernel and records its gradient rule.
#include "functional.h"

#include "elementwise.h"
#include "error.h"
#include "graph.h"
#include "matmul.h"
#include "reduce.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor add(const Tensor& a, const Tensor& b) {
    return record("add", tt::add(a, b), {a, b}, {}, [](const SavedList&, const Tensor& g) -> Grads { return {g, g}; });
}

Tensor sub(const Tensor& a, const Tensor& b) {
    return record("sub", tt::sub(a, b), {a, b}, {}, [](const SavedList&, const Tensor& g) -> Grads {
        return {g, tt::neg(g)};
    });
}

Tensor mul(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION record "mul" of tt::mul(a, b) over inputs {a, b}, saving {a, b}: d(ab)/da = b, d(ab)/db = a, each times g
    return record("mul", tt::mul(a, b), {a, b}, {a, b}, [](const SavedList& s, const Tensor& g) -> Grads {
        return {tt::mul(g, s[1]), tt::mul(g, s[0])};
    });
    // END SOLUTION
}

Tensor div(const Tensor& a, const Tensor& b) {
    return record("div", tt::div(a, b), {a, b}, {a, b}, [](const SavedList& s, const Tensor& g) -> Grads {
        // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return {tt::div(g, s[1]), tt::neg(tt::div(tt::mul(g, s[0]), tt::mul(s[1], s[1])))};
    });
}

Tensor matmul(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION record "matmul" saving {a, b}: dA = g @ B^T and dB = A^T @ g, transposing the last two axes (broadcast batch axes are reduced by backward)
    return record("matmul", tt::matmul(a, b), {a, b}, {a, b}, [](const SavedList& s, const Tensor& g) -> Grads {
        return {tt::matmul(g, s[1].transpose(-2, -1)), tt::matmul(s[0].transpose(-2, -1), g)};
    });
    // END SOLUTION
}

Tensor sum(const Tensor& x) {
    // BEGIN SOLUTION record "sum" of tt::sum(x): every element of x contributed once, so dx is g (a scalar) expanded to x's shape
    Shape shape = x.shape();
    return record("sum", tt::sum(x), {x}, {},
                  [shape](const SavedList&, const Tensor& g) -> Grads { return {g.expand(shape)}; });
    // END SOLUTION
}

namespace {

// g of a reduction over `axis` back to the input's shape: put the reduced axis back (size 1), then broadcast it.
Tensor unreduce(const Tensor& g, const Shape& shape, int axis, bool keepdim) {
    return (keepdim ? g : g.unsqueeze(axis)).expand(shape);
}

}  // namespace

Tensor sum(const Tensor& x, int axis, bool keepdim) {
    Shape shape = x.shape();
    int a = normalize_axis(axis, x.dim(), "F::sum");
    return record("sum", tt::sum(x, a, keepdim), {x}, {}, [shape, a, keepdim](const SavedList&, const Tensor& g) {
        return Grads{unreduce(g, shape, a, keepdim)};
    });
}

Tensor mean(const Tensor& x) {
    Shape shape = x.shape();
    float n = static_cast<float>(x.numel());
    return record("mean", tt::mean(x), {x}, {}, [shape, n](const SavedList&, const Tensor& g) -> Grads {
        return {tt::div(g, scalar(n)).expand(shape)};
    });
}

Tensor mean(const Tensor& x, int axis, bool keepdim) {
    Shape shape = x.shape();
    int a = normalize_axis(axis, x.dim(), "F::mean");
    float n = static_cast<float>(shape[a]);
    return record("mean", tt::mean(x, a, keepdim), {x}, {}, [shape, a, keepdim, n](const SavedList&, const Tensor& g) {
        return Grads{unreduce(tt::div(g, scalar(n)), shape, a, keepdim)};
    });
}

Tensor reshape(const Tensor& x, const Shape& shape) {
    Shape in = x.shape();
    return record("reshape", x.reshape(shape), {x}, {},
                  [in](const SavedList&, const Tensor& g) -> Grads { return {g.reshape(in)}; });
}

Tensor transpose(const Tensor& x, int axis0, int axis1) {
    return record("transpose", x.transpose(axis0, axis1), {x}, {},
                  [axis0, axis1](const SavedList&, const Tensor& g) -> Grads { return {g.transpose(axis0, axis1)}; });
}

Tensor slice(const Tensor& x, int axis, int64_t start, int64_t stop, int64_t step) {
    Shape in = x.shape();
    return record("slice", x.slice(axis, start, stop, step), {x}, {},
                  [in, axis, start, stop, step](const SavedList&, const Tensor& g) -> Grads {
                      Tensor dx = zeros(in);  // elements outside the slice did not reach the output
                      dx.slice(axis, start, stop, step).copy_(g);
                      return {dx};
                  });
}

}  // namespace tt::F
