// Module 14 — LayerNorm: normalises each position's C features (kernels/layer_norm.h), then scales and shifts them
// with a learned weight (ones) and bias (zeros), as torch.nn.LayerNorm(C). A transformer puts one before each
// attention and each MLP (pre-norm), so every block sees inputs of a steady scale however deep the residual
// stream has grown.
#pragma once

#include "module.h"

namespace tt::nn {

class LayerNorm : public Module {
public:
    explicit LayerNorm(int64_t normalized_shape, float eps = 1e-5f, bool elementwise_affine = true);

    Tensor forward(const Tensor& x) override;          // x [..., C] through F::layer_norm
    Tensor backward(const Tensor& grad_out) override;  // an error: autograd differentiates forward
    bool records_own_graph() const override { return true; }
    std::string type_name() const override { return "LayerNorm"; }

    const int64_t normalized_shape;
    const float eps;
    Parameter* weight;  // [C] or nullptr without elementwise_affine
    Parameter* bias;
};

}  // namespace tt::nn
