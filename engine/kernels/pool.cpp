// Module 10 — max and average pooling (see pool.h for the geometry and torch's conventions).
#include "pool.h"

#include <algorithm>
#include <limits>
#include <string>

#include "error.h"

namespace tt {

void Pool2dGeometry::validate(const char* who) const {
    TT_CHECK(batch > 0 && channels > 0 && height > 0 && width > 0 && kernel > 0 && stride > 0 && padding >= 0,
             who << ": bad pooling of x (" << batch << ", " << channels << ", " << height << ", " << width
                 << ") with window " << kernel << ", stride " << stride << ", padding " << padding);
    TT_CHECK(2 * padding <= kernel,
             who << ": padding " << padding << " is more than half the window " << kernel
                 << " (a window could lie entirely in the padding)");
    TT_CHECK(height + 2 * padding >= kernel && width + 2 * padding >= kernel,
             who << ": window " << kernel << " (stride " << stride << ") does not fit x (" << batch << ", " << channels
                 << ", " << height << ", " << width << ")" << (padding ? " padded by " + std::to_string(padding) : ""));
}

Pool2dGeometry pool2d_geometry(const Shape& s, int64_t kernel, int64_t stride, int64_t padding, const char* who) {
    TT_CHECK(s.size() == 4, who << ": input must be [B, C, H, W], got " << s);
    Pool2dGeometry g;
    g.batch = int(s[0]), g.channels = int(s[1]), g.height = int(s[2]), g.width = int(s[3]);
    g.kernel = int(kernel), g.stride = int(stride ? stride : kernel), g.padding = int(padding);
    g.validate(who);
    return g;
}

void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax) {
    g.validate("maxpool2d_forward");
    TT_CHECK(g.input_size() <= std::numeric_limits<int32_t>::max(), "maxpool2d_forward: input too large");
    const int OH = g.out_h(), OW = g.out_w();
    // BEGIN SOLUTION for each window: the largest value and its index into x; skip positions in the padding; replace only on a STRICTLY larger value (ties go to the first)
    for (int64_t plane = 0; plane < int64_t(g.batch) * g.channels; plane++) {
        const int64_t base = plane * g.height * g.width;
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                // the part of the window inside the image (never empty: padding <= kernel / 2)
                const int h0 = std::max(oh * g.stride - g.padding, 0);
                const int h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
                const int w0 = std::max(ow * g.stride - g.padding, 0);
                const int w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                int64_t best = base + int64_t(h0) * g.width + w0;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++) {
                        const int64_t i = base + int64_t(ih) * g.width + iw;
                        if (x[i] > x[best]) best = i;  // strict: ties go to the first, as in PyTorch
                    }
                const int64_t o = (plane * OH + oh) * OW + ow;
                y[o] = x[best];
                if (argmax) argmax[o] = int32_t(best);
            }
    }
    // END SOLUTION
}

void maxpool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* argmax, float* dx) {
    g.validate("maxpool2d_backward");
    // BEGIN SOLUTION zero dx, then dx[argmax[o]] += dy[o] for every output (windows may overlap: +=)
    std::fill(dx, dx + g.input_size(), 0.0f);
    for (int64_t o = 0; o < g.output_size(); o++) dx[argmax[o]] += dy[o];
    // END SOLUTION
}

void avgpool2d_forward(const Pool2dGeometry& g, const float* x, float* y) {
    g.validate("avgpool2d_forward");
    const int OH = g.out_h(), OW = g.out_w();
    // BEGIN SOLUTION sum the window's pixels inside the image; divide by kernel*kernel (padding counts as zeros)
    const float scale = 1.0f / float(g.kernel * g.kernel);
    for (int64_t plane = 0; plane < int64_t(g.batch) * g.channels; plane++) {
        const float* xp = x + plane * g.height * g.width;
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                const int h0 = std::max(oh * g.stride - g.padding, 0);
                const int h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
                const int w0 = std::max(ow * g.stride - g.padding, 0);
                const int w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                float sum = 0.0f;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++) sum += xp[int64_t(ih) * g.width + iw];
                y[(plane * OH + oh) * OW + ow] = sum * scale;
            }
    }
    // END SOLUTION
}

void avgpool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx) {
    g.validate("avgpool2d_backward");
    const int OH = g.out_h(), OW = g.out_w();
    // BEGIN SOLUTION zero dx; each output's dy / (kernel*kernel) is ADDED to every pixel of its window inside the image
    std::fill(dx, dx + g.input_size(), 0.0f);
    const float scale = 1.0f / float(g.kernel * g.kernel);
    for (int64_t plane = 0; plane < int64_t(g.batch) * g.channels; plane++) {
        float* dp = dx + plane * g.height * g.width;
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                const float d = dy[(plane * OH + oh) * OW + ow] * scale;
                const int h0 = std::max(oh * g.stride - g.padding, 0);
                const int h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
                const int w0 = std::max(ow * g.stride - g.padding, 0);
                const int w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++) dp[int64_t(ih) * g.width + iw] += d;
            }
    }
    // END SOLUTION
}

}  // namespace tt
