// Module 16 — Quantization: the packed int8 GEMM, the quantize-and-pack of float rows and the packed uint8 im2col
// (see quant_packed.h). Each SIMD function has its scalar `_ref` twin here; tests/engine/test_16_qpacked.cpp compares
// them bit for bit on odd sizes.
#include "quant_packed.h"

#include <algorithm>
#include <vector>

#include "error.h"
#include "simd.h"

#if defined(TT_USE_XSIMD) && (defined(__SSE2__) || defined(__wasm_simd128__))
#define TT_QPACK_SIMD 1
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#include <emmintrin.h>
#endif
#endif

namespace tt {

void pack_s8_rows(const int8_t* w, int rows, int K, int8_t* packed) {
    const int Kp = qpack_k(K);
    for (int r = 0; r < rows; ++r) {
        int8_t* out = packed + static_cast<int64_t>(r) * Kp;
        std::copy(w + static_cast<int64_t>(r) * K, w + static_cast<int64_t>(r + 1) * K, out);
        std::fill(out + K, out + Kp, int8_t(0));
    }
}

void pack_u8_rows(const uint8_t* x, int rows, int K, int32_t zero, int16_t* packed) {
    const int Kp = qpack_k(K);
    for (int r = 0; r < rows; ++r) {
        int16_t* out = packed + static_cast<int64_t>(r) * Kp;
        for (int k = 0; k < K; ++k) out[k] = static_cast<int16_t>(int32_t(x[static_cast<int64_t>(r) * K + k]) - zero);
        std::fill(out + K, out + Kp, int16_t(0));
    }
}

void quantize_pack_rows_ref(const float* x, int rows, int K, QParams p, int16_t* packed) {
    std::vector<uint8_t> q(static_cast<size_t>(rows) * K);
    quantize_uint8(x, static_cast<int64_t>(rows) * K, p, q.data());
    for (uint8_t& v : q) v = static_cast<uint8_t>(std::min<int32_t>(v, p.quant_max));
    pack_u8_rows(q.data(), rows, K, p.zero_point, packed);
}

void im2col_pack_u8_ref(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps) {
    const int P = g.out_h() * g.out_w(), CKK = g.in_channels * g.kernel_h * g.kernel_w;
    std::vector<uint8_t> rows(static_cast<size_t>(P) * CKK);
    im2col_rows_u8(g, image, static_cast<uint8_t>(zero), rows.data());
    pack_u8_rows(rows.data(), P, CKK, zero, taps);
}

namespace {
template <class TA, class TB>
void qgemm_packed_ref_impl(int M, int N, int Kp, const TA* a, const TB* b, int32_t* acc) {
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            int32_t sum = 0;
            for (int k = 0; k < Kp; ++k)
                sum += int32_t(a[static_cast<int64_t>(m) * Kp + k]) * int32_t(b[static_cast<int64_t>(n) * Kp + k]);
            acc[static_cast<int64_t>(m) * N + n] = sum;
        }
}
}  // namespace

void qgemm_packed_ref(int M, int N, int Kp, const int16_t* a, const int8_t* b, int32_t* acc) {
    qgemm_packed_ref_impl(M, N, Kp, a, b, acc);
}
void qgemm_packed_ref(int M, int N, int Kp, const int8_t* a, const int16_t* b, int32_t* acc) {
    qgemm_packed_ref_impl(M, N, Kp, a, b, acc);
}

