// The benchmark's MLP, 784-128-10 (Linear-ReLU-Linear), written directly on tt::sgemm so bench/ measures the
// kernel the engine's Linear uses. Weights in PyTorch layout W[out, in]: y = x @ W^T + b.
#pragma once

#include <algorithm>

#include "gemm.h"

namespace tt::bench {

// x: B x n_in, w1: n_hidden x n_in, h: B x n_hidden (scratch), w2: n_out x n_hidden, y: B x n_out.
inline void mlp_forward(int batch, int n_in, int n_hidden, int n_out, const float* x, const float* w1, const float* b1,
                        const float* w2, const float* b2, float* h, float* y) {
    // Start C at the bias and let sgemm add onto it (beta = 1): the bias costs no extra pass.
    for (int i = 0; i < batch; ++i) std::copy_n(b1, n_hidden, h + i * n_hidden);
    sgemm(false, true, batch, n_hidden, n_in, 1.0f, x, n_in, w1, n_in, 1.0f, h, n_hidden);
    for (int i = 0; i < batch * n_hidden; ++i) h[i] = std::max(h[i], 0.0f);
    for (int i = 0; i < batch; ++i) std::copy_n(b2, n_out, y + i * n_out);
    sgemm(false, true, batch, n_out, n_hidden, 1.0f, h, n_hidden, w2, n_hidden, 1.0f, y, n_out);
}

}  // namespace tt::bench
