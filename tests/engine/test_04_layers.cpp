// Module 04 — Layers: Parameter, the Module base (registry, names, train/eval, zero_grad, state dicts) and the
// forward/backward protocol. The layers used here are small ones defined in this file, so these checks need
// nothing from module 05.
#include <cmath>
#include <memory>
#include <string>

#include "elementwise.h"
#include "fixtures.h"
#include "gradcheck.h"
#include "module.h"
#include "random.h"
#include "reduce.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
using tt::nn::Parameter;

namespace {

// y = x * weight, weight [C] broadcast over a batch [B, C].
class Scale : public tt::nn::Module {
public:
    explicit Scale(int64_t channels) : weight(register_parameter("weight", tt::arange(1.0f, channels + 1.0f))) {}
    Tensor forward(const Tensor& x) override {
        x_ = x;
        return x * weight.value;
    }
    Tensor backward(const Tensor& g) override {
        weight.accumulate_grad(tt::sum_to(g * x_, weight.value.shape()));
        return g * weight.value;
    }
    std::string type_name() const override { return "Scale"; }
    Parameter& weight;

private:
    Tensor x_;
};

// y = x + bias.
class Shift : public tt::nn::Module {
public:
    explicit Shift(int64_t channels) : bias(register_parameter("bias", tt::full({channels}, 0.5f))) {}
    Tensor forward(const Tensor& x) override { return x + bias.value; }
    Tensor backward(const Tensor& g) override {
        bias.accumulate_grad(tt::sum_to(g, bias.value.shape()));
        return g;
    }
    std::string type_name() const override { return "Shift"; }
    Parameter& bias;
};

// y = shift(scale(x)) * gain: an own parameter and two children.
class Chain : public tt::nn::Module {
public:
    explicit Chain(int64_t channels)
        : gain(register_parameter("gain", tt::full({1}, 2.0f))),
          scale(register_module("scale", std::make_shared<Scale>(channels))),
          shift(register_module("shift", std::make_shared<Shift>(channels))) {}
    Tensor forward(const Tensor& x) override {
        h_ = shift->forward(scale->forward(x));
        return h_ * gain.value;
    }
    Tensor backward(const Tensor& g) override {
        gain.accumulate_grad(tt::sum_to(g * h_, {1}));
        return scale->backward(shift->backward(g * gain.value));
    }
    std::string type_name() const override { return "Chain"; }
    Parameter& gain;
    std::shared_ptr<Scale> scale;
    std::shared_ptr<Shift> shift;

private:
    Tensor h_;
};

class Outer : public tt::nn::Module {
public:
    Outer() : block(register_module("block", std::make_shared<Chain>(3))) {}
    Tensor forward(const Tensor& x) override { return block->forward(x); }
    Tensor backward(const Tensor& g) override { return block->backward(g); }
    std::string type_name() const override { return "Outer"; }
    std::shared_ptr<Chain> block;
};

// One [2, 3] parameter: a [3, 2] or [6] tensor has as many elements but another shape.
class Matrix : public tt::nn::Module {
public:
    Matrix() : weight(register_parameter("weight", tt::ones({2, 3}))) {}
    Tensor forward(const Tensor& x) override { return x; }
    Tensor backward(const Tensor& g) override { return g; }
    std::string type_name() const override { return "Matrix"; }
    Parameter& weight;
};

std::vector<std::string> names(tt::nn::Module& m) {
    std::vector<std::string> out;
    for (auto& [name, p] : m.named_parameters()) out.push_back(name);
    return out;
}

}  // namespace

// ---- Parameter ------------------------------------------------------------------------------------------------

TEST_CASE("04 Parameter: grad starts as zeros of the value's shape") {
    Parameter p(tt::ones({2, 3}));
    CHECK(p.grad.shape() == (Shape{2, 3}));
    CHECK(p.grad.to_vector() == std::vector<float>(6, 0.0f));
    CHECK_FALSE(p.grad.shares_storage(p.value));
}

TEST_CASE("04 Parameter: accumulate_grad adds up") {
    Parameter p(tt::zeros({3}));
    p.accumulate_grad(tt::arange(3));
    p.accumulate_grad(tt::full({3}, 10));
    CHECK(p.grad.to_vector() == std::vector<float>{10, 11, 12});
}

TEST_CASE("04 Parameter: accumulate_grad of another shape is an error") {
    Parameter p(tt::zeros({3}));
    TT_CHECK_ERROR(p.accumulate_grad(tt::zeros({2, 3})),
                   "accumulate_grad: gradient of shape [2, 3] for a parameter of shape [3]");
}

TEST_CASE("04 Parameter: accumulate_grad adds in place (a handle to grad taken earlier sees the sum)") {
    Parameter p(tt::zeros({3}));
    Tensor handle = p.grad;
    p.accumulate_grad(tt::arange(3));
    p.accumulate_grad(tt::full({3}, 10));
    CHECK(handle.to_vector() == std::vector<float>{10, 11, 12});
    CHECK(handle.shares_storage(p.grad));
}

