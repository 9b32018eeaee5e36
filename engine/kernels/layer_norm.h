// Module 14 — LayerNorm's kernels: each row of C features normalised to mean 0 and variance 1, then scaled and
// shifted per feature (torch.nn.functional.layer_norm over the last axis):
//     mean = sum_c x_c / C,   var = sum_c (x_c - mean)^2 / C   (biased, as PyTorch),   rstd = 1 / sqrt(var + eps)
//     xhat_c = (x_c - mean) * rstd,   y_c = weight_c * xhat_c + bias_c
// The variance is taken in two passes, mean first, then the squared deviations from it: the one-pass
// E[x^2] - E[x]^2 subtracts two large, nearly equal numbers, and for a row near 1000 with spread 0.01 float32 keeps
// none of the difference (the lesson measures it). Backward, with dxhat = g * weight:
//     dx_c = rstd * (dxhat_c - mean(dxhat) - xhat_c * mean(dxhat * xhat)),  dweight = sum_rows g xhat,  dbias = sum g
#pragma once

#include <cstdint>

namespace tt {

// x, y: rows x C, contiguous. weight, bias: C values or nullptr (no affine part). mean, rstd: one per row, kept for
// backward.
void layer_norm_forward(const float* x, const float* weight, const float* bias, int64_t rows, int64_t C, float eps,
                        float* y, float* mean, float* rstd);
// dx: rows x C (written); dweight, dbias: C values, ACCUMULATED into (+=), or nullptr.
void layer_norm_backward(const float* grad_out, const float* x, const float* weight, const float* mean,
                         const float* rstd, int64_t rows, int64_t C, float* dx, float* dweight, float* dbias);

// The one-pass variance E[x^2] - E[x]^2 of n floats, kept only to show (lesson 14, a check) what it loses.
float naive_variance(const float* x, int64_t n);

}  // namespace tt
