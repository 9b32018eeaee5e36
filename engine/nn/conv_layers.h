// Module 10 — Conv2d as a Module (the forward/backward protocol of module 04) over the kernels of conv.h.
// Shapes as in PyTorch: x [B, C, H, W]; weight [OC, C, K, K], bias [OC]; initialised like torch.nn.Conv2d
// (uniform in +-1/sqrt(C*K*K)). Pooling layers: pool_layers.h.
#pragma once

#include <cstdint>

#include "conv.h"
#include "module.h"
#include "random.h"

namespace tt::nn {

class Conv2d : public Module {
public:
    // dilation comes last (torch has it after padding) so that earlier callers' (…, bias, gen) keep their meaning.
    Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1, int64_t padding = 0,
           bool bias = true, Generator& gen = default_generator(), int64_t dilation = 1);

    Tensor forward(const Tensor& x) override;          // keeps x for backward
    Tensor backward(const Tensor& grad_out) override;  // weight.grad, bias.grad += ...; returns dL/dx
    std::string type_name() const override { return "Conv2d"; }

    const int64_t in_channels, out_channels, kernel_size, stride, padding, dilation;
    Parameter& weight;
    Parameter* bias;  // nullptr without bias

private:
    Conv2dGeometry geometry(const Shape& x_shape, const char* who) const;
    Tensor x_;
};

}  // namespace tt::nn
