// The SGEMM micro-kernel: the few lines where almost all of a matmul's time is spent.
//
// It computes one small MR x NR tile of C from two packed panels (see gemm.cpp for the packing):
//   a: kc x MR, stored k-major: a[k * MR + r] = op(A)(i0 + r, k0 + k)
//   b: kc x NR, stored k-major: b[k * NR + c] = op(B)(k0 + k, j0 + c)
// and, for every k, adds the outer product a[k, :] x b[k, :] to MR x NR accumulators that live in registers.
// Each packed value is loaded once per tile and used MR (or NR) times: that reuse, not the SIMD alone, is what
// lifts the kernel from memory speed to arithmetic speed.
//
// The tile shape is set by the register file. wasm simd128 on V8/x64 has 16 vector registers: MR=2 rows x NR=16
// columns (4 batches of 4) keeps 8 accumulators + 4 loads of b + 1 broadcast of a in registers; a larger tile
// spills to the stack and runs ~30% slower. AVX-512 has 32 registers of 16 floats, so natively the tile grows.
#pragma once

#include "simd.h"

namespace tt::gemm_detail {

#if defined(TT_USE_XSIMD)

using batch = float_batch;  // 4 floats on wasm simd128 / SSE, 8 on AVX, 16 on AVX-512
constexpr int kBatch = static_cast<int>(batch::size);
constexpr int kMR = kBatch >= 16 ? 8 : (kBatch == 8 ? 6 : 2);  // rows of the register tile
constexpr int kNB = kBatch >= 8 ? 2 : 4;                        // batches per row of the register tile
constexpr int kNR = kNB * kBatch;                               // columns of the register tile

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
            for (int j = 0; j < kNB; ++j) acc[r][j] = xsimd::fma(ar, bk[j], acc[r][j]);  // mul + add on wasm
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

#endif

}  // namespace tt::gemm_detail
