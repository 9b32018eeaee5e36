// Module 16 checks (quantization): the quantizers on hand-worked values (ties, saturation, zero and negative-only
// ranges), the int8 GEMM bit-exact against its `_ref` twin, int4 packing (nibble order, odd sizes, groups), quantized
// layers within a stated tolerance of their float originals, and the quantized safetensors format with every error.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "activation_layers.h"
#include "classifier.h"
#include "conv.h"
#include "conv_layers.h"
#include "linear.h"
#include "quant.h"
#include "quantized.h"
#include "quantized_io.h"
#include "safetensors.h"
#include "test_values.h"
#include "testing.h"

using tt::Tensor;

namespace {

using tt_testing::random_ints;
using tt_testing::values;

float max_abs(const float* a, int64_t n) {
    float m = 0.0f;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i]));
    return m;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    const Tensor ac = a.contiguous(), bc = b.contiguous();
    float m = 0.0f;
    for (int64_t i = 0; i < ac.numel(); ++i) m = std::max(m, std::fabs(ac.data()[i] - bc.data()[i]));
    return m;
}

}  // namespace

using tt::QParams;

TEST_CASE("16 quant: round_half_even sends ties to the even neighbour") {
    CHECK(tt::round_half_even(0.5f) == 0.0f);
    CHECK(tt::round_half_even(1.5f) == 2.0f);
    CHECK(tt::round_half_even(2.5f) == 2.0f);
    CHECK(tt::round_half_even(3.5f) == 4.0f);
    CHECK(tt::round_half_even(-0.5f) == 0.0f);
    CHECK(tt::round_half_even(-1.5f) == -2.0f);
    CHECK(tt::round_half_even(-2.5f) == -2.0f);
    CHECK(tt::round_half_even(2.4999998f) == 2.0f);
    CHECK(tt::round_half_even(2.5000002f) == 3.0f);
    CHECK(tt::round_half_even(-7.2f) == -7.0f);
    CHECK(tt::round_half_even(-7.7f) == -8.0f);
    CHECK(tt::round_half_even(16777216.0f) == 16777216.0f);
}

TEST_CASE("16 quant: symmetric qparams use the larger magnitude; a zero range gets scale 1") {
    QParams p = tt::choose_qparams_symmetric(-2.0f, 1.0f);
    CHECK(p.scale == doctest::Approx(2.0f / 127.0f).epsilon(1e-6));
    CHECK(p.zero_point == 0);
    CHECK(tt::choose_qparams_symmetric(-0.5f, 3.0f).scale == doctest::Approx(3.0f / 127.0f).epsilon(1e-6));
    CHECK(tt::choose_qparams_symmetric(-0.7f, 0.0f, 7).scale == doctest::Approx(0.1f).epsilon(1e-6));
    p = tt::choose_qparams_symmetric(0.0f, 0.0f);
    CHECK(p.scale == 1.0f);  // not 0 (division by zero) and not NaN
    CHECK(p.zero_point == 0);
    TT_CHECK_ERROR(tt::choose_qparams_symmetric(1.0f, -1.0f),
                   "choose_qparams_symmetric: the range [1, -1] must be finite with min <= max");
}

TEST_CASE("16 quant: asymmetric qparams widen the range to 0, round the zero point half to even") {
    QParams p = tt::choose_qparams_asymmetric(-1.0f, 3.0f);  // scale 4/255, -lo/scale = 63.75 -> 64
    CHECK(p.scale == doctest::Approx(4.0f / 255.0f).epsilon(1e-6));
    CHECK(p.zero_point == 64);
    p = tt::choose_qparams_asymmetric(-3.0f, -1.0f);  // negative only: [-3, 0], zero at the top
    CHECK(p.scale == doctest::Approx(3.0f / 255.0f).epsilon(1e-6));
    CHECK(p.zero_point == 255);
    p = tt::choose_qparams_asymmetric(2.0f, 5.1f);  // positive only: [0, 5.1]
    CHECK(p.scale == doctest::Approx(5.1f / 255.0f).epsilon(1e-6));
    CHECK(p.zero_point == 0);
    p = tt::choose_qparams_asymmetric(-0.5f, 254.5f);  // scale exactly 1, -lo/scale = 0.5: a tie -> 0
    CHECK(p.scale == 1.0f);
    CHECK(p.zero_point == 0);
    p = tt::choose_qparams_asymmetric(-1.5f, 253.5f);  // 1.5 -> 2
    CHECK(p.zero_point == 2);
    p = tt::choose_qparams_asymmetric(0.0f, 0.0f);
    CHECK(p.scale == 1.0f);
    CHECK(p.zero_point == 0);
    p = tt::choose_qparams_asymmetric(-4.0f, -4.0f);  // all equal and negative: [-4, 0]
    CHECK(p.scale == doctest::Approx(4.0f / 255.0f).epsilon(1e-6));
    CHECK(p.zero_point == 255);
}

