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

constexpr int kRows = 4;               // output channels per tile (direct_rows names its 4 x 2 accumulators)
constexpr int kVecs = 2;               // batches of output pixels per tile (one output row)
constexpr int kCols = kVecs * kBatch;  // output pixels per tile
constexpr int kMaxK = 64;              // taps per output; beyond this im2col + GEMM is the better route
using PackedFloats = std::vector<float, xsimd::aligned_allocator<float, 64>>;
#if defined(__clang__)
#define TT_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define TT_NO_UNROLL _Pragma("GCC unroll 1")
#endif

// One image's output rows [oh0, oh1), every channel. xp: the image zero-padded to (C, Hp, Wp); w: the weight in
// panels of kRows channels, k-major (panel p holds w[p*kRows + r, k] at [p][k][r], zero past OC).
void direct_rows(const Conv2dGeometry& g, const float* xp, int Hp, int Wp, const float* w, const float* bias, bool relu,
                 float* y, int oh0, int oh1) {
    const int OH = g.out_h(), OW = g.out_w(), K = g.in_channels * g.kernel_h * g.kernel_w;
    // Where tap k = (c, ki, kj) sits in xp, in bytes from the tile's top-left input pixel: the tap loop below then
    // spends two integer instructions per tap on addresses (V8's integer work shares ports with the arithmetic).
    int offset[kMaxK];
    for (int c = 0, k = 0; c < g.in_channels; c++)
        for (int ki = 0; ki < g.kernel_h; ki++)
            for (int kj = 0; kj < g.kernel_w; kj++) offset[k++] = int(((c * Hp + ki) * Wp + kj) * sizeof(float));
    const batch zero(0.0f);
    for (int oc0 = 0; oc0 < g.out_channels; oc0 += kRows) {
        const float* wp = w + int64_t(oc0) * K;  // tap k's kRows weights at wp[k * kRows]
        const int rows = std::min(kRows, g.out_channels - oc0);
        for (int oh = oh0; oh < oh1; oh++)
            for (int ow0 = 0;; ow0 += kCols) {
                // The last tile of a row ends at the row's end, overlapping the one before when OW % kCols != 0:
                // those pixels are computed twice, the same way, so they get the same values.
                ow0 = std::min(ow0, OW - kCols);
                const float* tile = xp + int64_t(oh) * Wp + ow0;
                // The accumulators by name: an array indexed by a run-time r (the epilogue) would live in memory.
                batch a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
                // conv_gemm's order: taps (c, ki, kj), one multiply-add each. One tap per step, not unrolled: clang
                // would hoist the loads of several taps, and the values in flight would outnumber V8's 16 registers.
                const int* off = offset;
                TT_NO_UNROLL
                for (const float *wk = wp, *end = wp + K * kRows; wk != end; wk += kRows, off++) {
                    const float* in = reinterpret_cast<const float*>(reinterpret_cast<const char*>(tile) + *off);
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
                // + bias, ReLU and one store, as conv_gemm's tile epilogue; rows past OC are dropped
                float* out = y + (int64_t(oc0) * OH + oh) * OW + ow0;
                const int64_t plane_out = int64_t(OH) * OW;
                auto store = [&](int r, batch v0, batch v1) {
                    if (r >= rows) return;
                    if (bias) v0 = v0 + batch(bias[oc0 + r]), v1 = v1 + batch(bias[oc0 + r]);
                    if (relu)  // NaN and -0 give +0, as conv_gemm
                        v0 = xsimd::select(v0 > zero, v0, zero), v1 = xsimd::select(v1 > zero, v1, zero);
                    v0.store_unaligned(out + r * plane_out);
                    v1.store_unaligned(out + r * plane_out + kBatch);
                };
                store(0, a00, a01);
                store(1, a10, a11);
                store(2, a20, a21);
                store(3, a30, a31);
                if (ow0 + kCols >= OW) break;
            }
    }
}

// Output rows [u0, u1) of the batch, counted image by image (row u is row u % OH of image u / OH).
void direct_units(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, bool relu, float* y,
                  int64_t u0, int64_t u1) {
    const int OH = g.out_h(), Hp = g.height + 2 * g.padding, Wp = g.width + 2 * g.padding;
    const int64_t image = int64_t(g.in_channels) * g.height * g.width,
                  out_image = int64_t(g.out_channels) * OH * g.out_w();
    std::vector<float> xp(size_t(g.in_channels) * Hp * Wp, 0.0f);  // padding stays 0; the interior is copied per image
    for (int64_t u = u0; u < u1;) {
        const int64_t n = u / OH;
        const int oh0 = int(u % OH), oh1 = int(std::min<int64_t>(OH, oh0 + (u1 - u)));
        const float* src = x + n * image;
        for (int c = 0; c < g.in_channels; c++)
            for (int h = 0; h < g.height; h++)
                std::copy(src + (int64_t(c) * g.height + h) * g.width, src + (int64_t(c) * g.height + h + 1) * g.width,
                          xp.data() + (int64_t(c) * Hp + h + g.padding) * Wp + g.padding);
        direct_rows(g, xp.data(), Hp, Wp, w, bias, relu, y + n * out_image, oh0, oh1);
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
    const int K = g.in_channels * g.kernel_h * g.kernel_w, panels = (g.out_channels + kRows - 1) / kRows;
    PackedFloats w(size_t(panels) * K * kRows, 0.0f);
    for (int oc = 0; oc < g.out_channels; oc++)
        for (int k = 0; k < K; k++) w[(size_t(oc / kRows) * K + k) * kRows + oc % kRows] = weight[int64_t(oc) * K + k];
    // Threads take shares of the batch's output rows; each pixel is computed the same way whoever computes it.
    const int64_t units = int64_t(g.batch) * g.out_h();
    const int threads = num_threads();
    if (threads == 1 || 2.0 * g.output_size() * K < 2e6 || units < 2 * threads) {
        direct_units(g, x, w.data(), bias, relu, y, 0, units);
        return;
    }
    const int64_t share = (units + threads - 1) / threads;
    parallel_for(threads, [&](int t) {
        const int64_t u0 = std::min(units, t * share), u1 = std::min(units, (t + 1) * share);
        if (u0 < u1) direct_units(g, x, w.data(), bias, relu, y, u0, u1);
    });
}
#else  // the student build and builds without SIMD: conv2d_forward's im2col loop always runs
bool conv2d_direct_applies(const Conv2dGeometry&) { return false; }

void conv2d_direct(const Conv2dGeometry&, const float*, const float*, const float*, float*, bool) {
    TT_CHECK(false, "conv2d_direct: not in this build (no SIMD, or the student build)");
}
#endif

}  // namespace tt
