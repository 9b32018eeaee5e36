// Module 16 — Quantization: QuantizedLinear, QuantizedConv2d and Int4Linear (see quantized.h).
#include "quantized.h"

#include <algorithm>
#include <cmath>

#include "conv_layers.h"
#include "error.h"
#include "linear.h"
#include "quant_packed.h"

namespace tt::nn {

namespace {

// One scale per output: a per-tensor scale is repeated, so the kernels see one layout.
std::vector<float> expand_scales(const std::vector<float>& s, int64_t n, const char* who) {
    TT_CHECK(static_cast<int64_t>(s.size()) == n || s.size() == 1,
             who << ": " << s.size() << " weight scales for " << n << " outputs (expected " << n << " or 1)");
    for (float v : s) TT_CHECK(std::isfinite(v) && v > 0, who << ": a weight scale is " << v << ", must be > 0");
    return s.size() == 1 ? std::vector<float>(static_cast<size_t>(n), s[0]) : s;
}

// The int8 weights as the packed GEMM reads them (quant_packed.h): rows padded to a multiple of 16.
std::vector<int8_t> pack_weights(const std::vector<int8_t>& w, int64_t rows, int64_t cols) {
    std::vector<int8_t> packed(static_cast<size_t>(rows) * qpack_k(int(cols)));
    pack_s8_rows(w.data(), int(rows), int(cols), packed.data());
    return packed;
}

std::vector<int32_t> row_sums(const std::vector<int8_t>& packed, int64_t rows, int64_t cols) {
    std::vector<int32_t> sums(static_cast<size_t>(rows));
    row_sums_s8(packed.data(), int(rows), qpack_k(int(cols)), sums.data());
    return sums;
}

void check_bias(const std::vector<float>& bias, int64_t n, const char* who) {
    TT_CHECK(bias.empty() || static_cast<int64_t>(bias.size()) == n,
             who << ": bias has " << bias.size() << " values, expected " << n << " (or none)");
}

// Symmetric int8 weights of a rows x cols matrix: per row, or one scale for all.
void quantize_weights(const float* w, int rows, int cols, bool per_channel, std::vector<int8_t>& q,
                      std::vector<float>& scales) {
    q.resize(static_cast<size_t>(rows) * cols);
    if (per_channel) {
        scales.resize(static_cast<size_t>(rows));
        quantize_per_channel_int8(w, rows, cols, scales.data(), q.data());
        return;
    }
    float lo = 0.0f, hi = 0.0f;
    for (size_t i = 0; i < q.size(); ++i) lo = std::min(lo, w[i]), hi = std::max(hi, w[i]);
    const QParams p = choose_qparams_symmetric(lo, hi);
    scales = {p.scale};
    quantize_int8(w, static_cast<int64_t>(q.size()), p, q.data());
}

std::vector<float> copy_bias(const Parameter* bias) {
    if (!bias) return {};
    const float* b = bias->value.data();
    return std::vector<float>(b, b + bias->value.numel());
}

}  // namespace

Tensor QuantizedModule::backward(const Tensor&) {
    TT_CHECK(false,
             type_name() << ": quantized layers are for inference only (no backward); train the float model "
                            "and quantize it again");
    return Tensor();
}

QParams QuantizedModule::input_qparams(const Tensor& x) const {
    if (input.is_static) return input.qparams;
    MinMaxObserver seen;
    seen.reduce_range = input.qparams.quant_max <= 127;  // dynamic: only the range is kept
    seen.observe(x.data(), x.numel());
    return seen.qparams();
}

// ---- QuantizedLinear ------------------------------------------------------------------------------------------

QuantizedLinear::QuantizedLinear(const Linear& from, bool per_channel)
    : in_features(from.in_features), out_features(from.out_features), bias(copy_bias(from.bias)) {
    const Tensor w = from.weight.value.contiguous();
    quantize_weights(w.data(), int(out_features), int(in_features), per_channel, weight, weight_scale);
    scales_ = expand_scales(weight_scale, out_features, "QuantizedLinear");
    packed_ = pack_weights(weight, out_features, in_features);
    wsum_ = row_sums(packed_, out_features, in_features);
}

QuantizedLinear::QuantizedLinear(int64_t in, int64_t out, std::vector<int8_t> w, std::vector<float> s,
                                 std::vector<float> b)
    : in_features(in), out_features(out), weight(std::move(w)), weight_scale(std::move(s)), bias(std::move(b)) {
    TT_CHECK(in > 0 && out > 0 && static_cast<int64_t>(weight.size()) == in * out,
             "QuantizedLinear: " << weight.size() << " weights for [" << out << ", " << in << "]");
    scales_ = expand_scales(weight_scale, out, "QuantizedLinear");
    check_bias(bias, out, "QuantizedLinear");
    packed_ = pack_weights(weight, out, in);
    wsum_ = row_sums(packed_, out, in);
}

Tensor QuantizedLinear::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() >= 1 && x.shape(-1) == in_features,
             "QuantizedLinear: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [..., "
                                                 << in_features << "] (in_features)");
    const Tensor x2 = x.reshape({-1, in_features}).contiguous();  // [B, in]
    const int B = int(x2.shape(0)), in = int(in_features), out = int(out_features);
    const QParams xp = input_qparams(x2);
    const int Kp = qpack_k(in);
    std::vector<int32_t> acc(static_cast<size_t>(B) * out);
    if (xp.quant_max <= 127 && qgemm_u7_relaxed()) {
        // 7-bit inputs in the relaxed build: uint8 rows for the relaxed int8 dot, 16 multiply-adds per instruction
        std::vector<uint8_t> xq(static_cast<size_t>(B) * Kp);
        quantize_rows_u8(x2.data(), B, in, xp, xq.data());
        qgemm_packed_u7(B, out, Kp, xq.data(), xp.zero_point, packed_.data(), wsum_.data(), acc.data());
    } else {
        // quantized, centred on the zero point and widened in one pass: the rows qgemm_packed takes
        std::vector<int16_t> x16(static_cast<size_t>(B) * Kp);
        quantize_pack_rows(x2.data(), B, in, xp, x16.data());
        qgemm_packed(B, out, Kp, x16.data(), packed_.data(), acc.data());
    }
    Tensor y({B, out_features});
    dequantize_acc(B, out, acc.data(), xp.scale, scales_.data(), bias.empty() ? nullptr : bias.data(), y.data());
    Shape y_shape = x.shape();
    y_shape.back() = out_features;
    return y.reshape(y_shape);
}