TEST_CASE("16 quant: int8 quantization rounds half to even and saturates at -128 / 127") {
    const std::vector<float> x = {0.0f, 0.25f, 0.75f, 63.5f, 64.0f, 1000.0f, -64.0f, -64.5f, -1000.0f, -0.25f, -1.25f};
    std::vector<int8_t> q(x.size());
    tt::quantize_int8(x.data(), int64_t(x.size()), {0.5f, 0}, q.data());
    const std::vector<int8_t> want = {0, 0, 2, 127, 127, 127, -128, -128, -128, 0, -2};
    for (size_t i = 0; i < x.size(); ++i) CHECK_MESSAGE(q[i] == want[i], (std::string("x = ") + std::to_string(x[i])));
    std::vector<float> back(x.size());
    tt::dequantize_int8(q.data(), int64_t(q.size()), {0.5f, 0}, back.data());
    CHECK(back[2] == 1.0f);
    CHECK(back[3] == 63.5f);
    CHECK(back[6] == -64.0f);
}

TEST_CASE("16 quant: uint8 quantization adds the zero point and saturates at 0 / 255") {
    const QParams p{0.5f, 10};
    const std::vector<float> x = {-5.0f, -5.5f, -100.0f, 122.5f, 123.0f, 1.25f, 0.0f, 1.75f};
    std::vector<uint8_t> q(x.size());
    tt::quantize_uint8(x.data(), int64_t(x.size()), p, q.data());
    const std::vector<uint8_t> want = {0, 0, 0, 255, 255, 12, 10, 14};
    for (size_t i = 0; i < x.size(); ++i) CHECK_MESSAGE(q[i] == want[i], (std::string("x = ") + std::to_string(x[i])));
    std::vector<float> back(x.size());
    tt::dequantize_uint8(q.data(), int64_t(q.size()), p, back.data());
    CHECK(back[0] == -5.0f);
    CHECK(back[3] == 122.5f);
    CHECK(back[5] == 1.0f);
    CHECK(back[6] == 0.0f);  // zero is exact
}

TEST_CASE("16 quant: the SIMD uint8 quantizer equals quantize_uint8 on every value") {
    // random values, exact ties (k + 0.5 steps), both ends, far outside the range; a length that leaves a tail
    std::vector<float> x = values(1000, 9, -40.0f, 90.0f);
    for (int k = -300; k < 300; ++k) x.push_back((static_cast<float>(k) + 0.5f) * 0.25f);
    for (float v : {0.0f, -0.0f, 1e30f, -1e30f, 3e6f, -3e6f, 63.75f, 63.625f}) x.push_back(v);
    for (const QParams p : {QParams{0.25f, 0}, QParams{0.5f, 128}, QParams{0.37f, 255}, QParams{1.0f / 3, 17}}) {
        std::vector<uint8_t> fast(x.size()), ref(x.size());
        tt::quantize_uint8_simd(x.data(), int64_t(x.size()), p, fast.data());
        tt::quantize_uint8(x.data(), int64_t(x.size()), p, ref.data());
        CHECK(fast == ref);
    }
}

