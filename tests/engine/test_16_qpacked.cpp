// Module 16 checks (the packed int8 path the quantized layers run on): every SIMD kernel of quant_packed.h equals its
// scalar `_ref` twin bit for bit on odd sizes (register-tile edges, row tails, padding), the packing pads with zeros,
// and QuantizedLinear / QuantizedConv2d give exactly the numbers of the unpacked scalar chain (quantize_uint8,
// im2col_rows_u8, qgemm_u8s8_ref, y = acc * (sx * sw) + b).
#include <cstdint>
#include <string>
#include <vector>

#include "conv.h"
#include "conv_layers.h"
#include "linear.h"
#include "quant.h"
#include "quant_packed.h"
#include "quantized.h"
#include "test_values.h"
#include "testing.h"

using tt::QParams;
using tt::Tensor;

namespace {

using tt_testing::random_ints;
using tt_testing::values;

}  // namespace

TEST_CASE("16 qpacked: rows are widened, centred on the zero point and padded with zeros to a multiple of 16") {
    CHECK(tt::qpack_k(0) == 0);
    CHECK(tt::qpack_k(1) == 16);
    CHECK(tt::qpack_k(16) == 16);
    CHECK(tt::qpack_k(17) == 32);
    const std::vector<int8_t> w = {-128, 5, 127, 0, -1, 3};  // 2 rows of 3
    std::vector<int8_t> pw(32, 99);
    tt::pack_s8_rows(w.data(), 2, 3, pw.data());
    CHECK(pw[0] == -128);
    CHECK(pw[2] == 127);
    CHECK(pw[16] == 0);
    CHECK(pw[17] == -1);
    for (int k = 3; k < 16; ++k) CHECK(pw[size_t(k)] == 0);
    for (int k = 19; k < 32; ++k) CHECK(pw[size_t(k)] == 0);
    const std::vector<uint8_t> x = {0, 255, 7};
    std::vector<int16_t> px(16, 99);
    tt::pack_u8_rows(x.data(), 1, 3, 7, px.data());
    CHECK(px[0] == -7);
    CHECK(px[1] == 248);
    CHECK(px[2] == 0);
    CHECK(px[15] == 0);
}

TEST_CASE("16 qpacked: the SIMD quantize-and-pack equals quantize_uint8 then pack_u8_rows, tails and ties included") {
    for (const int K : {1, 7, 8, 9, 15, 16, 33, 784}) {
        const int rows = 3;
        std::vector<float> x = values(int64_t(rows) * K, 3u + uint32_t(K), -40.0f, 90.0f);
        // exact ties, saturation far outside the range, signed zero
        const float special[] = {0.125f, 0.375f, -0.125f, 1e30f, -1e30f, -0.0f, 63.625f, 63.875f};
        for (size_t i = 0; i < x.size(); i += 5) x[i] = special[(i / 5) % 8];
        for (const QParams p : {QParams{0.25f, 0}, QParams{0.5f, 128}, QParams{0.37f, 255}, QParams{1.0f / 3, 17}}) {
            const int Kp = tt::qpack_k(K);
            std::vector<int16_t> fast(size_t(rows) * Kp, 99), ref(size_t(rows) * Kp, -99);
            tt::quantize_pack_rows(x.data(), rows, K, p, fast.data());
            tt::quantize_pack_rows_ref(x.data(), rows, K, p, ref.data());
            CHECK_MESSAGE(fast == ref, std::string("K=" + std::to_string(K) + " zero=" + std::to_string(p.zero_point)));
        }
    }
    // hand-worked: scale 0.5, zero 10: 1.25 / 0.5 = 2.5 -> 2 (tie to even) + 10 = 12 -> 2; -100 saturates at 0 -> -10
    const std::vector<float> x = {1.25f, -100.0f, 1000.0f};
    std::vector<int16_t> q(16, 99);
    tt::quantize_pack_rows(x.data(), 1, 3, QParams{0.5f, 10}, q.data());
    CHECK(q[0] == 2);
    CHECK(q[1] == -10);
    CHECK(q[2] == 245);
    CHECK(q[3] == 0);
}

