// Module 10 checks against PyTorch (tests/fixtures/10_spatial.txt): conv2d with stride, padding, dilation and
// non-square shapes; max and average pooling with padding; BatchNorm2d over several training steps and in eval;
// dropout's scaling and modes; a small CNN through every spatial F op. Each case compares the forward values and
// the gradients of L = sum(y * g) for the fixture's g.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "batchnorm.h"
#include "batchnorm2d.h"
#include "classifier.h"
#include "conv.h"
#include "conv_layers.h"
#include "dropout.h"
#include "dropout_layers.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "pool.h"
#include "pool_layers.h"
#include "random.h"
#include "reduce.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("10_spatial.txt");
    return f;
}

Tensor leaf(const std::string& name) { return fx()[name].clone().requires_grad_(); }

// The gradients of L = sum(y * g) with respect to each named input, against the fixture's.
void check_weighted(const std::string& tag, const Tensor& y, const std::vector<std::pair<std::string, Tensor>>& in,
                    float tol = 1e-4f) {
    INFO(tag);
    CHECK_TENSOR(y, fx()[tag + ".y"], 1e-5f, 1e-4f);
    y.backward(fx()[tag + ".g"]);
    for (const auto& named : in) {
        INFO(tag << ".grad." << named.first);
        CHECK_TENSOR(named.second.grad(), fx()[tag + ".grad." + named.first], tol, tol);
    }
}

struct ConvCase {
    const char* tag;
    int64_t stride, padding, dilation;
};

}  // namespace

TEST_CASE("10 PyTorch: F::conv2d with dilation, a non-square kernel and input, stride 3 with odd sizes") {
    for (const ConvCase& c :
         {ConvCase{"conv.dil", 1, 2, 2}, ConvCase{"conv.rect", 2, 1, 1}, ConvCase{"conv.odd", 3, 2, 3}}) {
        const std::string tag = c.tag;
        Tensor x = leaf(tag + ".x"), w = leaf(tag + ".w"), b = leaf(tag + ".b");
        check_weighted(tag, F::conv2d(x, w, b, c.stride, c.padding, c.dilation), {{"x", x}, {"w", w}, {"b", b}});
    }
}

TEST_CASE("10 conv2d: the im2col path matches the direct loops with dilation and non-square kernels") {
    Tensor x = fx()["conv.odd.x"], w = fx()["conv.odd.w"];
    tt::Conv2dGeometry g;
    g.batch = 1, g.in_channels = 2, g.height = 11, g.width = 6, g.out_channels = 2, g.kernel_h = 3, g.kernel_w = 2;
    g.stride = 3, g.padding = 2, g.dilation = 3;
    REQUIRE(g.out_h() == 3);  // (11 + 4 - 7) / 3 + 1
    REQUIRE(g.out_w() == 3);  // (6 + 4 - 4) / 3 + 1
    Tensor y({1, 2, 3, 3}), y_ref({1, 2, 3, 3});
    tt::conv2d_forward(g, x.data(), w.data(), nullptr, y.data());
    tt::conv2d_forward_ref(g, x.data(), w.data(), nullptr, y_ref.data());
    CHECK_TENSOR(y, y_ref, 1e-5f, 1e-5f);
    Tensor dy = tt::randn(y.shape(), 5), dx({1, 2, 11, 6}), dx_ref({1, 2, 11, 6}), dw(w.shape()), dw_ref(w.shape());
    tt::conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), nullptr);
    tt::conv2d_backward_ref(g, x.data(), w.data(), dy.data(), dx_ref.data(), dw_ref.data(), nullptr);
    CHECK_TENSOR(dx, dx_ref, 1e-5f, 1e-5f);
    CHECK_TENSOR(dw, dw_ref, 1e-5f, 1e-5f);
}

TEST_CASE("10 PyTorch: nn::Conv2d with dilation; weight and bias gradients accumulate over two backwards") {
    tt::nn::Conv2d conv(3, 4, 3, 1, 2, true, tt::default_generator(), 2);
    conv.weight.value.copy_(fx()["conv.dil.w"]);
    conv.bias->value.copy_(fx()["conv.dil.b"]);
    const Tensor y = conv.forward(fx()["conv.dil.x"]);
    CHECK_TENSOR(y, fx()["conv.dil.y"], 1e-5f, 1e-4f);
    conv.zero_grad();
    CHECK_TENSOR(conv.backward(fx()["conv.dil.g"]), fx()["conv.dil.grad.x"], 1e-4f, 1e-4f);
    conv.backward(fx()["conv.dil.g"]);  // dx is overwritten, the parameters' gradients add up
    CHECK_TENSOR(conv.weight.grad, tt::mul(fx()["conv.dil.grad.w"], tt::scalar(2.0f)), 2e-4f, 1e-4f);
    CHECK_TENSOR(conv.bias->grad, tt::mul(fx()["conv.dil.grad.b"], tt::scalar(2.0f)), 2e-4f, 1e-4f);
}

