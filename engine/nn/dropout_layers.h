// Module 10 — Dropout as a Module over dropout.h: in training, zero each element with probability p and scale the
// rest by 1 / (1 - p); in evaluation, the identity. The masks come from the Generator given (by reference: it must
// outlive the layer), so a seeded run draws the same masks every time.
#pragma once

#include "module.h"
#include "random.h"

namespace tt::nn {

class Dropout : public Module {
public:
    explicit Dropout(float p = 0.5f, Generator& gen = default_generator());

    Tensor forward(const Tensor& x) override;  // keeps the mask (undefined in evaluation)
    Tensor backward(const Tensor& grad_out) override;
    std::string type_name() const override { return "Dropout"; }

    const float p;

private:
    Generator& gen_;
    Tensor mask_;
    Shape shape_;
    bool ready_ = false;
};

}  // namespace tt::nn