TEST_CASE("04 zero_grad: in place (a handle taken earlier sees zeros), also over inf and NaN") {
    Chain c(3);
    Tensor handle = c.scale->weight.grad;
    c.scale->weight.accumulate_grad(Tensor({3}, {INFINITY, -INFINITY, NAN}));
    c.gain.accumulate_grad(Tensor({1}, {NAN}));
    c.zero_grad();
    CHECK(handle.to_vector() == std::vector<float>{0, 0, 0});
    CHECK(handle.shares_storage(c.scale->weight.grad));
    CHECK(c.gain.grad.to_vector() == std::vector<float>{0});
}

// ---- the registry ---------------------------------------------------------------------------------------------

TEST_CASE("04 named_parameters: own parameters first, then children with dotted prefixes") {
    Chain c(3);
    CHECK(names(c) == std::vector<std::string>{"gain", "scale.weight", "shift.bias"});
    CHECK(c.named_parameters()[1].second == &c.scale->weight);
}

TEST_CASE("04 named_parameters: prefixes nest") {
    Outer o;
    CHECK(names(o) == std::vector<std::string>{"block.gain", "block.scale.weight", "block.shift.bias"});
    CHECK(o.parameters().size() == 3);
    CHECK(o.children().size() == 1);
    CHECK(o.children()[0].first == "block");
}

TEST_CASE("04 parameters: point at the module's own Parameters (an update is seen by forward)") {
    Scale s(2);
    s.parameters()[0]->value.fill_(3.0f);
    CHECK(s.forward(tt::ones({1, 2})).to_vector() == std::vector<float>{3, 3});
}

TEST_CASE("04 register: duplicate or dotted names are errors") {
    struct Twice : tt::nn::Module {
        Twice() {
            register_parameter("w", tt::zeros({1}));
            register_parameter("w", tt::zeros({1}));
        }
        Tensor forward(const Tensor& x) override { return x; }
        Tensor backward(const Tensor& g) override { return g; }
        std::string type_name() const override { return "Twice"; }
    };
    struct Dotted : tt::nn::Module {
        Dotted() { register_parameter("a.b", tt::zeros({1})); }
        Tensor forward(const Tensor& x) override { return x; }
        Tensor backward(const Tensor& g) override { return g; }
        std::string type_name() const override { return "Dotted"; }
    };
    TT_CHECK_ERROR(Twice(), "register_parameter: 'w' is already registered");
    TT_CHECK_ERROR(Dotted(), "register_parameter: bad name 'a.b' (non-empty, no '.')");
}

TEST_CASE("04 train/eval: the mode reaches every child") {
    Outer o;
    CHECK(o.is_training());
    o.eval();
    CHECK_FALSE(o.is_training());
    CHECK_FALSE(o.block->is_training());
    CHECK_FALSE(o.block->scale->is_training());
    o.train();
    CHECK(o.block->shift->is_training());
}

// ---- forward / backward protocol ------------------------------------------------------------------------------

TEST_CASE("04 backward: gradients accumulate over calls; zero_grad resets them all") {
    Chain c(3);
    Tensor x = tt::randn({4, 3}, 1), g = tt::randn({4, 3}, 2);
    c.forward(x);
    c.backward(g);
    std::vector<float> once = c.scale->weight.grad.to_vector();
    c.forward(x);
    c.backward(g);
    std::vector<float> twice = c.scale->weight.grad.to_vector();
    for (size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == doctest::Approx(2 * once[i]));
    c.zero_grad();
    for (Parameter* p : c.parameters()) CHECK(tt::max(tt::abs(p->grad)).item() == 0.0f);
}

TEST_CASE("04 backward: input and parameter gradients match finite differences") {
    Chain c(3);
    Tensor x = tt::randn({4, 3}, 3), g = tt::randn({4, 3}, 4);
    c.zero_grad();
    c.forward(x);
    Tensor dx = c.backward(g);
    INFO("x = " << x << "\ngrad_out = " << g);
    auto f = [&](const Tensor& t) { return c.forward(t); };
    CHECK_TENSOR(dx, tt_test::numeric_grad(f, x, g), 1e-3f, 1e-3f);
    for (auto& named : c.named_parameters()) {
        Parameter* p = named.second;  // (lambdas cannot capture structured bindings in C++17)
        Tensor saved = p->value.clone();
        auto fp = [&](const Tensor& w) {
            p->value.copy_(w);
            return c.forward(x);
        };
        Tensor numeric = tt_test::numeric_grad(fp, saved, g);
        p->value.copy_(saved);
        INFO("parameter " << named.first);
        CHECK_TENSOR(p->grad, numeric, 1e-3f, 1e-3f);
    }
}

// ---- state dict -----------------------------------------------------------------------------------------------

