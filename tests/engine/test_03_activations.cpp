// Module 03 — Activations: forward and backward kernels against PyTorch (tests/fixtures/03_activations.txt),
// backward against finite differences, and stability at +-1e4.
#include <cmath>
#include <functional>
#include <string>

#include "activations.h"
#include "elementwise.h"
#include "fixtures.h"
#include "gradcheck.h"
#include "random.h"
#include "reduce.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("03_activations.txt");
    return f;
}

using Forward = std::function<Tensor(const Tensor&)>;
using Backward = std::function<Tensor(const Tensor& g, const Tensor& x, const Tensor& y)>;

struct Activation {
    const char* name;
    Forward forward;
    Backward backward;  // given x and y = forward(x): each kernel takes what it needs
};

const Activation kElementwise[] = {
    {"relu", tt::relu_forward, [](const Tensor& g, const Tensor& x, const Tensor&) { return tt::relu_backward(g, x); }},
    {"sigmoid", tt::sigmoid_forward,
     [](const Tensor& g, const Tensor&, const Tensor& y) { return tt::sigmoid_backward(g, y); }},
    {"tanh", tt::tanh_forward, [](const Tensor& g, const Tensor&, const Tensor& y) { return tt::tanh_backward(g, y); }},
    {"gelu", tt::gelu_forward, [](const Tensor& g, const Tensor& x, const Tensor&) { return tt::gelu_backward(g, x); }},
};

const Activation& find(const std::string& name) {
    for (const Activation& a : kElementwise)
        if (name == a.name) return a;
    return kElementwise[0];
}

void check_forward(const std::string& name, const char* input) {
    const Activation& act = find(name);
    Tensor x = fx()[input];
    std::string k = name + "." + input + ".";
    INFO(name << "_forward, x = " << x);
    CHECK_TENSOR(act.forward(x), fx()[k + "y"], 1e-6f, 1e-5f);
}

void check_backward(const std::string& name, const char* input, const char* grad) {
    const Activation& act = find(name);
    Tensor x = fx()[input];
    Tensor g = std::string(grad) == "ones" ? tt::ones(x.shape()) : fx()[grad];
    std::string k = name + "." + input + ".";
    INFO(name << "_backward, x = " << x << "\ngrad_out = " << g);
    Tensor y = act.forward(x);
    CHECK_TENSOR(act.backward(g, x, y), fx()[k + "dx"], 1e-6f, 1e-5f);
}

void check_finite_differences(const std::string& name, const Tensor& x) {
    const Activation& act = find(name);
    Tensor g = tt::randn(x.shape(), 99);
    Tensor numeric = tt_test::numeric_grad(act.forward, x, g);
    INFO(name << "_backward vs finite differences, x = " << x << "\ngrad_out = " << g);
    CHECK_TENSOR(act.backward(g, x, act.forward(x)), numeric, 2e-3f, 2e-3f);
}

// Inputs away from ReLU's kink at 0, where the finite difference would straddle it.
Tensor smooth_input() {
    Tensor x = tt::randn({3, 5}, 12) * 2.0f;
    return tt::where(tt::lt(tt::abs(x), tt::full({}, 0.1f)), tt::full({}, 0.5f), x);
}

}  // namespace

// ---- elementwise activations ----------------------------------------------------------------------------------

TEST_CASE("03 relu: forward matches PyTorch") { check_forward("relu", "x"); }
TEST_CASE("03 relu: backward matches PyTorch") { check_backward("relu", "x", "g"); }
TEST_CASE("03 relu: backward matches finite differences") { check_finite_differences("relu", smooth_input()); }
TEST_CASE("03 relu: by hand") {
    Tensor x({4}, {-2, -0.5f, 0.5f, 3});
    CHECK(tt::relu_forward(x).to_vector() == std::vector<float>{0, 0, 0.5f, 3});
    CHECK(tt::relu_backward(tt::ones({4}), x).to_vector() == std::vector<float>{0, 0, 1, 1});
}

TEST_CASE("03 sigmoid: forward matches PyTorch") { check_forward("sigmoid", "x"); }
TEST_CASE("03 sigmoid: backward matches PyTorch") { check_backward("sigmoid", "x", "g"); }
TEST_CASE("03 sigmoid: backward matches finite differences") { check_finite_differences("sigmoid", smooth_input()); }

