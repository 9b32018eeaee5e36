#include "activation_layers.h"

#include "activations.h"
#include "error.h"

namespace tt::nn {

namespace {
const Tensor& saved(const Tensor& t, const char* layer) {
    TT_CHECK(t.defined(), layer << "::backward: call forward first");
    return t;
}
}  // namespace

Tensor ReLU::forward(const Tensor& x) {
    x_ = x;
    return relu_forward(x);
}
Tensor ReLU::backward(const Tensor& grad_out) { return relu_backward(grad_out, saved(x_, "ReLU")); }

Tensor Sigmoid::forward(const Tensor& x) {
    y_ = sigmoid_forward(x);
    return y_;
}
Tensor Sigmoid::backward(const Tensor& grad_out) { return sigmoid_backward(grad_out, saved(y_, "Sigmoid")); }

Tensor Tanh::forward(const Tensor& x) {
    y_ = tanh_forward(x);
    return y_;
}
Tensor Tanh::backward(const Tensor& grad_out) { return tanh_backward(grad_out, saved(y_, "Tanh")); }

Tensor GELU::forward(const Tensor& x) {
    x_ = x;
    return gelu_forward(x);
}
Tensor GELU::backward(const Tensor& grad_out) { return gelu_backward(grad_out, saved(x_, "GELU")); }

Tensor Flatten::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() >= 1, "Flatten: needs a batch axis, got shape " << x.shape());
    x_shape_ = x.shape();
    // keep axis 0 (the batch), merge the rest: a view when x is contiguous
    return x.dim() == 1 ? x.reshape({x.shape(0), 1}) : x.flatten(1);
}

Tensor Flatten::backward(const Tensor& grad_out) {
    TT_CHECK(!x_shape_.empty(), "Flatten::backward: call forward first");
    // the gradient is grad_out in the input's shape
    return grad_out.reshape(x_shape_);
}

}  // namespace tt::nn
