// Module 15 — Kernels: Linear + bias + activation in sgemm's epilogue, softmax-cross-entropy forward and backward
// in one pass per row, LayerNorm with one-pass (Welford) statistics. Each is checked against its `_ref` twin, the
// same computation as a chain of the engine's unfused kernels (fused.h).
#include "fused.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "activations.h"
#include "elementwise.h"
#include "error.h"
#include "gemm.h"
#include "loss.h"
#include "reduce.h"

namespace tt {

namespace {

constexpr float kSqrt1_2 = 0.70710678118654752f;  // 1 / sqrt(2), as gelu_forward uses it

Shape shape_of(const Tensor& t) { return t.defined() ? t.shape() : Shape{}; }

// The shapes of a Linear: x [M, K], weight [N, K], bias [N] or undefined. Both twins check the same way.
void check_linear(const char* who, const Tensor& x, const Tensor& weight, const Tensor& bias) {
    TT_CHECK(x.defined() && x.dim() == 2, who << ": x must be [M, K], got " << shape_of(x));
    TT_CHECK(weight.defined() && weight.dim() == 2 && weight.shape(1) == x.shape(1),
             who << ": weight must be [N, K] with K = " << x.shape(1) << " (x is " << x.shape() << "), got "
                 << shape_of(weight));
    TT_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape(0) == weight.shape(0)),
             who << ": bias must be [N] = [" << weight.shape(0) << "], got " << bias.shape());
}

// What the epilogue adds and applies: read by the callback sgemm calls for every finished tile of y.
struct LinearEpilogue {
    const float* bias;  // [N] or nullptr
    Activation act;
};

void linear_epilogue(const void* context, float* c, int ldc, int i0, int j0, int rows, int cols) {
    (void)i0;
    const LinearEpilogue& e = *static_cast<const LinearEpilogue*>(context);
    // BEGIN SOLUTION for each of the tile's rows x cols values v = c[r * ldc + j]: v += bias[j0 + j] (when there is a bias), then ReLU (v > 0 ? v : 0) or GELU (0.5 v (1 + erf(v / sqrt 2))), written back in place
    const float* bias = e.bias ? e.bias + j0 : nullptr;
    for (int r = 0; r < rows; ++r) {
        float* row = c + static_cast<size_t>(r) * ldc;
        for (int j = 0; j < cols; ++j) {
            float v = bias ? row[j] + bias[j] : row[j];
            if (e.act == Activation::ReLU) v = v > 0.0f ? v : 0.0f;
            else if (e.act == Activation::GELU) v = 0.5f * v * (1.0f + std::erf(v * kSqrt1_2));
            row[j] = v;
        }
    }
    // END SOLUTION
}

// The class index of every row, checked once (an index outside [0, C) would read another row's logits).
std::vector<int64_t> class_indices(const char* who, const Tensor& logits, const Tensor& target) {
    TT_CHECK(logits.defined() && logits.dim() == 2, who << ": logits must be [N, C], got " << shape_of(logits));
    TT_CHECK(target.defined() && target.dim() == 1 && target.shape(0) == logits.shape(0),
             who << ": target must be [N] = [" << logits.shape(0) << "] class indices, got " << shape_of(target));
    const Tensor t = target.contiguous();
    std::vector<int64_t> y(static_cast<size_t>(t.numel()));
    for (int64_t n = 0; n < t.numel(); ++n) y[n] = class_index(t.data(), n, logits.shape(1), who);
    return y;
}

void check_layer_norm(const char* who, const Tensor& x, const Tensor& weight, const Tensor& bias) {
    TT_CHECK(x.defined() && x.dim() >= 1, who << ": x must be [..., C], got " << shape_of(x));
    const int64_t C = x.shape(-1);
    TT_CHECK(!weight.defined() || (weight.dim() == 1 && weight.shape(0) == C),
             who << ": weight must be [C] = [" << C << "], got " << weight.shape());
    TT_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape(0) == C),
             who << ": bias must be [C] = [" << C << "], got " << bias.shape());
}

}  // namespace

// ---- Linear + bias + activation -------------------------------------------------------------------------------

Tensor fused_linear_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act) {
    check_linear("fused_linear_forward", x, weight, bias);
    const Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias.defined() ? bias.contiguous() : Tensor();
    const int M = static_cast<int>(x.shape(0)), K = static_cast<int>(x.shape(1)), N = static_cast<int>(weight.shape(0));
    Tensor y({M, N});
    const LinearEpilogue context{bc.defined() ? bc.data() : nullptr, act};
    GemmEpilogue epilogue;
    epilogue.apply = linear_epilogue;
    epilogue.context = &context;
    sgemm(false, true, M, N, K, 1.0f, xc.data(), std::max(K, 1), wc.data(), std::max(K, 1), 0.0f, y.data(),
          std::max(N, 1), epilogue);
    return y;
}

