// Module 10 — convolution kernels (see conv.h for layouts and the im2col idea).
#include "conv.h"

#include <algorithm>
#include <string>

#include "conv_direct.h"
#include "error.h"
#include "gemm.h"
#include "gemm_kernel.h"
#include "parallel.h"

namespace tt {

void Conv2dGeometry::validate(const char* who) const {
    TT_CHECK(batch > 0 && in_channels > 0 && height > 0 && width > 0 && out_channels > 0,
             who << ": sizes must be positive, got x (" << batch << ", " << in_channels << ", " << height << ", "
                 << width << ") and " << out_channels << " output channels");
    TT_CHECK(kernel_h > 0 && kernel_w > 0 && stride > 0 && padding >= 0 && dilation > 0,
             who << ": bad kernel " << kernel_h << "x" << kernel_w << ", stride " << stride << ", padding " << padding
                 << ", dilation " << dilation);
    TT_CHECK(height + 2 * padding >= span_h() && width + 2 * padding >= span_w(),
             who << ": kernel " << kernel_h << "x" << kernel_w
                 << (dilation > 1 ? " (dilation " + std::to_string(dilation) + ": spans " + std::to_string(span_h()) +
                             "x" + std::to_string(span_w()) + ")"
                                  : std::string())
                 << " is larger than the padded input " << height + 2 * padding << "x" << width + 2 * padding);
}

// ---- im2col / col2im ------------------------------------------------------------------------------------------
// Row r = (c, ki, kj) of cols holds, for every output position (oh, ow), the input pixel that kernel tap (ki, kj)
// of channel c sees there: x[c, oh*stride - padding + ki*dilation, ow*stride - padding + kj*dilation], or 0 where
// that position is in the padding.

void im2col(const Conv2dGeometry& g, const float* image, float* cols) {
    const int OH = g.out_h(), OW = g.out_w();
    // BEGIN SOLUTION for each row (c, ki, kj) and output position (oh, ow): the input pixel that tap sees, 0 outside the image
    auto floor_div = [](int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };  // b > 0; `/` truncates
    for (int c = 0; c < g.in_channels; c++)
        for (int ki = 0; ki < g.kernel_h; ki++)
            for (int kj = 0; kj < g.kernel_w; kj++) {
                float* row = cols + ((int64_t(c) * g.kernel_h + ki) * g.kernel_w + kj) * OH * OW;
                const int dj = kj * g.dilation;
                // iw = ow * stride - padding + dj is inside [0, width) for ow in [lo, hi)
                const int lo = std::clamp(-floor_div(dj - g.padding, g.stride), 0, OW);
                const int hi = std::clamp(floor_div(g.width - 1 + g.padding - dj, g.stride) + 1, lo, OW);
                for (int oh = 0; oh < OH; oh++) {
                    const int ih = oh * g.stride - g.padding + ki * g.dilation;
                    float* out = row + oh * OW;
                    if (ih < 0 || ih >= g.height) {
                        std::fill(out, out + OW, 0.0f);
                        continue;
                    }
                    // Only the output columns [lo, hi) see a pixel inside the image; the rest see padding.
                    const float* in = image + (int64_t(c) * g.height + ih) * g.width - g.padding + dj;
                    std::fill(out, out + lo, 0.0f);
                    if (g.stride == 1) std::copy(in + lo, in + hi, out + lo);
                    else
                        for (int ow = lo; ow < hi; ow++) out[ow] = in[ow * g.stride];
                    std::fill(out + hi, out + OW, 0.0f);
                }
            }
    // END SOLUTION
}

void col2im(const Conv2dGeometry& g, const float* cols, float* image) {
    const int OH = g.out_h(), OW = g.out_w();
    // BEGIN SOLUTION im2col in reverse: each entry of cols is ADDED to the pixel it was copied from (padding entries go nowhere)
    auto floor_div = [](int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };  // b > 0; `/` truncates
    for (int c = 0; c < g.in_channels; c++)
        for (int ki = 0; ki < g.kernel_h; ki++)
            for (int kj = 0; kj < g.kernel_w; kj++) {
                const float* row = cols + ((int64_t(c) * g.kernel_h + ki) * g.kernel_w + kj) * OH * OW;
                const int dj = kj * g.dilation;
                // as in im2col: only the columns [lo, hi) came from inside the image, the rest was padding
                const int lo = std::clamp(-floor_div(dj - g.padding, g.stride), 0, OW);
                const int hi = std::clamp(floor_div(g.width - 1 + g.padding - dj, g.stride) + 1, lo, OW);
                for (int oh = 0; oh < OH; oh++) {
                    const int ih = oh * g.stride - g.padding + ki * g.dilation;
                    if (ih < 0 || ih >= g.height) continue;
                    float* in = image + (int64_t(c) * g.height + ih) * g.width - g.padding + dj;
                    const float* from = row + int64_t(oh) * OW;
                    if (g.stride == 1)
                        for (int ow = lo; ow < hi; ow++) in[ow] += from[ow];
                    else
                        for (int ow = lo; ow < hi; ow++) in[ow * g.stride] += from[ow];
                }
            }
    // END SOLUTION
}

// ---- the forward's GEMM --------------------------------------------------------------------------------------
// A conv's GEMM has an odd shape: M = OC rows (32), a tiny K = C*KH*KW (27 for RGB 3x3), a long N = OH*OW (1024).
// With 27 steps per 4x8 tile, what sgemm does around its micro-kernel weighs: the bias and ReLU as an epilogue
// call per tile (or as passes over all of y), its blocking loops. conv_gemm calls the same micro-kernel on the same
// packed panels (the same sums in the same order: the same bits as sgemm for K <= 256, one sgemm K block), then
// adds the bias and takes the ReLU on each tile while it is in L1. Measured natively (SSE2, bench/conv.mjs's
// shape): 3.8 ms for the forward with ReLU against 4.9 for im2col + sgemm + the passes; in wasm (V8) the gap is
// small (bench/README.md).

// The bias and the ReLU as a second pass over y (OC, P), after a plain GEMM: what conv_gemm fuses into its tiles.
static void bias_relu_pass(int OC, int P, const float* bias, bool relu, float* y) {
    for (int oc = 0; oc < OC; oc++)
        for (int p = 0; p < P; p++) {
            float& v = y[int64_t(oc) * P + p];
            if (bias) v += bias[oc];
            if (relu && !(v > 0.0f)) v = 0.0f;
        }
}

#if defined(TT_USE_XSIMD)
// Packing buffers are per thread, reused across calls; plain statics in the student build (wasm32-wasip1 has no
// threads and no __cxa_thread_atexit to destroy a thread_local vector: see gemm.cpp).
#if defined(TT_STUDENT_BUILD)
#define TT_CONV_SCRATCH static
#else
#define TT_CONV_SCRATCH static thread_local
#endif
using PackedFloats = std::vector<float, xsimd::aligned_allocator<float, 64>>;

// Strips [s0, s1) of kNR columns of y, from the weight already in panels of kMR rows (k-major, as sgemm's pack_a).
static void conv_gemm_strips(int OC, int P, int K, const float* a_panels, const float* cols, const float* bias,
                             bool relu, float* y, int s0, int s1) {
    using namespace gemm_detail;
    // cols in strips of kNR columns, k-major (as sgemm's pack_b), copied a row of cols at a time. Read in place,
    // a strip's K rows sit P floats apart: for P = 1024 that is 4 KiB, every row maps to the same L1 set, and
    // the 27 rows of a strip do not fit its 8 ways (measured natively: the kernel 35% slower than after the copy).
    TT_CONV_SCRATCH PackedFloats b_panels;
    b_panels.resize(size_t(s1 - s0) * K * kNR);
    for (int k = 0; k < K; k++)
        for (int s = s0; s < s1; s++)
            for (int q = 0; q < kNB; q++)
                batch::load_unaligned(cols + int64_t(k) * P + s * kNR + q * kBatch)
                    .store_aligned(b_panels.data() + (size_t(s - s0) * K + k) * kNR + q * kBatch);
    const batch zero(0.0f);
    alignas(64) float scratch[kMR * kNR];
    for (int s = s0; s < s1; s++)  // each strip stays in L1 while every row panel uses it
        for (int oc0 = 0; oc0 < OC; oc0 += kMR) {
            const float* a = a_panels + size_t(oc0) * K;
            const float* b = b_panels.data() + size_t(s - s0) * K * kNR;
            const int rows = std::min(kMR, OC - oc0);
            float* c = y + int64_t(oc0) * P + s * kNR;
            int ldc = P;
            if (rows < kMR) c = scratch, ldc = kNR;     // the last rows of y: the whole tile into scratch first
            micro_kernel(K, a, b, 1.0f, 0.0f, c, ldc);  // sgemm's: the same sums in the same order
            for (int r = 0; r < rows; r++)              // the tile is in L1: + bias and ReLU cost no pass over y
                for (int q = 0; q < kNB; q++) {
                    batch out = batch::load_unaligned(c + r * ldc + q * kBatch);
                    if (bias) out = out + batch(bias[oc0 + r]);
                    if (relu) out = xsimd::select(out > zero, out, zero);  // NaN and -0 give +0, as `v > 0 ? v : 0`
                    out.store_unaligned(y + int64_t(oc0 + r) * P + s * kNR + q * kBatch);
                }
        }
}

void conv_gemm(int OC, int P, int K, const float* weight, const float* cols, const float* bias, bool relu, float* y) {
    using namespace gemm_detail;
    TT_CONV_SCRATCH PackedFloats a_panels;
    const int row_panels = (OC + kMR - 1) / kMR, strips = P / kNR;
    a_panels.assign(size_t(row_panels) * K * kMR, 0.0f);  // zero rows past OC
    for (int oc = 0; oc < OC; oc++)
        for (int k = 0; k < K; k++) a_panels[(size_t(oc / kMR) * K + k) * kMR + oc % kMR] = weight[int64_t(oc) * K + k];
    // Threads take shares of the strips (as sgemm shares C's columns): each column is computed the same way
    // whoever computes it, so 1 and 2 threads give the same bits.
    const int threads = num_threads();
    if (threads == 1 || 2.0 * OC * P * K < 2e6 || strips < 2 * threads) {
        conv_gemm_strips(OC, P, K, a_panels.data(), cols, bias, relu, y, 0, strips);
    } else {
        const float* a = a_panels.data();
        const int share = (strips + threads - 1) / threads;
        parallel_for(threads, [&](int t) {
            const int s0 = std::min(strips, t * share), s1 = std::min(strips, (t + 1) * share);
            if (s0 < s1) conv_gemm_strips(OC, P, K, a, cols, bias, relu, y, s0, s1);
        });
    }
    for (int j = strips * kNR; j < P; j++)  // the last P % kNR columns: the same sums one at a time
        for (int oc = 0; oc < OC; oc++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++) acc += weight[int64_t(oc) * K + k] * cols[int64_t(k) * P + j];
            if (bias) acc += bias[oc];
            y[int64_t(oc) * P + j] = relu && !(acc > 0.0f) ? 0.0f : acc;
        }
}
#else  // no xsimd (the in-browser student build): sgemm, then the bias and the ReLU in a second pass
void conv_gemm(int OC, int P, int K, const float* weight, const float* cols, const float* bias, bool relu, float* y) {
    sgemm(false, false, OC, P, K, 1.0f, weight, K, cols, P, 0.0f, y, P);
    bias_relu_pass(OC, P, bias, relu, y);
}
#endif