TEST_CASE("10 PyTorch: max pooling with padding, and ties go to the first maximum in the window") {
    Tensor x = leaf("maxpool.x");
    check_weighted("maxpool", F::max_pool2d(x, 3, 2, 1), {{"x", x}});
    // integers 0..2 in overlapping 2x2 windows: many ties; the gradient shows which element won each
    Tensor t = leaf("maxpool_ties.x");
    check_weighted("maxpool_ties", F::max_pool2d(t, 2, 1, 1), {{"x", t}}, 0.0f);

    tt::nn::MaxPool2d pool(2, 1, 1);  // the Module, through its hand-written backward
    CHECK_TENSOR_EQ(pool.forward(fx()["maxpool_ties.x"]), fx()["maxpool_ties.y"]);
    CHECK_TENSOR_EQ(pool.backward(fx()["maxpool_ties.g"]), fx()["maxpool_ties.grad.x"]);
}

TEST_CASE("10 PyTorch: average pooling with padding divides by the whole window (count_include_pad)") {
    Tensor x = leaf("avgpool.x");
    check_weighted("avgpool", F::avg_pool2d(x, 3, 2, 1), {{"x", x}});
    tt::nn::AvgPool2d pool(3, 2, 1);
    CHECK_TENSOR(pool.forward(fx()["avgpool.x"]), fx()["avgpool.y"], 1e-6f, 1e-5f);
    CHECK_TENSOR(pool.backward(fx()["avgpool.g"]), fx()["avgpool.grad.x"], 1e-6f, 1e-5f);
    // the corner output sees 4 of its 9 pixels: its value is their sum / 9, not / 4
    const Tensor ones = tt::full({1, 1, 3, 3}, 1.0f);
    CHECK(F::avg_pool2d(ones, 3, 2, 1).at({0, 0, 0, 0}) == doctest::Approx(4.0 / 9.0));
}

TEST_CASE("10 PyTorch: BatchNorm2d — three training steps, the running statistics, then evaluation") {
    tt::nn::BatchNorm2d bn(3, 1e-5f, 0.3f);
    std::vector<std::string> keys;
    for (const auto& entry : bn.state_dict()) keys.push_back(entry.first);
    CHECK(keys == std::vector<std::string>{"bias", "num_batches_tracked", "running_mean", "running_var", "weight"});
    CHECK(bn.parameters().size() == 2);  // the buffers are not learned
    bn.weight->value.copy_(fx()["bn.weight"]);
    bn.bias->value.copy_(fx()["bn.bias"]);
    for (int step = 0; step < 3; step++) {
        const Tensor x = fx()["bn.step" + std::to_string(step) + ".x"];
        const Tensor y = bn.forward(x);
        if (step == 0) {
            CHECK_TENSOR(y, fx()["bn.step0.y"], 1e-5f, 1e-4f);
            CHECK_TENSOR(bn.backward(fx()["bn.step0.g"]), fx()["bn.step0.grad.x"], 1e-4f, 1e-4f);
            CHECK_TENSOR(bn.weight->grad, fx()["bn.step0.grad.weight"], 1e-4f, 1e-4f);
            CHECK_TENSOR(bn.bias->grad, fx()["bn.step0.grad.bias"], 1e-4f, 1e-4f);
        }
    }
    // momentum 0.3 on torch's side (new = 0.7 old + 0.3 batch), the variance unbiased (N = 12: 12/11 of the biased)
    CHECK_TENSOR(bn.running_mean, fx()["bn.running_mean"], 1e-5f, 1e-5f);
    CHECK_TENSOR(bn.running_var, fx()["bn.running_var"], 1e-5f, 1e-5f);
    CHECK(bn.num_batches_tracked.item() == fx()["bn.num_batches_tracked"].item());

    // evaluation updates nothing: the statistics stay bit for bit what training left (torch's are checked above,
    // within rounding: (1 - m) * r + m * b and r + m * (b - r) are both right)
    const Tensor trained_mean = bn.running_mean.clone(), trained_var = bn.running_var.clone();
    bn.eval();
    bn.zero_grad();
    const Tensor y = bn.forward(fx()["bn.eval.x"]);
    CHECK_TENSOR(y, fx()["bn.eval.y"], 1e-5f, 1e-4f);
    CHECK_TENSOR_EQ(bn.running_mean, trained_mean);
    CHECK_TENSOR_EQ(bn.running_var, trained_var);
    CHECK(bn.num_batches_tracked.item() == 3.0f);
    CHECK_TENSOR(bn.backward(fx()["bn.eval.g"]), fx()["bn.eval.grad.x"], 1e-4f, 1e-4f);
    CHECK_TENSOR(bn.weight->grad, fx()["bn.eval.grad.weight"], 1e-4f, 1e-4f);
    CHECK_TENSOR(bn.bias->grad, fx()["bn.eval.grad.bias"], 1e-4f, 1e-4f);
}