TEST_CASE("16 quant: the uint8 im2col rows are im2col's columns, quantized, padding at the zero point") {
    tt::Conv2dGeometry g;
    g.batch = 1, g.in_channels = 2, g.height = 5, g.width = 4, g.out_channels = 1, g.kernel_h = g.kernel_w = 3;
    g.padding = 1, g.stride = 2, g.dilation = 1;
    const std::vector<float> img = values(g.input_size(), 31, 0.0f, 2.0f);
    const QParams p{2.0f / 255, 7};
    std::vector<uint8_t> q(img.size());
    tt::quantize_uint8(img.data(), int64_t(img.size()), p, q.data());
    const int CKK = 18, P = g.out_h() * g.out_w();
    std::vector<float> cols(size_t(CKK) * P);
    tt::im2col(g, img.data(), cols.data());
    std::vector<uint8_t> rows(cols.size()), want(cols.size());
    tt::im2col_rows_u8(g, q.data(), 7, rows.data());
    for (int r = 0; r < CKK; ++r)
        for (int c = 0; c < P; ++c) tt::quantize_uint8(&cols[size_t(r * P + c)], 1, p, &want[size_t(c * CKK + r)]);
    CHECK(rows == want);
    CHECK(rows[0] == 7);  // the first tap of the first pixel is padding
}

TEST_CASE("16 quant: a round trip loses at most half a step inside the range") {
    const std::vector<float> x = values(1000, 7, -3.0f, 1.0f);
    const QParams pa = tt::choose_qparams_asymmetric(-3.0f, 1.0f), ps = tt::choose_qparams_symmetric(-3.0f, 1.0f);
    std::vector<uint8_t> qa(x.size());
    std::vector<int8_t> qs(x.size());
    std::vector<float> ba(x.size()), bs(x.size());
    tt::quantize_uint8(x.data(), 1000, pa, qa.data());
    tt::dequantize_uint8(qa.data(), 1000, pa, ba.data());
    tt::quantize_int8(x.data(), 1000, ps, qs.data());
    tt::dequantize_int8(qs.data(), 1000, ps, bs.data());
    float ea = 0.0f, es = 0.0f;
    for (size_t i = 0; i < x.size(); ++i)
        ea = std::max(ea, std::fabs(x[i] - ba[i])), es = std::max(es, std::fabs(x[i] - bs[i]));
    CHECK(ea <= pa.scale * 0.5001f);
    CHECK(es <= ps.scale * 0.5001f);
    CHECK(ea > pa.scale * 0.3f);  // and it is a real rounding, not a copy
}

TEST_CASE("16 quant: per-channel int8 gives each row (axis 0) its own scale") {
    // 3 rows x 5 columns: different ranges, and an all-zero row (a pruned unit)
    const std::vector<float> w = {1.0f,  -0.6f, 0.25f, 0.0f,  -1.0f,  // max|w| 1
                                  -8.0f, 2.0f,  3.0f,  -5.0f, 1.0f,   // max|w| 8
                                  0.0f,  0.0f,  0.0f,  0.0f,  0.0f};
    std::vector<float> scales(3);
    std::vector<int8_t> q(15);
    tt::quantize_per_channel_int8(w.data(), 3, 5, scales.data(), q.data());
    CHECK(scales[0] == doctest::Approx(1.0f / 127).epsilon(1e-6));
    CHECK(scales[1] == doctest::Approx(8.0f / 127).epsilon(1e-6));
    CHECK(scales[2] == 1.0f);
    const std::vector<int8_t> want = {127, -76, 32, 0, -127, -127, 32, 48, -79, 16, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < q.size(); ++i) CHECK_MESSAGE(q[i] == want[i], (std::string("element ") + std::to_string(i)));
    std::vector<float> back(15);
    tt::dequantize_per_channel_int8(q.data(), 3, 5, scales.data(), back.data());
    for (size_t i = 0; i < 15; ++i) CHECK(std::fabs(back[i] - w[i]) <= scales[i / 5] * 0.5001f);

    // uint8 per channel: a negative-only row puts its zero point at 255
    const std::vector<float> v = {-3.0f, -1.0f, -2.0f, 0.0f, 2.0f, 4.0f};
    std::vector<float> vs(2);
    std::vector<int32_t> vz(2);
    std::vector<uint8_t> vq(6);
    tt::quantize_per_channel_uint8(v.data(), 2, 3, vs.data(), vz.data(), vq.data());
    CHECK(vz[0] == 255);
    CHECK(vz[1] == 0);
    CHECK(vs[1] == doctest::Approx(4.0f / 255).epsilon(1e-6));
    CHECK(vq[0] == 0);
    CHECK(vq[3] == 0);
    CHECK(vq[5] == 255);
}

