// Module 14 — tt::F::layer_norm: the kernels of kernels/layer_norm.h plus one recorded closure.
#include <memory>

#include "error.h"
#include "functional.h"
#include "graph.h"
#include "layer_norm.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
    TT_CHECK(x.defined() && x.dim() >= 1 && x.shape(-1) > 0,
             "F::layer_norm: x must be [..., C] with C > 0, got " << (x.defined() ? x.shape() : Shape{}));
    const int64_t C = x.shape(-1), rows = x.numel() / C;
    for (const Tensor* p : {&weight, &bias})
        TT_CHECK(!p->defined() || p->shape() == Shape{C},
                 "F::layer_norm: weight and bias must be [" << C << "] (the last axis of x), got " << p->shape());
    TT_CHECK(eps > 0.0f, "F::layer_norm: eps must be > 0, got " << eps);
    Tensor xc = x.contiguous(), y(x.shape()), stats({2, rows});  // row 0: mean, row 1: rstd
    Tensor wc = weight.defined() ? weight.contiguous() : Tensor(), bc = bias.defined() ? bias.contiguous() : Tensor();
    layer_norm_forward(xc.data(), wc.defined() ? wc.data() : nullptr, bc.defined() ? bc.data() : nullptr, rows, C, eps,
                       y.data(), stats.data(), stats.data() + rows);
    // Saved: x, the per-row statistics, and the weight when there is one (Node::check_versions needs defined tensors).
    autograd::SavedList saved = {xc, stats};
    if (wc.defined()) saved.push_back(wc);
    return record("layer_norm", y, {x, weight, bias}, saved,
                  [rows, C, has_w = weight.defined(), has_b = bias.defined()](const SavedList& s, const Tensor& g) {
                      Tensor gc = g.contiguous(), dx(s[0].shape());
                      Tensor dw = has_w ? Tensor({C}) : Tensor(), db = has_b ? Tensor({C}) : Tensor();
                      layer_norm_backward(gc.data(), s[0].data(), has_w ? s[2].data() : nullptr, s[1].data(),
                                          s[1].data() + rows, rows, C, dx.data(), has_w ? dw.data() : nullptr,
                                          has_b ? db.data() : nullptr);
                      return Grads{dx, dw, db};
                  });
}

}  // namespace tt::F
