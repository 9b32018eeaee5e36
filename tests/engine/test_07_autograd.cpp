// Module 07 — Autograd: every tt::F entry against finite differences, composite graphs against torch.autograd
// (tests/fixtures/07_autograd.txt), and the engine's rules: += accumulation, sum_to for broadcast inputs,
// topological order, NoGrad, the guards, no leaks.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "grad_mode.h"
#include "gradcheck.h"
#include "graph.h"
#include "random.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("07_autograd.txt");
    return f;
}

// Every backward check runs inside one: the tensors it made (graphs, gradients) are all gone at its end, so the
// graph holds no reference cycle.
struct LeakCheck {
    int64_t start = (fx(), Tensor::live_count());  // the fixture file is read once, before counting
    ~LeakCheck() { CHECK_MESSAGE(Tensor::live_count() == start, "tensors leaked: " << Tensor::live_count() - start); }
};

Tensor leaf(const Tensor& t) { return t.clone().requires_grad_(); }

// Values at least 0.1 away from 0 (ReLU's kink) and from each other's neighbours in max-pool windows.
Tensor away_from_zero(const Shape& shape, uint64_t seed) {
    Tensor x = tt::randn(shape, seed);
    for (int64_t i = 0; i < x.numel(); ++i)
        if (std::fabs(x.data()[i]) < 0.1f) x.data()[i] = x.data()[i] < 0 ? -0.5f : 0.5f;
    return x;
}

// The autograd gradient of L = sum(f(inputs) * g) with respect to inputs[k], against central differences. The
// other inputs are held fixed; all of them require grad, so a rule that mixes them up is seen.
void gradcheck(const std::string& what, const std::function<Tensor(const std::vector<Tensor>&)>& f,
               const std::vector<Tensor>& values, float tol = 2e-3f) {
    INFO("F::" << what);
    LeakCheck leaks;
    std::vector<Tensor> inputs;
    for (const Tensor& v : values) inputs.push_back(leaf(v));
    Tensor y = f(inputs);
    REQUIRE(y.requires_grad());
    Tensor g = tt::randn(y.shape(), 99);
    y.backward(g);
    for (size_t k = 0; k < values.size(); ++k) {
        INFO("gradient of input " << k << " (shape " << values[k].shape() << ")");
        auto fk = [&](const Tensor& xk) {
            std::vector<Tensor> probe = values;
            probe[k] = xk;
            return f(probe);
        };
        CHECK_TENSOR(inputs[k].grad(), tt_test::numeric_grad(fk, values[k], g), tol, 1e-2f);
    }
}

Tensor target_of(const std::string& name) { return fx()[name]; }

}  // namespace

TEST_CASE("07 gradcheck: add, sub, mul, div with broadcasting") {
    std::vector<Tensor> v = {tt::randn({4, 1, 3}, 1), away_from_zero({2, 3}, 2)};
    gradcheck(
        "add", [](auto& t) { return F::add(t[0], t[1]); }, v);
    gradcheck(
        "sub", [](auto& t) { return F::sub(t[0], t[1]); }, v);
    gradcheck(
        "mul", [](auto& t) { return F::mul(t[0], t[1]); }, v);
    gradcheck("div", [](auto& t) { return F::div(t[0], t[1]); }, {v[0], tt::add(tt::abs(v[1]), tt::scalar(0.5f))});
    gradcheck("mul (same shape)", [](auto& t) { return F::mul(t[0], t[1]); },
              {tt::randn({3, 2}, 3), tt::randn({3, 2}, 4)});
}

TEST_CASE("07 gradcheck: matmul, 2-D and batched with broadcast batch axes") {
    gradcheck("matmul", [](auto& t) { return F::matmul(t[0], t[1]); }, {tt::randn({3, 4}, 5), tt::randn({4, 2}, 6)});
    gradcheck("matmul (batched)", [](auto& t) { return F::matmul(t[0], t[1]); },
              {tt::randn({2, 1, 3, 4}, 7), tt::randn({3, 4, 2}, 8)});
}

TEST_CASE("07 gradcheck: sum and mean, over everything and per axis (keepdim or not)") {
    Tensor x = tt::randn({2, 3, 4}, 9);
    gradcheck("sum", [](auto& t) { return F::sum(t[0]); }, {x});
    gradcheck("mean", [](auto& t) { return F::mean(t[0]); }, {x});
    for (int axis : {0, 1, -1})
        for (bool keep : {false, true}) {
            INFO("axis " << axis << (keep ? " keepdim" : ""));
            gradcheck("sum axis", [=](auto& t) { return F::sum(t[0], axis, keep); }, {x});
            gradcheck("mean axis", [=](auto& t) { return F::mean(t[0], axis, keep); }, {x});
        }
}