TEST_CASE("10 PyTorch: F::batch_norm in training and evaluation, through autograd") {
    Tensor running_mean({3}), running_var = tt::full({3}, 1.0f);
    Tensor weight = leaf("bn.weight"), bias = leaf("bn.bias"), x = leaf("bn.step0.x");
    check_weighted("bn.step0", F::batch_norm(x, running_mean, running_var, weight, bias, true, 0.3f),
                   {{"x", x}, {"weight", weight}, {"bias", bias}});
    for (int step = 1; step < 3; step++)
        F::batch_norm(fx()["bn.step" + std::to_string(step) + ".x"], running_mean, running_var, weight, bias, true,
                      0.3f);
    CHECK_TENSOR(running_mean, fx()["bn.running_mean"], 1e-5f, 1e-5f);
    CHECK_TENSOR(running_var, fx()["bn.running_var"], 1e-5f, 1e-5f);
    const Tensor trained_mean = running_mean.clone();
    Tensor w2 = leaf("bn.weight"), b2 = leaf("bn.bias"), xe = leaf("bn.eval.x");
    check_weighted("bn.eval", F::batch_norm(xe, running_mean, running_var, w2, b2, false),
                   {{"x", xe}, {"weight", w2}, {"bias", b2}});
    CHECK_TENSOR_EQ(running_mean, trained_mean);  // evaluation updates nothing
}

TEST_CASE("10 PyTorch: a CNN through conv (dilation), batch_norm, relu, max and avg pooling, linear") {
    Tensor x = leaf("net.x"), cw = leaf("net.cw"), cb = leaf("net.cb"), gamma = leaf("net.gamma");
    Tensor beta = leaf("net.beta"), lw = leaf("net.lw"), lb = leaf("net.lb");
    Tensor rm({4}), rv = tt::full({4}, 1.0f);
    Tensor h = F::conv2d(x, cw, cb, 1, 1, 2);
    h = F::relu(F::batch_norm(h, rm, rv, gamma, beta, true));
    h = F::avg_pool2d(F::max_pool2d(h, 3, 2, 1), 2);
    REQUIRE(h.shape() == Shape{4, 4, 2, 2});
    Tensor loss = F::cross_entropy(F::linear(F::reshape(h, {4, -1}), lw, lb), fx()["net.target"]);
    CHECK_TENSOR(loss, fx()["net.loss"], 1e-5f, 1e-5f);
    CHECK_TENSOR(rm, fx()["net.running_mean"], 1e-5f, 1e-5f);
    CHECK_TENSOR(rv, fx()["net.running_var"], 1e-5f, 1e-5f);
    loss.backward();
    const std::vector<std::pair<std::string, Tensor>> named = {{"x", x},       {"cw", cw}, {"cb", cb}, {"gamma", gamma},
                                                               {"beta", beta}, {"lw", lw}, {"lb", lb}};
    for (const auto& p : named) {
        INFO("net.grad." << p.first);
        CHECK_TENSOR(p.second.grad(), fx()["net.grad." + p.first], 1e-5f, 1e-3f);
    }
}

