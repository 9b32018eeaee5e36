// Module 05 — Linear: y = x W^T + b, the fully connected layer.
//
// Shapes as in PyTorch: weight [out, in], bias [out]; x [*, in] -> y [*, out] (any number of leading axes, e.g.
// [B, in] or [B, T, in]). Initialised like torch.nn.Linear: weight and bias uniform in +-1/sqrt(in), from the given
// generator.
#pragma once

#include "module.h"
#include "random.h"

namespace tt::nn {

class Linear : public Module {
public:
    Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator& gen = default_generator());

    Tensor forward(const Tensor& x) override;          // keeps x for backward
    Tensor backward(const Tensor& grad_out) override;  // weight.grad += g^T x, bias.grad += sum(g), returns g W
    std::string type_name() const override { return "Linear"; }

    const int64_t in_features;
    const int64_t out_features;
    Parameter& weight;
    Parameter* bias;  // nullptr without bias

private:
    Tensor x_;  // the input of the last forward, as [B, in] (leading axes merged into B rows)
    Shape x_shape_;
};

}  // namespace tt::nn
