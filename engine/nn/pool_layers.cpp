#include "pool_layers.h"

#include "error.h"

namespace tt::nn {

MaxPool2d::MaxPool2d(int64_t k, int64_t s, int64_t p) : kernel_size(k), stride(s > 0 ? s : k), padding(p) {
    TT_CHECK(k > 0 && s >= 0 && p >= 0 && 2 * p <= k,
             "MaxPool2d: bad configuration kernel=" << k << " stride=" << s << " padding=" << p
                                                    << " (padding at most half the kernel)");
}

Tensor MaxPool2d::forward(const Tensor& x) {
    TT_CHECK(x.defined(), "MaxPool2d: undefined input");
    geometry_ = pool2d_geometry(x.shape(), kernel_size, stride, padding, "MaxPool2d");
    // BEGIN SOLUTION y [B, C, OH, OW] and the argmax of every window (argmax_ sized like y) from maxpool2d_forward
    const Tensor xc = x.contiguous();
    Tensor y({geometry_.batch, geometry_.channels, geometry_.out_h(), geometry_.out_w()});
    argmax_.resize(size_t(y.numel()));
    maxpool2d_forward(geometry_, xc.data(), y.data(), argmax_.data());
    return y;
    // END SOLUTION
}

Tensor MaxPool2d::backward(const Tensor& grad_out) {
    TT_CHECK(!argmax_.empty(), "MaxPool2d::backward: call forward first");
    const Shape expected = {geometry_.batch, geometry_.channels, geometry_.out_h(), geometry_.out_w()};
    TT_CHECK(grad_out.shape() == expected,
             "MaxPool2d::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << expected);
    const Tensor dy = grad_out.contiguous();
    Tensor dx({geometry_.batch, geometry_.channels, geometry_.height, geometry_.width});
    maxpool2d_backward(geometry_, dy.data(), argmax_.data(), dx.data());
    return dx;
}

AvgPool2d::AvgPool2d(int64_t k, int64_t s, int64_t p) : kernel_size(k), stride(s > 0 ? s : k), padding(p) {
    TT_CHECK(k > 0 && s >= 0 && p >= 0 && 2 * p <= k,
             "AvgPool2d: bad configuration kernel=" << k << " stride=" << s << " padding=" << p
                                                    << " (padding at most half the kernel)");
}

Tensor AvgPool2d::forward(const Tensor& x) {
    TT_CHECK(x.defined(), "AvgPool2d: undefined input");
    geometry_ = pool2d_geometry(x.shape(), kernel_size, stride, padding, "AvgPool2d");
    ready_ = true;
    const Tensor xc = x.contiguous();
    Tensor y({geometry_.batch, geometry_.channels, geometry_.out_h(), geometry_.out_w()});
    avgpool2d_forward(geometry_, xc.data(), y.data());
    return y;
}

Tensor AvgPool2d::backward(const Tensor& grad_out) {
    TT_CHECK(ready_, "AvgPool2d::backward: call forward first");
    const Shape expected = {geometry_.batch, geometry_.channels, geometry_.out_h(), geometry_.out_w()};
    TT_CHECK(grad_out.shape() == expected,
             "AvgPool2d::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << expected);
    const Tensor dy = grad_out.contiguous();
    Tensor dx({geometry_.batch, geometry_.channels, geometry_.height, geometry_.width});
    avgpool2d_backward(geometry_, dy.data(), dx.data());
    return dx;
}

}  // namespace tt::nn
