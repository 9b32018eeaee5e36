// Module 16 checks for 7-bit inputs (QParams::quant_max 127, PyTorch's reduce_range; quant_packed.h): the qparams
// over 0..127, saturation at 127 on every quantizer the layers call, qgemm_packed_u7 and its `_ref` twin against the
// centred widened product, the uint8 im2col against im2col_rows_u8, and the layers (calibrated and dynamic) against
// the unpacked scalar chain, saved and loaded with their 7-bit inputs. The relaxed build's int8-dot kernel is
// checked against exact sums by tests/node/relaxed-simd.test.mjs and on the models by compression-native-wasm.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "activation_layers.h"
#include "classifier.h"
#include "conv.h"
#include "conv_layers.h"
#include "linear.h"
#include "quant.h"
#include "quant_packed.h"
#include "quantized.h"
#include "quantized_io.h"
#include "sequential.h"
#include "test_values.h"
#include "testing.h"

using tt::QParams;
using tt::Tensor;

namespace {
using tt_testing::random_ints;
using tt_testing::values;
}  // namespace

TEST_CASE("16 reduce_range: qparams over 0..127 (hand-worked), the same rules as over 0..255") {
    // [-1, 3]: width 4, scale 4 / 127; zero = round(1 / (4 / 127)) = round(31.75) = 32
    QParams p = tt::choose_qparams_reduce_range(-1.0f, 3.0f);
    CHECK(p.scale == 4.0f / 127.0f);
    CHECK(p.zero_point == 32);
    CHECK(p.quant_max == 127);
    p = tt::choose_qparams_reduce_range(0.5f, 2.0f);  // widened to [0, 2]: a ReLU output, zero 0
    CHECK(p.scale == 2.0f / 127.0f);
    CHECK(p.zero_point == 0);
    p = tt::choose_qparams_reduce_range(-2.0f, -1.0f);  // all negative: [-2, 0], zero at the top
    CHECK(p.zero_point == 127);
    p = tt::choose_qparams_reduce_range(0.0f, 0.0f);  // nothing seen: scale 1, never 0
    CHECK(p.scale == 1.0f);
    CHECK(p.zero_point == 0);
    CHECK(tt::choose_qparams_asymmetric(-1.0f, 3.0f).quant_max == 255);
    tt::MinMaxObserver seen;
    seen.reduce_range = true;
    const std::vector<float> x = {-1.0f, 3.0f, 0.5f};
    seen.observe(x.data(), 3);
    CHECK(seen.qparams().zero_point == 32);
    CHECK(seen.qparams().quant_max == 127);
    TT_CHECK_ERROR_CONTAINS(tt::choose_qparams_reduce_range(1.0f, 0.0f), "choose_qparams_reduce_range");
}

TEST_CASE("16 reduce_range: every quantizer the layers call saturates at 127, tails included") {
    for (const int K : {1, 15, 16, 17, 33, 784}) {
        std::vector<float> x = values(int64_t(3) * K, 5u + uint32_t(K), -40.0f, 90.0f);
        const float special[] = {63.5f, 64.5f, 1e30f, -1e30f, -0.0f, 127.0f, 200.0f};  // ties, far out, the edge
        for (size_t i = 0; i < x.size(); i += 3) x[i] = special[(i / 3) % 7];
        for (const QParams p : {QParams{1.0f, 0, 127}, QParams{0.5f, 64, 127}, QParams{1.0f / 3, 127, 127}}) {
            // the oracle: the lesson's quantize_uint8 (to 0..255), then min 127
            std::vector<uint8_t> want(x.size());
            tt::quantize_uint8(x.data(), int64_t(x.size()), p, want.data());
            for (uint8_t& v : want) v = std::min<uint8_t>(v, 127);
            std::vector<uint8_t> simd(x.size(), 99);
            tt::quantize_uint8_simd(x.data(), int64_t(x.size()), p, simd.data());
            const std::string what = "K=" + std::to_string(K) + " zero=" + std::to_string(p.zero_point);
            CHECK_MESSAGE(simd == want, what);
            const int Kp = tt::qpack_k(K);
            std::vector<uint8_t> rows(size_t(3) * Kp, 99);
            tt::quantize_rows_u8(x.data(), 3, K, p, rows.data());
            std::vector<int16_t> fast(size_t(3) * Kp, 99), ref(size_t(3) * Kp, -99);
            tt::quantize_pack_rows(x.data(), 3, K, p, fast.data());
            tt::quantize_pack_rows_ref(x.data(), 3, K, p, ref.data());
            CHECK_MESSAGE(fast == ref, what);
            bool same = true;
            for (int r = 0; r < 3; ++r)
                for (int k = 0; k < Kp; ++k) {
                    const uint8_t q = rows[size_t(r * Kp + k)];
                    same = same &&
                        (k < K ? q == want[size_t(r * K + k)] && ref[size_t(r * Kp + k)] == q - p.zero_point
                               : q == 0 && ref[size_t(r * Kp + k)] == 0);
                }
            CHECK_MESSAGE(same, what);
        }
    }
}

