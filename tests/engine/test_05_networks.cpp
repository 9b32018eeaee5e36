// Module 05 — Networks: Linear, Sequential, the activation and Flatten layers, initialisations and size reports,
// against PyTorch (tests/fixtures/05_networks.txt) and finite differences.
#include <cmath>
#include <memory>
#include <string>

#include "activation_layers.h"
#include "activations.h"
#include "elementwise.h"
#include "fixtures.h"
#include "gradcheck.h"
#include "init.h"
#include "linear.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "sequential.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
using namespace tt::nn;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("05_networks.txt");
    return f;
}

// A Linear(3, 2) holding the fixture's weights for case "2d", "3d" or "nobias".
std::shared_ptr<Linear> fixture_linear(const std::string& tag) {
    bool bias = tag != "nobias";
    auto lin = std::make_shared<Linear>(3, 2, bias);
    lin->weight.value.copy_(fx()["linear." + tag + ".weight"]);
    if (bias) lin->bias->value.copy_(fx()["linear." + tag + ".bias"]);
    return lin;
}

// The network of make_fixtures.py, same layer order, so the parameter names match PyTorch's ("1.weight", ...).
std::shared_ptr<Sequential> make_mlp() {
    return std::make_shared<Sequential>(
        std::vector<std::shared_ptr<Module>>{std::make_shared<Flatten>(), std::make_shared<Linear>(6, 8),
                                             std::make_shared<ReLU>(), std::make_shared<Linear>(8, 5),
                                             std::make_shared<Tanh>(), std::make_shared<Linear>(5, 4),
                                             std::make_shared<GELU>(), std::make_shared<Linear>(4, 3),
                                             std::make_shared<Sigmoid>()});
}

tt::StateDict fixture_mlp_state() {
    tt::StateDict sd;
    for (const char* name : {"1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias", "7.weight", "7.bias"})
        sd[name] = fx()[std::string("mlp.param.") + name];
    return sd;
}

double variance(const Tensor& t) {
    std::vector<float> v = t.to_vector();
    double s = 0, s2 = 0;
    for (float x : v) {
        s += x;
        s2 += static_cast<double>(x) * x;
    }
    double m = s / v.size();
    return s2 / v.size() - m * m;
}

}  // namespace

// ---- Linear ---------------------------------------------------------------------------------------------------

TEST_CASE("05 Linear: weight is [out, in], bias is [out], named like PyTorch") {
    Linear lin(3, 2);
    CHECK(lin.weight.value.shape() == (Shape{2, 3}));
    REQUIRE(lin.bias != nullptr);
    CHECK(lin.bias->value.shape() == (Shape{2}));
    auto named = lin.named_parameters();
    REQUIRE(named.size() == 2);
    CHECK(named[0].first == "weight");
    CHECK(named[1].first == "bias");
    Linear no_bias(3, 2, false);
    CHECK(no_bias.bias == nullptr);
    CHECK(no_bias.parameters().size() == 1);
}

TEST_CASE("05 Linear: forward matches PyTorch (2-D input, [B, T, in] input, no bias)") {
    for (const char* tag : {"2d", "3d", "nobias"}) {
        auto lin = fixture_linear(tag);
        Tensor x = fx()[std::string("linear.") + tag + ".x"];
        INFO("case " << tag << ", x = " << x << "\nweight = " << lin->weight.value);
        CHECK_TENSOR(lin->forward(x), fx()[std::string("linear.") + tag + ".y"], 1e-6f, 1e-5f);
    }
}

TEST_CASE("05 Linear: backward matches PyTorch (dx, dweight, dbias)") {
    for (const char* tag : {"2d", "3d", "nobias"}) {
        std::string k = std::string("linear.") + tag + ".";
        auto lin = fixture_linear(tag);
        Tensor x = fx()[k + "x"], g = fx()[k + "g"];
        INFO("case " << tag << ", x = " << x << "\ngrad_out = " << g);
        lin->forward(x);
        CHECK_TENSOR(lin->backward(g), fx()[k + "dx"], 1e-6f, 1e-5f);
        CHECK_TENSOR(lin->weight.grad, fx()[k + "dweight"], 1e-6f, 1e-5f);
        if (lin->bias) CHECK_TENSOR(lin->bias->grad, fx()[k + "dbias"], 1e-6f, 1e-5f);
    }
}

