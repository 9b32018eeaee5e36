// Module 10 — batch normalization kernels (see batchnorm.h for the math and torch's conventions).
#include "batchnorm.h"

#include <cmath>

#include "error.h"

namespace tt {

void BatchNorm2dShape::validate(const char* who) const {
    TT_CHECK(batch > 0 && channels > 0 && height > 0 && width > 0,
             who << ": sizes must be positive, got x (" << batch << ", " << channels << ", " << height << ", " << width
                 << ")");
}

void batch_norm2d_statistics(const BatchNorm2dShape& s, const float* x, float* mean, float* var) {
    s.validate("batch_norm2d_statistics");
    const int64_t hw = int64_t(s.height) * s.width;
    // BEGIN SOLUTION per channel c: mean over the B*H*W values of x[:, c], then the mean of the squared deviations (divide by N, not N - 1); sum in double
    for (int c = 0; c < s.channels; c++) {
        double sum = 0.0;
        for (int b = 0; b < s.batch; b++) {
            const float* p = x + (int64_t(b) * s.channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) sum += p[i];
        }
        const double m = sum / double(s.per_channel());
        double squares = 0.0;  // two passes: E[(x - m)^2] loses nothing to cancellation, unlike E[x^2] - m^2
        for (int b = 0; b < s.batch; b++) {
            const float* p = x + (int64_t(b) * s.channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) squares += (p[i] - m) * (p[i] - m);
        }
        mean[c] = float(m);
        var[c] = float(squares / double(s.per_channel()));
    }
    // END SOLUTION
}

void batch_norm2d_forward(const BatchNorm2dShape& s, const float* x, const float* mean, const float* var, float eps,
                          const float* weight, const float* bias, float* y) {
    s.validate("batch_norm2d_forward");
    TT_CHECK(eps > 0.0f, "batch_norm2d_forward: eps must be > 0, got " << eps);
    const int64_t hw = int64_t(s.height) * s.width;
    // BEGIN SOLUTION per channel: scale = weight / sqrt(var + eps), shift = bias - mean * scale; y = x * scale + shift (weight 1, bias 0 when null)
    for (int c = 0; c < s.channels; c++) {
        const float scale = (weight ? weight[c] : 1.0f) / std::sqrt(var[c] + eps);
        const float shift = (bias ? bias[c] : 0.0f) - mean[c] * scale;
        for (int b = 0; b < s.batch; b++) {
            const int64_t at = (int64_t(b) * s.channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) y[at + i] = x[at + i] * scale + shift;
        }
    }
    // END SOLUTION
}

void batch_norm2d_update_running(int channels, int64_t n, const float* mean, const float* var, float momentum,
                                 float* running_mean, float* running_var) {
    TT_CHECK(n > 1,
             "batch_norm2d_update_running: expected more than 1 value per channel when training, got "
                 << n << " (the unbiased variance divides by N - 1)");
    // BEGIN SOLUTION running = (1 - momentum) * running + momentum * batch, with the variance made unbiased (* N / (N - 1))
    for (int c = 0; c < channels; c++) {
        running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
        const float unbiased = float(double(var[c]) * double(n) / double(n - 1));
        running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
    }
    // END SOLUTION
}

void batch_norm2d_backward(const BatchNorm2dShape& s, const float* x, const float* mean, const float* var, float eps,
                           const float* weight, bool batch_stats, const float* dy, float* dx, float* dweight,
                           float* dbias) {
    s.validate("batch_norm2d_backward");
    const int64_t hw = int64_t(s.height) * s.width;
    const double n = double(s.per_channel());
    // BEGIN SOLUTION per channel: sum(dy) and sum(dy * x_hat) with x_hat = (x - mean) * invstd; dbias += the first, dweight += the second; then dx (batchnorm.h)
    for (int c = 0; c < s.channels; c++) {
        const float invstd = 1.0f / std::sqrt(var[c] + eps);
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int b = 0; b < s.batch; b++) {
            const int64_t at = (int64_t(b) * s.channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) {
                sum_dy += dy[at + i];
                sum_dy_xhat += double(dy[at + i]) * (x[at + i] - mean[c]) * invstd;
            }
        }
        if (dbias) dbias[c] += float(sum_dy);
        if (dweight) dweight[c] += float(sum_dy_xhat);
        if (!dx) continue;
        const float k = (weight ? weight[c] : 1.0f) * invstd;
        const float mean_dy = batch_stats ? float(sum_dy / n) : 0.0f;
        const float mean_dy_xhat = batch_stats ? float(sum_dy_xhat / n) : 0.0f;
        for (int b = 0; b < s.batch; b++) {
            const int64_t at = (int64_t(b) * s.channels + c) * hw;
            for (int64_t i = 0; i < hw; i++) {
                const float xhat = (x[at + i] - mean[c]) * invstd;
                dx[at + i] = k * (dy[at + i] - mean_dy - xhat * mean_dy_xhat);
            }
        }
    }
    // END SOLUTION
}

}  // namespace tt