TEST_CASE("07 gradcheck: reshape, transpose, slice") {
    Tensor x = tt::randn({2, 3, 4}, 10);
    gradcheck("reshape", [](auto& t) { return F::reshape(t[0], {4, -1}); }, {x});
    gradcheck("transpose", [](auto& t) { return F::transpose(t[0], 0, 2); }, {x});
    gradcheck("slice", [](auto& t) { return F::slice(t[0], 2, 1, 4, 2); }, {x});
    // A view of a view: the gradient of a non-contiguous tensor flows back through both.
    gradcheck("slice of transpose", [](auto& t) { return F::slice(F::transpose(t[0], 1, 2), 1, 0, 3); }, {x});
}

TEST_CASE("07 gradcheck: relu, sigmoid, tanh, gelu, softmax, log_softmax") {
    Tensor x = away_from_zero({3, 5}, 11);
    gradcheck("relu", [](auto& t) { return F::relu(t[0]); }, {x});
    gradcheck("sigmoid", [](auto& t) { return F::sigmoid(t[0]); }, {x});
    gradcheck("tanh", [](auto& t) { return F::tanh(t[0]); }, {x});
    gradcheck("gelu", [](auto& t) { return F::gelu(t[0]); }, {x});
    for (int axis : {0, -1}) {
        gradcheck("softmax", [=](auto& t) { return F::softmax(t[0], axis); }, {x});
        gradcheck("log_softmax", [=](auto& t) { return F::log_softmax(t[0], axis); }, {x});
    }
}

TEST_CASE("07 gradcheck: linear (with and without bias, [B, T, in] input)") {
    gradcheck("linear", [](auto& t) { return F::linear(t[0], t[1], t[2]); },
              {tt::randn({2, 3, 4}, 12), tt::randn({5, 4}, 13), tt::randn({5}, 14)});
    gradcheck("linear (no bias)", [](auto& t) { return F::linear(t[0], t[1]); },
              {tt::randn({3, 4}, 15), tt::randn({2, 4}, 16)});
}

TEST_CASE("07 gradcheck: conv2d (stride, padding) and max_pool2d") {
    gradcheck(
        "conv2d", [](auto& t) { return F::conv2d(t[0], t[1], t[2], 2, 1); },
        {tt::randn({2, 2, 5, 5}, 17), tt::randn({3, 2, 3, 3}, 18), tt::randn({3}, 19)}, 5e-3f);
    // Distinct values 0.05 apart: moving one by eps = 0.01 never changes which element wins a window.
    Tensor x = tt::mul(tt::arange(int64_t(2 * 3 * 4 * 4)), tt::scalar(0.05f)).reshape({2, 3, 4, 4});
    std::vector<float> v = x.to_vector();
    for (size_t i = 0; i < v.size(); ++i) std::swap(v[i], v[(i * 37 + 11) % v.size()]);
    gradcheck("max_pool2d", [](auto& t) { return F::max_pool2d(t[0], 2); }, {Tensor({2, 3, 4, 4}, v)});
}

TEST_CASE("07 gradcheck: cross_entropy (logits) and mse_loss (both inputs)") {
    Tensor target({4}, {2, 0, 1, 2});
    gradcheck("cross_entropy", [&](auto& t) { return F::cross_entropy(t[0], target); }, {tt::randn({4, 3}, 20)});
    gradcheck("mse_loss", [](auto& t) { return F::mse_loss(t[0], t[1]); },
              {tt::randn({3, 4}, 21), tt::randn({3, 4}, 22)});
}

TEST_CASE("07 gradcheck: checkpoint gives the gradients of the segment it recomputes") {
    gradcheck("checkpoint",
              [](auto& t) {
                  return F::checkpoint([w = t[1]](const Tensor& h) { return F::tanh(F::matmul(h, w)); }, t[0]);
              },
              {tt::randn({3, 4}, 23), tt::randn({4, 2}, 24)});
}

TEST_CASE("07 PyTorch: MLP linear-relu-linear-cross_entropy, loss and every gradient") {
    LeakCheck leaks;
    Tensor x = leaf(fx()["mlp.x"]), w1 = leaf(fx()["mlp.w1"]), b1 = leaf(fx()["mlp.b1"]);
    Tensor w2 = leaf(fx()["mlp.w2"]), b2 = leaf(fx()["mlp.b2"]);
    Tensor loss = F::cross_entropy(F::linear(F::relu(F::linear(x, w1, b1)), w2, b2), target_of("mlp.target"));
    CHECK_TENSOR(loss, fx()["mlp.loss"], 1e-5f, 1e-5f);
    loss.backward();
    CHECK_TENSOR(x.grad(), fx()["mlp.grad.x"], 1e-5f, 1e-4f);
    CHECK_TENSOR(w1.grad(), fx()["mlp.grad.w1"], 1e-5f, 1e-4f);
    CHECK_TENSOR(b1.grad(), fx()["mlp.grad.b1"], 1e-5f, 1e-4f);
    CHECK_TENSOR(w2.grad(), fx()["mlp.grad.w2"], 1e-5f, 1e-4f);
    CHECK_TENSOR(b2.grad(), fx()["mlp.grad.b2"], 1e-5f, 1e-4f);
}

