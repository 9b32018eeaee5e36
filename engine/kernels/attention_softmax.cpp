#include "attention_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "elementwise.h"
#include "error.h"

namespace tt {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

}  // namespace

Tensor attention_softmax_forward(const Tensor& scores, float scale, const Tensor& mask, bool is_causal) {
    TT_CHECK(scores.defined() && scores.dim() >= 2,
             "attention_softmax: scores must be [..., Tq, Tk], got " << (scores.defined() ? scores.shape() : Shape{}));
    Tensor z = tt::mul(scores, scalar(scale));  // a fresh contiguous tensor: the kernel works in place on it
    if (mask.defined()) {
        TT_CHECK(broadcast_shapes(scores.shape(), mask.shape(), "attention_softmax") == scores.shape(),
                 "attention_softmax: mask of shape " << mask.shape() << " does not broadcast to the scores "
                                                     << scores.shape() << " ([..., Tq, Tk])");
        z.add_(mask);
    }
    const int64_t Tq = scores.shape(-2), Tk = scores.shape(-1), rows = scores.numel() / std::max<int64_t>(Tk, 1);
    float* p = z.data();
    // BEGIN SOLUTION per row (query i = row % Tq): with is_causal set keys j > i to -inf; take the row max m; a row with m = -inf (every key masked) becomes all 0; else exp(z - m) normalised by its sum
    for (int64_t r = 0; r < rows; ++r, p += Tk) {
        const int64_t i = r % Tq;
        if (is_causal)
            for (int64_t j = i + 1; j < Tk; ++j) p[j] = kNegInf;
        float m = kNegInf;
        for (int64_t j = 0; j < Tk; ++j) m = std::max(m, p[j]);
        if (m == kNegInf) {
            for (int64_t j = 0; j < Tk; ++j) p[j] = 0.0f;
            continue;
        }
        float sum = 0.0f;
        for (int64_t j = 0; j < Tk; ++j) sum += (p[j] = std::exp(p[j] - m));
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < Tk; ++j) p[j] *= inv;
    }
    // END SOLUTION
    return z;
}

Tensor attention_softmax_backward(const Tensor& grad_out, const Tensor& weights, float scale) {
    TT_CHECK(grad_out.defined() && weights.defined() && grad_out.shape() == weights.shape(),
             "attention_softmax_backward: grad_out has shape " << (grad_out.defined() ? grad_out.shape() : Shape{})
                                                               << " but the weights have shape "
                                                               << (weights.defined() ? weights.shape() : Shape{}));
    Tensor g = grad_out.contiguous(), P = weights.contiguous(), d(weights.shape());
    const int64_t Tk = weights.shape(-1), rows = weights.numel() / std::max<int64_t>(Tk, 1);
    const float* gp = g.data();
    const float* pp = P.data();
    float* dp = d.data();
    // BEGIN SOLUTION per row: dz_j = P_j (g_j - sum_k g_k P_k) (softmax's backward), times scale (z = scale * S + mask)
    for (int64_t r = 0; r < rows; ++r, gp += Tk, pp += Tk, dp += Tk) {
        float dot = 0.0f;
        for (int64_t j = 0; j < Tk; ++j) dot += gp[j] * pp[j];
        for (int64_t j = 0; j < Tk; ++j) dp[j] = scale * pp[j] * (gp[j] - dot);
    }
    // END SOLUTION
    return d;
}

Tensor causal_mask(int64_t Tq, int64_t Tk) {
    TT_CHECK(Tq >= 0 && Tk >= Tq,
             "causal_mask: needs 0 <= Tq <= Tk (queries are the last Tq of Tk positions), got Tq " << Tq << ", Tk "
                                                                                                   << Tk);
    Tensor m({Tq, Tk});
    for (int64_t i = 0; i < Tq; ++i)
        for (int64_t j = Tk - Tq + i + 1; j < Tk; ++j) m.data()[i * Tk + j] = kNegInf;
    return m;
}

Tensor key_padding_mask(const Tensor& pad) {
    TT_CHECK(pad.defined() && pad.dim() == 2,
             "key_padding_mask: pad must be [B, Tk] (1 = padding), got " << (pad.defined() ? pad.shape() : Shape{}));
    Tensor p = pad.contiguous(), m({pad.shape(0), 1, 1, pad.shape(1)});
    for (int64_t i = 0; i < pad.numel(); ++i) {
        const float v = p.data()[i];
        TT_CHECK(v == 0.0f || v == 1.0f,
                 "key_padding_mask: pad holds " << v << " at flat index " << i
                                                << "; expected 1 (padding) or 0 (token)");
        m.data()[i] = v == 1.0f ? kNegInf : 0.0f;
    }
    return m;
}

}  // namespace tt
