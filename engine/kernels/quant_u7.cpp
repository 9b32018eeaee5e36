// Module 16 — Quantization: the int8 GEMM on 7-bit inputs (quant_packed.h, "7-bit inputs"), which the relaxed web
// build runs on wasm's relaxed int8 dot. Compiled twice: in the engine (simd128 / SSE2: the rows are centred and
// widened for qgemm_packed) and in ttkernels_relaxed (CMakeLists.txt) with -mrelaxed-simd. The `_ref` twin is here;
// tests/engine/test_16_qpacked.cpp and tests/node/relaxed-simd.test.mjs compare them.
#include <algorithm>
#include <cstring>
#include <vector>

#include "error.h"
#include "quant_packed.h"

#if defined(TT_RELAXED_SIMD)
#if !defined(__wasm_relaxed_simd__)
#error "TT_RELAXED_SIMD needs -mrelaxed-simd"
#endif
#include <wasm_simd128.h>
#endif

namespace tt {

void quantize_rows_u8(const float* x, int rows, int K, QParams p, uint8_t* packed) {
    const int Kp = qpack_k(K);
    for (int r = 0; r < rows; ++r) {
        uint8_t* out = packed + static_cast<int64_t>(r) * Kp;
        quantize_uint8_simd(x + static_cast<int64_t>(r) * K, K, p, out);
        std::fill(out + K, out + Kp, uint8_t(0));
    }
}

void row_sums_s8(const int8_t* w, int rows, int Kp, int32_t* wsum) {
    for (int r = 0; r < rows; ++r) {
        const int8_t* row = w + static_cast<int64_t>(r) * Kp;
        int32_t s = 0;
        for (int k = 0; k < Kp; ++k) s += row[k];
        wsum[r] = s;
    }
}

void im2col_rows_u7(const Conv2dGeometry& g, const uint8_t* image, int32_t zero, uint8_t* taps) {
    const int OH = g.out_h(), OW = g.out_w(), KH = g.kernel_h, KW = g.kernel_w, C = g.in_channels;
    const int CKK = C * KH * KW, Kp = qpack_k(CKK), P = OH * OW;
    if (g.stride != 1 || g.dilation != 1 || KW > 8) {  // any geometry: im2col_rows_u8, then each row padded
        std::vector<uint8_t> rows(static_cast<size_t>(P) * CKK);
        im2col_rows_u8(g, image, static_cast<uint8_t>(zero), rows.data());
        for (int p = 0; p < P; ++p) {
            uint8_t* row = taps + static_cast<int64_t>(p) * Kp;
            std::copy(rows.data() + static_cast<int64_t>(p) * CKK, rows.data() + static_cast<int64_t>(p + 1) * CKK,
                      row);
            std::fill(row + CKK, row + Kp, uint8_t(0));
        }
        return;
    }
    // Stride 1: the image copied once inside `padding` zero points (8 more bytes on the right keep every 8-byte read
    // inside); then each (pixel, c, kh) segment of KW taps is one 8-byte copy, which runs past its taps into the next
    // segment's slots (the next copy overwrites them). The row's last segment and its padding [CKK, Kp) are written
    // byte by byte, so that no copy runs past the row.
    const int pad = g.padding, Hp = g.height + 2 * pad, Wp = g.width + 2 * pad + 8;
    std::vector<uint8_t> xp(static_cast<size_t>(C) * Hp * Wp, static_cast<uint8_t>(zero));
    for (int c = 0; c < C; ++c)
        for (int h = 0; h < g.height; ++h)
            std::copy(image + (static_cast<int64_t>(c) * g.height + h) * g.width,
                      image + (static_cast<int64_t>(c) * g.height + h + 1) * g.width,
                      xp.data() + (static_cast<int64_t>(c) * Hp + h + pad) * Wp + pad);
    for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
            uint8_t* row = taps + (static_cast<int64_t>(oh) * OW + ow) * Kp;
            const uint8_t* field = xp.data() + static_cast<int64_t>(oh) * Wp + ow;  // tap (0, 0, 0)
            int k = 0;
            for (int c = 0; c < C; ++c)
                for (int kh = 0; kh < KH; ++kh, k += KW) {
                    const uint8_t* seg = field + (static_cast<int64_t>(c) * Hp + kh) * Wp;
                    if (k + 8 <= Kp) std::memcpy(row + k, seg, 8);
                    else std::copy(seg, seg + KW, row + k);
                }
            std::fill(row + CKK, row + Kp, uint8_t(0));
        }
}

void qgemm_packed_u7_ref(int M, int N, int Kp, const uint8_t* x, int32_t zero, const int8_t* w, const int32_t* wsum,
                         int32_t* acc) {
    (void)wsum;  // the oracle centres each input itself (the padding's weights are 0: it adds nothing)
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            int32_t sum = 0;
            for (int k = 0; k < Kp; ++k)
                sum += (int32_t(x[static_cast<int64_t>(m) * Kp + k]) - zero) *
                    int32_t(w[static_cast<int64_t>(n) * Kp + k]);
            acc[static_cast<int64_t>(m) * N + n] = sum;
        }
}

