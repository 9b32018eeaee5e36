// Module 07 — the autograd engine's rules: += accumulation, topological order (diamonds), NoGrad, the guards
// (in-place change of a saved tensor, second backward, non-scalar backward), no leaks, deep graphs, layers with a
// hand-written backward inside a graph, and the graph's memory (nodes, bytes saved, checkpointing).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "activation_layers.h"
#include "activations.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "grad_mode.h"
#include "graph.h"
#include "linear.h"
#include "loss.h"
#include "random.h"
#include "sequential.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;
namespace ag = tt::autograd;

namespace {

struct LeakCheck {
    int64_t start = Tensor::live_count();
    ~LeakCheck() { CHECK_MESSAGE(Tensor::live_count() == start, "tensors leaked: " << Tensor::live_count() - start); }
};

Tensor leaf(std::vector<float> v) {
    Shape s{static_cast<int64_t>(v.size())};
    return Tensor(s, std::move(v)).requires_grad_();
}

}  // namespace

TEST_CASE("07 leaves: requires_grad_, grad() undefined before backward, detach shares storage without history") {
    LeakCheck leaks;
    Tensor x = leaf({1, 2, 3});
    CHECK(x.requires_grad());
    CHECK_FALSE(x.grad().defined());
    Tensor y = F::mul(x, x);
    CHECK(y.requires_grad());
    Tensor d = y.detach();
    CHECK_FALSE(d.requires_grad());
    CHECK(d.shares_storage(y));
    CHECK_FALSE(Tensor({3}).requires_grad());
    CHECK_FALSE(F::mul(Tensor({3}), Tensor({3})).requires_grad());  // no input wants a gradient: nothing recorded
}

TEST_CASE("07 backward: y = x * x + x gives 2x + 1, and a second graph's gradients ADD to the first's") {
    LeakCheck leaks;
    Tensor x = leaf({1, -2, 3});
    F::sum(F::add(F::mul(x, x), x)).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{3, -3, 7});
    F::sum(F::mul(x, x)).backward();  // accumulates: 2x more
    CHECK(x.grad().to_vector() == std::vector<float>{5, -7, 13});
    x.grad().fill_(0.0f);  // zeroing in place is seen by the next backward
    F::sum(x).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{1, 1, 1});
}

TEST_CASE("07 backward: an explicit grad_output for a non-scalar output") {
    LeakCheck leaks;
    Tensor x = leaf({1, 2, 3});
    F::mul(x, x).backward(Tensor({3}, {1, 10, 100}));
    CHECK(x.grad().to_vector() == std::vector<float>{2, 40, 600});
}

TEST_CASE("07 topological order: in a diamond, a node runs only after every consumer of its output") {
    LeakCheck leaks;
    // x -> a = 2x; d = 3a + 4a: a has two consumers. 14 per element only if a's node waits for both.
    Tensor x = leaf({1, 2});
    Tensor a = F::mul(x, Tensor(Shape{}, {2}));
    F::sum(F::add(F::mul(a, Tensor(Shape{}, {3})), F::mul(a, Tensor(Shape{}, {4})))).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{14, 14});
    // Paths of different lengths, both input orders: d = tanh(tanh(a)) + a and d = a + tanh(tanh(a)), a = x*x.
    for (bool long_first : {true, false}) {
        INFO("long path as the " << (long_first ? "first" : "second") << " input");
        Tensor z = leaf({0.5f});
        Tensor b = F::mul(z, z);
        Tensor t = F::tanh(F::tanh(b));
        Tensor d = long_first ? F::add(t, b) : F::add(b, t);
        d.backward();
        double tb = std::tanh(0.25), ttb = std::tanh(tb);
        double expected = (1 + (1 - ttb * ttb) * (1 - tb * tb)) * 2 * 0.5;
        CHECK(z.grad().item() == doctest::Approx(expected).epsilon(1e-5));
    }
}

TEST_CASE("07 NoGrad records nothing, restores the previous mode, and nests") {
    LeakCheck leaks;
    Tensor x = leaf({1, 2});
    CHECK(ag::is_grad_enabled());
    {
        ag::NoGrad outer;
        CHECK_FALSE(ag::is_grad_enabled());
        Tensor y = F::mul(x, x);
        CHECK_FALSE(y.requires_grad());
        CHECK(ag::graph_stats(y).nodes == 0);
        {
            ag::NoGrad inner;
            CHECK_FALSE(ag::is_grad_enabled());
        }
        CHECK_FALSE(ag::is_grad_enabled());  // the inner guard restores "off", not "on"
    }
    CHECK(ag::is_grad_enabled());
    Tensor y = F::mul(x, x);
    CHECK(y.requires_grad());
    CHECK(ag::graph_stats(y).nodes == 1);
}