Tensor fused_linear_forward_ref(const Tensor& x, const Tensor& weight, const Tensor& bias, Activation act) {
    check_linear("fused_linear_forward_ref", x, weight, bias);
    const Tensor xc = x.contiguous(), wc = weight.contiguous();
    const int M = static_cast<int>(x.shape(0)), K = static_cast<int>(x.shape(1)), N = static_cast<int>(weight.shape(0));
    Tensor y({M, N});
    sgemm(false, true, M, N, K, 1.0f, xc.data(), std::max(K, 1), wc.data(), std::max(K, 1), 0.0f, y.data(),
          std::max(N, 1));
    if (bias.defined()) y = add(y, bias);              // pass 2: read y, write y + bias
    if (act == Activation::ReLU) y = relu_forward(y);  // pass 3
    else if (act == Activation::GELU) y = gelu_forward(y);
    return y;
}

// ---- softmax + cross entropy, forward and backward ----------------------------------------------------------------

LossAndGrad fused_softmax_cross_entropy(const Tensor& logits, const Tensor& target) {
    const std::vector<int64_t> y = class_indices("fused_softmax_cross_entropy", logits, target);
    const Tensor x = logits.contiguous();
    const int64_t N = logits.shape(0), C = logits.shape(1);
    Tensor dlogits({N, C});
    const float inv_n = 1.0f / static_cast<float>(N);  // inf for N = 0, never used then
    double total = 0.0;
    // BEGIN SOLUTION per row n: m = max of the row, lse = m + log(sum_c exp(x - m)); total += lse - x[y_n]; dlogits = exp(x - lse) / N, minus 1 / N at the target class
    for (int64_t n = 0; n < N; ++n) {
        const float* row = x.data() + n * C;
        float* d = dlogits.data() + n * C;
        float m = row[0];
        for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
        float s = 0.0f;
        for (int64_t c = 0; c < C; ++c) s += std::exp(row[c] - m);
        const float lse = m + std::log(s);
        total += static_cast<double>(lse) - row[y[n]];
        for (int64_t c = 0; c < C; ++c) d[c] = std::exp(row[c] - lse) * inv_n;
        d[y[n]] -= inv_n;
    }
    // END SOLUTION
    return {scalar(static_cast<float>(total / static_cast<double>(N))), dlogits};
}

LossAndGrad fused_softmax_cross_entropy_ref(const Tensor& logits, const Tensor& target) {
    const std::vector<int64_t> y = class_indices("fused_softmax_cross_entropy_ref", logits, target);
    const int64_t N = logits.shape(0), C = logits.shape(1);
    const Tensor logp = log_softmax_forward(logits, -1);  // pass 1: read x, write logp
    double total = 0.0;
    for (int64_t n = 0; n < N; ++n) total -= logp.data()[n * C + y[n]];  // the gather: N values
    Tensor p = tt::exp(logp);                                            // pass 2: softmax = exp(logp)
    for (int64_t n = 0; n < N; ++n) p.data()[n * C + y[n]] -= 1.0f;      // - onehot: N values
    const Tensor dlogits = p * (1.0f / static_cast<float>(N));           // pass 3: / N
    return {scalar(static_cast<float>(total / static_cast<double>(N))), dlogits};
}

// ---- LayerNorm ------------------------------------------------------------------------------------------------

Tensor fused_layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
    check_layer_norm("fused_layer_norm", x, weight, bias);
    const Tensor xc = x.contiguous();
    const Tensor wc = weight.defined() ? weight.contiguous() : Tensor(),
                 bc = bias.defined() ? bias.contiguous() : Tensor();
    Tensor y(x.shape());
    const int64_t C = x.shape(-1), rows = C == 0 ? 0 : x.numel() / C;
    const float* w = wc.defined() ? wc.data() : nullptr;
    const float* b = bc.defined() ? bc.data() : nullptr;
    for (int64_t r = 0; r < rows; ++r) {
        const float* in = xc.data() + r * C;
        float* out = y.data() + r * C;
        // BEGIN SOLUTION Welford over the row: for the n-th value (n from 1) delta = v - mean, mean += delta / n, m2 += delta * (v - new mean); var = m2 / C (biased); rstd = 1 / sqrt(var + eps); out = (v - mean) * rstd * w + b (w, b when given)
        float mean = 0.0f, m2 = 0.0f;
        for (int64_t c = 0; c < C; ++c) {
            const float delta = in[c] - mean;
            mean += delta / static_cast<float>(c + 1);
            m2 += delta * (in[c] - mean);
        }
        const float rstd = 1.0f / std::sqrt(m2 / static_cast<float>(C) + eps);
        for (int64_t c = 0; c < C; ++c) {
            float v = (in[c] - mean) * rstd;
            if (w) v *= w[c];
            if (b) v += b[c];
            out[c] = v;
        }
        // END SOLUTION
    }
    return y;
}

Tensor fused_layer_norm_ref(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
    check_layer_norm("fused_layer_norm_ref", x, weight, bias);
    if (x.shape(-1) == 0) return Tensor(x.shape());
    const Tensor mu = mean(x, -1, /*keepdim=*/true);
    const Tensor d = x - mu;
    const Tensor var = mean(d * d, -1, /*keepdim=*/true);
    Tensor y = d / tt::sqrt(var + eps);
    if (weight.defined()) y = y * weight;
    if (bias.defined()) y = y + bias;
    return y;
}

}  // namespace tt
