// Module 16 — Quantization: the fast int8 GEMM (a widening multiply-add) and the dequantize-on-the-fly int4 matmul.
//
// qgemm_u8s8 packs both operands and runs the packed kernel of quant_packed.cpp: SSE2's pmaddwd (_mm_madd_epi16) and
// wasm simd128's i32x4.dot_i16x8_s, the same operation, so both builds give the same integers as qgemm_u8s8_ref.
// (wasm's relaxed-simd i32x4.dot_i8x16_i7x16_add would take int8 directly, but Emscripten 3.1.6 has no relaxed SIMD.)
#include <algorithm>
#include <vector>

#include "error.h"
#include "gemm.h"
#include "quant.h"
#include "quant_packed.h"
#include "simd.h"

#if defined(TT_USE_XSIMD) && (defined(__SSE2__) || defined(__wasm_simd128__))
#define TT_QGEMM_SIMD 1
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#include <emmintrin.h>
#endif
#endif

namespace tt {

#if defined(TT_QGEMM_SIMD)
namespace {
// A fixed 128-bit arch whatever xsimd's default is (AVX natively with TT_NATIVE_ARCH): the same instructions as wasm.
#if defined(__wasm_simd128__)
using qarch = xsimd::wasm;
#else
using qarch = xsimd::sse2;
#endif
}  // namespace
#endif

void qgemm_u8s8(int M, int N, int K, const uint8_t* xq, int32_t x_zero, const int8_t* wq, int32_t* acc) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0 && K <= 65536,
             "qgemm_u8s8: M=" << M << " N=" << N << " K=" << K << " (K must be in [0, 65536])");
    TT_CHECK(x_zero >= 0 && x_zero <= 255, "qgemm_u8s8: x_zero = " << x_zero << " must be in [0, 255]");
    // Both operands packed (centred, widened, padded: quant_packed.h), then the packed kernel. The layers keep their
    // weights packed and skip this copy; this entry point is the one compared with the student's qgemm_u8s8_ref.
    const int Kp = qpack_k(K);
    std::vector<int16_t> x16(static_cast<size_t>(M) * Kp);
    std::vector<int8_t> w8(static_cast<size_t>(N) * Kp);
    pack_u8_rows(xq, M, K, x_zero, x16.data());
    pack_s8_rows(wq, N, K, w8.data());
    qgemm_packed(M, N, Kp, x16.data(), w8.data(), acc);
}

void quantize_uint8_simd(const float* x, int64_t n, QParams p, uint8_t* q) {
    int64_t i = 0;
#if defined(TT_QGEMM_SIMD)
    using f32x4 = xsimd::batch<float, qarch>;
    // (v + 1.5 * 2^23) - 1.5 * 2^23 leaves no bits below the units: the float unit's own rounding (to nearest, ties to
    // even) rounds v, exactly as round_half_even does for |v| < 2^22; beyond that the clamp decides anyway.
    const f32x4 magic(12582912.0f), scale(p.scale), zero(static_cast<float>(p.zero_point)), lo(0.0f),
        hi(static_cast<float>(p.quant_max));
    for (; i + 16 <= n; i += 16) {
        f32x4 v[4];
        for (int j = 0; j < 4; ++j) {
            const f32x4 t = f32x4::load_unaligned(x + i + 4 * j) / scale;
            v[j] = xsimd::min(xsimd::max((t + magic) - magic + zero, lo), hi);
        }
#if defined(__wasm_simd128__)
        const v128_t a = wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(v[0]), wasm_i32x4_trunc_sat_f32x4(v[1]));
        const v128_t b = wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(v[2]), wasm_i32x4_trunc_sat_f32x4(v[3]));
        wasm_v128_store(q + i, wasm_u8x16_narrow_i16x8(a, b));
#else
        const __m128i a = _mm_packs_epi32(_mm_cvttps_epi32(v[0]), _mm_cvttps_epi32(v[1]));
        const __m128i b = _mm_packs_epi32(_mm_cvttps_epi32(v[2]), _mm_cvttps_epi32(v[3]));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i), _mm_packus_epi16(a, b));
#endif
    }
#endif
    quantize_uint8(x + i, n - i, p, q + i);  // the tail (and everything in builds without SIMD), saturated at 255
    if (p.quant_max < 255)
        for (; i < n; ++i) q[i] = static_cast<uint8_t>(std::min<int32_t>(q[i], p.quant_max));
}

void im2col_rows_u8(const Conv2dGeometry& g, const uint8_t* image, uint8_t pad, uint8_t* taps) {
    const int OH = g.out_h(), OW = g.out_w(), CKK = g.in_channels * g.kernel_h * g.kernel_w;
    for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
            uint8_t* row = taps + (static_cast<int64_t>(oh) * OW + ow) * CKK;
            for (int c = 0; c < g.in_channels; ++c)
                for (int kh = 0; kh < g.kernel_h; ++kh) {
                    const int ih = oh * g.stride - g.padding + kh * g.dilation;
                    for (int kw = 0; kw < g.kernel_w; ++kw, ++row) {
                        const int iw = ow * g.stride - g.padding + kw * g.dilation;
                        const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
                        *row = inside ? image[(static_cast<int64_t>(c) * g.height + ih) * g.width + iw] : pad;
                    }
                }
        }
}

const char* qgemm_path() {
#if defined(TT_QGEMM_SIMD) && defined(__wasm_simd128__)
    return "wasm simd128 i32x4.dot_i16x8_s";
#elif defined(TT_QGEMM_SIMD)
    return "sse2 pmaddwd";
#else
    return "scalar";
#endif
}

void int4_matmul(int M, int N, int K, const float* x, const uint8_t* packed, const float* scales, int group,
                 const float* bias, float* y) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0 && group > 0,
             "int4_matmul: M=" << M << " N=" << N << " K=" << K << " group=" << group);
    // Dequantize 64 rows of W at a time (64 x K floats, in cache), then let sgemm multiply: the int4 weights cross
    // memory at half a byte each, the float copy lives only in the block buffer.
    constexpr int kBlock = 64;
    const int groups = int4_groups(K, group), bytes = int4_row_bytes(K);
    // per call, not thread_local: the student build (wasm32-wasip1) cannot destroy thread_local objects
    std::vector<float> block(static_cast<size_t>(kBlock) * std::max(K, 1)), out(static_cast<size_t>(M) * kBlock);
    for (int n0 = 0; n0 < N; n0 += kBlock) {
        const int nb = std::min(kBlock, N - n0);
        dequantize_int4(packed + static_cast<int64_t>(n0) * bytes, scales + static_cast<int64_t>(n0) * groups, nb, K,
                        group, block.data());
        sgemm(false, true, M, nb, K, 1.0f, x, std::max(K, 1), block.data(), std::max(K, 1), 0.0f, out.data(), nb);
        for (int m = 0; m < M; ++m)
            for (int j = 0; j < nb; ++j)
                y[static_cast<int64_t>(m) * N + n0 + j] =
                    out[static_cast<size_t>(m) * nb + j] + (bias ? bias[n0 + j] : 0.0f);
    }
}

}  // namespace tt