TEST_CASE("05 Linear: backward matches finite differences for input, weight and bias") {
    tt::Generator gen(3);
    Linear lin(4, 3, true, gen);
    Tensor x = tt::randn({5, 4}, gen), g = tt::randn({5, 3}, gen);
    lin.forward(x);
    Tensor dx = lin.backward(g);
    auto f = [&](const Tensor& t) { return lin.forward(t); };
    INFO("x = " << x << "\ngrad_out = " << g);
    CHECK_TENSOR(dx, tt_test::numeric_grad(f, x, g), 1e-3f, 1e-3f);
    for (Parameter* p : {&lin.weight, lin.bias}) {
        Tensor saved = p->value.clone();
        auto fp = [&](const Tensor& w) {
            p->value.copy_(w);
            return lin.forward(x);
        };
        Tensor numeric = tt_test::numeric_grad(fp, saved, g);
        p->value.copy_(saved);
        CHECK_TENSOR(p->grad, numeric, 1e-3f, 1e-3f);
    }
}

TEST_CASE("05 Linear: parameter gradients accumulate over backward calls") {
    auto lin = fixture_linear("2d");
    Tensor x = fx()["linear.2d.x"], g = fx()["linear.2d.g"];
    for (int i = 0; i < 2; ++i) {
        lin->forward(x);
        lin->backward(g);
    }
    CHECK_TENSOR(lin->weight.grad, fx()["linear.2d.dweight"] * 2.0f, 1e-5f, 1e-5f);
    CHECK_TENSOR(lin->bias->grad, fx()["linear.2d.dbias"] * 2.0f, 1e-5f, 1e-5f);
}

TEST_CASE("05 Linear: default init is U(-1/sqrt(in), 1/sqrt(in)) and seeded") {
    tt::Generator g1(9), g2(9);
    Linear a(64, 32, true, g1), b(64, 32, true, g2);
    CHECK(a.weight.value.to_vector() == b.weight.value.to_vector());
    CHECK(a.bias->value.to_vector() == b.bias->value.to_vector());
    float bound = 1.0f / 8.0f;
    CHECK(tt::max(tt::abs(a.weight.value)).item() <= bound);
    CHECK(tt::max(tt::abs(a.weight.value)).item() > 0.95f * bound);
    CHECK(tt::max(tt::abs(a.bias->value)).item() <= bound);
    CHECK(variance(a.weight.value) == doctest::Approx(bound * bound / 3).epsilon(0.1));
}

TEST_CASE("05 Linear: wrong input size, backward before forward and wrong grad shape are errors") {
    Linear lin(3, 2);
    TT_CHECK_ERROR(lin.backward(tt::zeros({4, 2})), "Linear::backward: call forward first");
    TT_CHECK_ERROR(lin.forward(tt::zeros({4, 5})), "Linear: input has shape [4, 5], expected [..., 3] (in_features)");
    lin.forward(tt::zeros({4, 3}));
    TT_CHECK_ERROR(lin.backward(tt::zeros({4, 3})),
                   "Linear::backward: grad_out has shape [4, 3], the forward output had [4, 2]");
    TT_CHECK_ERROR(Linear(0, 2), "Linear: in_features and out_features must be > 0, got 0 and 2");
}

// ---- activation layers and Flatten ----------------------------------------------------------------------------

TEST_CASE("05 activation layers: forward and backward are the module 03 kernels") {
    Tensor x = tt::randn({3, 4}, 21), g = tt::randn({3, 4}, 22);
    ReLU relu;
    Sigmoid sigmoid;
    Tanh tanh_layer;
    GELU gelu;
    CHECK_TENSOR_EQ(relu.forward(x), tt::relu_forward(x));
    CHECK_TENSOR_EQ(relu.backward(g), tt::relu_backward(g, x));
    Tensor s = tt::sigmoid_forward(x);
    CHECK_TENSOR_EQ(sigmoid.forward(x), s);
    CHECK_TENSOR_EQ(sigmoid.backward(g), tt::sigmoid_backward(g, s));
    Tensor t = tt::tanh_forward(x);
    CHECK_TENSOR_EQ(tanh_layer.forward(x), t);
    CHECK_TENSOR_EQ(tanh_layer.backward(g), tt::tanh_backward(g, t));
    CHECK_TENSOR_EQ(gelu.forward(x), tt::gelu_forward(x));
    CHECK_TENSOR_EQ(gelu.backward(g), tt::gelu_backward(g, x));
    CHECK(relu.parameters().empty());
}

TEST_CASE("05 activation layers: backward before forward is an error") {
    GELU gelu;
    TT_CHECK_ERROR(gelu.backward(tt::zeros({2})), "GELU::backward: call forward first");
}

TEST_CASE("05 Flatten: [B, ...] -> [B, rest], backward restores the input shape") {
    Flatten f;
    Tensor x = tt::arange(24).reshape({2, 3, 4});
    Tensor y = f.forward(x);
    CHECK(y.shape() == (Shape{2, 12}));
    CHECK(y.shares_storage(x));
    Tensor dx = f.backward(tt::ones({2, 12}));
    CHECK(dx.shape() == (Shape{2, 3, 4}));
}

