// Module 10 — 2-D batch normalization (Ioffe & Szegedy, 2015), forward and backward, as torch.nn.BatchNorm2d.
//
// x (B, C, H, W): every channel c is normalized with one mean and one variance over its N = B*H*W values,
//     y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c
// In training, mean and var are the batch's own (var BIASED: divided by N) and the running statistics move
// towards them, torch's convention:  running = (1 - momentum) * running + momentum * batch_statistic, where the
// running variance takes the UNBIASED batch variance (divided by N - 1). In evaluation, mean and var are the running
// statistics and nothing is updated.
#pragma once

#include <cstdint>

namespace tt {

struct BatchNorm2dShape {
    int batch = 1, channels = 1, height = 1, width = 1;                      // B, C, H, W
    int64_t per_channel() const { return int64_t(batch) * height * width; }  // N
    int64_t size() const { return int64_t(batch) * channels * height * width; }
    void validate(const char* who) const;
};

// The batch statistics of x per channel: mean (C) and the biased variance (C).
void batch_norm2d_statistics(const BatchNorm2dShape& s, const float* x, float* mean, float* var);

// y = (x - mean) / sqrt(var + eps) * weight + bias per channel; weight and bias may be null (1 and 0: affine=False).
void batch_norm2d_forward(const BatchNorm2dShape& s, const float* x, const float* mean, const float* var, float eps,
                          const float* weight, const float* bias, float* y);

// running_mean, running_var (C) updated in place from the batch mean and BIASED var over N values (N > 1).
void batch_norm2d_update_running(int channels, int64_t n, const float* mean, const float* var, float momentum,
                                 float* running_mean, float* running_var);

// Given dy: dx (overwritten), dweight and dbias (ACCUMULATED, may be null). mean and var are the ones the forward
// used. With batch_stats (training), mean and var are functions of x too, so dx has two more terms:
//     dx = weight / sqrt(var + eps) * (dy - mean(dy) - x_hat * mean(dy * x_hat))   (means per channel)
// without them (evaluation) dx = weight / sqrt(var + eps) * dy.
void batch_norm2d_backward(const BatchNorm2dShape& s, const float* x, const float* mean, const float* var, float eps,
                           const float* weight, bool batch_stats, const float* dy, float* dx, float* dweight,
                           float* dbias);

}  // namespace tt