TEST_CASE("03 tanh: forward matches PyTorch") { check_forward("tanh", "x"); }
TEST_CASE("03 tanh: backward matches PyTorch") { check_backward("tanh", "x", "g"); }
TEST_CASE("03 tanh: backward matches finite differences") { check_finite_differences("tanh", smooth_input()); }

TEST_CASE("03 gelu: forward matches PyTorch's default (erf) GELU") { check_forward("gelu", "x"); }
TEST_CASE("03 gelu: backward matches PyTorch") { check_backward("gelu", "x", "g"); }
TEST_CASE("03 gelu: backward matches finite differences") { check_finite_differences("gelu", smooth_input()); }
TEST_CASE("03 gelu: known values") {
    Tensor y = tt::gelu_forward(Tensor({3}, {0, 1, -1}));
    CHECK(y.to_vector()[0] == 0.0f);
    CHECK(y.to_vector()[1] == doctest::Approx(0.8413447).epsilon(1e-6));  // Phi(1)
    CHECK(y.to_vector()[2] == doctest::Approx(-0.1586553).epsilon(1e-6));
}

TEST_CASE("03 stability: every activation at +-1e4 is finite and matches PyTorch") {
    for (const Activation& act : kElementwise) {
        check_forward(act.name, "big");
        check_backward(act.name, "big", "ones");
        std::vector<float> y = act.forward(fx()["big"]).to_vector();
        for (float v : y) CHECK_MESSAGE(std::isfinite(v), act.name << "_forward gave " << v << " for input +-1e4");
    }
}

TEST_CASE("03 activations: non-contiguous input gives the same values") {
    Tensor x = fx()["x"];
    Tensor xt = x.t().contiguous().t();  // same values, transposed strides
    for (const Activation& act : kElementwise) {
        INFO(act.name);
        CHECK_TENSOR(act.forward(xt), act.forward(x), 0.0f, 0.0f);
    }
    CHECK_TENSOR(tt::softmax_forward(xt, 0), tt::softmax_forward(x, 0), 0.0f, 0.0f);
}

// ---- softmax / log_softmax ------------------------------------------------------------------------------------

TEST_CASE("03 softmax: forward matches PyTorch along every axis") {
    for (auto [input, axes] : {std::pair<const char*, std::vector<int>>{"x", {0, 1, -1}}, {"x3", {0, 1, 2}}}) {
        for (int axis : axes) {
            Tensor x = fx()[input];
            INFO("softmax_forward, axis " << axis << ", x = " << x);
            CHECK_TENSOR(tt::softmax_forward(x, axis),
                         fx()["softmax." + std::string(input) + "." + std::to_string(axis) + ".y"], 1e-6f, 1e-5f);
        }
    }
}

TEST_CASE("03 softmax: each slice sums to 1") {
    Tensor y = tt::softmax_forward(fx()["x3"], 1);
    CHECK_TENSOR(tt::sum(y, 1), tt::ones({2, 4}), 1e-6f, 0.0f);
}

TEST_CASE("03 softmax: stable for +-1e4 (no inf, no NaN) and matches PyTorch") {
    Tensor x = fx()["big"];
    INFO("x = " << x);
    CHECK_TENSOR(tt::softmax_forward(x, -1), fx()["softmax.big.-1.y"], 1e-6f, 1e-5f);
    CHECK_TENSOR(tt::log_softmax_forward(x, -1), fx()["log_softmax.big.-1.y"], 1e-6f, 1e-5f);
    Tensor g = fx()["gbig_softmax"];
    CHECK_TENSOR(tt::softmax_backward(g, tt::softmax_forward(x, -1), -1), fx()["softmax.big.-1.dx"], 1e-6f, 1e-5f);
    CHECK_TENSOR(tt::log_softmax_backward(g, tt::log_softmax_forward(x, -1), -1), fx()["log_softmax.big.-1.dx"], 1e-6f,
                 1e-5f);
}

