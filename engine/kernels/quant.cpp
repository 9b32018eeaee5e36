// Module 16 — Quantization: the quantizers, the scalar int8 GEMM and the int4 packing (see quant.h). The SIMD
// int8 GEMM and the fast int4 matmul are in quant_gemm.cpp; both are checked against the `_ref` functions here.
#include "quant.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace tt {

namespace {

// Clamp to [lo, hi] in float before converting: a cast of an out-of-range float to int is undefined behaviour,
// and a NaN (which fails every comparison) lands on lo instead.
int32_t saturate(float v, int32_t lo, int32_t hi) {
    if (!(v >= static_cast<float>(lo))) return lo;
    if (v > static_cast<float>(hi)) return hi;
    return static_cast<int32_t>(v);
}

void check_range(float lo, float hi, const char* who) {
    TT_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
             who << ": the range [" << lo << ", " << hi << "] must be finite with min <= max");
}

}  // namespace

float round_half_even(float v) {
    // BEGIN SOLUTION round to the nearest integer; an exact .5 goes to the even neighbour (floor, then compare the remainder with 0.5)
    const float f = std::floor(v);
    const float rest = v - f;  // exact: v and f are close floats
    if (rest > 0.5f) return f + 1.0f;
    if (rest < 0.5f) return f;
    return (static_cast<int64_t>(f) % 2 == 0) ? f : f + 1.0f;  // a tie: |v| < 2^23, so f fits in an integer
    // END SOLUTION
}

QParams choose_qparams_symmetric(float lo, float hi, int qmax) {
    check_range(lo, hi, "choose_qparams_symmetric");
    TT_CHECK(qmax > 0, "choose_qparams_symmetric: qmax = " << qmax << " must be > 0");
    QParams p;
    // BEGIN SOLUTION scale = the larger magnitude of lo and hi over qmax (1 if that is 0), zero point 0
    const float amax = std::max(std::fabs(lo), std::fabs(hi));
    p.scale = amax > 0.0f ? amax / static_cast<float>(qmax) : 1.0f;
    p.zero_point = 0;
    // END SOLUTION
    return p;
}

QParams choose_qparams_asymmetric(float lo, float hi) {
    check_range(lo, hi, "choose_qparams_asymmetric");
    QParams p;
    // BEGIN SOLUTION widen [lo, hi] to contain 0; scale = width / 255 (1 if 0); zero point = round_half_even(-lo / scale), kept in [0, 255]
    lo = std::min(lo, 0.0f);
    hi = std::max(hi, 0.0f);
    const float width = hi - lo;
    p.scale = width > 0.0f ? width / 255.0f : 1.0f;
    p.zero_point = saturate(round_half_even(-lo / p.scale), 0, 255);
    // END SOLUTION
    return p;
}

void quantize_int8(const float* x, int64_t n, QParams p, int8_t* q) {
    // BEGIN SOLUTION q = round_half_even(x / scale) + zero_point, saturated to [-128, 127]
    for (int64_t i = 0; i < n; ++i)
        q[i] = static_cast<int8_t>(
            saturate(round_half_even(x[i] / p.scale) + static_cast<float>(p.zero_point), -128, 127));
    // END SOLUTION
}

// PyTorch's reduce_range: the same as choose_qparams_asymmetric over 0..127 (7-bit inputs, for wasm's relaxed int8 dot).
QParams choose_qparams_reduce_range(float lo, float hi) {
    check_range(lo, hi, "choose_qparams_reduce_range");
    const float low = std::min(lo, 0.0f), width = std::max(hi, 0.0f) - low;  // the range widened to contain 0
    QParams p;
    p.scale = width > 0.0f ? width / 127.0f : 1.0f;
    p.zero_point = saturate(round_half_even(-low / p.scale), 0, 127);
    p.quant_max = 127;
    return p;
}

