#include "norm.h"

#include "error.h"
#include "functional.h"

namespace tt::nn {

LayerNorm::LayerNorm(int64_t C, float eps_, bool affine)
    : normalized_shape(C), eps(eps_), weight(nullptr), bias(nullptr) {
    TT_CHECK(C > 0 && eps > 0.0f, "LayerNorm: normalized_shape and eps must be > 0, got " << C << " and " << eps);
    if (affine) {
        weight = &register_parameter("weight", ones({C}));
        bias = &register_parameter("bias", Tensor({C}));
    }
}

Tensor LayerNorm::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() >= 1 && x.shape(-1) == normalized_shape,
             "LayerNorm: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [..., "
                                           << normalized_shape << "]");
    return F::layer_norm(x, weight ? weight->value : Tensor(), bias ? bias->value : Tensor(), eps);
}

Tensor LayerNorm::backward(const Tensor&) {
    TT_CHECK(false,
             "LayerNorm::backward: this layer has no hand-written backward; call it as layer(x) and "
             "differentiate with autograd (loss.backward())");
    return Tensor();
}

}  // namespace tt::nn
