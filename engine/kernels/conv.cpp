// Module 10 — convolution kernels (see conv.h for layouts and the im2col idea).
#include "conv.h"

#include <algorithm>
#include <string>

#include "error.h"
#include "gemm.h"

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

// ---- convolution: fast path -----------------------------------------------------------------------------------

void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y) {
    g.validate("conv2d_forward");
    // BEGIN SOLUTION per image: im2col, then one sgemm weight (OC, K) @ cols (K, OH*OW) into y, then + bias per channel
    const int K = g.in_channels * g.kernel_h * g.kernel_w;  // one receptive field, unrolled
    const int P = g.out_h() * g.out_w();                    // output positions per channel
    std::vector<float> cols(size_t(K) * P);
    for (int n = 0; n < g.batch; n++) {
        im2col(g, x + int64_t(n) * g.in_channels * g.height * g.width, cols.data());
        float* yn = y + int64_t(n) * g.out_channels * P;
        // yn (OC, P) = weight (OC, K) @ cols (K, P)
        sgemm(false, false, g.out_channels, P, K, 1.0f, weight, K, cols.data(), P, 0.0f, yn, P);
        if (bias)
            for (int oc = 0; oc < g.out_channels; oc++)
                for (int p = 0; p < P; p++) yn[int64_t(oc) * P + p] += bias[oc];
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

void conv2d_forward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y) {
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
                    y[((int64_t(n) * g.out_channels + oc) * OH + oh) * OW + ow] = acc;
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
