#include "dropout_layers.h"

#include "dropout.h"
#include "error.h"

namespace tt::nn {

Dropout::Dropout(float prob, Generator& gen) : p(prob), gen_(gen) {
    TT_CHECK(p >= 0.0f && p <= 1.0f, "Dropout: probability has to be between 0 and 1, but got " << p);
}

Tensor Dropout::forward(const Tensor& x) {
    TT_CHECK(x.defined(), "Dropout: undefined input");
    shape_ = x.shape(), ready_ = true;
    if (!is_training() || p == 0.0f) {
        mask_ = Tensor();
        return x.clone();  // a copy, like every other layer's output: writing into y leaves x alone
    }
    const Tensor xc = x.contiguous();
    mask_ = Tensor(x.shape());
    dropout_mask(x.numel(), p, gen_, mask_.data());
    Tensor y(x.shape());
    dropout_apply(x.numel(), xc.data(), mask_.data(), y.data());
    return y;
}

Tensor Dropout::backward(const Tensor& grad_out) {
    TT_CHECK(ready_, "Dropout::backward: call forward first");
    TT_CHECK(grad_out.shape() == shape_,
             "Dropout::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << shape_);
    if (!mask_.defined()) return grad_out.clone();
    const Tensor dy = grad_out.contiguous();
    Tensor dx(shape_);
    dropout_apply(dy.numel(), dy.data(), mask_.data(), dx.data());
    return dx;
}

}  // namespace tt::nn