TEST_CASE("16 quant: the calibration observer keeps the running min and max over batches") {
    tt::MinMaxObserver obs;
    const std::vector<float> a = {0.5f, 2.0f, 1.0f}, b = {-1.0f, 0.0f}, c = {1.5f};
    obs.observe(a.data(), 3);
    CHECK(obs.lo == 0.0f);  // the range always contains 0
    CHECK(obs.hi == 2.0f);
    obs.observe(b.data(), 2);
    obs.observe(c.data(), 1);
    CHECK(obs.lo == -1.0f);
    CHECK(obs.hi == 2.0f);
    CHECK(obs.count == 6);
    const QParams p = obs.qparams();
    CHECK(p.scale == doctest::Approx(3.0f / 255).epsilon(1e-6));
    CHECK(p.zero_point == 85);
}

TEST_CASE("16 quant: int8 GEMM, a hand-worked case: the zero point is subtracted before the product") {
    // x = [[3, 5]], x_zero = 4, w = [[2, -1], [-128, 127]]
    const std::vector<uint8_t> xq = {3, 5};
    const std::vector<int8_t> wq = {2, -1, -128, 127};
    std::vector<int32_t> acc(2), ref(2);
    tt::qgemm_u8s8_ref(1, 2, 2, xq.data(), 4, wq.data(), ref.data());
    CHECK(ref[0] == -3);   // (3-4)*2 + (5-4)*(-1)
    CHECK(ref[1] == 255);  // (3-4)*(-128) + (5-4)*127
    tt::qgemm_u8s8(1, 2, 2, xq.data(), 4, wq.data(), acc.data());
    CHECK(acc == ref);
    // dequantize_acc: y = acc * (sx * sw[n]) + b[n]
    const std::vector<float> sw = {0.5f, 0.25f}, bias = {1.0f, -2.0f};
    std::vector<float> y(2);
    tt::dequantize_acc(1, 2, acc.data(), 2.0f, sw.data(), bias.data(), y.data());
    CHECK(y[0] == -2.0f);   // -3 * 1 + 1
    CHECK(y[1] == 125.5f);  // 255 * 0.5 - 2
    tt::dequantize_acc(1, 2, acc.data(), 2.0f, sw.data(), nullptr, y.data());
    CHECK(y[0] == -3.0f);
}

TEST_CASE("16 quant: the SIMD int8 GEMM equals qgemm_u8s8_ref bit for bit") {
    struct Shape3 {
        int M, N, K, zero;
    };
    // K below, at and across the 16-wide vector step; rows and columns off the 4 x 2 register tile; extreme zeros
    for (const Shape3 s : {Shape3{1, 1, 1, 0}, Shape3{1, 10, 784, 0}, Shape3{3, 5, 15, 255}, Shape3{4, 2, 16, 128},
                           Shape3{5, 3, 17, 7}, Shape3{64, 10, 128, 3}, Shape3{7, 9, 33, 200}, Shape3{2, 3, 0, 9}}) {
        const auto xq = random_ints<uint8_t>(int64_t(s.M) * s.K, 11u + uint32_t(s.K), 0, 255);
        const auto wq = random_ints<int8_t>(int64_t(s.N) * s.K, 5u + uint32_t(s.N), -128, 127);
        std::vector<int32_t> fast(size_t(s.M) * s.N, -1), ref(size_t(s.M) * s.N, -2);
        tt::qgemm_u8s8(s.M, s.N, s.K, xq.data(), s.zero, wq.data(), fast.data());
        tt::qgemm_u8s8_ref(s.M, s.N, s.K, xq.data(), s.zero, wq.data(), ref.data());
        const std::string what = "M=" + std::to_string(s.M) + " N=" + std::to_string(s.N) +
            " K=" + std::to_string(s.K) + " zero=" + std::to_string(s.zero);
        CHECK_MESSAGE(fast == ref, what);
    }
    // the extremes: every product at its largest magnitude, K long
    const int K = 4096;
    std::vector<uint8_t> x255(K, 255), x0(K, 0);
    std::vector<int8_t> wmin(K, -128);
    int32_t a = 0, r = 0;
    tt::qgemm_u8s8(1, 1, K, x255.data(), 0, wmin.data(), &a);
    tt::qgemm_u8s8_ref(1, 1, K, x255.data(), 0, wmin.data(), &r);
    CHECK(a == -255 * 128 * K);
    CHECK(r == a);
    tt::qgemm_u8s8(1, 1, K, x0.data(), 255, wmin.data(), &a);
    CHECK(a == 255 * 128 * K);
    TT_CHECK_ERROR(tt::qgemm_u8s8(1, 1, 70000, x0.data(), 0, wmin.data(), &a),
                   "qgemm_u8s8: M=1 N=1 K=70000 (K must be in [0, 65536])");
}

