// Finite-difference gradchecks for the tt::F entries added after module 07 (whose own entries test_07_autograd.cpp
// checks): the spatial ops of module 10, embedding (12) and attention (13). Each module's checks compare these ops
// with PyTorch; this file adds the oracle that needs no fixture. Not a lesson's check file.
#include "fixtures.h"
#include "functional.h"
#include "gradcheck.h"
#include "random.h"
#include "testing.h"

using tt::Tensor;
namespace F = tt::F;

namespace {
Tensor leaf(const Tensor& t) { return t.clone().requires_grad_(); }
}  // namespace

TEST_CASE("gradcheck: F::avg_pool2d with stride and padding (padding counted in the divisor)") {
    Tensor x0 = tt::randn({2, 2, 5, 5}, 61), g = tt::randn({2, 2, 3, 3}, 62);
    auto f = [](const Tensor& x) { return F::avg_pool2d(x, 2, 2, 1); };
    Tensor x = leaf(x0);
    f(x).backward(g);
    CHECK_TENSOR(x.grad(), tt_test::numeric_grad(f, x0, g), 1e-3f, 1e-2f);
}

TEST_CASE("gradcheck: F::batch_norm in training, for x, weight and bias") {
    Tensor x0 = tt::randn({4, 3, 2, 2}, 63), w0 = tt::randn({3}, 64), b0 = tt::randn({3}, 65);
    Tensor g = tt::randn({4, 3, 2, 2}, 66);
    Tensor x = leaf(x0), w = leaf(w0), b = leaf(b0);
    F::batch_norm(x, Tensor(), Tensor(), w, b, true).backward(g);
    auto fx = [&](const Tensor& v) { return F::batch_norm(v, Tensor(), Tensor(), w0, b0, true); };
    auto fw = [&](const Tensor& v) { return F::batch_norm(x0, Tensor(), Tensor(), v, b0, true); };
    auto fb = [&](const Tensor& v) { return F::batch_norm(x0, Tensor(), Tensor(), w0, v, true); };
    CHECK_TENSOR(x.grad(), tt_test::numeric_grad(fx, x0, g), 2e-3f, 2e-2f);
    CHECK_TENSOR(w.grad(), tt_test::numeric_grad(fw, w0, g), 2e-3f, 2e-2f);
    CHECK_TENSOR(b.grad(), tt_test::numeric_grad(fb, b0, g), 2e-3f, 2e-2f);
}

TEST_CASE("gradcheck: F::dropout with the same mask on every call (a generator seeded per call)") {
    Tensor x0 = tt::randn({3, 7}, 67), g = tt::randn({3, 7}, 68);
    auto f = [](const Tensor& x) {
        tt::Generator gen(9);
        return F::dropout(x, 0.4f, true, gen);
    };
    Tensor x = leaf(x0);
    f(x).backward(g);
    CHECK_TENSOR(x.grad(), tt_test::numeric_grad(f, x0, g), 1e-3f, 1e-2f);
}

TEST_CASE("gradcheck: F::embedding for the table, repeated ids and a padding row") {
    Tensor w0 = tt::randn({5, 3}, 69), g = tt::randn({2, 4, 3}, 70);
    Tensor ids({2, 4}, {1, 4, 1, 0, 2, 1, 0, 3});
    for (int64_t pad : {-1, 0}) {
        INFO("padding_idx " << pad);
        auto f = [&](const Tensor& w) { return F::embedding(w, ids, pad); };
        Tensor w = leaf(w0);
        f(w).backward(g);
        Tensor expected = tt_test::numeric_grad(f, w0, g);
        if (pad == 0) expected.slice(0, 0, 1).fill_(0.0f);  // the padding row gets no gradient, by definition
        CHECK_TENSOR(w.grad(), expected, 1e-3f, 1e-2f);
    }
}

TEST_CASE("gradcheck: F::scaled_dot_product_attention, causal, for q, k and v") {
    Tensor q0 = tt::randn({2, 4, 3}, 71), k0 = tt::randn({2, 4, 3}, 72), v0 = tt::randn({2, 4, 3}, 73);
    Tensor g = tt::randn({2, 4, 3}, 74);
    Tensor q = leaf(q0), k = leaf(k0), v = leaf(v0);
    F::scaled_dot_product_attention(q, k, v, Tensor(), true).backward(g);
    auto fq = [&](const Tensor& t) { return F::scaled_dot_product_attention(t, k0, v0, Tensor(), true); };
    auto fk = [&](const Tensor& t) { return F::scaled_dot_product_attention(q0, t, v0, Tensor(), true); };
    auto fv = [&](const Tensor& t) { return F::scaled_dot_product_attention(q0, k0, t, Tensor(), true); };
    CHECK_TENSOR(q.grad(), tt_test::numeric_grad(fq, q0, g), 2e-3f, 2e-2f);
    CHECK_TENSOR(k.grad(), tt_test::numeric_grad(fk, k0, g), 2e-3f, 2e-2f);
    CHECK_TENSOR(v.grad(), tt_test::numeric_grad(fv, v0, g), 2e-3f, 2e-2f);
}