namespace {
// Any stride and dilation, tap by tap (im2col_pack_u8 below takes a vector route at stride 1).
void im2col_pack_u8_taps(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps) {
    const int OH = g.out_h(), OW = g.out_w(), KH = g.kernel_h, KW = g.kernel_w;
    const int CKK = g.in_channels * KH * KW, Kp = qpack_k(CKK);
    for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
            int16_t* row = taps + (static_cast<int64_t>(oh) * OW + ow) * Kp;
            const int iw0 = ow * g.stride - g.padding;
            // every kw inside the row: the common case, copied without a test per tap
            const bool inside_w = iw0 >= 0 && iw0 + (KW - 1) * g.dilation < g.width;
            for (int c = 0; c < g.in_channels; ++c) {
                const uint8_t* plane = image + static_cast<int64_t>(c) * g.height * g.width;
                for (int kh = 0; kh < KH; ++kh, row += KW) {
                    const int ih = oh * g.stride - g.padding + kh * g.dilation;
                    if (ih < 0 || ih >= g.height) {
                        std::fill(row, row + KW, int16_t(0));
                        continue;
                    }
                    const uint8_t* src = plane + static_cast<int64_t>(ih) * g.width + iw0;
                    if (inside_w) {
                        for (int kw = 0; kw < KW; ++kw) row[kw] = static_cast<int16_t>(src[kw * g.dilation] - zero);
                    } else {
                        for (int kw = 0; kw < KW; ++kw) {
                            const int iw = iw0 + kw * g.dilation;
                            row[kw] = (iw >= 0 && iw < g.width) ? static_cast<int16_t>(src[kw * g.dilation] - zero)
                                                                : int16_t(0);
                        }
                    }
                }
            }
            std::fill(row, row + (Kp - CKK), int16_t(0));
        }
}
}  // namespace

#if defined(TT_QPACK_SIMD)
namespace {

// A fixed 128-bit arch whatever xsimd's default is: the same tile and instructions natively (SSE2) and in wasm.
#if defined(__wasm_simd128__)
using qarch = xsimd::wasm;
#else
using qarch = xsimd::sse2;
#endif
using i16x8 = xsimd::batch<int16_t, qarch>;
using i32x4 = xsimd::batch<int32_t, qarch>;
using f32x4 = xsimd::batch<float, qarch>;

// lane i: a[2i] * b[2i] + a[2i+1] * b[2i+1] in int32
inline i32x4 madd(const i16x8& a, const i16x8& b) {
#if defined(__wasm_simd128__)
    return i32x4(wasm_i32x4_dot_i16x8(a, b));
#else
    return i32x4(_mm_madd_epi16(a, b));
#endif
}

// 8 floats -> quantize_uint8(x) - zero as int16. (v + 1.5 * 2^23) - 1.5 * 2^23 rounds half to even with the float
// unit's own rounding (as quantize_uint8_simd); after the clamp to [0, quant_max] the truncation is exact.
inline i16x8 quantize8(const float* x, const f32x4& scale, const f32x4& zero, const i16x8& zero16, const f32x4& hi) {
    const f32x4 magic(12582912.0f), lo(0.0f);
    const f32x4 t0 = f32x4::load_unaligned(x) / scale, t1 = f32x4::load_unaligned(x + 4) / scale;
    const f32x4 v0 = xsimd::min(xsimd::max((t0 + magic) - magic + zero, lo), hi);
    const f32x4 v1 = xsimd::min(xsimd::max((t1 + magic) - magic + zero, lo), hi);
#if defined(__wasm_simd128__)
    const i16x8 q(wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(v0), wasm_i32x4_trunc_sat_f32x4(v1)));
#else
    const i16x8 q(_mm_packs_epi32(_mm_cvttps_epi32(v0), _mm_cvttps_epi32(v1)));
#endif
    return q - zero16;
}

// 16 values of a row as two int16x8: int16 rows are loaded, int8 rows (the weights) widened as they are read —
// on this path widening costs less than reading weights stored twice as wide.
inline void load16(const int16_t* p, i16x8& lo, i16x8& hi) {
    lo = i16x8::load_unaligned(p);
    hi = i16x8::load_unaligned(p + 8);
}
inline void load16(const int8_t* p, i16x8& lo, i16x8& hi) {
#if defined(__wasm_simd128__)
    const v128_t v = wasm_v128_load(p);
    lo = i16x8(wasm_i16x8_extend_low_i8x16(v));
    hi = i16x8(wasm_i16x8_extend_high_i8x16(v));
#else
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    lo = i16x8(_mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8));  // each byte in both halves, then shift the sign down
    hi = i16x8(_mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8));
