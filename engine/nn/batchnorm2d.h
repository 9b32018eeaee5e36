// Module 10 — BatchNorm2d as a Module over the kernels of batchnorm.h, with torch.nn.BatchNorm2d's arguments and
// state_dict keys: parameters "weight" (ones) and "bias" (zeros) when affine; buffers "running_mean" (zeros),
// "running_var" (ones) and "num_batches_tracked" (a scalar; float here, int64 in torch: load_state_dict converts).
// Training (the default, Module::train) normalizes with the batch's statistics and updates the running ones;
// eval() uses the running statistics and changes nothing.
#pragma once

#include <cstdint>

#include "batchnorm.h"
#include "module.h"

namespace tt::nn {

class BatchNorm2d : public Module {
public:
    explicit BatchNorm2d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);

    Tensor forward(const Tensor& x) override;  // keeps x and the statistics it used
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "BatchNorm2d"; }

    const int64_t num_features;
    const float eps, momentum;
    Parameter* weight;  // nullptr without affine
    Parameter* bias;
    Tensor& running_mean;
    Tensor& running_var;
    Tensor& num_batches_tracked;

private:
    BatchNorm2dShape shape_;
    Tensor x_, mean_, var_;
    bool batch_stats_ = false;
};

}  // namespace tt::nn
