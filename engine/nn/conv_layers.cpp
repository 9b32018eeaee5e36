#include "conv_layers.h"

#include <cmath>

#include "error.h"
#include "init.h"

namespace tt::nn {

Conv2d::Conv2d(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, bool with_bias, Generator& gen)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      stride(s),
      padding(p),
      weight(register_parameter("weight", Tensor({out, in, k, k}))),
      bias(nullptr) {
    TT_CHECK(in > 0 && out > 0 && k > 0 && s > 0 && p >= 0,
             "Conv2d: bad configuration in=" << in << " out=" << out << " kernel=" << k << " stride=" << s
                                             << " padding=" << p);
    // torch.nn.Conv2d's default, like Linear's: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C * K * K.
    init::kaiming_uniform_(weight.value, gen, std::sqrt(5.0f));
    if (with_bias) {
        bias = &register_parameter("bias", Tensor({out}));
        const float bound = 1.0f / std::sqrt(static_cast<float>(in * k * k));
        uniform_(bias->value, -bound, bound, gen);
    }
}

Conv2dGeometry Conv2d::geometry(const Shape& s, const char* who) const {
    TT_CHECK(s.size() == 4 && s[1] == in_channels,
             who << ": input has shape " << s << ", expected [B, " << in_channels << ", H, W]");
    Conv2dGeometry g;
    g.batch = int(s[0]), g.in_channels = int(s[1]), g.height = int(s[2]), g.width = int(s[3]);
    g.out_channels = int(out_channels), g.kernel_h = g.kernel_w = int(kernel_size);
    g.stride = int(stride), g.padding = int(padding);
    g.validate(who);
    return g;
}

Tensor Conv2d::forward(const Tensor& x) {
    TT_CHECK(x.defined(), "Conv2d: undefined input");
    const Conv2dGeometry g = geometry(x.shape(), "Conv2d");
    x_ = x.contiguous();
    Tensor y({g.batch, g.out_channels, g.out_h(), g.out_w()});
    conv2d_forward(g, x_.data(), weight.value.data(), bias ? bias->value.data() : nullptr, y.data());
    return y;
}

Tensor Conv2d::backward(const Tensor& grad_out) {
    TT_CHECK(x_.defined(), "Conv2d::backward: call forward first");
    const Conv2dGeometry g = geometry(x_.shape(), "Conv2d::backward");
    const Shape expected = {g.batch, g.out_channels, g.out_h(), g.out_w()};
    TT_CHECK(grad_out.shape() == expected,
             "Conv2d::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << expected);
    const Tensor dy = grad_out.contiguous();
    Tensor dx(x_.shape());
    conv2d_backward(g, x_.data(), weight.value.data(), dy.data(), dx.data(), weight.grad.data(),
                    bias ? bias->grad.data() : nullptr);
    return dx;
}

MaxPool2d::MaxPool2d(int64_t k, int64_t s) : kernel_size(k), stride(s > 0 ? s : k) {
    TT_CHECK(k > 0, "MaxPool2d: kernel_size must be > 0, got " << k);
}

Tensor MaxPool2d::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() == 4,
             "MaxPool2d: input must be [B, C, H, W], got " << (x.defined() ? x.shape() : Shape{}));
    geometry_.batch = int(x.shape(0)), geometry_.channels = int(x.shape(1));
    geometry_.height = int(x.shape(2)), geometry_.width = int(x.shape(3));
    geometry_.kernel = int(kernel_size), geometry_.stride = int(stride);
    geometry_.validate("MaxPool2d");
    const Tensor xc = x.contiguous();
    Tensor y({geometry_.batch, geometry_.channels, geometry_.out_h(), geometry_.out_w()});
    argmax_.resize(size_t(y.numel()));
    maxpool2d_forward(geometry_, xc.data(), y.data(), argmax_.data());
    return y;
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

}  // namespace tt::nn
