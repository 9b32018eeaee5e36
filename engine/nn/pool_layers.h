// Module 10 — MaxPool2d and AvgPool2d as Modules over the kernels of pool.h, with torch.nn's arguments
// (kernel_size, stride = kernel_size when 0, padding; count_include_pad=True and ceil_mode=False, torch's defaults).
#pragma once

#include <cstdint>
#include <vector>

#include "module.h"
#include "pool.h"

namespace tt::nn {

class MaxPool2d : public Module {
public:
    explicit MaxPool2d(int64_t kernel_size, int64_t stride = 0, int64_t padding = 0);

    Tensor forward(const Tensor& x) override;  // keeps the argmax of every window
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "MaxPool2d"; }

    const int64_t kernel_size, stride, padding;

private:
    Pool2dGeometry geometry_;
    std::vector<int32_t> argmax_;
};

class AvgPool2d : public Module {
public:
    explicit AvgPool2d(int64_t kernel_size, int64_t stride = 0, int64_t padding = 0);

    Tensor forward(const Tensor& x) override;  // keeps only the geometry: the gradient does not depend on x
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "AvgPool2d"; }

    const int64_t kernel_size, stride, padding;

private:
    Pool2dGeometry geometry_;
    bool ready_ = false;
};

}  // namespace tt::nn