TEST_CASE("07 no leaks: dropping the output frees the whole graph, also ops that save their output") {
    int64_t start = Tensor::live_count();
    {
        Tensor x = leaf({0.1f, -0.2f, 0.3f});
        Tensor y = F::sum(F::softmax(F::sigmoid(F::tanh(F::mul(x, x))), 0));
        CHECK(ag::graph_stats(y).nodes == 5);
        CHECK(Tensor::live_count() > start);
    }
    CHECK(Tensor::live_count() == start);  // never backpropagated: the graph must still be freed
}

TEST_CASE("07 a chain of 100,000 ops backpropagates and is freed without deep recursion") {
    LeakCheck leaks;
    Tensor x = leaf({1.0f});
    Tensor one = leaf({1.0f});
    Tensor h = x;
    for (int i = 0; i < 100000; ++i) h = F::add(h, one);
    CHECK(h.item() == 100001.0f);
    h.backward();
    CHECK(x.grad().item() == 1.0f);
    CHECK(one.grad().item() == 100000.0f);
}

TEST_CASE("07 errors: in-place change of a saved tensor, second backward, non-scalar backward") {
    LeakCheck leaks;
    Tensor x = leaf({1, 2}), w = Tensor({2}, {3, 4});
    for (const char* part : {"'mul'", "modified in place"}) {
        Tensor y = F::sum(F::mul(x, w));
        w.add_(Tensor({2}, {1, 1}));  // mul saved w for x's gradient
        TT_CHECK_ERROR_CONTAINS(y.backward(), part);
    }
    CHECK_FALSE(x.grad().defined());

    Tensor z = F::sum(F::mul(x, x));
    z.backward();
    TT_CHECK_ERROR_CONTAINS(z.backward(), "already freed");

    TT_CHECK_ERROR_CONTAINS(F::mul(x, x).backward(), "scalar");
    TT_CHECK_ERROR_CONTAINS(Tensor({1}).backward(), "does not require grad");
    TT_CHECK_ERROR_CONTAINS(F::mul(x, x).requires_grad_(), "leaf");
    TT_CHECK_ERROR_CONTAINS(F::cross_entropy(tt::zeros({2, 3}), Tensor({2}, {0, 3})), "class index");
}

// The same network twice: once through autograd (Module::operator() bridges the layers' hand-written backward,
// F::cross_entropy gives the loss), once by hand; the parameter gradients and dL/dx must agree.
TEST_CASE("07 Module::operator(): Sequential of Linear/ReLU trained through autograd = the manual backward") {
    LeakCheck leaks;
    auto make = [] {
        tt::Generator gen(5);
        return std::make_shared<tt::nn::Sequential>(
            std::vector<std::shared_ptr<tt::nn::Module>>{std::make_shared<tt::nn::Linear>(4, 6, true, gen),
                                                         std::make_shared<tt::nn::ReLU>(),
                                                         std::make_shared<tt::nn::Linear>(6, 3, true, gen)});
    };
    auto net = make(), manual = make();
    Tensor x_data = tt::randn({5, 4}, 31), target({5}, {0, 2, 1, 1, 0});

    Tensor x = x_data.clone().requires_grad_();
    Tensor loss = F::cross_entropy((*net)(x), target);
    CHECK(ag::graph_stats(loss).nodes == 4);  // Linear, ReLU, Linear, cross_entropy
    loss.backward();

    Tensor logits = (*manual)(x_data);
    Tensor dlogits = tt::cross_entropy_backward(tt::scalar(1.0f), logits, target);
    Tensor dx = manual->backward(dlogits);
    CHECK(loss.item() == doctest::Approx(tt::cross_entropy_forward(logits, target).item()));
    CHECK_TENSOR(x.grad(), dx, 1e-6f, 1e-5f);
    auto got = net->named_parameters(), want = manual->named_parameters();
    REQUIRE(got.size() == 4);
    for (size_t i = 0; i < got.size(); ++i) {
        INFO(got[i].first);
        CHECK_TENSOR(got[i].second->grad, want[i].second->grad, 1e-6f, 1e-5f);
        // Parameter::value's autograd gradient and Parameter::grad are one tensor (what the optimizers read).
        CHECK(got[i].second->value.grad().shares_storage(got[i].second->grad));
    }

    // A second step without zeroing adds up; zero_grad (in place) starts the next one from 0.
    Tensor before = got[0].second->grad.clone();
    F::cross_entropy((*net)(x), target).backward();
    CHECK_TENSOR(got[0].second->grad, tt::mul(before, tt::scalar(2.0f)), 1e-6f, 1e-5f);
    net->zero_grad();
    F::cross_entropy((*net)(x), target).backward();
    CHECK_TENSOR(got[0].second->grad, before, 1e-6f, 1e-5f);
}