void quantize_uint8(const float* x, int64_t n, QParams p, uint8_t* q) {
    // BEGIN SOLUTION q = round_half_even(x / scale) + zero_point, saturated to [0, 255]
    for (int64_t i = 0; i < n; ++i)
        q[i] =
            static_cast<uint8_t>(saturate(round_half_even(x[i] / p.scale) + static_cast<float>(p.zero_point), 0, 255));
    // END SOLUTION
}

void dequantize_int8(const int8_t* q, int64_t n, QParams p, float* x) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(q[i] - p.zero_point) * p.scale;
}

void dequantize_uint8(const uint8_t* q, int64_t n, QParams p, float* x) {
    // BEGIN SOLUTION x = (q - zero_point) * scale
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(static_cast<int32_t>(q[i]) - p.zero_point) * p.scale;
    // END SOLUTION
}

void quantize_per_channel_int8(const float* w, int rows, int cols, float* scales, int8_t* q) {
    TT_CHECK(rows >= 0 && cols >= 0, "quantize_per_channel_int8: rows = " << rows << ", cols = " << cols);
    // BEGIN SOLUTION for each row: min and max of the row, its symmetric qparams (scale into scales[r]), then quantize the row
    for (int r = 0; r < rows; ++r) {
        const float* row = w + static_cast<int64_t>(r) * cols;
        float lo = 0.0f, hi = 0.0f;
        for (int c = 0; c < cols; ++c) lo = std::min(lo, row[c]), hi = std::max(hi, row[c]);
        const QParams p = choose_qparams_symmetric(lo, hi);
        scales[r] = p.scale;
        quantize_int8(row, cols, p, q + static_cast<int64_t>(r) * cols);
    }
    // END SOLUTION
}

void quantize_per_channel_uint8(const float* w, int rows, int cols, float* scales, int32_t* zero_points, uint8_t* q) {
    TT_CHECK(rows >= 0 && cols >= 0, "quantize_per_channel_uint8: rows = " << rows << ", cols = " << cols);
    for (int r = 0; r < rows; ++r) {
        const float* row = w + static_cast<int64_t>(r) * cols;
        float lo = 0.0f, hi = 0.0f;
        for (int c = 0; c < cols; ++c) lo = std::min(lo, row[c]), hi = std::max(hi, row[c]);
        const QParams p = choose_qparams_asymmetric(lo, hi);
        scales[r] = p.scale, zero_points[r] = p.zero_point;
        quantize_uint8(row, cols, p, q + static_cast<int64_t>(r) * cols);
    }
}

void dequantize_per_channel_int8(const int8_t* q, int rows, int cols, const float* scales, float* w) {
    for (int r = 0; r < rows; ++r)
        dequantize_int8(q + static_cast<int64_t>(r) * cols, cols, {scales[r], 0}, w + static_cast<int64_t>(r) * cols);
}

void MinMaxObserver::observe(const float* x, int64_t n) {
    // Starts at [0, 0]: asymmetric qparams widen the range to contain 0 anyway.
    for (int64_t i = 0; i < n; ++i) {
        TT_CHECK(std::isfinite(x[i]), "MinMaxObserver: value " << i << " is " << x[i] << ", not a finite number");
        lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
    }
    count += n;
}

void qgemm_u8s8_ref(int M, int N, int K, const uint8_t* xq, int32_t x_zero, const int8_t* wq, int32_t* acc) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0 && K <= 65536,
             "qgemm_u8s8_ref: M=" << M << " N=" << N << " K=" << K << " (K must be in [0, 65536])");
    // BEGIN SOLUTION acc[m, n] = sum over k of (xq[m, k] - x_zero) * wq[n, k], in int32
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            int32_t sum = 0;
            for (int k = 0; k < K; ++k)
                sum += (static_cast<int32_t>(xq[m * K + k]) - x_zero) * static_cast<int32_t>(wq[n * K + k]);
            acc[m * N + n] = sum;
        }
    // END SOLUTION
}

