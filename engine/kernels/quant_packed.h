// Module 16 — Quantization: the packed int8 GEMM the quantized layers run on.
//
// Both operands of the integer product are rows zero-padded from K to Kp = qpack_k(K), a multiple of 16: the weights
// as int8 (packed once, when a layer is built), the activations as int16 already centred on their zero point
// (quantized, centred and widened in one pass). Why:
//   - the multiply-add instruction (SSE2 pmaddwd, wasm simd128 i32x4.dot_i16x8_s) takes int16: activations are
//     widened once per forward, not once per output column; the weights are widened as they are read (measured:
//     faster than storing them as int16, which doubles the bytes the batch-1 product streams);
//   - the padding multiplies to 0, so no row has a scalar tail: a 3x3 convolution over 1 channel (K = 9) runs in
//     SIMD too (it was all tail);
//   - the kernel computes x W^T (acc [M, N] = int16 rows x int8 rows) or W x^T (int8 rows x int16 rows): a
//     convolution asks for weights [OC, Kp] times taps [P, Kp], which gives acc [OC, P], the NCHW output layout,
//     with no transpose.
// Values: activations - zero in [-255, 255], weights in [-128, 127]: a pair of products fits int32 and K <= 65536
// keeps every sum exact, so the SIMD kernels, their `_ref` twins, native and wasm give the same integers.
#pragma once

#include <cstdint>

#include "conv.h"
#include "quant.h"

namespace tt {

inline int qpack_k(int K) { return (K + 15) / 16 * 16; }

// Rows of int8 weights [rows, K] -> [rows, Kp], zeros after K.
void pack_s8_rows(const int8_t* w, int rows, int K, int8_t* packed);
// Rows of uint8 activations [rows, K] -> (q - zero) as int16 [rows, Kp], zeros after K (the padding adds nothing).
void pack_u8_rows(const uint8_t* x, int rows, int K, int32_t zero, int16_t* packed);

// Float rows [rows, K] -> quantize_uint8(x, p) - p.zero_point as int16 [rows, Kp], 8 values per step. The `_ref` twin
// is quantize_uint8 then pack_u8_rows.
void quantize_pack_rows(const float* x, int rows, int K, QParams p, int16_t* packed);
void quantize_pack_rows_ref(const float* x, int rows, int K, QParams p, int16_t* packed);

// The taps of a quantized image (C, H, W) as packed rows: taps [OH*OW, Kp], row p = im2col_rows_u8's row p minus
// zero (padding reads as 0, the quantized 0.0). The fast version copies the interior without bounds checks.
void im2col_pack_u8(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps);
void im2col_pack_u8_ref(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps);

// acc[m, n] = sum_k a[m, k] * b[n, k]     a: M x Kp, b: N x Kp (row-major; one int16, one int8), acc: M x N int32.
// Kp a multiple of 16, at most 65536.
void qgemm_packed(int M, int N, int Kp, const int16_t* a, const int8_t* b, int32_t* acc);
void qgemm_packed(int M, int N, int Kp, const int8_t* a, const int16_t* b, int32_t* acc);
void qgemm_packed_ref(int M, int N, int Kp, const int16_t* a, const int8_t* b, int32_t* acc);
void qgemm_packed_ref(int M, int N, int Kp, const int8_t* a, const int16_t* b, int32_t* acc);

// ---- 7-bit inputs (QParams::quant_max 127, PyTorch's reduce_range) -------------------------------------------------
// wasm's relaxed SIMD has an int8 dot, i32x4.relaxed_dot_i8x16_i7x16_add_s: 16 multiply-adds in one instruction (one
// VNNI vpdpbusd on x86 CPUs that have it) against pmaddwd's 8 on operands widened first. Its second operand must be
// 7-bit (0..127): beyond that, CPUs disagree (x86 reads it unsigned, Arm signed). So the inputs are quantized over
// 0..127, not centred (x - zero needs 9 bits), and the zero point is taken off once per output:
//     sum_k (x[m, k] - zero) w[n, k] = sum_k x[m, k] w[n, k] - zero * wsum[n],   wsum[n] = sum_k w[n, k]
// The sums are exact integers, so the result equals qgemm_packed's on the centred, widened rows in every build.

// Float rows [rows, K] -> quantize_uint8_simd codes as uint8 [rows, Kp], zeros after K (they multiply 0-padded
// weights: nothing added, and wsum covers the real k only).
void quantize_rows_u8(const float* x, int rows, int K, QParams p, uint8_t* packed);
// The taps of a quantized image (C, H, W) as uint8 rows [OH*OW, Kp]: row p = im2col_rows_u8's row p (padding reads
// as zero, the quantized 0.0), zeros after C*KH*KW.
void im2col_rows_u7(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, uint8_t* taps);
// wsum[r] = sum_k w[r, k] over packed rows [rows, Kp].
void row_sums_s8(const int8_t* w, int rows, int Kp, int32_t* wsum);
// acc[m, n] = sum_k (x[m, k] - zero) * w[n, k]     x: M x Kp uint8 in [0, 127], w: N x Kp int8, wsum: row_sums_s8(w).
// On the relaxed dot in the relaxed web build (qgemm_u7_relaxed()); elsewhere the rows are centred, widened and
// multiplied by qgemm_packed (the layers then take their own path: see QuantizedLinear::forward).
void qgemm_packed_u7(int M, int N, int Kp, const uint8_t* x, int32_t zero, const int8_t* w, const int32_t* wsum,
                     int32_t* acc);
void qgemm_packed_u7_ref(int M, int N, int Kp, const uint8_t* x, int32_t zero, const int8_t* w, const int32_t* wsum,
                         int32_t* acc);
// True in the build whose qgemm_packed_u7 runs on the relaxed int8 dot (tt_web_relaxed, tt_bench_relaxed).
bool qgemm_u7_relaxed();

}  // namespace tt
