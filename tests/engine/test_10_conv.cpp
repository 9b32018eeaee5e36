// Module 10 checks: conv2d and max pooling (kernels and Modules), and the milestone's one-line architectures.
// The im2col + sgemm path must match the direct loops (_ref), the backward passes must match finite differences of
// the forward, and a hand-computed case pins the layout.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "classifier.h"
#include "conv.h"
#include "conv_layers.h"
#include "gemm.h"
#include "gradcheck.h"
#include "parallel.h"
#include "pool.h"
#include "pool_layers.h"
#include "testing.h"

namespace {

// Deterministic values in [-1, 1) (a 32-bit LCG): no dependence on the engine's own random module.
std::vector<float> random_values(int64_t n, uint32_t seed) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = float(seed >> 8) / float(1 << 24) * 2.0f - 1.0f;
    }
    return v;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); i++) m = std::fmax(m, std::fabs(a[i] - b[i]));
    return m;
}

tt::Conv2dGeometry geometry(int N, int C, int H, int W, int OC, int K, int stride, int pad) {
    tt::Conv2dGeometry g;
    g.batch = N, g.in_channels = C, g.height = H, g.width = W;
    g.out_channels = OC, g.kernel_h = K, g.kernel_w = K, g.stride = stride, g.padding = pad;
    return g;
}

// L = sum(y * r) for a fixed random r, so dL/dy = r.
double conv_loss(const tt::Conv2dGeometry& g, const std::vector<float>& x, const std::vector<float>& w,
                 const std::vector<float>& b, const std::vector<float>& r) {
    std::vector<float> y(size_t(g.output_size()));
    tt::conv2d_forward_ref(g, x.data(), w.data(), b.data(), y.data());
    double sum = 0.0;
    for (size_t i = 0; i < y.size(); i++) sum += double(y[i]) * r[i];
    return sum;
}

}  // namespace

TEST_CASE("10 conv2d: a hand-computed 1-channel case (3x3 input, 2x2 kernel, bias)") {
    const tt::Conv2dGeometry g = geometry(1, 1, 3, 3, 1, 2, 1, 0);
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 0, 0, -1}, b = {0.5f};
    std::vector<float> y(4), y_ref(4);
    tt::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
    tt::conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
    // each output = top-left - bottom-right + 0.5 = -4 + 0.5
    CHECK(y == std::vector<float>{-3.5f, -3.5f, -3.5f, -3.5f});
    CHECK(y_ref == y);
}

TEST_CASE("10 conv2d: im2col + sgemm forward matches the direct loops (strides, padding, odd sizes)") {
    for (const auto& g :
         {geometry(2, 3, 7, 5, 4, 3, 1, 1), geometry(1, 1, 28, 28, 8, 3, 1, 1), geometry(3, 2, 9, 8, 5, 3, 2, 0),
          geometry(2, 4, 6, 6, 3, 5, 1, 2), geometry(1, 2, 5, 7, 2, 1, 2, 1), geometry(1, 1, 3, 3, 2, 7, 2, 2),
          geometry(2, 1, 4, 5, 1, 6, 3, 3)}) {  // taps that only ever see padding
        const auto x = random_values(g.input_size(), 1), w = random_values(g.weight_size(), 2);
        const auto b = random_values(g.out_channels, 3);
        std::vector<float> y(size_t(g.output_size())), y_ref(y.size());
        tt::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
        tt::conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
        CHECK(max_abs_diff(y, y_ref) < 1e-5f);
    }
}