void dequantize_acc(int M, int N, const int32_t* acc, float x_scale, const float* w_scales, const float* bias,
                    float* y) {
    // BEGIN SOLUTION y[m, n] = acc[m, n] * (x_scale * w_scales[n]) + bias[n] (no bias when it is null)
    for (int n = 0; n < N; ++n) {
        const float s = x_scale * w_scales[n], b = bias ? bias[n] : 0.0f;
        for (int m = 0; m < M; ++m) y[m * N + n] = static_cast<float>(acc[m * N + n]) * s + b;
    }
    // END SOLUTION
}

void quantize_int4(const float* w, int rows, int cols, int group, float* scales, uint8_t* packed) {
    TT_CHECK(rows >= 0 && cols >= 0 && group > 0,
             "quantize_int4: rows = " << rows << ", cols = " << cols << ", group = " << group);
    const int groups = int4_groups(cols, group), bytes = int4_row_bytes(cols);
    // BEGIN SOLUTION per row and group: symmetric qparams with qmax 7; q saturated to [-8, 7]; element 2j into the low nibble of byte j, 2j+1 into the high one (an odd row's last high nibble is 0)
    for (int r = 0; r < rows; ++r) {
        const float* row = w + static_cast<int64_t>(r) * cols;
        uint8_t* out = packed + static_cast<int64_t>(r) * bytes;
        std::fill(out, out + bytes, uint8_t(0));
        for (int g = 0; g < groups; ++g) {
            const int c0 = g * group, c1 = std::min(cols, c0 + group);
            float lo = 0.0f, hi = 0.0f;
            for (int c = c0; c < c1; ++c) lo = std::min(lo, row[c]), hi = std::max(hi, row[c]);
            const QParams p = choose_qparams_symmetric(lo, hi, 7);
            scales[static_cast<int64_t>(r) * groups + g] = p.scale;
            for (int c = c0; c < c1; ++c) {
                const uint8_t nibble = static_cast<uint8_t>(saturate(round_half_even(row[c] / p.scale), -8, 7) & 0xF);
                out[c / 2] |= (c % 2 == 0) ? nibble : static_cast<uint8_t>(nibble << 4);
            }
        }
    }
    // END SOLUTION
}

// The signed value of nibble c of a packed row (two's complement in 4 bits: 0x8..0xF are -8..-1).
static inline int int4_at(const uint8_t* row, int c) {
    const int nibble = (c % 2 == 0) ? (row[c / 2] & 0xF) : (row[c / 2] >> 4);
    return nibble >= 8 ? nibble - 16 : nibble;
}

void dequantize_int4(const uint8_t* packed, const float* scales, int rows, int cols, int group, float* w) {
    TT_CHECK(rows >= 0 && cols >= 0 && group > 0,
             "dequantize_int4: rows = " << rows << ", cols = " << cols << ", group = " << group);
    const int groups = int4_groups(cols, group), bytes = int4_row_bytes(cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            w[static_cast<int64_t>(r) * cols + c] =
                static_cast<float>(int4_at(packed + static_cast<int64_t>(r) * bytes, c)) *
                scales[static_cast<int64_t>(r) * groups + c / group];
}

void int4_matmul_ref(int M, int N, int K, const float* x, const uint8_t* packed, const float* scales, int group,
                     const float* bias, float* y) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0 && group > 0,
             "int4_matmul_ref: M=" << M << " N=" << N << " K=" << K << " group=" << group);
    const int groups = int4_groups(K, group), bytes = int4_row_bytes(K);
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            float sum = 0.0f;
            for (int k = 0; k < K; ++k)
                sum += x[m * K + k] *
                    (static_cast<float>(int4_at(packed + n * bytes, k)) * scales[n * groups + k / group]);
            y[m * N + n] = sum + (bias ? bias[n] : 0.0f);
        }
}

}  // namespace tt
