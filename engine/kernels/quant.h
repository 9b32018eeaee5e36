// Module 16 — Quantization: float32 <-> int8 / uint8 / int4, and the integer matrix multiply.
//
// An affine quantizer maps a real x to an integer q and back:
//     q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax)        x ~ (q - zero_point) * scale
// Symmetric (int8, zero_point 0): scale = max|x| / 127, so 0 maps to 0 exactly and q lies in [-127, 127]; values
// beyond the range saturate at -128 / 127. Used for weights, one scale per output row ("per channel", axis 0).
// Asymmetric (uint8 with a zero point): the range [min(lo, 0), max(hi, 0)] is spread over 0..255, so a ReLU output
// (all >= 0) uses all 256 levels instead of half. Used for activations, one scale per tensor, from the tensor
// itself ("dynamic") or from a calibration pass over held-out batches (MinMaxObserver: "static").
// A zero range (an all-zero tensor, a pruned row) gets scale 1, never 0 or NaN.
//
// The integer GEMM (int8 x int8 -> int32): with x = sx (qx - zx) and w[n] = sw[n] qw[n],
//     y[m, n] = sum_k x[m, k] w[n, k] = sx sw[n] * sum_k (qx[m, k] - zx) qw[n, k]
// so the whole inner loop runs on small integers accumulated exactly in int32, and one float multiply per output
// (dequantize_acc) brings the result back. Exact integers make the fast kernel and its `_ref` twin bit-identical.
//
// INT4: two signed 4-bit weights per byte (element 2j in the low nibble, 2j+1 in the high), one scale per group of
// `group` consecutive weights of a row (q in [-8, 7], scale = max|w| / 7). Each row is ceil(cols / 2) bytes and
// ceil(cols / group) scales. int4_matmul dequantizes the weights on the fly and multiplies in float.
#pragma once

#include <cstdint>

#include "conv.h"

namespace tt {

struct QParams {
    float scale = 1.0f;
    int32_t zero_point = 0;
    // uint8 inputs only: the largest code. 255, or 127 with PyTorch's reduce_range: 7-bit inputs, which wasm's relaxed
    // int8 dot (i32x4.relaxed_dot_i8x16_i7x16_add_s) takes as its second operand (quant_packed.h: qgemm_packed_u7).
    int32_t quant_max = 255;
};

// Ties go to the even neighbour (2.5 -> 2, 3.5 -> 4, -2.5 -> -2), like torch.round, numpy and ONNX QuantizeLinear.
float round_half_even(float v);

// int8 symmetric for a range [lo, hi]: scale = max(|lo|, |hi|) / qmax (127 for int8, 7 for int4), zero point 0.
QParams choose_qparams_symmetric(float lo, float hi, int qmax = 127);
// uint8 asymmetric: the range is widened to contain 0 (so 0, the padding value, is exact); zero point in [0, 255].
QParams choose_qparams_asymmetric(float lo, float hi);
// The same over 0..127 (PyTorch's reduce_range: scale = width / 127, zero point in [0, 127], quant_max 127).
QParams choose_qparams_reduce_range(float lo, float hi);

// Per tensor. Saturating: results outside the integer range are clamped, never wrapped.
void quantize_int8(const float* x, int64_t n, QParams p, int8_t* q);
void quantize_uint8(const float* x, int64_t n, QParams p, uint8_t* q);
// The same, 16 values per step with SIMD (quant_gemm.cpp): what the quantized layers call. It also saturates at
// p.quant_max (quantize_uint8 always at 255): quantize_uint8 then min(q, quant_max) is its oracle (equal for every
// finite x).
void quantize_uint8_simd(const float* x, int64_t n, QParams p, uint8_t* q);
void dequantize_int8(const int8_t* q, int64_t n, QParams p, float* x);
void dequantize_uint8(const uint8_t* q, int64_t n, QParams p, float* x);

// Per channel along axis 0 of a rows x cols matrix: row r gets its own scale (and zero point), chosen from its
// own min/max.
void quantize_per_channel_int8(const float* w, int rows, int cols, float* scales, int8_t* q);
void quantize_per_channel_uint8(const float* w, int rows, int cols, float* scales, int32_t* zero_points, uint8_t* q);
void dequantize_per_channel_int8(const int8_t* q, int rows, int cols, const float* scales, float* w);

// The running min/max of every tensor it observes: a calibration pass feeds it held-out batches.
struct MinMaxObserver {
    float lo = 0.0f, hi = 0.0f;
    int64_t count = 0;          // values observed
    bool reduce_range = false;  // qparams over 0..127 (QParams::quant_max)
    void observe(const float* x, int64_t n);
    QParams qparams() const {
        return reduce_range ? choose_qparams_reduce_range(lo, hi) : choose_qparams_asymmetric(lo, hi);
    }
};

// acc[m, n] = sum_k (xq[m, k] - x_zero) * wq[n, k]     xq: M x K uint8, wq: N x K int8 (both row-major), acc: M x N.
// K <= 65536 keeps the int32 sums exact.
void qgemm_u8s8(int M, int N, int K, const uint8_t* xq, int32_t x_zero, const int8_t* wq, int32_t* acc);
void qgemm_u8s8_ref(int M, int N, int K, const uint8_t* xq, int32_t x_zero, const int8_t* wq, int32_t* acc);

// y[m, n] = acc[m, n] * (x_scale * w_scales[n]) + bias[n]   (bias may be null). The one float step of an int8 layer.
void dequantize_acc(int M, int N, const int32_t* acc, float x_scale, const float* w_scales, const float* bias,
                    float* y);

// Convolution taps of one quantized image (C, H, W) as rows: taps (OH*OW, C*KH*KW), row p = the receptive field of
// output pixel p in im2col's order; padding reads as `pad` (the zero point: the quantized 0.0). The layout qgemm_u8s8
// takes as its x, so a quantized convolution needs no float im2col and no transposes.
void im2col_rows_u8(const Conv2dGeometry& g, const uint8_t* image, uint8_t pad, uint8_t* taps);

// INT4, group-wise. scales: rows x groups(cols, group); packed: rows x int4_row_bytes(cols).
constexpr int kInt4Group = 32;
inline int int4_row_bytes(int cols) { return (cols + 1) / 2; }
inline int int4_groups(int cols, int group) { return (cols + group - 1) / group; }
void quantize_int4(const float* w, int rows, int cols, int group, float* scales, uint8_t* packed);
void dequantize_int4(const uint8_t* packed, const float* scales, int rows, int cols, int group, float* w);
// y (M x N) = x (M x K) @ dequantize(W)^T + bias, W being N x K in int4. The fast path dequantizes a block of rows
// at a time into a float buffer and runs sgemm on it; the `_ref` twin works one weight at a time.
void int4_matmul(int M, int N, int K, const float* x, const uint8_t* packed, const float* scales, int group,
                 const float* bias, float* y);
void int4_matmul_ref(int M, int N, int K, const float* x, const uint8_t* packed, const float* scales, int group,
                     const float* bias, float* y);

// What this build's qgemm_u8s8 runs on: "sse2 madd", "wasm simd128 dot" or "scalar".
const char* qgemm_path();

}  // namespace tt
