// Module 10 — Conv2d and MaxPool2d as Modules (the forward/backward protocol of module 04) over the kernels of
// conv.h. Shapes as in PyTorch: x [B, C, H, W]; Conv2d weight [OC, C, KH, KW], bias [OC]; initialised like
// torch.nn.Conv2d (uniform in +-1/sqrt(C*K*K)).
#pragma once

#include <cstdint>
#include <vector>

#include "conv.h"
#include "module.h"
#include "random.h"

namespace tt::nn {

class Conv2d : public Module {
public:
    Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0,
           bool bias = true, Generator& gen = default_generator());

    Tensor forward(const Tensor& x) override;          // keeps x for backward
    Tensor backward(const Tensor& grad_out) override;  // weight.grad, bias.grad += ...; returns dL/dx
    std::string type_name() const override { return "Conv2d"; }

    const int64_t in_channels, out_channels, kernel_size, stride, padding;
    Parameter& weight;
    Parameter* bias;  // nullptr without bias

private:
    Conv2dGeometry geometry(const Shape& x_shape, const char* who) const;
    Tensor x_;
};

class MaxPool2d : public Module {
public:
    explicit MaxPool2d(int64_t kernel_size, int64_t stride = 0);  // stride 0: = kernel_size, as in PyTorch

    Tensor forward(const Tensor& x) override;  // keeps the argmax of every window
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "MaxPool2d"; }

    const int64_t kernel_size, stride;

private:
    Pool2dGeometry geometry_;
    std::vector<int32_t> argmax_;
};

}  // namespace tt::nn