TEST_CASE("16 qpacked: the packed im2col equals im2col_rows_u8 packed, for strides, dilations and paddings") {
    struct Geo {
        int C, H, W, K, stride, pad, dil;
    };
    for (const Geo s :
         {Geo{1, 28, 28, 3, 1, 1, 1}, Geo{3, 7, 5, 3, 2, 1, 1}, Geo{2, 9, 11, 3, 1, 2, 2}, Geo{5, 6, 6, 1, 1, 0, 1},
          Geo{2, 5, 4, 5, 1, 2, 1}, Geo{1, 4, 9, 2, 3, 0, 1},
          // stride 1 (the 8-lane route): C*K*K = Kp (no row padding: a row's last store runs into
          // the next row), K = 7, one output pixel only, and K = 9 (wider than 8 lanes: tap by tap)
          Geo{16, 6, 7, 3, 1, 1, 1}, Geo{3, 5, 9, 7, 1, 3, 1}, Geo{2, 3, 3, 3, 1, 0, 1}, Geo{1, 10, 10, 9, 1, 0, 1}}) {
        tt::Conv2dGeometry g;
        g.batch = 1, g.in_channels = s.C, g.height = s.H, g.width = s.W, g.out_channels = 1;
        g.kernel_h = g.kernel_w = s.K, g.stride = s.stride, g.padding = s.pad, g.dilation = s.dil;
        const auto image = random_ints<uint8_t>(g.input_size(), 41u + uint32_t(s.W), 0, 255);
        const int P = g.out_h() * g.out_w(), Kp = tt::qpack_k(s.C * s.K * s.K);
        for (const int zero : {0, 93, 255}) {
            std::vector<int16_t> fast(size_t(P) * Kp, 99), ref(size_t(P) * Kp, -99);
            tt::im2col_pack_u8(g, image.data(), zero, fast.data());
            tt::im2col_pack_u8_ref(g, image.data(), zero, ref.data());
            const std::string what = "C=" + std::to_string(s.C) + " H=" + std::to_string(s.H) +
                " W=" + std::to_string(s.W) + " K=" + std::to_string(s.K) + " zero=" + std::to_string(zero);
            CHECK_MESSAGE(fast == ref, what);
        }
    }
}

TEST_CASE("16 qpacked: the packed int8 GEMM equals qgemm_packed_ref bit for bit, both ways round; bad Kp is an error") {
    struct Shape3 {
        int M, N, K;
    };
    // M = 1 (the 1 x 4 tile) and M >= 2 (4 x 2), edges of both in M and N; Kp 0, 16, 800
    for (const Shape3 s : {Shape3{1, 1, 1}, Shape3{1, 7, 784}, Shape3{1, 10, 128}, Shape3{2, 3, 9}, Shape3{3, 5, 17},
                           Shape3{5, 3, 33}, Shape3{16, 196, 144}, Shape3{7, 9, 0}, Shape3{64, 13, 31}}) {
        const int Kp = tt::qpack_k(s.K);
        const auto xq = random_ints<uint8_t>(int64_t(s.M) * s.K, 11u + uint32_t(s.K), 0, 255);
        const auto wq = random_ints<int8_t>(int64_t(s.N) * s.K, 5u + uint32_t(s.N), -128, 127);
        std::vector<int16_t> x16(size_t(s.M) * Kp);
        std::vector<int8_t> w8(size_t(s.N) * Kp);
        tt::pack_u8_rows(xq.data(), s.M, s.K, 201, x16.data());
        tt::pack_s8_rows(wq.data(), s.N, s.K, w8.data());
        const std::string what = "M=" + std::to_string(s.M) + " N=" + std::to_string(s.N) + " K=" + std::to_string(s.K);
        // x W^T: acc [M, N]
        std::vector<int32_t> fast(size_t(s.M) * s.N, -1), ref(size_t(s.M) * s.N, -2), u8s8(size_t(s.M) * s.N, -3);
        tt::qgemm_packed(s.M, s.N, Kp, x16.data(), w8.data(), fast.data());
        tt::qgemm_packed_ref(s.M, s.N, Kp, x16.data(), w8.data(), ref.data());
        tt::qgemm_u8s8_ref(s.M, s.N, s.K, xq.data(), 201, wq.data(), u8s8.data());
        CHECK_MESSAGE(fast == ref, what);
        CHECK_MESSAGE(ref == u8s8, what);  // the padding adds nothing
        // W x^T: acc [N, M], the transpose
        std::vector<int32_t> fastT(size_t(s.M) * s.N, -1), refT(size_t(s.M) * s.N, -2);
        tt::qgemm_packed(s.N, s.M, Kp, w8.data(), x16.data(), fastT.data());
        tt::qgemm_packed_ref(s.N, s.M, Kp, w8.data(), x16.data(), refT.data());
        CHECK_MESSAGE(fastT == refT, what);
        bool transposed = true;
        for (int m = 0; m < s.M; ++m)
            for (int n = 0; n < s.N; ++n)
                transposed = transposed && refT[size_t(n * s.M + m)] == ref[size_t(m * s.N + n)];
        CHECK_MESSAGE(transposed, what);
    }
    // the extremes: every product at its largest magnitude, 4096 long
    const int K = 4096;
    std::vector<int16_t> a(K, -255);
    std::vector<int8_t> b(K, -128);
    int32_t acc = 0;
    tt::qgemm_packed(1, 1, K, a.data(), b.data(), &acc);
    CHECK(acc == 255 * 128 * K);
    tt::qgemm_packed(1, 1, K, b.data(), a.data(), &acc);
    CHECK(acc == 255 * 128 * K);
    TT_CHECK_ERROR(tt::qgemm_packed(1, 1, 24, a.data(), b.data(), &acc),
                   "qgemm_packed: M=1 N=1 Kp=24 (Kp must be a multiple of 16 in [0, 65536])");
}