TEST_CASE("16 quant: int4 packs two weights per byte, element 2j in the low nibble") {
    // one row of 3 (odd): max|w| = 7 -> scale 1, q = 7, -3, 1 -> bytes 0xD7 (7 | -3 << 4), 0x01
    const std::vector<float> w = {7.0f, -3.0f, 1.0f};
    std::vector<float> scales(1);
    std::vector<uint8_t> packed(2, 0xAA);
    tt::quantize_int4(w.data(), 1, 3, 32, scales.data(), packed.data());
    CHECK(scales[0] == 1.0f);
    CHECK(packed[0] == 0xD7);
    CHECK(packed[1] == 0x01);  // the spare high nibble is 0
    std::vector<float> back(3);
    tt::dequantize_int4(packed.data(), scales.data(), 1, 3, 32, back.data());
    CHECK(back == w);

    // rows of odd length stay byte-aligned; a group of 4 gets its own scale
    const int rows = 3, cols = 9, group = 4;
    const std::vector<float> m = values(rows * cols, 3, -2.0f, 2.0f);
    std::vector<float> ms(size_t(rows) * tt::int4_groups(cols, group));
    std::vector<uint8_t> mp(size_t(rows) * tt::int4_row_bytes(cols));
    CHECK(ms.size() == 9);
    CHECK(mp.size() == 15);
    tt::quantize_int4(m.data(), rows, cols, group, ms.data(), mp.data());
    std::vector<float> mb(m.size());
    tt::dequantize_int4(mp.data(), ms.data(), rows, cols, group, mb.data());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const int g = r * tt::int4_groups(cols, group) + c / group;
            CHECK(
                ms[size_t(g)] ==
                doctest::Approx(
                    max_abs(&m[size_t(r * cols + c / group * group)], std::min(group, cols - c / group * group)) / 7.0f)
                    .epsilon(1e-6));
            CHECK(std::fabs(mb[size_t(r * cols + c)] - m[size_t(r * cols + c)]) <= ms[size_t(g)] * 0.5001f);
        }
}

TEST_CASE("16 quant: the int4 matmul dequantizes on the fly and agrees with its _ref twin") {
    for (const int K : {1, 31, 33, 100}) {
        const int M = 3, N = 70, group = 32;  // N spans two of the fast path's 64-row blocks
        const std::vector<float> x = values(M * K, 21, -1.0f, 1.0f), w = values(N * K, 22, -0.5f, 0.5f);
        const std::vector<float> bias = values(N, 23);
        std::vector<float> scales(size_t(N) * tt::int4_groups(K, group));
        std::vector<uint8_t> packed(size_t(N) * tt::int4_row_bytes(K));
        tt::quantize_int4(w.data(), N, K, group, scales.data(), packed.data());
        std::vector<float> fast(size_t(M) * N), ref(size_t(M) * N), wd(w.size());
        tt::int4_matmul(M, N, K, x.data(), packed.data(), scales.data(), group, bias.data(), fast.data());
        tt::int4_matmul_ref(M, N, K, x.data(), packed.data(), scales.data(), group, bias.data(), ref.data());
        tt::dequantize_int4(packed.data(), scales.data(), N, K, group, wd.data());
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                double want = bias[size_t(n)];
                for (int k = 0; k < K; ++k) want += double(x[size_t(m * K + k)]) * wd[size_t(n * K + k)];
                CHECK(ref[size_t(m * N + n)] == doctest::Approx(want).epsilon(1e-5));
                CHECK(fast[size_t(m * N + n)] == doctest::Approx(ref[size_t(m * N + n)]).epsilon(1e-4));
            }
    }
}

