// Module 13 — tt::F::scaled_dot_product_attention: two recorded matmuls around the attention softmax
// (kernels/attention_softmax.h), so backward needs no new rule beyond the softmax's.
#include <cmath>

#include "attention_softmax.h"
#include "error.h"
#include "functional.h"
#include "graph.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor attention_softmax(const Tensor& scores, float scale, const Tensor& mask, bool is_causal) {
    Tensor p = attention_softmax_forward(scores, scale, mask, is_causal);
    // The weights are saved (the backward is a function of them), detached by record(); the mask is a constant.
    return record("attention_softmax", p, {scores}, {p}, [scale](const SavedList& s, const Tensor& g) -> Grads {
        return {attention_softmax_backward(g, s[0], scale)};
    });
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    bool is_causal, float scale) {
    TT_CHECK(q.defined() && k.defined() && v.defined() && q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2,
             "scaled_dot_product_attention: q, k, v must be [..., T, D] tensors");
    TT_CHECK(q.shape(-1) == k.shape(-1) && k.shape(-2) == v.shape(-2),
             "scaled_dot_product_attention: q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] do not fit: "
                 << q.shape() << ", " << k.shape() << ", " << v.shape());
    TT_CHECK(!is_causal || !attn_mask.defined(),
             "scaled_dot_product_attention: give attn_mask or is_causal, not both (as PyTorch)");
    const float s = scale > 0.0f ? scale : 1.0f / std::sqrt(static_cast<float>(q.shape(-1)));
    // BEGIN SOLUTION scores = q @ k^T (F::matmul with F::transpose of the last two axes of k), weights = F::attention_softmax(scores, s, attn_mask, is_causal), output = weights @ v
    Tensor scores = matmul(q, transpose(k, -2, -1));  // [..., Tq, Tk]
    Tensor weights = attention_softmax(scores, s, attn_mask, is_causal);
    return matmul(weights, v);  // [..., Tq, Dv]
    // END SOLUTION
}

}  // namespace tt::F