TEST_CASE("03 softmax: adding a constant to a slice changes nothing") {
    Tensor x = fx()["x"];
    CHECK_TENSOR(tt::softmax_forward(x + 1000.0f, 1), tt::softmax_forward(x, 1), 1e-6f, 1e-4f);
}

TEST_CASE("03 softmax: backward matches PyTorch along every axis") {
    for (auto [input, grad, axes] :
         {std::tuple<const char*, const char*, std::vector<int>>{"x", "g", {0, 1, -1}}, {"x3", "g3", {0, 1, 2}}}) {
        for (int axis : axes) {
            Tensor x = fx()[input], g = fx()[grad];
            INFO("softmax_backward, axis " << axis << ", x = " << x << "\ngrad_out = " << g);
            Tensor y = tt::softmax_forward(x, axis);
            CHECK_TENSOR(tt::softmax_backward(g, y, axis),
                         fx()["softmax." + std::string(input) + "." + std::to_string(axis) + ".dx"], 1e-6f, 1e-5f);
        }
    }
}

TEST_CASE("03 softmax: backward matches finite differences") {
    Tensor x = fx()["x3"], g = fx()["g3"];
    for (int axis : {0, 1, 2}) {
        auto f = [axis](const Tensor& t) { return tt::softmax_forward(t, axis); };
        INFO("axis " << axis << ", x = " << x);
        CHECK_TENSOR(tt::softmax_backward(g, f(x), axis), tt_test::numeric_grad(f, x, g), 2e-3f, 2e-3f);
    }
}

TEST_CASE("03 log_softmax: forward matches PyTorch along every axis") {
    for (auto [input, axes] : {std::pair<const char*, std::vector<int>>{"x", {0, 1, -1}}, {"x3", {0, 1, 2}}}) {
        for (int axis : axes) {
            Tensor x = fx()[input];
            INFO("log_softmax_forward, axis " << axis << ", x = " << x);
            CHECK_TENSOR(tt::log_softmax_forward(x, axis),
                         fx()["log_softmax." + std::string(input) + "." + std::to_string(axis) + ".y"], 1e-5f, 1e-5f);
        }
    }
}

TEST_CASE("03 log_softmax: backward matches PyTorch along every axis") {
    for (auto [input, grad, axes] :
         {std::tuple<const char*, const char*, std::vector<int>>{"x", "g", {0, 1, -1}}, {"x3", "g3", {0, 1, 2}}}) {
        for (int axis : axes) {
            Tensor x = fx()[input], g = fx()[grad];
            INFO("log_softmax_backward, axis " << axis << ", x = " << x << "\ngrad_out = " << g);
            Tensor y = tt::log_softmax_forward(x, axis);
            CHECK_TENSOR(tt::log_softmax_backward(g, y, axis),
                         fx()["log_softmax." + std::string(input) + "." + std::to_string(axis) + ".dx"], 1e-6f, 1e-5f);
        }
    }
}

TEST_CASE("03 log_softmax: backward matches finite differences") {
    Tensor x = fx()["x3"], g = fx()["g3"];
    for (int axis : {0, 2}) {
        auto f = [axis](const Tensor& t) { return tt::log_softmax_forward(t, axis); };
        INFO("axis " << axis << ", x = " << x);
        CHECK_TENSOR(tt::log_softmax_backward(g, f(x), axis), tt_test::numeric_grad(f, x, g), 2e-3f, 2e-3f);
    }
}

TEST_CASE("03 log_softmax: exp of it is softmax") {
    Tensor x = fx()["x3"];
    CHECK_TENSOR(tt::exp(tt::log_softmax_forward(x, 2)), tt::softmax_forward(x, 2), 1e-6f, 1e-5f);
}

// ---- errors ---------------------------------------------------------------------------------------------------

TEST_CASE("03 errors: backward with a grad_out of another shape names both shapes") {
    Tensor x = tt::zeros({2, 3});
    TT_CHECK_ERROR(tt::relu_backward(tt::zeros({3, 2}), x),
                   "relu_backward: grad_out has shape [3, 2] but the forward tensor has shape [2, 3]");
    TT_CHECK_ERROR(tt::softmax_backward(tt::zeros({3}), x, 1),
                   "softmax_backward: grad_out has shape [3] but the forward tensor has shape [2, 3]");
}

