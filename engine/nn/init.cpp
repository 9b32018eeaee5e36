#include "init.h"

#include <cmath>

#include "error.h"

namespace tt::nn::init {

Fans compute_fans(const Shape& shape) {
    TT_CHECK(shape.size() >= 2, "compute_fans: needs a weight with at least 2 dimensions, got shape " << shape);
    // BEGIN SOLUTION receptive field = product of the sizes after the first two; fan_in = shape[1] * receptive, fan_out = shape[0] * receptive
    int64_t receptive = 1;
    for (size_t d = 2; d < shape.size(); ++d) receptive *= shape[d];
    return {shape[1] * receptive, shape[0] * receptive};
    // END SOLUTION
}

float calculate_gain(const std::string& nonlinearity, float slope) {
    if (nonlinearity == "linear" || nonlinearity == "sigmoid") return 1.0f;
    if (nonlinearity == "tanh") return 5.0f / 3.0f;
    if (nonlinearity == "relu") return std::sqrt(2.0f);
    if (nonlinearity == "leaky_relu") return std::sqrt(2.0f / (1.0f + slope * slope));
    TT_CHECK(false,
             "calculate_gain: unknown nonlinearity '" << nonlinearity << "' (linear, sigmoid, tanh, relu, leaky_relu)");
    return 1.0f;
}

namespace {
int64_t fan_for(const Shape& shape, FanMode mode) {
    Fans f = compute_fans(shape);
    int64_t fan = mode == FanMode::FanIn ? f.fan_in : f.fan_out;
    TT_CHECK(fan > 0, "init: fan is 0 for a weight of shape " << shape);
    return fan;
}
}  // namespace

Tensor& xavier_uniform_(Tensor& w, Generator& gen, float gain) {
    Fans f = compute_fans(w.shape());
    // BEGIN SOLUTION bound = gain * sqrt(6 / (fan_in + fan_out)); fill with uniform_(w, -bound, bound, gen)
    float bound = gain * std::sqrt(6.0f / static_cast<float>(f.fan_in + f.fan_out));
    return uniform_(w, -bound, bound, gen);
    // END SOLUTION
}

Tensor& xavier_normal_(Tensor& w, Generator& gen, float gain) {
    Fans f = compute_fans(w.shape());
    // BEGIN SOLUTION std = gain * sqrt(2 / (fan_in + fan_out)); fill with normal_(w, 0, std, gen)
    float std = gain * std::sqrt(2.0f / static_cast<float>(f.fan_in + f.fan_out));
    return normal_(w, 0.0f, std, gen);
    // END SOLUTION
}

Tensor& kaiming_uniform_(Tensor& w, Generator& gen, float a, FanMode mode) {
    int64_t fan = fan_for(w.shape(), mode);
    float gain = calculate_gain("leaky_relu", a);
    // BEGIN SOLUTION bound = gain * sqrt(3 / fan)
    float bound = gain * std::sqrt(3.0f / static_cast<float>(fan));
    return uniform_(w, -bound, bound, gen);
    // END SOLUTION
}

Tensor& kaiming_normal_(Tensor& w, Generator& gen, float a, FanMode mode) {
    int64_t fan = fan_for(w.shape(), mode);
    float gain = calculate_gain("leaky_relu", a);
    // BEGIN SOLUTION std = gain / sqrt(fan)
    float std = gain / std::sqrt(static_cast<float>(fan));
    return normal_(w, 0.0f, std, gen);
    // END SOLUTION
}

}  // namespace tt::nn::init