TEST_CASE("16 quant: quantized Linear and Conv2d stay within tolerance of their float layers") {
    tt::Generator gen(16);
    tt::nn::Linear lin(37, 20, true, gen);
    const Tensor x = tt::rand({5, 37}, gen);  // [0, 1): like pixels
    const Tensor y = lin.forward(x);
    tt::nn::QuantizedLinear ql(lin);
    const Tensor yq = ql.forward(x);
    // Stated tolerance: int8 weights (per channel) and uint8 inputs each err by half a step; over 37 inputs that is
    // far below 2% of the output's range.
    const float range = max_abs(y.contiguous().data(), y.numel());
    CHECK(max_abs_diff(y, yq) <= 0.02f * range);
    CHECK(max_abs_diff(y, yq) > 0.0f);  // really quantized
    tt::nn::QuantizedLinear qt(lin, /*per_channel=*/false);
    CHECK(qt.weight_scale.size() == 1);
    CHECK(max_abs_diff(y, qt.forward(x)) <= 0.03f * range);
    tt::nn::Int4Linear q4(lin);
    CHECK(max_abs_diff(y, q4.forward(x)) <= 0.12f * range);
    CHECK(ql.weight_bytes() == 37 * 20 + 4 * (20 + 20));
    CHECK(q4.weight_bytes() == 20 * 19 + 4 * (20 * 2 + 20));
    TT_CHECK_ERROR(ql.forward(tt::zeros({2, 36})),
                   "QuantizedLinear: input has shape [2, 36], expected [..., 37] (in_features)");
    TT_CHECK_ERROR(ql.backward(yq),
                   "QuantizedLinear: quantized layers are for inference only (no backward); train the float model and "
                   "quantize it again");

    tt::nn::Conv2d conv(3, 4, 3, 1, 1, true, gen);
    const Tensor img = tt::randn({2, 3, 6, 5}, gen);  // negative values too: the zero point matters
    const Tensor yc = conv.forward(img);
    tt::nn::QuantizedConv2d qc(conv);
    const Tensor yqc = qc.forward(img);
    CHECK(yqc.shape() == yc.shape());
    CHECK(max_abs_diff(yc, yqc) <= 0.03f * max_abs(yc.contiguous().data(), yc.numel()));
}

TEST_CASE("16 quant: quantize_model swaps layers; calibration fixes the input qparams") {
    const std::string arch = "flatten linear:12:16 relu linear:16:4";
    tt::Generator gen(3);
    auto net = tt::build_classifier(arch, gen);
    net->eval();
    const Tensor x = tt::rand({8, 1, 3, 4}, gen);
    const Tensor y = net->forward(x);
    const std::vector<Tensor> calibration = {tt::rand({4, 1, 3, 4}, gen), tt::rand({4, 1, 3, 4}, gen)};
    // the observer of layer 1 sees the flattened calibration inputs: compute their range by hand
    float hi = 0.0f;
    for (const Tensor& c : calibration) hi = std::max(hi, max_abs(c.contiguous().data(), c.numel()));
    CHECK(tt::nn::quantize_model(*net, {}, calibration) == 2);
    auto* q1 = dynamic_cast<tt::nn::QuantizedLinear*>(&(*net)[1]);
    REQUIRE(q1 != nullptr);
    REQUIRE(dynamic_cast<tt::nn::QuantizedLinear*>(&(*net)[3]) != nullptr);
    CHECK(q1->input.is_static);
    CHECK(q1->input.qparams.zero_point == 0);
    CHECK(q1->input.qparams.scale == doctest::Approx(hi / 255).epsilon(1e-6));
    const Tensor yq = net->forward(x);
    CHECK(max_abs_diff(y, yq) <= 0.03f * max_abs(y.contiguous().data(), y.numel()));
    CHECK(tt::nn::model_bytes(*net) == 12 * 16 + 4 * 32 + 16 * 4 + 4 * 8);
}