TEST_CASE("10 conv_gemm: = sgemm_ref + bias + ReLU; for K <= 256 bit for bit sgemm and the two passes") {
    struct Shape {
        int OC, P, K;
    };
    // the milestone CNN's first layer; rows and columns past whole 4x8 tiles; one row; K = 1; K beyond one sgemm block
    for (const Shape s : {Shape{32, 1024, 27}, Shape{5, 37, 27}, Shape{1, 9, 4}, Shape{6, 16, 1}, Shape{3, 13, 300}})
        for (const bool with_bias : {true, false})
            for (const bool relu : {true, false}) {
                const auto w = random_values(int64_t(s.OC) * s.K, 11), cols = random_values(int64_t(s.K) * s.P, 12);
                const auto bias = random_values(s.OC, 13);
                const float* b = with_bias ? bias.data() : nullptr;
                std::vector<float> y(size_t(s.OC) * s.P, 7.0f), y_ref(y.size()), y_two_pass(y.size());
                tt::conv_gemm(s.OC, s.P, s.K, w.data(), cols.data(), b, relu, y.data());
                tt::conv_gemm_ref(s.OC, s.P, s.K, w.data(), cols.data(), b, relu, y_ref.data());
                const std::string where = "OC " + std::to_string(s.OC) + " P " + std::to_string(s.P) + " K " +
                    std::to_string(s.K) + (with_bias ? " bias" : "") + (relu ? " relu" : "");
                INFO(where);
                CHECK(max_abs_diff(y, y_ref) < 1e-5f);
                int negatives = 0;
                for (float v : y) negatives += v < 0.0f;
                CHECK((relu ? negatives == 0 : negatives > 0));
                if (s.K > 256) continue;
                tt::sgemm(false, false, s.OC, s.P, s.K, 1.0f, w.data(), s.K, cols.data(), s.P, 0.0f, y_two_pass.data(),
                          s.P);
                for (int oc = 0; oc < s.OC; oc++)
                    for (int p = 0; p < s.P; p++) {
                        float& v = y_two_pass[size_t(oc) * s.P + p];
                        if (b) v += b[oc];
                        if (relu) v = v > 0.0f ? v : 0.0f;
                    }
                CHECK(y == y_two_pass);
            }
}

TEST_CASE("10 conv_gemm: two threads give one thread's bits") {
    if (tt::max_threads() < 2) return;    // builds without threads: nothing to compare
    const int OC = 13, P = 2056, K = 40;  // > 2 MFLOP (shared among threads), a row panel and columns left over
    const auto w = random_values(int64_t(OC) * K, 17), cols = random_values(int64_t(K) * P, 18);
    const auto bias = random_values(OC, 19);
    std::vector<float> one(size_t(OC) * P), two(one.size());
    tt::conv_gemm(OC, P, K, w.data(), cols.data(), bias.data(), true, one.data());
    tt::set_num_threads(2);
    tt::conv_gemm(OC, P, K, w.data(), cols.data(), bias.data(), true, two.data());
    tt::set_num_threads(1);
    CHECK(one == two);
}

TEST_CASE("10 conv_gemm: ReLU sends -0 and NaN to +0, as relu_forward does") {
    const std::vector<float> w(4 * 2, 0.0f), cols(2 * 8, 1.0f);
    const float nan = std::nanf("");
    const std::vector<float> bias = {-0.0f, nan, -1.0f, 2.5f};
    std::vector<float> y(4 * 8, 7.0f);
    tt::conv_gemm(4, 8, 2, w.data(), cols.data(), bias.data(), true, y.data());
    for (int p = 0; p < 8; p++) {
        CHECK(y[size_t(p)] == 0.0f);
        CHECK(!std::signbit(y[size_t(p)]));
        CHECK(y[size_t(8 + p)] == 0.0f);
        CHECK(y[size_t(16 + p)] == 0.0f);
        CHECK(y[size_t(24 + p)] == 2.5f);
    }
}