TEST_CASE("03 errors: softmax over a bad axis names axis and rank") {
    TT_CHECK_ERROR(tt::softmax_forward(tt::zeros({2, 3}), 2),
                   "softmax_forward: axis 2 is out of range for a tensor with 2 dimensions");
    TT_CHECK_ERROR(tt::log_softmax_forward(tt::zeros({2, 3}), -3),
                   "log_softmax_forward: axis -3 is out of range for a tensor with 2 dimensions");
}

TEST_CASE("03 softmax: a slice of one element is 1, with zero gradient") {
    Tensor x({3, 1}, {-5, 0, 1e4f});
    Tensor y = tt::softmax_forward(x, 1);
    CHECK(y.to_vector() == std::vector<float>{1, 1, 1});
    CHECK(tt::softmax_backward(tt::ones({3, 1}), y, 1).to_vector() == std::vector<float>{0, 0, 0});
    CHECK(tt::log_softmax_forward(x, 1).to_vector() == std::vector<float>{0, 0, 0});
}

TEST_CASE("03 sigmoid: known values and symmetry sigmoid(-x) = 1 - sigmoid(x)") {
    Tensor x({5}, {-3, -1, 0, 1, 3});
    std::vector<float> y = tt::sigmoid_forward(x).to_vector();
    CHECK(y[2] == 0.5f);
    CHECK(y[3] == doctest::Approx(0.7310586).epsilon(1e-6));
    for (int i = 0; i < 2; ++i) CHECK(y[i] == doctest::Approx(1.0f - y[4 - i]).epsilon(1e-6));
}

TEST_CASE("03 relu: the gradient at exactly 0 is 0, as in PyTorch") {
    Tensor x({3}, {-0.0f, 0.0f, 1e-30f});
    CHECK(tt::relu_forward(x).to_vector() == std::vector<float>{0, 0, 1e-30f});
    CHECK(tt::relu_backward(tt::full({3}, 5), x).to_vector() == std::vector<float>{0, 0, 5});
}

TEST_CASE("03 sigmoid: tiny outputs are right relative to their size, not just close to 0") {
    // sigmoid(x) = exp(x) / (1 + exp(x)); compared relatively, since an absolute tolerance accepts 0 for 1e-9.
    std::vector<float> xs = {-20, -40, -60, -80, -88, -89};
    Tensor y = tt::sigmoid_forward(Tensor({static_cast<int64_t>(xs.size())}, xs));
    for (size_t i = 0; i < xs.size(); ++i) {
        double expected = std::exp(static_cast<double>(xs[i])) / (1.0 + std::exp(static_cast<double>(xs[i])));
        INFO("sigmoid(" << xs[i] << ") = " << y.to_vector()[i] << ", expected " << expected);
        CHECK(y.to_vector()[i] == doctest::Approx(expected).epsilon(1e-4).scale(0));
    }
    CHECK(tt::sigmoid_forward(Tensor({1}, {-100.0f})).item() > 0.0f);  // 3.7e-44, a subnormal float, not 0
}

TEST_CASE("03 softmax and log_softmax: a slice whose values are all very negative") {
    // exp underflows to 0 for every element unless the slice's own max (not 0) is subtracted first.
    Tensor x({2, 3}, {-1000, -1001, -1002, -5000, -5000, -5000});
    std::vector<double> e = {1.0, std::exp(-1.0), std::exp(-2.0)};
    double total = e[0] + e[1] + e[2];
    std::vector<float> y = tt::softmax_forward(x, 1).to_vector();
    std::vector<float> ly = tt::log_softmax_forward(x, 1).to_vector();
    for (int k = 0; k < 3; ++k) {
        CHECK(y[k] == doctest::Approx(e[k] / total).epsilon(1e-5));
        CHECK(ly[k] == doctest::Approx(std::log(e[k] / total)).epsilon(1e-5));
        CHECK(y[3 + k] == doctest::Approx(1.0 / 3).epsilon(1e-5));
        CHECK(ly[3 + k] == doctest::Approx(-std::log(3.0)).epsilon(1e-5));
    }
}