// ---- Sequential -----------------------------------------------------------------------------------------------

TEST_CASE("05 Sequential: children are named 0, 1, ... and parameters follow") {
    auto net = make_mlp();
    CHECK(net->size() == 9);
    std::vector<std::string> names;
    for (auto& [name, p] : net->named_parameters()) names.push_back(name);
    CHECK(names ==
          std::vector<std::string>{"1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias", "7.weight",
                                   "7.bias"});
    CHECK((*net)[1].type_name() == "Linear");
}

TEST_CASE("05 Sequential: forward is the composition, backward the reversed chain") {
    tt::Generator gen(4);
    auto l1 = std::make_shared<Linear>(3, 4, true, gen);
    auto act = std::make_shared<Tanh>();
    auto l2 = std::make_shared<Linear>(4, 2, true, gen);
    Sequential net({l1, act, l2});
    Tensor x = tt::randn({5, 3}, gen), g = tt::randn({5, 2}, gen);
    Tensor y = net.forward(x);
    CHECK_TENSOR_EQ(y, l2->forward(act->forward(l1->forward(x))));
    net.zero_grad();
    net.forward(x);
    Tensor dx = net.backward(g);
    auto f = [&](const Tensor& t) { return net.forward(t); };
    CHECK_TENSOR(dx, tt_test::numeric_grad(f, x, g), 1e-3f, 1e-3f);
}

TEST_CASE("05 MLP: forward matches PyTorch (Flatten, Linear, ReLU, Tanh, GELU, Sigmoid)") {
    auto net = make_mlp();
    net->load_state_dict(fixture_mlp_state());
    Tensor x = fx()["mlp.x"];
    INFO("x = " << x);
    CHECK_TENSOR(net->forward(x), fx()["mlp.y"], 1e-6f, 1e-5f);
}

TEST_CASE("05 MLP: backward matches PyTorch for the input and every parameter") {
    auto net = make_mlp();
    net->load_state_dict(fixture_mlp_state());
    net->zero_grad();
    net->forward(fx()["mlp.x"]);
    Tensor dx = net->backward(fx()["mlp.g"]);
    CHECK_TENSOR(dx, fx()["mlp.dx"], 1e-6f, 1e-4f);
    for (auto& named : net->named_parameters()) {
        const std::string& name = named.first;  // (INFO's lambda cannot capture a structured binding in C++17)
        INFO("parameter " << name);
        CHECK_TENSOR(named.second->grad, fx()["mlp.grad." + name], 1e-6f, 1e-4f);
    }
}

// ---- initialisations ------------------------------------------------------------------------------------------

TEST_CASE("05 init: fan_in and fan_out of Linear and conv weights") {
    init::Fans f = init::compute_fans({32, 64});
    CHECK(f.fan_in == 64);
    CHECK(f.fan_out == 32);
    f = init::compute_fans({16, 3, 5, 5});  // conv: [out, in, kh, kw]
    CHECK(f.fan_in == 75);
    CHECK(f.fan_out == 400);
}

TEST_CASE("05 init: compute_fans of a 1-D shape is an error") {
    TT_CHECK_ERROR(init::compute_fans({5}), "compute_fans: needs a weight with at least 2 dimensions, got shape [5]");
    TT_CHECK_ERROR(init::calculate_gain("swish"),
                   "calculate_gain: unknown nonlinearity 'swish' (linear, sigmoid, tanh, relu, leaky_relu)");
}

TEST_CASE("05 init: calculate_gain like torch.nn.init") {
    CHECK(init::calculate_gain("linear") == 1.0f);
    CHECK(init::calculate_gain("tanh") == doctest::Approx(5.0 / 3));
    CHECK(init::calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)));
    CHECK(init::calculate_gain("leaky_relu", 0.2f) == doctest::Approx(std::sqrt(2.0 / 1.04)));
}

TEST_CASE("05 init: xavier_uniform_ fills U(-b, b), b = gain sqrt(6 / (fan_in + fan_out))") {
    tt::Generator gen(1);
    Tensor w({128, 256});
    init::xavier_uniform_(w, gen, 2.0f);
    double b = 2.0 * std::sqrt(6.0 / 384);
    INFO("bound " << b);
    CHECK(tt::max(w).item() <= b);
    CHECK(tt::min(w).item() >= -b);
    CHECK(tt::max(w).item() > 0.99 * b);
    CHECK(variance(w) == doctest::Approx(b * b / 3).epsilon(0.03).scale(0));
}