int64_t QuantizedLinear::weight_bytes() const {
    return static_cast<int64_t>(weight.size() + 4 * (weight_scale.size() + bias.size()));
}

// ---- QuantizedConv2d ------------------------------------------------------------------------------------------

QuantizedConv2d::QuantizedConv2d(const Conv2d& from, bool per_channel)
    : in_channels(from.in_channels),
      out_channels(from.out_channels),
      kernel_size(from.kernel_size),
      stride(from.stride),
      padding(from.padding),
      dilation(from.dilation),
      bias(copy_bias(from.bias)) {
    const Tensor w = from.weight.value.contiguous();  // [OC, C, K, K] = OC rows of C*K*K
    quantize_weights(w.data(), int(out_channels), int(in_channels * kernel_size * kernel_size), per_channel, weight,
                     weight_scale);
    scales_ = expand_scales(weight_scale, out_channels, "QuantizedConv2d");
    packed_ = pack_weights(weight, out_channels, in_channels * kernel_size * kernel_size);
    wsum_ = row_sums(packed_, out_channels, in_channels * kernel_size * kernel_size);
}

QuantizedConv2d::QuantizedConv2d(int64_t c, int64_t oc, int64_t k, int64_t s, int64_t p, int64_t d,
                                 std::vector<int8_t> w, std::vector<float> ws, std::vector<float> b)
    : in_channels(c),
      out_channels(oc),
      kernel_size(k),
      stride(s),
      padding(p),
      dilation(d),
      weight(std::move(w)),
      weight_scale(std::move(ws)),
      bias(std::move(b)) {
    TT_CHECK(c > 0 && oc > 0 && k > 0 && s > 0 && p >= 0 && d > 0 &&
                 static_cast<int64_t>(weight.size()) == oc * c * k * k,
             "QuantizedConv2d: " << weight.size() << " weights for [" << oc << ", " << c << ", " << k << ", " << k
                                 << "]");
    scales_ = expand_scales(weight_scale, oc, "QuantizedConv2d");
    check_bias(bias, oc, "QuantizedConv2d");
    packed_ = pack_weights(weight, oc, c * k * k);
    wsum_ = row_sums(packed_, oc, c * k * k);
}

