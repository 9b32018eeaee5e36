// Module 10 — the direct convolution (conv_direct.h says when and why).
#include "conv_direct.h"

#include <algorithm>
#include <vector>

#include "error.h"
#include "gemm_kernel.h"
#include "parallel.h"

namespace tt {

#if defined(TT_USE_XSIMD) && !defined(TT_STUDENT_BUILD)
namespace {
using namespace gemm_detail;  // batch, kBatch, madd: the micro-kernel's own types and multiply-add

constexpr int kRows = 4;               // output channels per tile (Tile names its 4 x 2 accumulators)
constexpr int kVecs = 2;               // batches of output pixels per tile (one output row)
constexpr int kCols = kVecs * kBatch;  // output pixels per tile
constexpr int kMaxK = 64;              // taps per output; beyond this im2col + GEMM is the better route
using PackedFloats = std::vector<float, xsimd::aligned_allocator<float, 64>>;
#if defined(__clang__)
#define TT_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define TT_NO_UNROLL _Pragma("GCC unroll 1")
#endif

// The sizes the loops use, worked out once. Read from g inside the loops (g.out_h() divides by the stride), V8
// redid those divisions in every tile's epilogue: it computes a value where it is used.
struct Sizes {
    int C, KH, KW, K, OC, OH, OW, Hp, Wp;
};
Sizes sizes_of(const Conv2dGeometry& g) {
    Sizes s;
    s.C = g.in_channels, s.KH = g.kernel_h, s.KW = g.kernel_w, s.K = s.C * s.KH * s.KW;
    s.OC = g.out_channels, s.OH = g.out_h(), s.OW = g.out_w();
    s.Hp = g.height + 2 * g.padding, s.Wp = g.width + 2 * g.padding;
    return s;
}

// conv_gemm's ReLU, select(v > 0, v, 0): NaN and -0 give +0. On wasm that is exactly f32x4.pmax(0, v)
// (pmax(a, b) = a < b ? b : a): one instruction in V8, where the compare and the bitselect are four.
inline batch relu_of(const batch& v) {
    const batch zero(0.0f);
#if defined(__wasm_simd128__)
    return batch(wasm_f32x4_pmax(zero, v));
#else
    return xsimd::select(v > zero, v, zero);
#endif
}

// One tile's accumulators, kRows output channels x kCols pixels of one output row, by name (an array indexed by a
// run-time r would live in memory).
struct Tile {
    batch a00, a01, a10, a11, a20, a21, a30, a31;
    Tile() : a00(0.0f), a01(0.0f), a10(0.0f), a11(0.0f), a20(0.0f), a21(0.0f), a30(0.0f), a31(0.0f) {}
    // One tap: the tile's input pixels for it at in, its kRows weights at wk; one multiply-add per output.
    void tap(const float* in, const float* wk) {
        const batch in0 = batch::load_unaligned(in), in1 = batch::load_unaligned(in + kBatch);
        batch wr(wk[0]);
        a00 = madd(wr, in0, a00), a01 = madd(wr, in1, a01);
        wr = batch(wk[1]);
        a10 = madd(wr, in0, a10), a11 = madd(wr, in1, a11);
        wr = batch(wk[2]);
        a20 = madd(wr, in0, a20), a21 = madd(wr, in1, a21);
        wr = batch(wk[3]);
        a30 = madd(wr, in0, a30), a31 = madd(wr, in1, a31);
    }
};

// One image's output rows [oh0, oh1), every channel. xp: the image zero-padded to (C, Hp, Wp); w: the weight in
// panels of kRows channels, k-major (panel p holds w[p*kRows + r, k] at [p][k][r], zero past OC); bias: OC values
// and zeros up to the last panel's end. kBias, kRelu: the epilogue's steps, fixed at compile time so that the
// epilogue is straight-line code (tested at run time, V8 turned each test into branches and moves, per row).
template <bool kBias, bool kRelu>
void direct_rows(const Sizes& s, const float* xp, const float* w, const float* bias, float* y, int oh0, int oh1) {
    const int OW = s.OW, K = s.K;
    // Where tap k = (c, ki, kj) sits in xp, in bytes from the tile's top-left input pixel: the tap loop below then
    // spends two integer instructions per tap on addresses (V8's integer work shares ports with the arithmetic).
    int offset[kMaxK];
    for (int c = 0, k = 0; c < s.C; c++)
        for (int ki = 0; ki < s.KH; ki++)
            for (int kj = 0; kj < s.KW; kj++) offset[k++] = int(((c * s.Hp + ki) * s.Wp + kj) * sizeof(float));
    const int64_t plane_out = int64_t(s.OH) * OW;
    for (int oc0 = 0; oc0 < s.OC; oc0 += kRows) {
        const float* wp = w + int64_t(oc0) * K;  // tap k's kRows weights at wp[k * kRows]
        const int rows = std::min(kRows, s.OC - oc0);
        // The panel's biases, broadcast once here. Broadcast from bias in every tile's epilogue, between its
        // stores, they cost about 4% of the whole kernel in V8; these it keeps in stack slots and reloads.
        batch b[kRows];
        for (int r = 0; r < kRows; r++) b[r] = batch(kBias ? bias[oc0 + r] : 0.0f);
        // The rows' first pixels, stepped from row to row: computed from oh in the loop, V8 moved the products into
        // every tile, where they are used (3% of the kernel).
        float* out_row = y + (int64_t(oc0) * s.OH + oh0) * OW;
        const char* in_row = reinterpret_cast<const char*>(xp + int64_t(oh0) * s.Wp);
        for (int oh = oh0; oh < oh1; oh++, out_row += OW, in_row += s.Wp * sizeof(float)) {
            for (int ow0 = 0;; ow0 += kCols) {
                // The last tile of a row ends at the row's end, overlapping the one before when OW % kCols != 0:
                // those pixels are computed twice, the same way, so they get the same values.
                ow0 = std::min(ow0, OW - kCols);
                const char* tile = in_row + ow0 * sizeof(float);
                Tile t;
                // conv_gemm's order: taps (c, ki, kj), one multiply-add each. One tap per step, not unrolled: V8
                // issues all the loads of a loop step before its arithmetic, so several taps per step (a kernel
                // row with constant offsets) keep more values in flight than its 16 registers: 9-17% slower.
                const int* off = offset;
                TT_NO_UNROLL
                for (const float *wk = wp, *end = wp + K * kRows; wk != end; wk += kRows, off++)
                    t.tap(reinterpret_cast<const float*>(tile + *off), wk);
                // + bias, ReLU and one store, as conv_gemm's tile epilogue; rows past OC are dropped
                float* out = out_row + ow0;
                auto store = [&](int r, batch v0, batch v1) {
                    if (r >= rows) return;
                    if (kBias) v0 = v0 + b[r], v1 = v1 + b[r];
                    if (kRelu) v0 = relu_of(v0), v1 = relu_of(v1);
                    v0.store_unaligned(out + r * plane_out);
                    v1.store_unaligned(out + r * plane_out + kBatch);
                };
                store(0, t.a00, t.a01);
                store(1, t.a10, t.a11);
                store(2, t.a20, t.a21);
                store(3, t.a30, t.a31);
                if (ow0 + kCols >= OW) break;
            }
        }
    }
}

using RowsFn = void (*)(const Sizes&, const float*, const float*, const float*, float*, int, int);
RowsFn rows_for(bool bias, bool relu) {
    return bias ? (relu ? direct_rows<true, true> : direct_rows<true, false>)
                : (relu ? direct_rows<false, true> : direct_rows<false, false>);
}

// Output rows [u0, u1) of the batch, counted image by image (row u is row u % OH of image u / OH).
void direct_units(const Conv2dGeometry& g, const Sizes& s, RowsFn rows, const float* x, const float* w,
                  const float* bias, float* y, int64_t u0, int64_t u1) {
    const int64_t image = int64_t(s.C) * g.height * g.width, out_image = int64_t(s.OC) * s.OH * s.OW;
    std::vector<float> xp(size_t(s.C) * s.Hp * s.Wp, 0.0f);  // padding stays 0; the interior is copied per image
    for (int64_t u = u0; u < u1;) {
        const int64_t n = u / s.OH;
        const int oh0 = int(u % s.OH), oh1 = int(std::min<int64_t>(s.OH, oh0 + (u1 - u)));
        const float* src = x + n * image;
        for (int c = 0; c < s.C; c++)
            for (int h = 0; h < g.height; h++)
                std::copy(src + (int64_t(c) * g.height + h) * g.width, src + (int64_t(c) * g.height + h + 1) * g.width,
                          xp.data() + (int64_t(c) * s.Hp + h + g.padding) * s.Wp + g.padding);
        rows(s, xp.data(), w, bias, y + n * out_image, oh0, oh1);
        u += oh1 - oh0;
    }
}
}  // namespace

bool conv2d_direct_applies(const Conv2dGeometry& g) {
    return g.stride == 1 && g.dilation == 1 && g.in_channels * g.kernel_h * g.kernel_w <= kMaxK && g.out_w() >= kCols;
}

void conv2d_direct(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                   bool relu) {
    TT_CHECK(conv2d_direct_applies(g),
             "conv2d_direct: needs stride 1, dilation 1, C*KH*KW <= " << kMaxK << " and an output at least " << kCols
                                                                      << " pixels wide");
    const Sizes s = sizes_of(g);
    const int K = s.K, panels = (g.out_channels + kRows - 1) / kRows;
    PackedFloats w(size_t(panels) * K * kRows, 0.0f);
    for (int oc = 0; oc < g.out_channels; oc++)
        for (int k = 0; k < K; k++) w[(size_t(oc / kRows) * K + k) * kRows + oc % kRows] = weight[int64_t(oc) * K + k];
    std::vector<float> b(size_t(panels) * kRows, 0.0f);  // the bias, zero past OC (the rows a tile drops)
    if (bias) std::copy(bias, bias + g.out_channels, b.begin());
    const RowsFn rows = rows_for(bias != nullptr, relu);
    // Threads take shares of the batch's output rows; each pixel is computed the same way whoever computes it.
    const int64_t units = int64_t(g.batch) * g.out_h();
    const int threads = num_threads();
    if (threads == 1 || 2.0 * g.output_size() * K < 2e6 || units < 2 * threads) {
        direct_units(g, s, rows, x, w.data(), b.data(), y, 0, units);
        return;
    }
    const int64_t share = (units + threads - 1) / threads;
    parallel_for(threads, [&](int t) {
        const int64_t u0 = std::min(units, t * share), u1 = std::min(units, (t + 1) * share);
        if (u0 < u1) direct_units(g, s, rows, x, w.data(), b.data(), y, u0, u1);
    });
}
#else  // the student build and builds without SIMD: conv2d_forward's im2col loop always runs
bool conv2d_direct_applies(const Conv2dGeometry&) { return false; }

void conv2d_direct(const Conv2dGeometry&, const float*, const float*, const float*, float*, bool) {
    TT_CHECK(false, "conv2d_direct: not in this build (no SIMD, or the student build)");
}
#endif

}  // namespace tt