TEST_CASE("10 conv2d: relu = true is the forward then ReLU, as the direct loops with relu") {
    const tt::Conv2dGeometry g = geometry(3, 3, 9, 7, 6, 3, 1, 1);
    const auto x = random_values(g.input_size(), 14), w = random_values(g.weight_size(), 15);
    const auto b = random_values(g.out_channels, 16);
    std::vector<float> y(size_t(g.output_size())), y_relu(y.size()), y_ref(y.size());
    tt::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
    tt::conv2d_forward(g, x.data(), w.data(), b.data(), y_relu.data(), true);
    tt::conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data(), true);
    CHECK(max_abs_diff(y_relu, y_ref) < 1e-5f);
    int zeros = 0;
    for (size_t i = 0; i < y.size(); i++) {
        CHECK(y_relu[i] == (y[i] > 0.0f ? y[i] : 0.0f));
        zeros += y[i] < 0.0f;
    }
    CHECK(zeros > 0);
}

TEST_CASE("10 conv2d: backward matches the direct loops, and both match finite differences") {
    const tt::Conv2dGeometry g = geometry(2, 2, 5, 6, 3, 3, 2, 1);
    const auto x = random_values(g.input_size(), 4), w = random_values(g.weight_size(), 5);
    const auto b = random_values(g.out_channels, 6), r = random_values(g.output_size(), 7);
    std::vector<float> dx(x.size()), dw(w.size(), 0.0f), db(b.size(), 0.0f);
    std::vector<float> dx_ref(x.size()), dw_ref(w.size(), 0.0f), db_ref(b.size(), 0.0f);
    tt::conv2d_backward(g, x.data(), w.data(), r.data(), dx.data(), dw.data(), db.data());
    tt::conv2d_backward_ref(g, x.data(), w.data(), r.data(), dx_ref.data(), dw_ref.data(), db_ref.data());
    CHECK(max_abs_diff(dx, dx_ref) < 1e-5f);
    CHECK(max_abs_diff(dw, dw_ref) < 1e-5f);
    CHECK(max_abs_diff(db, db_ref) < 1e-5f);

    // central differences of L = sum(conv(x) * r); the loss is linear in each input, so h can be large.
    const float h = 0.05f;
    std::vector<float> xs = x, ws = w, bs = b;
    auto numeric = [&](std::vector<float>& v, size_t i) {  // v is xs, ws or bs
        const float keep = v[i];
        v[i] = keep + h;
        const double up = conv_loss(g, xs, ws, bs, r);
        v[i] = keep - h;
        const double down = conv_loss(g, xs, ws, bs, r);
        v[i] = keep;
        return float((up - down) / (2 * h));
    };
    for (size_t i = 0; i < x.size(); i += 7) CHECK(dx[i] == doctest::Approx(numeric(xs, i)).epsilon(1e-3));
    for (size_t i = 0; i < w.size(); i += 3) CHECK(dw[i] == doctest::Approx(numeric(ws, i)).epsilon(1e-3));
    for (size_t i = 0; i < b.size(); i++) CHECK(db[i] == doctest::Approx(numeric(bs, i)).epsilon(1e-3));
}

TEST_CASE("10 conv2d: weight and bias gradients accumulate (+=), dx is overwritten") {
    const tt::Conv2dGeometry g = geometry(1, 2, 4, 4, 2, 3, 1, 1);
    const auto x = random_values(g.input_size(), 8), w = random_values(g.weight_size(), 9);
    const auto dy = random_values(g.output_size(), 10);
    std::vector<float> dx(x.size(), 123.0f), dw(w.size(), 0.0f), db(2, 0.0f);
    tt::conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
    const std::vector<float> dx1 = dx, dw1 = dw, db1 = db;
    tt::conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), dw.data(), db.data());
    CHECK(dx == dx1);
    for (size_t i = 0; i < dw.size(); i++) CHECK(dw[i] == doctest::Approx(2 * dw1[i]));
    for (size_t i = 0; i < db.size(); i++) CHECK(db[i] == doctest::Approx(2 * db1[i]));
}