TEST_CASE("16 reduce_range: qgemm_packed_u7 and its _ref equal the centred, widened product; bad zero is an error") {
    struct Shape3 {
        int M, N, K;
    };
    for (const Shape3 s : {Shape3{1, 1, 1}, Shape3{1, 7, 784}, Shape3{3, 5, 17}, Shape3{9, 5, 64}, Shape3{7, 9, 0},
                           Shape3{64, 13, 31}}) {
        const int Kp = tt::qpack_k(s.K);
        const auto xq = random_ints<uint8_t>(int64_t(s.M) * s.K, 3u + uint32_t(s.K), 0, 127);
        const auto wq = random_ints<int8_t>(int64_t(s.N) * s.K, 9u + uint32_t(s.N), -128, 127);
        std::vector<uint8_t> x8(size_t(s.M) * Kp, 0);
        for (int m = 0; m < s.M; ++m)
            for (int k = 0; k < s.K; ++k) x8[size_t(m * Kp + k)] = xq[size_t(m * s.K + k)];
        std::vector<int8_t> w8(size_t(s.N) * Kp);
        tt::pack_s8_rows(wq.data(), s.N, s.K, w8.data());
        std::vector<int32_t> wsum(size_t(s.N));
        tt::row_sums_s8(w8.data(), s.N, Kp, wsum.data());
        for (const int zero : {0, 37, 127}) {
            std::vector<int32_t> fast(size_t(s.M) * s.N, -1), ref(size_t(s.M) * s.N, -2), want(size_t(s.M) * s.N, -3);
            tt::qgemm_packed_u7(s.M, s.N, Kp, x8.data(), zero, w8.data(), wsum.data(), fast.data());
            tt::qgemm_packed_u7_ref(s.M, s.N, Kp, x8.data(), zero, w8.data(), wsum.data(), ref.data());
            tt::qgemm_u8s8_ref(s.M, s.N, s.K, xq.data(), zero, wq.data(), want.data());
            const std::string what = "M=" + std::to_string(s.M) + " N=" + std::to_string(s.N) +
                " K=" + std::to_string(s.K) + " zero=" + std::to_string(zero);
            CHECK_MESSAGE(fast == want, what);
            CHECK_MESSAGE(ref == want, what);
        }
    }
    std::vector<uint8_t> x(16, 1);
    std::vector<int8_t> w(16, 1);
    std::vector<int32_t> wsum = {16};
    int32_t acc = 0;
    TT_CHECK_ERROR(tt::qgemm_packed_u7(1, 1, 16, x.data(), 128, w.data(), wsum.data(), &acc),
                   "qgemm_packed_u7: zero = 128 must be in [0, 127] (7-bit inputs)");
    TT_CHECK_ERROR(tt::qgemm_packed_u7(1, 1, 8, x.data(), 0, w.data(), wsum.data(), &acc),
                   "qgemm_packed_u7: M=1 N=1 Kp=8 (Kp must be a multiple of 16 in [0, 65536])");
}

TEST_CASE("16 reduce_range: the uint8 im2col equals im2col_rows_u8 padded, for strides, dilations and paddings") {
    struct Geo {
        int C, H, W, K, stride, pad, dil;
    };
    // stride 1 (the 8-byte route): C*K*K = Kp (a row's last copy would run into the next row), one output pixel,
    // K = 9 (wider than 8: im2col_rows_u8); then other strides and dilations (im2col_rows_u8)
    for (const Geo s :
         {Geo{1, 28, 28, 3, 1, 1, 1}, Geo{16, 6, 7, 3, 1, 1, 1}, Geo{3, 5, 9, 7, 1, 3, 1}, Geo{2, 3, 3, 3, 1, 0, 1},
          Geo{1, 10, 10, 9, 1, 0, 1}, Geo{3, 7, 5, 3, 2, 1, 1}, Geo{2, 9, 11, 3, 1, 2, 2}, Geo{5, 6, 6, 1, 1, 0, 1}}) {
        tt::Conv2dGeometry g;
        g.batch = 1, g.in_channels = s.C, g.height = s.H, g.width = s.W, g.out_channels = 1;
        g.kernel_h = g.kernel_w = s.K, g.stride = s.stride, g.padding = s.pad, g.dilation = s.dil;
        const auto image = random_ints<uint8_t>(g.input_size(), 13u + uint32_t(s.W), 0, 127);
        const int P = g.out_h() * g.out_w(), CKK = s.C * s.K * s.K, Kp = tt::qpack_k(CKK);
        for (const int zero : {0, 93, 127}) {
            std::vector<uint8_t> rows(size_t(P) * CKK), want(size_t(P) * Kp, 0), got(size_t(P) * Kp, 99);
            tt::im2col_rows_u8(g, image.data(), uint8_t(zero), rows.data());
            for (int p = 0; p < P; ++p)
                for (int k = 0; k < CKK; ++k) want[size_t(p * Kp + k)] = rows[size_t(p * CKK + k)];
            tt::im2col_rows_u7(g, image.data(), zero, got.data());
            const std::string what = "C=" + std::to_string(s.C) + " H=" + std::to_string(s.H) +
                " W=" + std::to_string(s.W) + " K=" + std::to_string(s.K) + " stride=" + std::to_string(s.stride) +
                " zero=" + std::to_string(zero);
            CHECK_MESSAGE(got == want, what);
        }
    }
}

