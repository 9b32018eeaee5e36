// The SGEMM micro-kernel: the few lines where almost all of a matmul's time is spent.
//
// It computes one small MR x NR tile of C from two packed panels (see gemm.cpp for the packing):
//   a: kc x MR, stored k-major: a[k * MR + r] = op(A)(i0 + r, k0 + k)
//   b: kc x NR, stored k-major: b[k * NR + c] = op(B)(k0 + k, j0 + c)
// and, for every k, adds the outer product a[k, :] x b[k, :] to MR x NR accumulators that live in registers.
// Each packed value is loaded once per tile and used MR (or NR) times: that reuse, not the SIMD alone, is what
// lifts the kernel from memory speed to arithmetic speed.
//
// The tile shape is set by the register file. wasm simd128 on V8/x64 has 16 vector registers: MR=4 rows x NR=8
// columns (2 batches of 4) keeps 8 accumulators + 2 loads of b + 1 broadcast of a + 1 product in registers.
// Measured (bench/, N=512, one core): 4x8 41 GFLOP/s, 2x16 39, 3x12 and 5x8 39, 6x8 37 (needs more registers
// than there are); unrolling the k loop also made it slower, for the same reason. The ceiling probe in bench/
// (the same loop without the broadcasts of a, its data in L1) reaches ~46: the kernel runs at ~85% of it.
// AVX has 16 registers of 8 floats, AVX-512 32 registers of 16 floats, so natively the tile grows.
// Natively xsimd::fma is one fused instruction (one rounding); wasm simd128 has no fma, so it is mul + add there
// (relaxed SIMD has one: see madd below).
// With -DTT_NATIVE_ARCH=OFF the native build uses SSE2, the same tile and the same order of operations as wasm,
// so its sgemm results are bit-for-bit those of the web build.
#pragma once

#include "simd.h"