TEST_CASE("10 dropout: zeroes about p, scales survivors by 1/(1-p), identity in eval, seeded, same mask backward") {
    const int64_t n = 20000;
    const float p = 0.3f;
    tt::Generator gen(42);
    std::vector<float> mask(n);
    tt::dropout_mask(n, p, gen, mask.data());
    int64_t zeros = 0;
    bool scaled = true;
    for (float m : mask) {
        zeros += m == 0.0f;
        scaled = scaled && (m == 0.0f || m == doctest::Approx(1.0 / 0.7).epsilon(1e-6));
    }
    CHECK(scaled);
    CHECK(double(zeros) / n == doctest::Approx(p).epsilon(0.05));  // 0.3 +- 0.015: binomial sd is 0.003
    std::vector<float> again(n);
    tt::Generator same(42);
    tt::dropout_mask(n, p, same, again.data());
    CHECK(again == mask);
    tt::dropout_mask(n, p, same, again.data());
    CHECK(again != mask);  // the generator moved on: a fresh mask
    std::vector<float> all(4);
    tt::dropout_mask(4, 1.0f, gen, all.data());
    CHECK(all == std::vector<float>(4, 0.0f));

    const Tensor x = tt::randn({4, 50}, 7), dy = tt::randn({4, 50}, 8);
    tt::nn::Dropout drop(0.5f, gen);
    const Tensor y = drop.forward(x), dx = drop.backward(dy);
    for (int64_t i = 0; i < x.numel(); i++) {
        const bool kept = y.data()[i] != 0.0f;
        CHECK(y.data()[i] == (kept ? x.data()[i] * 2.0f : 0.0f));
        CHECK(dx.data()[i] == (kept ? dy.data()[i] * 2.0f : 0.0f));  // the forward's own mask
    }
    drop.eval();
    CHECK_TENSOR_EQ(drop.forward(x), x);  // no scaling in evaluation
    CHECK_TENSOR_EQ(drop.backward(dy), dy);

    Tensor xl = x.clone().requires_grad_();
    const Tensor yl = F::dropout(xl, 0.25f, true, gen);
    yl.backward(dy);
    for (int64_t i = 0; i < x.numel(); i++) {
        const float expected = yl.data()[i] != 0.0f ? dy.data()[i] / 0.75f : 0.0f;
        CHECK(xl.grad().data()[i] == doctest::Approx(expected));
    }
    CHECK_TENSOR_EQ(F::dropout(x, 0.25f, false, gen), x);
}

TEST_CASE("10 classifier: bn, avgpool and dropout in a one-line architecture; buffers in the state dict") {
    tt::Generator gen(2);
    const std::string arch = "conv:1:4:3:1 bn:4 relu maxpool:2 dropout:0.25 avgpool:2 flatten linear:196:10";
    CHECK(tt::check_architecture(arch, 1, 28, 28).classes == 10);
    CHECK(tt::format_architecture(tt::parse_architecture(arch)) == arch);
    auto net = tt::build_classifier(arch, gen);
    const tt::StateDict state = net->state_dict();
    for (const char* key :
         {"0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "7.weight"})
        CHECK_MESSAGE(state.count(key) == 1, key);
    CHECK(state.size() == 9);
    const Tensor x = tt::randn({6, 1, 28, 28}, 3);
    net->forward(x);  // training: the running mean moves away from 0
    CHECK(tt::sum(tt::abs(net->state_dict()["1.running_mean"])).item() > 0.0f);
    net->eval();
    const Tensor y1 = net->forward(x);
    auto copy = tt::build_classifier(arch, gen);
    copy->load_state_dict(net->state_dict());
    copy->eval();
    CHECK_TENSOR(copy->forward(x), y1, 1e-6f, 1e-6f);  // the running statistics came along
}

TEST_CASE("10 errors: impossible geometry and bad arguments name what was wrong") {
    const Tensor x = tt::randn({1, 1, 5, 5}, 1);
    TT_CHECK_ERROR(F::conv2d(x, tt::randn({1, 1, 3, 3}, 2), Tensor(), 1, 0, 3),
                   "F::conv2d: kernel 3x3 (dilation 3: spans 7x7) is larger than the padded input 5x5");
    TT_CHECK_ERROR(F::max_pool2d(x, 2, 2, 2),
                   "F::max_pool2d: padding 2 is more than half the window 2 (a window could lie entirely in "
                   "the padding)");
    TT_CHECK_ERROR(F::avg_pool2d(x, 7), "F::avg_pool2d: window 7 (stride 7) does not fit x (1, 1, 5, 5)");
    tt::nn::BatchNorm2d bn(2);
    TT_CHECK_ERROR(bn.forward(x), "BatchNorm2d: input has shape [1, 1, 5, 5], expected [B, 2, H, W]");
    TT_CHECK_ERROR_CONTAINS(bn.forward(tt::randn({1, 2, 1, 1}, 3)),
                            "expected more than 1 value per channel when training");
    TT_CHECK_ERROR(tt::nn::Dropout(1.5f), "Dropout: probability has to be between 0 and 1, but got 1.5");
    TT_CHECK_ERROR(tt::parse_architecture("dropout:2"),
                   "architecture: 'dropout:2' needs a probability in [0, 1) in field 1");
    auto net = tt::build_classifier("bn:1 flatten", tt::default_generator());
    tt::StateDict state = net->state_dict();
    state.erase("0.running_var");
    TT_CHECK_ERROR(net->load_state_dict(state), "load_state_dict: missing key '0.running_var' (Sequential expects it)");
}