TEST_CASE("16 reduce_range: quantize_model with 7-bit inputs, the layers' numbers, and a save/load round trip") {
    tt::Generator gen(21);
    auto net = std::make_shared<tt::nn::Sequential>();
    net->add(std::make_shared<tt::nn::Conv2d>(2, 3, 3, 1, 1, true, gen));
    net->add(std::make_shared<tt::nn::ReLU>());
    net->add(std::make_shared<tt::nn::Flatten>());
    net->add(std::make_shared<tt::nn::Linear>(60, 6, true, gen));
    const std::string arch = "conv:2:3:3:1 relu flatten linear:60:6";
    const std::vector<Tensor> calib = {tt::randn({4, 2, 5, 4}, gen), tt::randn({3, 2, 5, 4}, gen)};
    tt::nn::QuantizeOptions o;
    o.reduce_range = true;
    CHECK(tt::nn::quantize_model(*net, o, calib) == 2);
    auto* qc = dynamic_cast<tt::nn::QuantizedConv2d*>(&(*net)[0]);
    auto* ql = dynamic_cast<tt::nn::QuantizedLinear*>(&(*net)[3]);
    REQUIRE(qc);
    REQUIRE(ql);
    CHECK(qc->input.is_static);
    CHECK(qc->input.qparams.quant_max == 127);
    CHECK(ql->input.qparams.quant_max == 127);
    CHECK(ql->input.qparams.zero_point == 0);  // after a ReLU

    // The linear layer against the unpacked chain, on inputs beyond the calibrated range (saturating at 127).
    Tensor h = tt::randn({5, 60}, gen);
    for (int64_t i = 0; i < h.numel(); ++i) h.data()[i] *= 3.0f;
    const QParams p = ql->input.qparams;
    std::vector<uint8_t> xq(300);
    tt::quantize_uint8(h.data(), 300, p, xq.data());
    int saturated = 0;
    for (uint8_t& v : xq) saturated += v > 127, v = std::min<uint8_t>(v, 127);
    CHECK(saturated > 0);
    std::vector<int32_t> acc(30);
    tt::qgemm_u8s8_ref(5, 6, 60, xq.data(), p.zero_point, ql->weight.data(), acc.data());
    std::vector<float> want(30);
    tt::dequantize_acc(5, 6, acc.data(), p.scale, ql->weight_scale.data(), ql->bias.data(), want.data());
    const Tensor y = ql->forward(h);
    CHECK(std::vector<float>(y.data(), y.data() + y.numel()) == want);

    // Saved and loaded: "input_bits": 7 in tt.quant, the same outputs bit for bit.
    const Tensor x = tt::randn({2, 2, 5, 4}, gen);
    const Tensor before = (*net)(x);
    const std::vector<uint8_t> file = tt::save_classifier(*net, arch);
    const std::string text(file.begin(), file.end());
    // tt.quant is JSON inside the header's JSON: its quotes are escaped
    const size_t bits_at = text.find("input_bits\\\":7");
    CHECK(bits_at != std::string::npos);
    auto loaded = tt::load_classifier(file, "reduce_range.safetensors", arch);
    const Tensor after = (*loaded)(x);
    CHECK(std::vector<float>(before.data(), before.data() + before.numel()) ==
          std::vector<float>(after.data(), after.data() + after.numel()));
    std::string bad = text;
    bad[bits_at + 13] = '9';
    TT_CHECK_ERROR_CONTAINS(tt::load_classifier(std::vector<uint8_t>(bad.begin(), bad.end()), "bad.safetensors", arch),
                            "input_bits must be 8 (uint8 inputs) or 7 (reduce_range), got 9");

    // Dynamic 7-bit inputs: from each batch's own range over 0..127.
    tt::nn::Linear lin(9, 4, true, gen);
    tt::nn::QuantizedLinear dyn(lin);
    dyn.input.qparams.quant_max = 127;
    const Tensor xd = tt::randn({3, 9}, gen);
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < xd.numel(); ++i) lo = std::min(lo, xd.data()[i]), hi = std::max(hi, xd.data()[i]);
    const QParams pd = tt::choose_qparams_reduce_range(lo, hi);
    std::vector<uint8_t> xdq(27);
    tt::quantize_uint8(xd.data(), 27, pd, xdq.data());
    std::vector<int32_t> dacc(12);
    tt::qgemm_u8s8_ref(3, 4, 9, xdq.data(), pd.zero_point, dyn.weight.data(), dacc.data());
    std::vector<float> dwant(12);
    tt::dequantize_acc(3, 4, dacc.data(), pd.scale, dyn.weight_scale.data(), dyn.bias.data(), dwant.data());
    const Tensor yd = dyn.forward(xd);
    CHECK(std::vector<float>(yd.data(), yd.data() + yd.numel()) == dwant);
}
