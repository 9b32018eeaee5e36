// Module 10 — spatial kernels: 2-D convolution and max pooling, forward and backward (reference engine for now;
// module 10 turns the marked bodies into exercises).
//
// Layouts are PyTorch's, row-major:  x (B, C, H, W)   weight (OC, C, KH, KW)   bias (OC)   y (B, OC, OH, OW)
//   OH = (H + 2*padding - KH) / stride + 1, and the same for OW.
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
    int stride = 1, padding = 0;

    int out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
    int out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
    int64_t input_size() const { return int64_t(batch) * in_channels * height * width; }
    int64_t weight_size() const { return int64_t(out_channels) * in_channels * kernel_h * kernel_w; }
    int64_t output_size() const { return int64_t(batch) * out_channels * out_h() * out_w(); }
    void validate(const char* who) const;  // sizes positive, kernel fits the padded input
};

// y = conv2d(x, weight) + bias (bias may be null).
void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y);
void conv2d_forward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* bias, float* y);

// Given dy = dL/dy: dx = dL/dx (overwritten; may be null when x needs no gradient, e.g. the first layer),
// dweight and dbias (ACCUMULATED: += , so gradients of several batches can add up; dbias may be null).
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                     float* dweight, float* dbias);
void conv2d_backward_ref(const Conv2dGeometry& g, const float* x, const float* weight, const float* dy, float* dx,
                         float* dweight, float* dbias);

// im2col for one image (C, H, W) -> cols (C*KH*KW, OH*OW); col2im adds cols back onto an image (+=).
void im2col(const Conv2dGeometry& g, const float* image, float* cols);
void col2im(const Conv2dGeometry& g, const float* cols, float* image);

struct Pool2dGeometry {
    int batch = 1, channels = 1, height = 1, width = 1;  // B, C, H, W
    int kernel = 2, stride = 2;                          // square window, no padding (PyTorch's default stride)

    int out_h() const { return (height - kernel) / stride + 1; }
    int out_w() const { return (width - kernel) / stride + 1; }
    int64_t input_size() const { return int64_t(batch) * channels * height * width; }
    int64_t output_size() const { return int64_t(batch) * channels * out_h() * out_w(); }
    void validate(const char* who) const;
};

// y (B, C, OH, OW) = max over each window. argmax (same size as y, may be null) records which input element
// won, as an index into x: backward sends each gradient there and nowhere else.
void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax);
// dx (overwritten) from dy and the argmax of the forward pass.
void maxpool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* argmax, float* dx);

}  // namespace tt