TEST_CASE("05 init: xavier_normal_ has std gain sqrt(2 / (fan_in + fan_out))") {
    tt::Generator gen(2);
    Tensor w({128, 256});
    init::xavier_normal_(w, gen);
    CHECK(std::sqrt(variance(w)) == doctest::Approx(std::sqrt(2.0 / 384)).epsilon(0.03).scale(0));
    CHECK(std::fabs(tt::mean(w).item()) < 0.005);
}

TEST_CASE("05 init: kaiming_uniform_ bound sqrt(2) sqrt(3 / fan_in) for ReLU; fan_out mode") {
    tt::Generator gen(3);
    Tensor w({128, 256});
    init::kaiming_uniform_(w, gen);
    double b = std::sqrt(2.0) * std::sqrt(3.0 / 256);
    CHECK(tt::max(tt::abs(w)).item() <= b);
    CHECK(variance(w) == doctest::Approx(b * b / 3).epsilon(0.03).scale(0));
    init::kaiming_uniform_(w, gen, 0.0f, init::FanMode::FanOut);
    double b_out = std::sqrt(2.0) * std::sqrt(3.0 / 128);
    CHECK(tt::max(tt::abs(w)).item() > std::sqrt(2.0) * std::sqrt(3.0 / 256));  // beyond the fan_in bound
    CHECK(variance(w) == doctest::Approx(b_out * b_out / 3).epsilon(0.03).scale(0));
}

TEST_CASE("05 init: kaiming_normal_ has std gain / sqrt(fan_in)") {
    tt::Generator gen(4);
    Tensor w({64, 32, 3, 3});  // fan_in = 288
    init::kaiming_normal_(w, gen);
    CHECK(std::sqrt(variance(w)) == doctest::Approx(std::sqrt(2.0 / 288)).epsilon(0.03).scale(0));
}

TEST_CASE("05 init: gains, negative slopes and modes other than the defaults") {
    tt::Generator gen(5);
    Tensor w({64, 32, 3, 3});  // fan_in = 288, fan_out = 576
    init::xavier_normal_(w, gen, 0.5f);
    CHECK(std::sqrt(variance(w)) == doctest::Approx(0.5 * std::sqrt(2.0 / (288 + 576))).epsilon(0.03).scale(0));
    init::kaiming_normal_(w, gen, 1.0f);  // leaky_relu gain with slope 1: sqrt(2 / (1 + 1)) = 1
    CHECK(std::sqrt(variance(w)) == doctest::Approx(1.0 / std::sqrt(288.0)).epsilon(0.03).scale(0));
    init::kaiming_normal_(w, gen, 0.0f, init::FanMode::FanOut);
    CHECK(std::sqrt(variance(w)) == doctest::Approx(std::sqrt(2.0 / 576)).epsilon(0.03).scale(0));
    init::kaiming_uniform_(w, gen, std::sqrt(5.0f));  // nn.Linear's choice: bound = 1 / sqrt(fan_in)
    double b = 1.0 / std::sqrt(288.0);
    CHECK(tt::max(tt::abs(w)).item() <= b * (1 + 1e-6));
    CHECK(tt::max(tt::abs(w)).item() > 0.99 * b);
}

TEST_CASE("05 init: the same seed gives the same weights") {
    tt::Generator g1(8), g2(8), g3(9);
    Tensor a({4, 5}), b({4, 5}), c({4, 5});
    init::xavier_uniform_(a, g1);
    init::xavier_uniform_(b, g2);
    init::xavier_uniform_(c, g3);
    CHECK(a.to_vector() == b.to_vector());
    CHECK(a.to_vector() != c.to_vector());
}

// ---- size reports ---------------------------------------------------------------------------------------------

TEST_CASE("05 parameters: count and bytes of an MLP") {
    auto net = make_mlp();
    int64_t expected = (6 * 8 + 8) + (8 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3);
    CHECK(net->parameter_count() == expected);
    CHECK(net->parameter_bytes() == 4 * expected);
    std::string report = net->parameter_report();
    INFO(report);
    CHECK(report.find("7.bias") != std::string::npos);
    CHECK(report.find(tt::format_bytes(4.0 * expected)) != std::string::npos);
}

TEST_CASE("05 memory: a Linear holds its values and gradients in tensor storage") {
    int64_t before = tt::memory::live_bytes();
    {
        Linear lin(100, 10);
        // weight + bias, and a gradient of each
        CHECK(tt::memory::live_bytes() - before == 2 * 4 * (100 * 10 + 10));
    }
    CHECK(tt::memory::live_bytes() == before);
}