TEST_CASE("16 qpacked: the quantized layers give exactly the numbers of the unpacked scalar chain") {
    tt::Generator gen(8);
    tt::nn::Linear lin(37, 11, true, gen);
    tt::nn::QuantizedLinear ql(lin);
    ql.input.is_static = true, ql.input.qparams = QParams{1.0f / 200, 30};
    for (const int B : {1, 5}) {
        const Tensor x = tt::randn({B, 37}, gen);
        std::vector<uint8_t> xq(size_t(B) * 37);
        tt::quantize_uint8(x.data(), B * 37, ql.input.qparams, xq.data());
        std::vector<int32_t> acc(size_t(B) * 11);
        tt::qgemm_u8s8_ref(B, 11, 37, xq.data(), 30, ql.weight.data(), acc.data());
        std::vector<float> want(size_t(B) * 11);
        tt::dequantize_acc(B, 11, acc.data(), 1.0f / 200, ql.weight_scale.data(), ql.bias.data(), want.data());
        const Tensor y = ql.forward(x);
        CHECK(std::vector<float>(y.data(), y.data() + y.numel()) == want);
    }

    tt::nn::Conv2d conv(3, 5, 3, 2, 1, true, gen);
    tt::nn::QuantizedConv2d qc(conv);
    const Tensor img = tt::randn({2, 3, 7, 6}, gen);
    const Tensor y = qc.forward(img);  // dynamic: the qparams of the whole input
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < img.numel(); ++i) lo = std::min(lo, img.data()[i]), hi = std::max(hi, img.data()[i]);
    const QParams p = tt::choose_qparams_asymmetric(lo, hi);
    tt::Conv2dGeometry g;
    g.batch = 2, g.in_channels = 3, g.height = 7, g.width = 6, g.out_channels = 5, g.kernel_h = g.kernel_w = 3;
    g.stride = 2, g.padding = 1, g.dilation = 1;
    const int P = g.out_h() * g.out_w(), CKK = 27;
    std::vector<uint8_t> xq(size_t(img.numel())), taps(size_t(P) * CKK);
    tt::quantize_uint8(img.data(), img.numel(), p, xq.data());
    std::vector<int32_t> acc(size_t(P) * 5);
    std::vector<float> want;
    for (int b = 0; b < 2; ++b) {
        tt::im2col_rows_u8(g, xq.data() + b * 3 * 7 * 6, uint8_t(p.zero_point), taps.data());
        tt::qgemm_u8s8_ref(P, 5, CKK, taps.data(), p.zero_point, qc.weight.data(), acc.data());
        for (int o = 0; o < 5; ++o)
            for (int q = 0; q < P; ++q)
                want.push_back(float(acc[size_t(q * 5 + o)]) * (p.scale * qc.weight_scale[size_t(o)]) +
                               qc.bias[size_t(o)]);
    }
    CHECK(std::vector<float>(y.data(), y.data() + y.numel()) == want);
}