TEST_CASE("10 maxpool2d: forward picks window maxima, backward routes gradients to them") {
    tt::Pool2dGeometry g;
    g.batch = 1, g.channels = 2, g.height = 4, g.width = 4, g.kernel = 2, g.stride = 2;
    std::vector<float> x(32);
    for (int i = 0; i < 32; i++) x[size_t(i)] = float((i * 7) % 11);
    std::vector<float> y(8);
    std::vector<int32_t> argmax(8);
    tt::maxpool2d_forward(g, x.data(), y.data(), argmax.data());
    // channel 0 rows: [0 7 3 10] [6 2 9 5] [1 8 4 0] [7 3 10 6]
    CHECK(y[0] == 7.0f);
    CHECK(y[1] == 10.0f);
    CHECK(y[2] == 8.0f);
    CHECK(y[3] == 10.0f);
    CHECK(argmax[0] == 1);
    CHECK(argmax[3] == 14);
    for (int o = 0; o < 8; o++) CHECK(x[size_t(argmax[size_t(o)])] == y[size_t(o)]);

    const std::vector<float> dy = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<float> dx(32, -1.0f);
    tt::maxpool2d_backward(g, dy.data(), argmax.data(), dx.data());
    float total = 0.0f;
    for (float v : dx) total += v;
    CHECK(total == 36.0f);
    CHECK(dx[1] == 1.0f);
    CHECK(dx[14] == 4.0f);
    CHECK(dx[0] == 0.0f);

    // finite differences (the max is piecewise linear; with distinct values a small step keeps the winner)
    const auto xr = random_values(32, 11);
    std::vector<float> yr(8), dxr(32);
    tt::maxpool2d_forward(g, xr.data(), yr.data(), argmax.data());
    tt::maxpool2d_backward(g, dy.data(), argmax.data(), dxr.data());
    for (size_t i = 0; i < 32; i++) {
        auto loss = [&](float v) {
            std::vector<float> xs = xr, ys(8);
            xs[i] = v;
            tt::maxpool2d_forward(g, xs.data(), ys.data(), nullptr);
            double s = 0;
            for (size_t o = 0; o < 8; o++) s += double(ys[o]) * dy[o];
            return s;
        };
        const float h = 1e-3f;
        CHECK(dxr[i] == doctest::Approx((loss(xr[i] + h) - loss(xr[i] - h)) / (2 * h)).epsilon(1e-2));
    }
}

TEST_CASE("10 conv2d / maxpool2d: impossible geometry is an error naming the sizes") {
    const tt::Conv2dGeometry g = geometry(1, 1, 2, 2, 1, 5, 1, 0);
    float x[4] = {}, w[25] = {}, y[1] = {};
    TT_CHECK_ERROR(tt::conv2d_forward(g, x, w, nullptr, y),
                   "conv2d_forward: kernel 5x5 is larger than the padded input 2x2");
    tt::Pool2dGeometry p;
    p.height = 1, p.width = 3;
    TT_CHECK_ERROR(tt::maxpool2d_forward(p, x, y, nullptr),
                   "maxpool2d_forward: window 2 (stride 2) does not fit x (1, 1, 1, 3)");
}

// ---- the Modules (forward/backward protocol of module 04) ------------------------------------------------------