void conv_gemm_ref(int OC, int P, int K, const float* weight, const float* cols, const float* bias, bool relu,
                   float* y) {
    sgemm_ref(false, false, OC, P, K, 1.0f, weight, K, cols, P, 0.0f, y, P);
    bias_relu_pass(OC, P, bias, relu, y);
}

// ---- convolution: fast path -----------------------------------------------------------------------------------

void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                    bool relu) {
    g.validate("conv2d_forward");
    // A tiny receptive field (an RGB first layer: K = 27) runs faster straight from the image (conv_direct.h), with
    // the same bits as im2col + conv_gemm. The in-browser student build never takes it: there, your route runs.
    if (conv2d_direct_applies(g)) conv2d_direct(g, x, weight, bias, y, relu);
    else conv2d_forward_im2col(g, x, weight, bias, y, relu);
}

void conv2d_forward_im2col(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                           bool relu) {
    g.validate("conv2d_forward");
    // BEGIN SOLUTION per image: im2col, then one conv_gemm: y (OC, OH*OW) = weight (OC, K) @ cols (K, OH*OW) + bias (ReLU if asked)
    const int K = g.in_channels * g.kernel_h * g.kernel_w;  // one receptive field, unrolled
    const int P = g.out_h() * g.out_w();                    // output positions per channel
    std::vector<float> cols(size_t(K) * P);
    for (int n = 0; n < g.batch; n++) {
        im2col(g, x + int64_t(n) * g.in_channels * g.height * g.width, cols.data());
        conv_gemm(g.out_channels, P, K, weight, cols.data(), bias, relu, y + int64_t(n) * g.out_channels * P);
    }
    // END SOLUTION
}

