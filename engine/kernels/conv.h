// Module 10 — 2-D convolution, forward and backward (pooling: pool.h, batch norm: batchnorm.h).
//
// Layouts are PyTorch's, row-major:  x (B, C, H, W)   weight (OC, C, KH, KW)   bias (OC)   y (B, OC, OH, OW)
//   OH = (H + 2*padding - dilation*(KH-1) - 1) / stride + 1, and the same for OW (groups = 1).
// Dilation spreads the kernel's taps `dilation` pixels apart: a 3x3 kernel with dilation 2 sees a 5x5 field.
// Convolution as a matrix multiply (im2col): for one image, unroll every receptive field into a column of
//   cols (C*KH*KW, OH*OW); then y = weight (OC, C*KH*KW) @ cols + bias — one sgemm does all the arithmetic.
// Backward runs the same idea in reverse: dweight += dy @ cols^T, dcols = weight^T @ dy, and col2im scatters dcols
// back onto dx (overlapping fields add up). Each kernel has a direct-loop `_ref` twin used as its oracle.
#pragma once

#include <cstdint>
#include <vector>

namespace tt {

struct Conv2dGeometry {
    int batch = 1, in_channels = 1, height = 1, width = 1;  // B, C, H, W
    int out_channels = 1, kernel_h = 1, kernel_w = 1;       // OC, KH, KW
    int stride = 1, padding = 0, dilation = 1;              // the same along H and W

    int span_h() const { return dilation * (kernel_h - 1) + 1; }  // rows of input one output pixel sees
    int span_w() const { return dilation * (kernel_w - 1) + 1; }
    int out_h() const { return (height + 2 * padding - span_h()) / stride + 1; }
    int out_w() const { return (width + 2 * padding - span_w()) / stride + 1; }
    int64_t input_size() const { return int64_t(batch) * in_channels * height * width; }
    int64_t weight_size() const { return int64_t(out_channels) * in_channels * kernel_h * kernel_w; }
    int64_t output_size() const { return int64_t(batch) * out_channels * out_h() * out_w(); }
    void validate(const char* who) const;  // sizes positive, kernel fits the padded input
};

// y = conv2d(x, weight) + bias (bias may be null); relu: y = max(y, 0) as well, a Conv2d and a ReLU in one pass
// (conv_gemm adds the bias and takes the max in registers, before y is stored). The engine's entry: a tiny receptive
// field takes conv2d_direct (conv_direct.h, the same bits), everything else conv2d_forward_im2col.
void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                    bool relu = false);
// The general route, image by image: im2col, then one conv_gemm.
void conv2d_forward_im2col(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                           bool relu = false);
void conv2d_forward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y,
                        bool relu = false);

// The forward's GEMM for one image: y (OC, P) = weight (OC, K) @ cols (K, P) + bias (may be null), then
// max(y, 0) if relu. The same bits as sgemm followed by the bias and ReLU passes (conv.cpp says why it exists).
void conv_gemm(int OC, int P, int K, const float* weight, const float* cols, const float* bias, bool relu, float* y);
// sgemm_ref, then + bias, then ReLU: the unfused chain.
void conv_gemm_ref(int OC, int P, int K, const float* weight, const float* cols, const float* bias, bool relu,
                   float* y);

// Given dy = dL/dy: dx = dL/dx (overwritten; may be null when x needs no gradient, e.g. the first layer),
// dweight and dbias (ACCUMULATED: += , so gradients of several batches can add up; dbias may be null).
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                     float* dweight, float* dbias);
void conv2d_backward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                         float* dweight, float* dbias);

// im2col for one image (C, H, W) -> cols (C*KH*KW, OH*OW); col2im adds cols back onto an image (+=).
void im2col(const Conv2dGeometry& g, const float* image, float* cols);
void col2im(const Conv2dGeometry& g, const float* cols, float* image);

}  // namespace tt
