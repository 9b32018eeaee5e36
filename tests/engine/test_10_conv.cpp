// Module 10 checks: conv2d and max pooling. The im2col + sgemm path must match the direct loops (_ref), the
// backward passes must match finite differences of the forward, and a hand-computed case pins the layout.
#include <cmath>
#include <cstdint>
#include <vector>

#include "conv.h"
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
    for (const auto& g : {geometry(2, 3, 7, 5, 4, 3, 1, 1), geometry(1, 1, 28, 28, 8, 3, 1, 1),
                          geometry(3, 2, 9, 8, 5, 3, 2, 0), geometry(2, 4, 6, 6, 3, 5, 1, 2),
                          geometry(1, 2, 5, 7, 2, 1, 2, 1)}) {
        const auto x = random_values(g.input_size(), 1), w = random_values(g.weight_size(), 2);
        const auto b = random_values(g.out_channels, 3);
        std::vector<float> y(size_t(g.output_size())), y_ref(y.size());
        tt::conv2d_forward(g, x.data(), w.data(), b.data(), y.data());
        tt::conv2d_forward_ref(g, x.data(), w.data(), b.data(), y_ref.data());
        CHECK(max_abs_diff(y, y_ref) < 1e-5f);
    }
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

TEST_CASE("10 conv2d / maxpool2d: impossible geometry is an error naming the sizes" * TT_NEEDS_EXCEPTIONS) {
#if TT_HAS_EXCEPTIONS
    const tt::Conv2dGeometry g = geometry(1, 1, 2, 2, 1, 5, 1, 0);
    float x[4] = {}, w[25] = {}, y[1] = {};
    CHECK_THROWS_WITH_AS(tt::conv2d_forward(g, x, w, nullptr, y),
                         "conv2d_forward: kernel 5x5 is larger than the padded input 2x2", tt::Error);
    tt::Pool2dGeometry p;
    p.height = 1, p.width = 3;
    CHECK_THROWS_WITH_AS(tt::maxpool2d_forward(p, x, y, nullptr),
                         "maxpool2d_forward: window 2 (stride 2) does not fit x (1, 1, 1, 3)", tt::Error);
#endif
}
