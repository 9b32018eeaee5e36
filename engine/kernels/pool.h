// Module 10 — 2-D pooling: max and average over square windows, forward and backward.
//
// Layouts are PyTorch's: x (B, C, H, W) -> y (B, C, OH, OW), OH = (H + 2*padding - kernel) / stride + 1 (rounded
// down, torch's ceil_mode=False), the same for OW. Padding must be at most half the kernel, as in torch, so every
// window overlaps the image. Max pooling pads with -infinity (padding never wins); average pooling pads with zeros
// and divides by kernel*kernel however much of the window is padding (torch's count_include_pad=True).
#pragma once

#include <cstdint>

#include "tensor.h"

namespace tt {

struct Pool2dGeometry {
    int batch = 1, channels = 1, height = 1, width = 1;  // B, C, H, W
    int kernel = 2, stride = 2, padding = 0;             // square window; torch's default stride is the kernel

    int out_h() const { return (height + 2 * padding - kernel) / stride + 1; }
    int out_w() const { return (width + 2 * padding - kernel) / stride + 1; }
    int64_t input_size() const { return int64_t(batch) * channels * height * width; }
    int64_t output_size() const { return int64_t(batch) * channels * out_h() * out_w(); }
    void validate(const char* who) const;  // sizes positive, padding <= kernel / 2, window fits the padded input
};

// The validated geometry of pooling an input of shape [B, C, H, W]; stride 0 means stride = kernel (torch's
// default). Errors name `who` and the shape.
Pool2dGeometry pool2d_geometry(const Shape& x_shape, int64_t kernel, int64_t stride, int64_t padding, const char* who);

// y = max over each window. argmax (same size as y, may be null) records which input element won, as an index
// into x; ties go to the first in row-major order within the window, as in torch. Backward sends each gradient
// there and nowhere else.
void maxpool2d_forward(const Pool2dGeometry& g, const float* x, float* y, int32_t* argmax);
// dx (overwritten) from dy and the argmax of the forward pass.
void maxpool2d_backward(const Pool2dGeometry& g, const float* dy, const int32_t* argmax, float* dx);

// y = sum over each window / (kernel * kernel).
void avgpool2d_forward(const Pool2dGeometry& g, const float* x, float* y);
// dx (overwritten): every pixel of a window receives dy / (kernel * kernel), summed over the windows it is in.
void avgpool2d_backward(const Pool2dGeometry& g, const float* dy, float* dx);

}  // namespace tt