TEST_CASE("04 state_dict: every parameter by its dotted name, sharing storage") {
    Chain c(3);
    tt::StateDict sd = c.state_dict();
    CHECK(sd.size() == 3);
    CHECK(sd.count("scale.weight") == 1);
    CHECK(sd["scale.weight"].to_vector() == std::vector<float>{1, 2, 3});
    CHECK(sd["shift.bias"].shares_storage(c.shift->bias.value));
}

TEST_CASE("04 load_state_dict: copies values in; a fresh module then computes the same") {
    Chain a(3), b(3);
    a.scale->weight.value.copy_(Tensor({3}, {-1, 4, 0.5f}));
    a.gain.value.fill_(-3);
    b.load_state_dict(a.state_dict());
    CHECK(b.scale->weight.value.to_vector() == std::vector<float>{-1, 4, 0.5f});
    CHECK(b.gain.value.item() == -3.0f);
    CHECK_FALSE(b.scale->weight.value.shares_storage(a.scale->weight.value));
    Tensor x = tt::randn({2, 3}, 5);
    CHECK_TENSOR_EQ(b.forward(x), a.forward(x));
}

TEST_CASE("04 load_state_dict: non-strict skips missing keys and ignores unknown ones") {
    Chain c(3);
    tt::StateDict sd;
    sd["gain"] = tt::full({1}, 7);
    sd["unknown"] = tt::zeros({9});
    c.load_state_dict(sd, false);
    CHECK(c.gain.value.item() == 7.0f);
    CHECK(c.scale->weight.value.to_vector() == std::vector<float>{1, 2, 3});
}

TEST_CASE("04 load_state_dict: missing key, unexpected key and shape mismatch are errors") {
    Chain c(3);
    tt::StateDict sd = Chain(3).state_dict();
    sd.erase("shift.bias");
    TT_CHECK_ERROR(c.load_state_dict(sd), "load_state_dict: missing key 'shift.bias' (Chain expects it)");
    sd = Chain(3).state_dict();
    sd["extra"] = tt::zeros({1});
    TT_CHECK_ERROR(c.load_state_dict(sd), "load_state_dict: unexpected key 'extra' (not a parameter of Chain)");
    sd = Chain(4).state_dict();
    TT_CHECK_ERROR(c.load_state_dict(sd),
                   "load_state_dict: 'scale.weight' has shape [4] in the state dict, the module expects [3]");
}

TEST_CASE("04 load_state_dict: the same number of elements in another shape is a mismatch, strict or not") {
    Matrix m;
    tt::StateDict sd;
    sd["weight"] = tt::zeros({3, 2});
    TT_CHECK_ERROR(m.load_state_dict(sd),
                   "load_state_dict: 'weight' has shape [3, 2] in the state dict, the module expects [2, 3]");
    TT_CHECK_ERROR(m.load_state_dict(sd, false),
                   "load_state_dict: 'weight' has shape [3, 2] in the state dict, the module expects [2, 3]");
    sd["weight"] = tt::zeros({6});
    TT_CHECK_ERROR(m.load_state_dict(sd, false),
                   "load_state_dict: 'weight' has shape [6] in the state dict, the module expects [2, 3]");
}

TEST_CASE("04 load_state_dict: copies the values (the parameter does not share the state dict's storage)") {
    Chain c(3);
    tt::StateDict sd = Chain(3).state_dict();
    sd["scale.weight"] = Tensor({3}, {4, 5, 6});
    c.load_state_dict(sd);
    CHECK(c.scale->weight.value.to_vector() == std::vector<float>{4, 5, 6});
    CHECK_FALSE(c.scale->weight.value.shares_storage(sd["scale.weight"]));
    sd["scale.weight"].fill_(0.0f);
    CHECK(c.scale->weight.value.to_vector() == std::vector<float>{4, 5, 6});
}

TEST_CASE("04 load_state_dict: a failed load leaves the module unchanged") {
    Chain c(3);
    tt::StateDict sd = Chain(3).state_dict();
    sd["gain"] = tt::full({1}, 100);  // "gain" sorts first: it would be copied before the bad entry
    sd["shift.bias"] = tt::zeros({5});
    TT_CHECK_ERROR_CONTAINS(c.load_state_dict(sd), "");
    CHECK(c.gain.value.item() == 2.0f);
}

// ---- size report ----------------------------------------------------------------------------------------------

TEST_CASE("04 parameter_count and parameter_bytes: sum over the tree") {
    Outer o;
    CHECK(o.parameter_count() == 1 + 3 + 3);
    CHECK(o.parameter_bytes() == 7 * 4);
}

TEST_CASE("04 parameter_report: one line per parameter and the totals") {
    Outer o;
    std::string r = o.parameter_report();
    INFO(r);
    CHECK(r.find("block.scale.weight") != std::string::npos);
    CHECK(r.find("[3]") != std::string::npos);
    CHECK(r.find("total") != std::string::npos);
    CHECK(r.find("28 B") != std::string::npos);
}