void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                     float* dweight, float* dbias) {
    g.validate("conv2d_backward");
    // BEGIN SOLUTION per image: im2col again; dweight += dy @ cols^T; dbias += row sums of dy; dx = col2im(weight^T @ dy) into a zeroed image
    const int K = g.in_channels * g.kernel_h * g.kernel_w;
    const int P = g.out_h() * g.out_w();
    const int64_t image = int64_t(g.in_channels) * g.height * g.width;
    std::vector<float> cols(size_t(K) * P);
    for (int n = 0; n < g.batch; n++) {
        const float* dyn = dy + int64_t(n) * g.out_channels * P;
        im2col(g, x + n * image, cols.data());
        // dweight (OC, K) += dyn (OC, P) @ cols^T (P, K)
        sgemm(false, true, g.out_channels, K, P, 1.0f, dyn, P, cols.data(), P, 1.0f, dweight, K);
        if (dbias)
            for (int oc = 0; oc < g.out_channels; oc++) {
                float sum = 0.0f;
                for (int p = 0; p < P; p++) sum += dyn[int64_t(oc) * P + p];
                dbias[oc] += sum;
            }
        if (dx) {
            // dcols (K, P) = weight^T (K, OC) @ dyn (OC, P), then scattered back onto the image
            sgemm(true, false, K, P, g.out_channels, 1.0f, weight, K, dyn, P, 0.0f, cols.data(), P);
            std::fill(dx + n * image, dx + (n + 1) * image, 0.0f);
            col2im(g, cols.data(), dx + n * image);
        }
    }
    // END SOLUTION
}