TEST_CASE("16 quant: raw safetensors carry I8 / U8 / I32 tensors next to F32") {
    tt::RawStateDict sd;
    sd["a"] = {"I8", {2, 2}, {0x80, 0x7F, 0x00, 0xFF}};
    sd["b"] = {"U8", {3}, {1, 2, 3}};
    sd["c"] = {"I32", {}, {0x01, 0x00, 0x00, 0x80}};
    sd["d"] = tt::to_raw(tt::from_vector({2}, {1.5f, -2.0f}));
    const std::vector<uint8_t> bytes = tt::save_safetensors_raw(sd, {{"k", "v"}});
    const tt::RawStateDict back = tt::load_safetensors_raw(bytes.data(), bytes.size());
    REQUIRE(back.size() == 4);
    for (const auto& kv : sd) {
        CHECK(back.at(kv.first).dtype == kv.second.dtype);
        CHECK(back.at(kv.first).shape == kv.second.shape);
        CHECK(back.at(kv.first).data == kv.second.data);
    }
    CHECK(tt::from_raw(back.at("d"), "d").data()[1] == -2.0f);
    CHECK(tt::dtype_size("I32") == 4);
    TT_CHECK_ERROR(tt::from_raw(back.at("a"), "a"), "safetensors: tensor 'a' has dtype I8, expected F32");
    // the F32 API still refuses the rest, by name
    TT_CHECK_ERROR(tt::load_safetensors(bytes, "q.safetensors"),
                   "safetensors: tensor 'a' in q.safetensors has dtype I8; only F32 is supported");
    sd["e"] = {"Q4", {1}, {0}};
    TT_CHECK_ERROR(tt::save_safetensors_raw(sd),
                   "safetensors: unknown dtype 'Q4' (F64, F32, F16, BF16, I64, I32, I16, I8, U32, U16, U8, BOOL)");
}

namespace {

const char* kArch = "flatten linear:12:16 relu linear:16:4";

std::shared_ptr<tt::nn::Sequential> small_net(int bits) {
    tt::Generator gen(5);
    auto net = tt::build_classifier(kArch, gen);
    net->eval();
    if (bits) {
        tt::nn::QuantizeOptions o;
        o.bits = bits;
        const std::vector<Tensor> calibration = {tt::rand({4, 1, 3, 4}, gen)};
        tt::nn::quantize_model(*net, o, bits == 8 ? calibration : std::vector<Tensor>{});
    }
    return net;
}

// The file of net with one tensor changed by edit (rename, dtype, shape, drop when it returns false).
template <class Edit>
std::vector<uint8_t> edited(tt::nn::Sequential& net, Edit edit) {
    const std::vector<uint8_t> bytes = tt::save_classifier(net, kArch);
    const auto meta = tt::load_safetensors_metadata(bytes.data(), bytes.size());
    tt::RawStateDict sd = tt::load_safetensors_raw(bytes.data(), bytes.size());
    tt::RawStateDict out;
    for (auto& kv : sd) {
        std::string name = kv.first;
        if (edit(name, kv.second)) out[name] = kv.second;
    }
    return tt::save_safetensors_raw(out, meta);
}

}  // namespace

TEST_CASE("16 quant: save_classifier / load_classifier round-trip fp32, int8 and int4 models exactly") {
    const Tensor x = tt::rand({6, 1, 3, 4}, 99);
    for (const int bits : {0, 8, 4}) {
        auto net = small_net(bits);
        const std::vector<uint8_t> bytes = tt::save_classifier(*net, kArch);
        auto back = tt::load_classifier(bytes, "m.safetensors");
        const Tensor a = net->forward(x), b = back->forward(x);
        CHECK_MESSAGE(max_abs_diff(a, b) == 0.0f, (std::string("bits ") + std::to_string(bits)));
        CHECK(tt::nn::model_bytes(*back) == tt::nn::model_bytes(*net));
        const auto meta = tt::load_safetensors_metadata(bytes.data(), bytes.size());
        CHECK(meta.at("tt.arch") == kArch);
        CHECK(meta.count("tt.quant") == (bits ? 1u : 0u));
    }
    auto net8 = small_net(8);
    const auto raw8 =
        tt::load_safetensors_raw(tt::save_classifier(*net8, kArch).data(), tt::save_classifier(*net8, kArch).size());
    CHECK(raw8.at("1.weight").dtype == "I8");
    CHECK(raw8.at("1.weight").shape == tt::Shape{16, 12});
    CHECK(raw8.at("1.weight_scale").shape == tt::Shape{16});
    CHECK(raw8.at("1.input_zero_point").dtype == "U8");
    // the plain fp32 asset format (no tt.arch) loads with the architecture given
    auto f = small_net(0);
    auto plain = tt::load_classifier(tt::save_safetensors(f->state_dict()), "plain", kArch);
    CHECK(max_abs_diff(plain->forward(x), f->forward(x)) == 0.0f);
}