TEST_CASE("07 Module::operator(): calling a layer again before its node's backward is an error") {
    LeakCheck leaks;
    tt::nn::Linear lin(3, 2);
    Tensor x = tt::randn({4, 3}, 32);
    Tensor first = lin(x);
    Tensor second = lin(x);
    TT_CHECK_ERROR_CONTAINS(F::sum(F::add(first, second)).backward(), "Linear was called again");
    ag::NoGrad no_grad;  // under NoGrad a layer records nothing, even with parameters that require grad
    CHECK_FALSE(lin(x).requires_grad());
}

namespace {

// A 3-layer MLP over F, optionally with its middle two layers as one checkpointed segment.
Tensor mlp_loss(const std::vector<Tensor>& w, const Tensor& x, const Tensor& target, bool checkpointed) {
    Tensor h = F::relu(F::linear(x, w[0]));
    auto middle = [&w](const Tensor& in) { return F::relu(F::linear(F::relu(F::linear(in, w[1])), w[2])); };
    h = checkpointed ? F::checkpoint(middle, h) : middle(h);
    return F::cross_entropy(F::linear(h, w[3]), target);
}

}  // namespace

TEST_CASE("07 graph_stats counts nodes and bytes saved; checkpointing saves less and gives the same gradients") {
    LeakCheck leaks;
    Tensor x = tt::randn({16, 32}, 40), target = tt::zeros({16});
    std::vector<Tensor> w = {tt::randn({64, 32}, 41), tt::randn({64, 64}, 42), tt::randn({64, 64}, 43),
                             tt::randn({10, 64}, 44)};
    for (Tensor& t : w) t = tt::mul(t, tt::scalar(0.1f)).requires_grad_();

    Tensor plain = mlp_loss(w, x, target, false);
    ag::GraphStats s = ag::graph_stats(plain);
    CHECK(s.nodes == 8);  // 4 linear, 3 relu, cross_entropy
    // Saved: x and each weight (linear), each relu input [16, 64], the logits [16, 10] and the target.
    int64_t expected = 4 * (16 * 32 + 64 * 32 + 64 * 64 + 64 * 64 + 10 * 64 + 3 * 16 * 64 + 3 * 16 * 64 + 16 * 10 + 16);
    CHECK(s.saved_bytes == expected);
    CHECK(s.activation_bytes == expected - 4 * (64 * 32 + 64 * 64 + 64 * 64 + 10 * 64));  // without the weights
    plain.backward();
    std::vector<Tensor> grads;
    for (Tensor& t : w) {
        grads.push_back(t.grad().clone());
        t.grad().fill_(0.0f);
    }

    Tensor ckpt = mlp_loss(w, x, target, true);
    ag::GraphStats c = ag::graph_stats(ckpt);
    CHECK(c.nodes == 5);  // the segment's four nodes are one
    CHECK(c.saved_bytes < s.saved_bytes);
    // Plain: six [16, 64] activations (three relu inputs, three linear inputs). Checkpointed: the first relu's
    // input and output (the segment's input, saved by the checkpoint node) and the segment's output.
    CHECK(c.activation_bytes == s.activation_bytes - 4 * 3 * 16 * 64);
    MESSAGE("MLP graph: " << s.nodes << " nodes, " << s.activation_bytes
                          << " activation bytes saved; checkpointed: " << c.nodes << " nodes, " << c.activation_bytes);
    CHECK(ckpt.item() == plain.item());
    ckpt.backward();
    for (size_t i = 0; i < w.size(); ++i) CHECK_TENSOR(w[i].grad(), grads[i], 1e-6f, 1e-5f);
}