TEST_CASE("10 nn::Conv2d: PyTorch's shapes and names, forward = the direct loops, backward = finite differences") {
    tt::Generator gen(3);
    tt::nn::Conv2d conv(2, 3, 3, 1, 1, true, gen);
    const auto names = conv.named_parameters();
    REQUIRE(names.size() == 2);
    CHECK(names[0].first == "weight");
    CHECK(names[0].second->value.shape() == tt::Shape{3, 2, 3, 3});
    CHECK(names[1].first == "bias");
    const float bound = 1.0f / std::sqrt(18.0f);  // torch.nn.Conv2d's default init range
    for (float w : conv.weight.value.to_vector()) CHECK(std::fabs(w) <= bound);

    const tt::Tensor x({2, 2, 5, 4}, random_values(80, 21));
    const tt::Tensor y = conv.forward(x);
    CHECK(y.shape() == tt::Shape{2, 3, 5, 4});
    const tt::Conv2dGeometry g = geometry(2, 2, 5, 4, 3, 3, 1, 1);
    std::vector<float> y_ref(size_t(g.output_size()));
    tt::conv2d_forward_ref(g, x.to_vector().data(), conv.weight.value.data(), conv.bias->value.data(), y_ref.data());
    CHECK(max_abs_diff(y.to_vector(), y_ref) < 1e-5f);

    const tt::Tensor dy(y.shape(), random_values(y.numel(), 22));
    conv.zero_grad();
    const tt::Tensor dx = conv.backward(dy);
    const tt::Tensor dx_num = tt_test::numeric_grad([&](const tt::Tensor& v) { return conv.forward(v); }, x, dy);
    CHECK(max_abs_diff(dx.to_vector(), dx_num.to_vector()) < 2e-3f);
    const tt::Tensor w0 = conv.weight.value.clone();
    const tt::Tensor dw_num = tt_test::numeric_grad(
        [&](const tt::Tensor& w) {
            conv.weight.value.copy_(w);
            return conv.forward(x);
        },
        w0, dy);
    conv.weight.value.copy_(w0);
    CHECK(max_abs_diff(conv.weight.grad.to_vector(), dw_num.to_vector()) < 2e-3f);
}

TEST_CASE("10 nn::MaxPool2d: halves H and W, gradients go to the window maxima") {
    tt::nn::MaxPool2d pool(2);
    const tt::Tensor x({2, 3, 4, 6}, random_values(144, 23));
    const tt::Tensor y = pool.forward(x);
    CHECK(y.shape() == tt::Shape{2, 3, 2, 3});
    CHECK(y.at({1, 2, 1, 2}) ==
          std::max({x.at({1, 2, 2, 4}), x.at({1, 2, 2, 5}), x.at({1, 2, 3, 4}), x.at({1, 2, 3, 5})}));
    const tt::Tensor dy(y.shape(), random_values(y.numel(), 24));
    const tt::Tensor dx = pool.backward(dy);
    const tt::Tensor dx_num = tt_test::numeric_grad([&](const tt::Tensor& v) { return pool.forward(v); }, x, dy, 1e-3f);
    CHECK(max_abs_diff(dx.to_vector(), dx_num.to_vector()) < 1e-2f);
}

TEST_CASE("10 classifier: a one-line architecture builds a Sequential with PyTorch's parameter names") {
    tt::Generator gen(1);
    const std::string cnn = "conv:1:4:3:1 relu maxpool:2 flatten linear:784:10";
    const tt::ClassifierShape s = tt::check_architecture(cnn, 1, 28, 28);
    CHECK(s.classes == 10);
    auto net = tt::build_classifier(cnn, gen);
    std::vector<std::string> names;
    for (const auto& p : net->named_parameters()) names.push_back(p.first);
    CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "4.weight", "4.bias"});
    const tt::Tensor logits = net->forward(tt::Tensor({5, 1, 28, 28}, random_values(5 * 784, 25)));
    CHECK(logits.shape() == tt::Shape{5, 10});
    CHECK(tt::format_architecture(tt::parse_architecture(" flatten  linear:2:8 tanh linear:8:2 ")) ==
          "flatten linear:2:8 tanh linear:8:2");
}

TEST_CASE("10 classifier: architectures that cannot work are errors naming the layer") {
    TT_CHECK_ERROR(tt::check_architecture("flatten linear:100:10", 1, 28, 28),
                   "architecture: layer 1 (linear:100:10) receives 784 features");
    TT_CHECK_ERROR(tt::check_architecture("conv:3:8:3:0 relu", 1, 28, 28),
                   "architecture: layer 0 (conv) expects 3 channels, receives 1");
    TT_CHECK_ERROR(tt::parse_architecture("linear:2 relu"),
                   "architecture: 'linear:2' needs a non-negative integer in field 2");
    TT_CHECK_ERROR_CONTAINS(tt::parse_architecture("softmax"), "unknown layer 'softmax'");
}