Tensor QuantizedConv2d::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() == 4 && x.shape(1) == in_channels,
             "QuantizedConv2d: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [B, "
                                                 << in_channels << ", H, W]");
    Conv2dGeometry g;
    g.batch = int(x.shape(0)), g.in_channels = int(in_channels), g.height = int(x.shape(2)), g.width = int(x.shape(3));
    g.out_channels = int(out_channels), g.kernel_h = g.kernel_w = int(kernel_size);
    g.stride = int(stride), g.padding = int(padding), g.dilation = int(dilation);
    g.validate("QuantizedConv2d");
    const Tensor xc = x.contiguous();
    const QParams xp = input_qparams(xc);
    // The whole input quantized once; per image, each output pixel's receptive field becomes a packed row of taps
    // (centred on the zero point, padding 0 = the quantized 0.0), and acc [OC, P] = weight [OC, Kp] x taps [P, Kp]^T
    // is already the output's layout: the epilogue writes each channel's plane contiguously.
    const int CKK = int(in_channels * kernel_size * kernel_size), Kp = qpack_k(CKK), P = g.out_h() * g.out_w();
    const int OC = int(out_channels);
    std::vector<uint8_t> xq(static_cast<size_t>(xc.numel()));
    quantize_uint8_simd(xc.data(), xc.numel(), xp, xq.data());
    std::vector<int32_t> acc(static_cast<size_t>(OC) * P);
    std::vector<float> s(scales_.size());
    for (size_t o = 0; o < s.size(); ++o) s[o] = xp.scale * scales_[o];  // as dequantize_acc: acc * (sx * sw) + b
    Tensor y({g.batch, out_channels, g.out_h(), g.out_w()});
    const int64_t image = int64_t(in_channels) * g.height * g.width;
    // 7-bit inputs in the relaxed build: uint8 taps for the relaxed int8 dot, acc [P, OC] (its x W^T orientation),
    // read across by the epilogue. Elsewhere int16 taps, acc [OC, P].
    const bool u7 = xp.quant_max <= 127 && qgemm_u7_relaxed();
    std::vector<int16_t> taps(u7 ? 0 : static_cast<size_t>(P) * Kp);
    std::vector<uint8_t> taps8(u7 ? static_cast<size_t>(P) * Kp : 0);
    const int64_t o_step = u7 ? 1 : P, p_step = u7 ? OC : 1;
    for (int b = 0; b < g.batch; ++b) {
        if (u7) {
            im2col_rows_u7(g, xq.data() + b * image, xp.zero_point, taps8.data());
            qgemm_packed_u7(P, OC, Kp, taps8.data(), xp.zero_point, packed_.data(), wsum_.data(), acc.data());
        } else {
            im2col_pack_u8(g, xq.data() + b * image, xp.zero_point, taps.data());
            qgemm_packed(OC, P, Kp, packed_.data(), taps.data(), acc.data());
        }
        float* out = y.data() + static_cast<int64_t>(b) * OC * P;
        for (int o = 0; o < OC; ++o) {
            const float so = s[size_t(o)], bo = bias.empty() ? 0.0f : bias[size_t(o)];
            const int32_t* a = acc.data() + o * o_step;
            float* yo = out + static_cast<size_t>(o) * P;
            for (int p = 0; p < P; ++p) yo[p] = static_cast<float>(a[p * p_step]) * so + bo;
        }
    }
    return y;
}

int64_t QuantizedConv2d::weight_bytes() const {
    return static_cast<int64_t>(weight.size() + 4 * (weight_scale.size() + bias.size()));
}

// ---- Int4Linear -----------------------------------------------------------------------------------------------

Int4Linear::Int4Linear(const Linear& from, int g)
    : in_features(from.in_features), out_features(from.out_features), group(g), bias(copy_bias(from.bias)) {
    TT_CHECK(g > 0, "Int4Linear: group = " << g << " must be > 0");
    const Tensor w = from.weight.value.contiguous();
    const int in = int(in_features), out = int(out_features);
    packed.resize(static_cast<size_t>(out) * int4_row_bytes(in));
    scales.resize(static_cast<size_t>(out) * int4_groups(in, g));
    quantize_int4(w.data(), out, in, g, scales.data(), packed.data());
}

Int4Linear::Int4Linear(int64_t in, int64_t out, int g, std::vector<uint8_t> p, std::vector<float> s,
                       std::vector<float> b)
    : in_features(in), out_features(out), group(g), packed(std::move(p)), scales(std::move(s)), bias(std::move(b)) {
    TT_CHECK(in > 0 && out > 0 && g > 0, "Int4Linear: in=" << in << " out=" << out << " group=" << g);
    TT_CHECK(static_cast<int64_t>(packed.size()) == out * int4_row_bytes(int(in)),
             "Int4Linear: " << packed.size() << " packed bytes, expected " << out * int4_row_bytes(int(in)));
    TT_CHECK(static_cast<int64_t>(scales.size()) == out * int4_groups(int(in), g),
             "Int4Linear: " << scales.size() << " scales, expected " << out * int4_groups(int(in), g));
    check_bias(bias, out, "Int4Linear");
}

Tensor Int4Linear::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() >= 1 && x.shape(-1) == in_features,
             "Int4Linear: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [..., " << in_features
                                            << "] (in_features)");
    const Tensor x2 = x.reshape({-1, in_features}).contiguous();
    Tensor y({x2.shape(0), out_features});
    int4_matmul(int(x2.shape(0)), int(out_features), int(in_features), x2.data(), packed.data(), scales.data(), group,
                bias.empty() ? nullptr : bias.data(), y.data());
    Shape y_shape = x.shape();
    y_shape.back() = out_features;
    return y.reshape(y_shape);
}

int64_t Int4Linear::weight_bytes() const {
    return static_cast<int64_t>(packed.size() + 4 * (scales.size() + bias.size()));
}

}  // namespace tt::nn