#if defined(TT_RELAXED_SIMD)
namespace {

// acc + the four 4-term dot products of w's int8 lanes with x's 7-bit lanes: i32x4.relaxed_dot_i8x16_i7x16_add_s.
// clang 14 has no builtin for it, so the source names the prototype i8x16.laneselect, which takes the same operands
// (three v128, one result) and nothing else in the engine uses; scripts/wasm-relaxed-simd.mjs renumbers it to the
// dot's final opcode after the link. tests/node/relaxed-simd.test.mjs checks the operand order and the values.
inline v128_t dot_add(v128_t w, v128_t x, v128_t acc) {
    using i8x16 = signed char __attribute__((__vector_size__(16)));
    return static_cast<v128_t>(
        __builtin_wasm_laneselect_i8x16(static_cast<i8x16>(w), static_cast<i8x16>(x), static_cast<i8x16>(acc)));
}

inline int32_t lanes_sum(v128_t v) {
    return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
        wasm_i32x4_extract_lane(v, 3);
}

constexpr int kMaxRows = 4, kMaxCols = 4;

// acc for rows m0 .. m0+R of x and n0 .. n0+C of w: each accumulator holds 4 partial sums of one output, 16 k per
// step, added across at the end, less zero * wsum[n].
template <int R, int C>
void tile(int Kp, const uint8_t* x, const int8_t* w, int32_t zero, const int32_t* wsum, int32_t* acc, int N, int m0,
          int n0) {
    v128_t sum[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) sum[r][c] = wasm_i32x4_splat(0);
    const uint8_t* xr = x + static_cast<int64_t>(m0) * Kp;
    const int8_t* wr = w + static_cast<int64_t>(n0) * Kp;
    for (int k = 0; k < Kp; k += 16) {
        v128_t wv[C];
        for (int c = 0; c < C; ++c) wv[c] = wasm_v128_load(wr + static_cast<int64_t>(c) * Kp + k);
        for (int r = 0; r < R; ++r) {
            const v128_t xv = wasm_v128_load(xr + static_cast<int64_t>(r) * Kp + k);
            for (int c = 0; c < C; ++c) sum[r][c] = dot_add(wv[c], xv, sum[r][c]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c)
            acc[static_cast<int64_t>(m0 + r) * N + n0 + c] = lanes_sum(sum[r][c]) - zero * wsum[n0 + c];
}

using TileFn = void (*)(int, const uint8_t*, const int8_t*, int32_t, const int32_t*, int32_t*, int, int, int);
// [rows - 1][cols - 1]
constexpr TileFn kTiles[kMaxRows][kMaxCols] = {{tile<1, 1>, tile<1, 2>, tile<1, 3>, tile<1, 4>},
                                               {tile<2, 1>, tile<2, 2>, tile<2, 3>, tile<2, 4>},
                                               {tile<3, 1>, tile<3, 2>, tile<3, 3>, tile<3, 4>},
                                               {tile<4, 1>, tile<4, 2>, tile<4, 3>, tile<4, 4>}};

}  // namespace
#endif

void qgemm_packed_u7(int M, int N, int Kp, const uint8_t* x, int32_t zero, const int8_t* w, const int32_t* wsum,
                     int32_t* acc) {
    TT_CHECK(M >= 0 && N >= 0 && Kp >= 0 && Kp % 16 == 0 && Kp <= 65536,
             "qgemm_packed_u7: M=" << M << " N=" << N << " Kp=" << Kp
                                   << " (Kp must be a multiple of 16 in [0, 65536])");
    TT_CHECK(zero >= 0 && zero <= 127, "qgemm_packed_u7: zero = " << zero << " must be in [0, 127] (7-bit inputs)");
#if defined(TT_RELAXED_SIMD)
    // 4 rows x 2 weight rows: 8 accumulators, 2 weight vectors and an input vector in x86's 16 registers. One input
    // row (batch 1) takes 4 weight rows at once: each weight is used once, the input row is loaded once per 4.
    const int R = M == 1 ? 1 : 4, C = M == 1 ? 4 : 2;
    for (int n0 = 0; n0 < N; n0 += C)
        for (int m0 = 0; m0 < M; m0 += R)
            kTiles[std::min(R, M - m0) - 1][std::min(C, N - n0) - 1](Kp, x, w, zero, wsum, acc, N, m0, n0);
#else
    (void)wsum;
    std::vector<int16_t> centred(static_cast<size_t>(M) * Kp);
    for (int m = 0; m < M; ++m)
        for (int k = 0; k < Kp; ++k) {
            const int64_t i = static_cast<int64_t>(m) * Kp + k;
            centred[size_t(i)] = static_cast<int16_t>(x[i] - zero);
        }
    qgemm_packed(M, N, Kp, centred.data(), w, acc);
#endif
}

bool qgemm_u7_relaxed() {
#if defined(TT_RELAXED_SIMD)
    return true;
#else
    return false;
#endif
}

}  // namespace tt