TEST_CASE("16 quant: load_classifier names the tensor and what it expected for every bad file") {
    auto net = small_net(8);
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors(net->state_dict()), "w.safetensors"),
                   "load_classifier: w.safetensors has no tt.arch metadata (the one-line architecture, e.g. "
                   "\"flatten linear:784:128 relu linear:128:10\")");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor&) { return n != "1.weight_scale"; }),
                                       "q"),
                   "load_classifier: q: tensor '1.weight_scale' is missing; expected F32 [16] (weight scales of "
                   "layer 1, linear:12:16)");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor& t) {
                                                  if (n == "3.weight") t.dtype = "U8";
                                                  return true;
                                              }),
                                       "q"),
                   "load_classifier: q: tensor '3.weight' has dtype U8, expected I8 (int8 weights of layer 3, "
                   "linear:16:4)");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor& t) {
                                                  if (n == "3.weight") t.shape = {4, 4, 4};
                                                  return true;
                                              }),
                                       "q"),
                   "load_classifier: q: tensor '3.weight' has shape [4, 4, 4], expected [4, 16] (int8 weights of "
                   "layer 3, linear:16:4)");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor& t) {
                                                  if (n == "1.weight_scale") std::memset(t.data.data() + 8, 0, 4);
                                                  return true;
                                              }),
                                       "q"),
                   "load_classifier: q: tensor '1.weight_scale' holds 0 at index 2; a scale must be finite and > 0");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor&) {
                                                  if (n == "3.bias") n = "3.bias_extra";
                                                  return true;
                                              }),
                                       "q"),
                   "load_classifier: q: tensor '3.bias' is missing; expected F32 [4] (bias of layer 3, linear:16:4)");
    TT_CHECK_ERROR(tt::load_classifier(edited(*net,
                                              [](std::string& n, tt::RawTensor&) {
                                                  if (n == "1.input_scale") n = "2.weight";
                                                  return true;
                                              }),
                                       "q"),
                   "load_classifier: q: tensor '1.input_scale' is missing; expected F32 [] (input scale of layer 1, "
                   "linear:12:16)");
    // an extra tensor, and int8 weights without tt.quant
    auto fnet = small_net(0);
    auto with_extra = tt::save_classifier(*fnet, kArch);
    tt::RawStateDict sd = tt::load_safetensors_raw(with_extra.data(), with_extra.size());
    sd["5.weight"] = tt::to_raw(tt::zeros({2}));
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd, {{"tt.arch", kArch}}), "x"),
                   "load_classifier: x: unexpected tensor '5.weight' (not a parameter of flatten linear:12:16 relu "
                   "linear:16:4)");
    sd.erase("5.weight");
    sd["1.weight"] = {"I8", {16, 12}, std::vector<uint8_t>(192)};
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd, {{"tt.arch", kArch}}), "x"),
                   "load_classifier: x: tensor '1.weight' has dtype I8, expected F32 (a float layer's tensor)");
    sd["1.weight"] = tt::to_raw(tt::zeros({16, 11}));
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd, {{"tt.arch", kArch}}), "x"),
                   "load_classifier: x: tensor '1.weight' has shape [16, 11], expected [16, 12]");
    // tt.quant entries that do not fit the architecture
    sd["1.weight"] = tt::to_raw(tt::zeros({16, 12}));
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd,
                                                                {{"tt.arch", kArch},
                                                                 {"tt.quant",
                                                                  "{\"2\":{\"bits\":8,\"scheme\":\"symmetric\","
                                                                  "\"axis\":0,\"group\":0}}"}}),
                                       "x"),
                   "load_classifier: x: tt.quant '2': 8-bit relu is not supported (int8 linear/conv, int4 linear)");
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd, {{"tt.arch", kArch}, {"tt.quant", "{\"9\":{}}"}}),
                                       "x"),
                   "load_classifier: x: tt.quant '9' is not a layer index (0..3)");
    TT_CHECK_ERROR(tt::load_classifier(tt::save_safetensors_raw(sd,
                                                                {{"tt.arch", kArch},
                                                                 {"tt.quant",
                                                                  "{\"1\":{\"bits\":8,\"scheme\":\"asymmetric\","
                                                                  "\"axis\":0,\"group\":0}}"}}),
                                       "x"),
                   "load_classifier: x: tt.quant '1': scheme must be \"symmetric\" (weights have no zero point)");
}
