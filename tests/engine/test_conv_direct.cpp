// The direct convolution (engine/kernels/conv_direct.h): given engine code, not a lesson region, so not a lesson
// check. It must give the bits of im2col + conv_gemm (conv2d_forward's loop) for every shape it takes, and stay out
// of the shapes it cannot take.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "conv.h"
#include "conv_direct.h"
#include "parallel.h"
#include "testing.h"

namespace {

std::vector<float> random_values(int64_t n, uint32_t seed) {  // in [-1, 1), a 32-bit LCG
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = float(seed >> 8) / float(1 << 24) * 2.0f - 1.0f;
    }
    return v;
}

tt::Conv2dGeometry geometry(int N, int C, int H, int W, int OC, int KH, int KW, int pad) {
    tt::Conv2dGeometry g;
    g.batch = N, g.in_channels = C, g.height = H, g.width = W;
    g.out_channels = OC, g.kernel_h = KH, g.kernel_w = KW, g.padding = pad;
    return g;
}

// im2col + conv_gemm, whatever conv2d_forward dispatches to.
std::vector<float> im2col_route(const tt::Conv2dGeometry& g, const std::vector<float>& x, const std::vector<float>& w,
                                const float* bias, bool relu) {
    std::vector<float> y(size_t(g.output_size()));
    tt::conv2d_forward_im2col(g, x.data(), w.data(), bias, y.data(), relu);
    return y;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("conv2d_direct: the bits of im2col + conv_gemm, and close to the direct loops") {
    // the milestone CNN's first layer; channels past a 4-row panel; an output row that is not whole tiles (its last
    // tile overlaps); 5x5 with padding 2; a 1x1 conv; 3x1; K = 63 (the largest 3x3 it takes); no padding
    const tt::Conv2dGeometry shapes[] = {geometry(2, 3, 32, 32, 32, 3, 3, 1), geometry(1, 3, 9, 13, 5, 3, 3, 1),
                                         geometry(2, 2, 7, 11, 6, 3, 3, 0),   geometry(1, 2, 12, 12, 7, 5, 5, 2),
                                         geometry(1, 16, 4, 8, 3, 1, 1, 0),   geometry(1, 4, 6, 10, 4, 3, 1, 2),
                                         geometry(1, 7, 10, 10, 9, 3, 3, 1),  geometry(3, 1, 8, 8, 1, 1, 1, 0)};
    for (const tt::Conv2dGeometry& g : shapes)
        for (const bool with_bias : {true, false})
            for (const bool relu : {true, false}) {
                INFO("x (" << g.batch << ", " << g.in_channels << ", " << g.height << ", " << g.width << "), "
                           << g.out_channels << " channels, kernel " << g.kernel_h << "x" << g.kernel_w << ", padding "
                           << g.padding << (with_bias ? ", bias" : "") << (relu ? ", relu" : ""));
                REQUIRE(tt::conv2d_direct_applies(g));
                const auto x = random_values(g.input_size(), 31), w = random_values(g.weight_size(), 32);
                const auto bias = random_values(g.out_channels, 33);
                const float* b = with_bias ? bias.data() : nullptr;
                std::vector<float> y(size_t(g.output_size()), 7.0f), y_loops(y.size());
                tt::conv2d_direct(g, x.data(), w.data(), b, y.data(), relu);
                CHECK(same_bits(y, im2col_route(g, x, w, b, relu)));
                tt::conv2d_forward_ref(g, x.data(), w.data(), b, y_loops.data(), relu);
                float worst = 0.0f;
                for (size_t i = 0; i < y.size(); i++) worst = std::fmax(worst, std::fabs(y[i] - y_loops[i]));
                CHECK(worst < 1e-5f);
                std::vector<float> y_forward(y.size());  // conv2d_forward takes this route for these shapes
                tt::conv2d_forward(g, x.data(), w.data(), b, y_forward.data(), relu);
                CHECK(same_bits(y, y_forward));
            }
}

TEST_CASE("conv2d_direct: the padding is zeros, NaN goes to +0 through the ReLU, as in conv_gemm") {
    const tt::Conv2dGeometry g = geometry(1, 1, 8, 8, 2, 3, 3, 1);
    std::vector<float> x(64, 1.0f), w(18, 1.0f);
    for (int i = 9; i < 18; i++) w[size_t(i)] = -1.0f;  // channel 1 is all negative: the ReLU zeroes it
    x[63] = std::numeric_limits<float>::quiet_NaN();    // the bottom-right pixel
    std::vector<float> y(size_t(g.output_size()));
    tt::conv2d_direct(g, x.data(), w.data(), nullptr, y.data(), false);
    CHECK(y[0] == 4.0f);  // a corner sees 4 pixels, the rest is padding
    CHECK(y[1] == 6.0f);  // an edge sees 6
    CHECK(y[9] == 9.0f);  // inside: all 9
    CHECK(std::isnan(y[63]));
    CHECK(y[64] == -4.0f);
    tt::conv2d_direct(g, x.data(), w.data(), nullptr, y.data(), true);
    for (int i = 64; i < 128; i++) {
        INFO("channel 1, pixel " << i - 64);
        CHECK(std::signbit(y[size_t(i)]) == false);
        CHECK(y[size_t(i)] == 0.0f);
    }
    CHECK(y[63] == 0.0f);  // NaN → +0
    CHECK(same_bits(y, im2col_route(g, x, w, nullptr, true)));
}

TEST_CASE("conv2d_direct: only for stride 1, dilation 1, K <= 64 and rows at least one tile wide") {
    tt::Conv2dGeometry strided = geometry(1, 3, 32, 32, 8, 3, 3, 1), dilated = strided, wide = strided,
                       narrow = strided;
    strided.stride = 2;
    dilated.dilation = 2;
    wide.in_channels = 8;  // K = 72
    narrow.width = 4;      // OW = 4
    for (const tt::Conv2dGeometry& g : {strided, dilated, wide, narrow}) CHECK_FALSE(tt::conv2d_direct_applies(g));
    float x[1] = {}, w[1] = {}, y[1] = {};
    TT_CHECK_ERROR_CONTAINS(tt::conv2d_direct(strided, x, w, nullptr, y, false), "conv2d_direct: needs stride 1");
}

TEST_CASE("conv2d_direct: two threads give one thread's bits (a share ends inside an image)") {
    if (tt::max_threads() < 2) return;  // builds without threads: nothing to compare
    const tt::Conv2dGeometry g =
        geometry(3, 3, 31, 64, 10, 3, 3, 1);  // 93 output rows (> 2 MFLOP): the shares split image 1
    const auto x = random_values(g.input_size(), 41), w = random_values(g.weight_size(), 42);
    const auto bias = random_values(g.out_channels, 43);
    std::vector<float> one(size_t(g.output_size())), two(one.size());
    tt::conv2d_direct(g, x.data(), w.data(), bias.data(), one.data(), true);
    tt::set_num_threads(2);
    tt::conv2d_direct(g, x.data(), w.data(), bias.data(), two.data(), true);
    tt::set_num_threads(1);
    CHECK(same_bits(one, two));
    CHECK(same_bits(one, im2col_route(g, x, w, bias.data(), true)));
}