// ---- convolution: the direct loops (oracle) -------------------------------------------------------------------

void conv2d_forward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                        bool relu) {
    g.validate("conv2d_forward_ref");
    const int OH = g.out_h(), OW = g.out_w();
    for (int n = 0; n < g.batch; n++)
        for (int oc = 0; oc < g.out_channels; oc++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    float acc = bias ? bias[oc] : 0.0f;
                    for (int c = 0; c < g.in_channels; c++)
                        for (int ki = 0; ki < g.kernel_h; ki++)
                            for (int kj = 0; kj < g.kernel_w; kj++) {
                                const int ih = oh * g.stride - g.padding + ki * g.dilation,
                                          iw = ow * g.stride - g.padding + kj * g.dilation;
                                if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
                                acc += x[((int64_t(n) * g.in_channels + c) * g.height + ih) * g.width + iw] *
                                    weight[((int64_t(oc) * g.in_channels + c) * g.kernel_h + ki) * g.kernel_w + kj];
                            }
                    y[((int64_t(n) * g.out_channels + oc) * OH + oh) * OW + ow] = relu && !(acc > 0.0f) ? 0.0f : acc;
                }
}

void conv2d_backward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                         float* dweight, float* dbias) {
    g.validate("conv2d_backward_ref");
    const int OH = g.out_h(), OW = g.out_w();
    if (dx) std::fill(dx, dx + g.input_size(), 0.0f);
    for (int n = 0; n < g.batch; n++)
        for (int oc = 0; oc < g.out_channels; oc++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    const float d = dy[((int64_t(n) * g.out_channels + oc) * OH + oh) * OW + ow];
                    if (dbias) dbias[oc] += d;
                    for (int c = 0; c < g.in_channels; c++)
                        for (int ki = 0; ki < g.kernel_h; ki++)
                            for (int kj = 0; kj < g.kernel_w; kj++) {
                                const int ih = oh * g.stride - g.padding + ki * g.dilation,
                                          iw = ow * g.stride - g.padding + kj * g.dilation;
                                if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
                                const int64_t xi = ((int64_t(n) * g.in_channels + c) * g.height + ih) * g.width + iw;
                                const int64_t wi =
                                    ((int64_t(oc) * g.in_channels + c) * g.kernel_h + ki) * g.kernel_w + kj;
                                dweight[wi] += d * x[xi];
                                if (dx) dx[xi] += d * weight[wi];
                            }
                }
}

}  // namespace tt
