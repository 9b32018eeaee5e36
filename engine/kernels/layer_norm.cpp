#include "layer_norm.h"

#include <cmath>

#include "error.h"

namespace tt {

void layer_norm_forward(const float* x, const float* weight, const float* bias, int64_t rows, int64_t C, float eps,
                        float* y, float* mean, float* rstd) {
    // BEGIN SOLUTION per row: the mean, then the variance as the mean of squared deviations from it (two passes), rstd = 1 / sqrt(var + eps), y = xhat * weight + bias (weight, bias may be nullptr)
    for (int64_t r = 0; r < rows; ++r, x += C, y += C) {
        float m = 0.0f;
        for (int64_t c = 0; c < C; ++c) m += x[c];
        m /= static_cast<float>(C);
        float var = 0.0f;
        for (int64_t c = 0; c < C; ++c) var += (x[c] - m) * (x[c] - m);
        var /= static_cast<float>(C);
        const float s = 1.0f / std::sqrt(var + eps);
        mean[r] = m;
        rstd[r] = s;
        for (int64_t c = 0; c < C; ++c) {
            const float xhat = (x[c] - m) * s;
            y[c] = (weight ? weight[c] : 1.0f) * xhat + (bias ? bias[c] : 0.0f);
        }
    }
    // END SOLUTION
}

void layer_norm_backward(const float* g, const float* x, const float* weight, const float* mean, const float* rstd,
                         int64_t rows, int64_t C, float* dx, float* dweight, float* dbias) {
    // BEGIN SOLUTION per row: xhat and dxhat = g * weight; the two row means of dxhat and dxhat * xhat; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)); dweight += g * xhat, dbias += g
    for (int64_t r = 0; r < rows; ++r, g += C, x += C, dx += C) {
        const float m = mean[r], s = rstd[r];
        float mean_d = 0.0f, mean_dx = 0.0f;
        for (int64_t c = 0; c < C; ++c) {
            const float xhat = (x[c] - m) * s, d = g[c] * (weight ? weight[c] : 1.0f);
            mean_d += d;
            mean_dx += d * xhat;
            if (dweight) dweight[c] += g[c] * xhat;
            if (dbias) dbias[c] += g[c];
        }
        mean_d /= static_cast<float>(C);
        mean_dx /= static_cast<float>(C);
        for (int64_t c = 0; c < C; ++c) {
            const float xhat = (x[c] - m) * s, d = g[c] * (weight ? weight[c] : 1.0f);
            dx[c] = s * (d - mean_d - xhat * mean_dx);
        }
    }
    // END SOLUTION
}

float naive_variance(const float* x, int64_t n) {
    float sum = 0.0f, sum_sq = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        sum += x[i];
        sum_sq += x[i] * x[i];
    }
    const float m = sum / static_cast<float>(n);
    return sum_sq / static_cast<float>(n) - m * m;
}

}  // namespace tt