namespace tt::gemm_detail {

// out = alpha * acc + beta * out, where beta == 0 means "overwrite" (out is not read: it may be NaN), as in BLAS.
inline float finish(float acc, float alpha, float beta, float c) {
    return alpha * acc + (beta != 0.0f ? beta * c : 0.0f);
}

#if defined(TT_USE_XSIMD)

using batch = float_batch;  // 4 floats on wasm simd128 / SSE, 8 on AVX, 16 on AVX-512
constexpr int kBatch = static_cast<int>(batch::size);
// Other tiles can be tried with -DTT_GEMM_MR=.. -DTT_GEMM_NB=.. (bench/run.mjs shows the effect).
#if defined(TT_GEMM_MR) && defined(TT_GEMM_NB)
constexpr int kMR = TT_GEMM_MR, kNB = TT_GEMM_NB;
#else
constexpr int kMR = kBatch >= 16 ? 8 : (kBatch == 8 ? 6 : 4);  // rows of the register tile
constexpr int kNB = 2;                                         // batches per row of the register tile
#endif
constexpr int kNR = kNB * kBatch;  // columns of the register tile

// acc + a * b: the multiply-add of every accumulating loop below. On simd128 and SSE2 it is a multiply then an
// add (two roundings, the same bits on both). The relaxed web build (TT_RELAXED_SIMD, compiled with
// -mrelaxed-simd: tt_web_relaxed, docs/architecture.md) uses wasm's f32x4.relaxed_madd instead, which the browser
// may run as one fused instruction: one instruction less per step and one rounding, so its bits depend on the
// CPU; only pages that want speed load it, never the tests, recipes or lessons.
#if defined(TT_RELAXED_SIMD)
#if !defined(__wasm_relaxed_simd__)
#error "TT_RELAXED_SIMD needs -mrelaxed-simd"
#endif
inline batch madd(const batch& a, const batch& b, const batch& acc) {
    using f32x4 = float __attribute__((__vector_size__(16)));
    // clang 14 spells it with its prototype name and opcode; scripts/wasm-relaxed-simd.mjs renumbers it after the
    // link (the operands are a * b + c in both).
    const v128_t va = a, vb = b, vacc = acc;
    return batch(static_cast<v128_t>(
        __builtin_wasm_fma_f32x4(static_cast<f32x4>(va), static_cast<f32x4>(vb), static_cast<f32x4>(vacc))));
}
#else
inline batch madd(const batch& a, const batch& b, const batch& acc) { return xsimd::fma(a, b, acc); }
#endif

// C_tile = alpha * (a @ b) + beta * C_tile, where C_tile is MR x NR at c with leading dimension ldc.
// beta == 0 means "overwrite": C is not read (it may hold garbage or NaN), as in BLAS.
inline void micro_kernel(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc) {
    batch acc[kMR][kNB];
    for (int r = 0; r < kMR; ++r)
        for (int j = 0; j < kNB; ++j) acc[r][j] = batch(0.0f);

    // The vector loop: per k, NB loads of b, MR broadcasts of a, MR * NB multiply-adds.
    for (int k = 0; k < kc; ++k, a += kMR, b += kNR) {
        batch bk[kNB];
        for (int j = 0; j < kNB; ++j) bk[j] = batch::load_aligned(b + j * kBatch);
        for (int r = 0; r < kMR; ++r) {
            batch ar(a[r]);  // broadcast one value of op(A) to every lane
            for (int j = 0; j < kNB; ++j) acc[r][j] = madd(ar, bk[j], acc[r][j]);  // mul + add on simd128
        }
    }

    const batch va(alpha);
    for (int r = 0; r < kMR; ++r)
        for (int j = 0; j < kNB; ++j) {
            float* cp = c + r * ldc + j * kBatch;
            batch out = va * acc[r][j];
            if (beta != 0.0f) out = xsimd::fma(batch(beta), batch::load_unaligned(cp), out);
            out.store_unaligned(cp);
        }
}

// The lanes of v added in order, lane 0 first: the same bits on every instruction set.
inline float sum_lanes(const batch& v) {
    alignas(64) float lanes[kBatch];
    v.store_aligned(lanes);
    float sum = lanes[0];
    for (int l = 1; l < kBatch; ++l) sum += lanes[l];
    return sum;
}

// ---- dot-product tiles: C = op(A) @ B^T with both operands read in place ----------------------------------
// When B is stored N x K (Linear's x @ W^T, attention's Q @ K^T) a row of op(A) and a row of B are both contiguous
// along K, so every value of C is a dot product of two contiguous rows and no packing is needed. An R x CN tile
// of dot products shares its loads: per kBatch steps of k, R + CN loads feed R * CN multiply-adds (4 x 2: 6 loads
// for 8, the same ratio as the packed 4x8 micro-kernel), and each accumulator is summed across its lanes once, at
// the end. sum_lanes adds the lanes in a fixed order, so SSE2 and wasm give the same bits.
//   a: R rows of op(A), leading dimension lda     b: CN rows of B, leading dimension ldb     c: R x CN, ldc
template <int R, int CN>
inline void dot_tile(int K, const float* a, int lda, const float* b, int ldb, float alpha, float beta, float* c,
                     int ldc) {
    batch acc[R][CN];
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < CN; ++j) acc[r][j] = batch(0.0f);
    int k = 0;
    for (; k + kBatch <= K; k += kBatch) {  // vector loop
        batch bk[CN];
        for (int j = 0; j < CN; ++j) bk[j] = batch::load_unaligned(b + j * ldb + k);
        for (int r = 0; r < R; ++r) {
            const batch ar = batch::load_unaligned(a + r * lda + k);
            for (int j = 0; j < CN; ++j) acc[r][j] = madd(ar, bk[j], acc[r][j]);
        }
    }
    alignas(64) float sums[R][CN];
    if constexpr (R == kBatch) {
        // All R sums of a column at once: transposed, the column's accumulators hold lane l of every row in
        // batch l, so adding the batches in lane order gives what sum_lanes would, R rows per vector add.
        for (int j = 0; j < CN; ++j) {
            batch lanes[R];
            for (int r = 0; r < R; ++r) lanes[r] = acc[r][j];
            xsimd::transpose(lanes, lanes + R);
            batch total = lanes[0];
            for (int l = 1; l < R; ++l) total = total + lanes[l];
            alignas(64) float t[kBatch];
            total.store_aligned(t);
            for (int r = 0; r < R; ++r) sums[r][j] = t[r];
        }
    } else {
        for (int r = 0; r < R; ++r)
            for (int j = 0; j < CN; ++j) sums[r][j] = sum_lanes(acc[r][j]);
    }
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < CN; ++j) {
            float sum = sums[r][j];
            for (int kk = k; kk < K; ++kk) sum += a[r * lda + kk] * b[j * ldb + kk];  // scalar tail
            float& out = c[r * ldc + j];
            out = finish(sum, alpha, beta, out);
        }
}

