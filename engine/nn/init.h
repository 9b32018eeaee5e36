// Module 05 — initialisations: how to draw a layer's starting weights so that signals neither vanish nor explode.
//
// For y = W x with W of shape [fan_out, fan_in] and independent inputs of variance v, each output has variance
// fan_in * Var(W) * v. Keeping that equal to v gives Var(W) = 1 / fan_in (He/Kaiming, times 2 for ReLU, which zeroes
// half of its inputs); keeping both the forward signal and the backward gradient steady gives the compromise
// Var(W) = 2 / (fan_in + fan_out) (Xavier/Glorot). A uniform U(-b, b) has variance b^2 / 3, so b = sqrt(3 Var).
// The same formulas as torch.nn.init, drawn from the engine's seeded Generator.
#pragma once

#include <string>

#include "random.h"
#include "tensor.h"

namespace tt::nn::init {

// fan_in, fan_out of a weight [out, in, k...]: in * receptive field and out * receptive field (receptive field = the
// product of the trailing kernel sizes, 1 for Linear). Needs at least 2 dimensions.
struct Fans {
    int64_t fan_in;
    int64_t fan_out;
};
Fans compute_fans(const Shape& shape);

enum class FanMode { FanIn, FanOut };

// The gain that keeps variance steady through a nonlinearity: "linear"/"sigmoid" 1, "tanh" 5/3, "relu" sqrt(2),
// "leaky_relu" sqrt(2 / (1 + slope^2)).
float calculate_gain(const std::string& nonlinearity, float slope = 0.01f);

Tensor& xavier_uniform_(Tensor& w, Generator& gen, float gain = 1.0f);  // U(-b, b), b = gain sqrt(6 / (in + out))
Tensor& xavier_normal_(Tensor& w, Generator& gen, float gain = 1.0f);   // N(0, std), std = gain sqrt(2 / (in + out))
// a: the negative slope of the leaky ReLU that follows (0 = ReLU); gain = sqrt(2 / (1 + a^2)), fan by mode.
// kaiming_uniform_: U(-b, b), b = gain sqrt(3 / fan); kaiming_normal_: N(0, std), std = gain / sqrt(fan).
Tensor& kaiming_uniform_(Tensor& w, Generator& gen, float a = 0.0f, FanMode mode = FanMode::FanIn);
Tensor& kaiming_normal_(Tensor& w, Generator& gen, float a = 0.0f, FanMode mode = FanMode::FanIn);

}  // namespace tt::nn::init