#endif
}

constexpr int kMaxRows = 4, kMaxCols = 2;

// acc for rows m0 .. m0+R of a and n0 .. n0+C of b; R and C compile-time so the R x C accumulators stay in registers.
template <class TA, class TB, int R, int C>
void tile(int Kp, const TA* a, const TB* b, int32_t* acc, int N, int m0, int n0) {
    i32x4 sum[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) sum[r][c] = i32x4(0);
    const TA* ar = a + static_cast<int64_t>(m0) * Kp;
    const TB* br = b + static_cast<int64_t>(n0) * Kp;
    for (int k = 0; k < Kp; k += 16) {
        i16x8 blo[C], bhi[C];
        for (int c = 0; c < C; ++c) load16(br + static_cast<int64_t>(c) * Kp + k, blo[c], bhi[c]);
        for (int r = 0; r < R; ++r) {
            i16x8 alo, ahi;
            load16(ar + static_cast<int64_t>(r) * Kp + k, alo, ahi);
            for (int c = 0; c < C; ++c) sum[r][c] += madd(alo, blo[c]) + madd(ahi, bhi[c]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[static_cast<int64_t>(m0 + r) * N + n0 + c] = xsimd::reduce_add(sum[r][c]);
}

template <class TA, class TB>
struct Tiles {
    using Fn = void (*)(int, const TA*, const TB*, int32_t*, int, int, int);
    // [rows - 1][cols - 1]
    static constexpr Fn table[kMaxRows][kMaxCols] = {{tile<TA, TB, 1, 1>, tile<TA, TB, 1, 2>},
                                                     {tile<TA, TB, 2, 1>, tile<TA, TB, 2, 2>},
                                                     {tile<TA, TB, 3, 1>, tile<TA, TB, 3, 2>},
                                                     {tile<TA, TB, 4, 1>, tile<TA, TB, 4, 2>}};
};

template <class TA, class TB>
void qgemm_tiles(int M, int N, int Kp, const TA* a, const TB* b, int32_t* acc) {
    // 4 rows of a x 2 of b (8 accumulators + 2 x 2 operand vectors + 2 of a: within SSE2's 16 registers). A single
    // row of a (an input at batch 1) streams b once, one row at a time: measured faster than 1 x 2 or 1 x 4 (each b
    // value is used once, so wider tiles only add register pressure).
    const int R = M == 1 ? 1 : kMaxRows, C = M == 1 ? 1 : kMaxCols;
    for (int n0 = 0; n0 < N; n0 += C)
        for (int m0 = 0; m0 < M; m0 += R)
            Tiles<TA, TB>::table[std::min(R, M - m0) - 1][std::min(C, N - n0) - 1](Kp, a, b, acc, N, m0, n0);
}

// Stride 1, dilation 1, KW <= 8: the image is widened to int16 and centred once, inside `padding` zeros (and 8 more
// on the right, so that every 8-lane load stays inside). Then each (pixel, c, kh) segment of KW taps is one load and
// one store of 8 lanes. A store runs past its KW taps into the next segment's slots, which the next store
// overwrites; a row's padding [CKK, Kp) is zeroed after its last segment; the image's last pixel, whose stores
// would run past the buffer, goes tap by tap. Measured natively on the Fashion CNN's second conv: see bench/README.md.
void im2col_pack_u8_rows(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps) {
    const int OH = g.out_h(), OW = g.out_w(), KH = g.kernel_h, KW = g.kernel_w, C = g.in_channels;
    const int CKK = C * KH * KW, Kp = qpack_k(CKK), pad = g.padding;
    const int Hp = g.height + 2 * pad, Wp = g.width + 2 * pad + 8;
    std::vector<int16_t> xw(static_cast<size_t>(C) * Hp * Wp, int16_t(0));
    for (int c = 0; c < C; ++c)
        for (int h = 0; h < g.height; ++h) {
            const uint8_t* src = image + (static_cast<int64_t>(c) * g.height + h) * g.width;
            int16_t* dst = xw.data() + (static_cast<int64_t>(c) * Hp + h + pad) * Wp + pad;
            for (int w = 0; w < g.width; ++w) dst[w] = static_cast<int16_t>(src[w] - zero);
        }
    const i16x8 zeros(int16_t(0));
    for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
            int16_t* row = taps + (static_cast<int64_t>(oh) * OW + ow) * Kp;
            const int16_t* field = xw.data() + static_cast<int64_t>(oh) * Wp + ow;  // tap (0, 0, 0)
            const bool last = oh == OH - 1 && ow == OW - 1;
            int k = 0;
            for (int c = 0; c < C; ++c)
                for (int kh = 0; kh < KH; ++kh, k += KW) {
                    const int16_t* seg = field + (static_cast<int64_t>(c) * Hp + kh) * Wp;
                    if (last) std::copy(seg, seg + KW, row + k);
                    else i16x8::load_unaligned(seg).store_unaligned(row + k);
                }
            if (last) std::fill(row + CKK, row + Kp, int16_t(0));
            else
                for (int z = CKK; z < Kp; z += 8) zeros.store_unaligned(row + z);
        }
}
}  // namespace
#endif

void im2col_pack_u8(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, int16_t* taps) {
#if defined(TT_QPACK_SIMD)
    if (g.stride == 1 && g.dilation == 1 && g.kernel_w <= 8) {
        im2col_pack_u8_rows(g, image, zero, taps);
        return;
    }
#endif
    im2col_pack_u8_taps(g, image, zero, taps);
}

void quantize_pack_rows(const float* x, int rows, int K, QParams p, int16_t* packed) {
#if defined(TT_QPACK_SIMD)
    const int Kp = qpack_k(K), K8 = K / 8 * 8;
    const f32x4 scale(p.scale), zero(static_cast<float>(p.zero_point)), hi(static_cast<float>(p.quant_max));
    const i16x8 zero16(static_cast<int16_t>(p.zero_point));
    for (int r = 0; r < rows; ++r) {
        const float* in = x + static_cast<int64_t>(r) * K;
        int16_t* out = packed + static_cast<int64_t>(r) * Kp;
        for (int k = 0; k < K8; k += 8) quantize8(in + k, scale, zero, zero16, hi).store_unaligned(out + k);
        for (int k = K8; k < K; ++k) {  // the tail, by the scalar quantizer itself
            uint8_t q;
            quantize_uint8(in + k, 1, p, &q);
            out[k] = static_cast<int16_t>(std::min<int32_t>(q, p.quant_max) - p.zero_point);
        }
        std::fill(out + K, out + Kp, int16_t(0));
    }
#else
    quantize_pack_rows_ref(x, rows, K, p, packed);
#endif
}

namespace {
void check_qgemm(int M, int N, int Kp) {
    TT_CHECK(M >= 0 && N >= 0 && Kp >= 0 && Kp % 16 == 0 && Kp <= 65536,
             "qgemm_packed: M=" << M << " N=" << N << " Kp=" << Kp << " (Kp must be a multiple of 16 in [0, 65536])");
}
}  // namespace

void qgemm_packed(int M, int N, int Kp, const int16_t* a, const int8_t* b, int32_t* acc) {
    check_qgemm(M, N, Kp);
#if defined(TT_QPACK_SIMD)
    qgemm_tiles(M, N, Kp, a, b, acc);
#else
    qgemm_packed_ref(M, N, Kp, a, b, acc);
#endif
}

void qgemm_packed(int M, int N, int Kp, const int8_t* a, const int16_t* b, int32_t* acc) {
    check_qgemm(M, N, Kp);
#if defined(TT_QPACK_SIMD)
    qgemm_tiles(M, N, Kp, a, b, acc);
#else
    qgemm_packed_ref(M, N, Kp, a, b, acc);
#endif
}

}  // namespace tt
