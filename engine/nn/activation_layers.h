// Module 05 — layers without parameters: the activations of module 03 as Modules, and Flatten.
// Each keeps what its backward kernel needs from the last forward (x or y).
#pragma once

#include "module.h"

namespace tt::nn {

class ReLU : public Module {
public:
    Tensor forward(const Tensor& x) override;
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "ReLU"; }

private:
    Tensor x_;
};

class Sigmoid : public Module {
public:
    Tensor forward(const Tensor& x) override;
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "Sigmoid"; }

private:
    Tensor y_;
};

class Tanh : public Module {
public:
    Tensor forward(const Tensor& x) override;
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "Tanh"; }

private:
    Tensor y_;
};

class GELU : public Module {
public:
    Tensor forward(const Tensor& x) override;
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "GELU"; }

private:
    Tensor x_;
};

// [B, d1, d2, ...] -> [B, d1 * d2 * ...], like torch.nn.Flatten() (start axis 1).
class Flatten : public Module {
public:
    Tensor forward(const Tensor& x) override;
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "Flatten"; }

private:
    Shape x_shape_;
};

}  // namespace tt::nn
