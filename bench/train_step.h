// The benchmark's training step (bench/train-step.mjs): forward, cross-entropy, backward and one SGD step of a
// classifier from a model card's one-line architecture (models/classifier.h), through the engine's public training
// API — optim::train_step over Module::operator(), nn::CrossEntropyLoss and optim::SGD — which is what a user of
// the engine writes. Native (train_step_native.cpp) and wasm (bench_module.cpp) run this same code.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "classifier.h"
#include "error.h"
#include "losses.h"
#include "sgd.h"
#include "train_loop.h"

namespace tt::bench {

class TrainStep {
public:
    // input_shape "CxHxW"; the batch starts as seeded noise and class indices (7i + 3) mod classes.
    TrainStep(const std::string& architecture, const std::string& input_shape, int batch, double lr) {
        int c = 0, h = 0, w = 0;
        TT_CHECK(std::sscanf(input_shape.c_str(), "%dx%dx%d", &c, &h, &w) == 3 && batch > 0,
                 "TrainStep: input shape '" << input_shape << "' is not CxHxW, or batch " << batch << " <= 0");
        shape_ = check_architecture(architecture, c, h, w);
        Generator gen(1);
        net_ = build_classifier(architecture, gen);
        params_ = net_->parameters();
        optimizer_ = std::make_unique<optim::SGD>(params_, optim::Options{{"lr", lr}});
        std::vector<float> target(static_cast<size_t>(batch));
        for (int i = 0; i < batch; ++i) target[size_t(i)] = float((7 * i + 3) % shape_.classes);
        batch_.push_back({randn({batch, c, h, w}, gen), Tensor({batch}, std::move(target))});
    }

    double step() { return optim::train_step(*net_, loss_, *optimizer_, batch_); }  // the mean loss before it

    // For cross-checks against another engine: the parameters in PyTorch's order (0.weight [out, in], 0.bias, ...)
    // and the batch, as flat float arrays.
    size_t parameter_tensors() const { return params_.size(); }
    nn::Parameter& parameter(size_t i) { return *params_.at(i); }
    Tensor& input() { return batch_[0].input; }
    Tensor& target() { return batch_[0].target; }
    int64_t parameter_count() { return net_->parameter_count(); }
    nn::Sequential& net() { return *net_; }
    optim::Optimizer& optimizer() { return *optimizer_; }
    const nn::Loss& loss() const { return loss_; }

private:
    ClassifierShape shape_{};
    std::shared_ptr<nn::Sequential> net_;
    std::vector<nn::Parameter*> params_;
    nn::CrossEntropyLoss loss_;
    std::unique_ptr<optim::SGD> optimizer_;
    std::vector<optim::Batch> batch_;
};

}  // namespace tt::bench