TEST_CASE("07 PyTorch: CNN conv2d-relu-max_pool2d-linear-cross_entropy, loss and every gradient") {
    LeakCheck leaks;
    Tensor x = leaf(fx()["cnn.x"]), cw = leaf(fx()["cnn.cw"]), cb = leaf(fx()["cnn.cb"]);
    Tensor lw = leaf(fx()["cnn.lw"]), lb = leaf(fx()["cnn.lb"]);
    Tensor h = F::max_pool2d(F::relu(F::conv2d(x, cw, cb, 1, 1)), 2);
    Tensor loss = F::cross_entropy(F::linear(F::reshape(h, {2, -1}), lw, lb), target_of("cnn.target"));
    CHECK_TENSOR(loss, fx()["cnn.loss"], 1e-5f, 1e-5f);
    loss.backward();
    CHECK_TENSOR(x.grad(), fx()["cnn.grad.x"], 1e-5f, 1e-4f);
    CHECK_TENSOR(cw.grad(), fx()["cnn.grad.cw"], 1e-5f, 1e-4f);
    CHECK_TENSOR(cb.grad(), fx()["cnn.grad.cb"], 1e-5f, 1e-4f);
    CHECK_TENSOR(lw.grad(), fx()["cnn.grad.lw"], 1e-5f, 1e-4f);
    CHECK_TENSOR(lb.grad(), fx()["cnn.grad.lb"], 1e-5f, 1e-4f);
}

TEST_CASE("07 PyTorch: broadcast inputs get gradients of their own shape, summed over their copies") {
    LeakCheck leaks;
    Tensor a = leaf(fx()["bcast.a"]), b = leaf(fx()["bcast.b"]), c = leaf(fx()["bcast.c"]);
    Tensor out = F::sum(F::add(F::mul(a, b), c));  // [4, 1, 3] * [2, 3] + [3]
    CHECK_TENSOR(out, fx()["bcast.out"], 1e-5f, 1e-5f);
    out.backward();
    CHECK_TENSOR(a.grad(), fx()["bcast.grad.a"], 1e-5f, 1e-5f);
    CHECK_TENSOR(b.grad(), fx()["bcast.grad.b"], 1e-5f, 1e-5f);
    CHECK_TENSOR(c.grad(), fx()["bcast.grad.c"], 1e-5f, 1e-5f);

    Tensor a2 = leaf(fx()["bcast.a"]), b2 = leaf(fx()["bcast.b"]), d = leaf(fx()["bcast.d"]);
    Tensor out2 = F::mean(F::div(F::sub(a2, b2), d));  // [2, 1] divides [4, 2, 3]
    CHECK_TENSOR(out2, fx()["bcast.out2"], 1e-5f, 1e-5f);
    out2.backward();
    CHECK_TENSOR(a2.grad(), fx()["bcast2.grad.a"], 1e-5f, 1e-5f);
    CHECK_TENSOR(b2.grad(), fx()["bcast2.grad.b"], 1e-5f, 1e-5f);
    CHECK_TENSOR(d.grad(), fx()["bcast2.grad.d"], 1e-5f, 1e-5f);
}

TEST_CASE("07 PyTorch: batched matmul with broadcast batch axes") {
    LeakCheck leaks;
    Tensor a = leaf(fx()["bmm.a"]), b = leaf(fx()["bmm.b"]);
    F::sum(F::mul(F::matmul(a, b), fx()["bmm.g"])).backward();
    CHECK_TENSOR(a.grad(), fx()["bmm.grad.a"], 1e-5f, 1e-4f);
    CHECK_TENSOR(b.grad(), fx()["bmm.grad.b"], 1e-5f, 1e-4f);
}

TEST_CASE("07 PyTorch: a tensor used several times receives the sum of every use's gradient") {
    LeakCheck leaks;
    Tensor x = leaf(fx()["twice.x"]), m = leaf(fx()["twice.m"]);
    Tensor xm = F::matmul(x, m);
    Tensor out = F::add(F::add(F::sum(F::mul(F::softmax(x, -1), x)), F::mean(F::mul(x, x))),
                        F::add(F::sum(F::tanh(xm)), F::mse_loss(xm, x)));
    CHECK_TENSOR(out, fx()["twice.out"], 1e-5f, 1e-5f);
    out.backward();
    CHECK_TENSOR(x.grad(), fx()["twice.grad.x"], 1e-5f, 1e-4f);
    CHECK_TENSOR(m.grad(), fx()["twice.grad.m"], 1e-5f, 1e-4f);
}