// ---- one row at a time, B stored K x N, read in place ---------------------------------------------------------
// When op(A) has fewer rows than a register tile, every value of B is used at most M times: packing B would cost
// as much as the multiply. This kernel computes one row of C, c[0:N] = alpha * x @ B + beta * c (x: one row of
// op(A), K contiguous values), as rows of B scaled and summed (axpy).
// B stored K x N: c[:] = sum_k x[k] * B[k, :], 4 batches of columns at a time kept in registers.
inline void row_times_b(int N, int K, const float* x, const float* B, int ldb, float alpha, float beta, float* c) {
    constexpr int kCols = 4 * kBatch;
    int j = 0;
    for (; j + kCols <= N; j += kCols) {
        batch acc[4] = {batch(0.0f), batch(0.0f), batch(0.0f), batch(0.0f)};
        for (int k = 0; k < K; ++k) {
            const batch xk(x[k]);
            for (int q = 0; q < 4; ++q) acc[q] = madd(xk, batch::load_unaligned(B + k * ldb + j + q * kBatch), acc[q]);
        }
        for (int q = 0; q < 4; ++q) {
            batch out = batch(alpha) * acc[q];
            float* cp = c + j + q * kBatch;
            if (beta != 0.0f) out = xsimd::fma(batch(beta), batch::load_unaligned(cp), out);
            out.store_unaligned(cp);
        }
    }
    for (; j < N; ++j) {  // scalar tail: the last < 4 batches of columns
        float sum = 0.0f;
        for (int k = 0; k < K; ++k) sum += x[k] * B[k * ldb + j];
        c[j] = finish(sum, alpha, beta, c[j]);
    }
}

#else  // no xsimd (the in-browser student build): the same tile, one float at a time

constexpr int kBatch = 1;
constexpr int kMR = 4;
constexpr int kNB = 4;
constexpr int kNR = kNB;

inline void micro_kernel(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc) {
    float acc[kMR][kNR] = {};
    for (int k = 0; k < kc; ++k, a += kMR, b += kNR)
        for (int r = 0; r < kMR; ++r)
            for (int j = 0; j < kNR; ++j) acc[r][j] += a[r] * b[j];
    for (int r = 0; r < kMR; ++r)
        for (int j = 0; j < kNR; ++j) {
            float& out = c[r * ldc + j];
            out = alpha * acc[r][j] + (beta != 0.0f ? beta * out : 0.0f);
        }
}

template <int R, int CN>
inline void dot_tile(int K, const float* a, int lda, const float* b, int ldb, float alpha, float beta, float* c,
                     int ldc) {
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < CN; ++j) {
            float sum = 0.0f;
            for (int k = 0; k < K; ++k) sum += a[r * lda + k] * b[j * ldb + k];
            float& out = c[r * ldc + j];
            out = finish(sum, alpha, beta, out);
        }
}

inline void row_times_b(int N, int K, const float* x, const float* B, int ldb, float alpha, float beta, float* c) {
    for (int j = 0; j < N; ++j) {
        float sum = 0.0f;
        for (int k = 0; k < K; ++k) sum += x[k] * B[k * ldb + j];
        c[j] = finish(sum, alpha, beta, c[j]);
    }
}

#endif

}  // namespace tt::gemm_detail
