#include "conv_layers.h"

#include <cmath>

#include "error.h"
#include "init.h"

namespace tt::nn {

Conv2d::Conv2d(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, bool with_bias, Generator& gen, int64_t d)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      stride(s),
      padding(p),
      dilation(d),
      weight(register_parameter("weight", Tensor({out, in, k, k}))),
      bias(nullptr) {
    TT_CHECK(in > 0 && out > 0 && k > 0 && s > 0 && p >= 0 && d > 0,
             "Conv2d: bad configuration in=" << in << " out=" << out << " kernel=" << k << " stride=" << s
                                             << " padding=" << p << " dilation=" << d);
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
    g.stride = int(stride), g.padding = int(padding), g.dilation = int(dilation);
    g.validate(who);
    return g;
}

Tensor Conv2d::forward(const Tensor& x) {
    TT_CHECK(x.defined(), "Conv2d: undefined input");
    const Conv2dGeometry g = geometry(x.shape(), "Conv2d");
    // BEGIN SOLUTION keep a contiguous x for backward; y [B, OC, OH, OW] from conv2d_forward (bias may be absent)
    x_ = x.contiguous();
    Tensor y({g.batch, g.out_channels, g.out_h(), g.out_w()});
    conv2d_forward(g, x_.data(), weight.value.data(), bias ? bias->value.data() : nullptr, y.data());
    return y;
    // END SOLUTION
}

Tensor Conv2d::backward(const Tensor& grad_out) {
    TT_CHECK(x_.defined(), "Conv2d::backward: call forward first");
    const Conv2dGeometry g = geometry(x_.shape(), "Conv2d::backward");
    const Shape expected = {g.batch, g.out_channels, g.out_h(), g.out_w()};
    TT_CHECK(grad_out.shape() == expected,
             "Conv2d::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << expected);
    // BEGIN SOLUTION conv2d_backward with the kept x: dx fresh, weight.grad and bias->grad accumulate in place
    const Tensor dy = grad_out.contiguous();
    Tensor dx(x_.shape());
    conv2d_backward(g, x_.data(), weight.value.data(), dy.data(), dx.data(), weight.grad.data(),
                    bias ? bias->grad.data() : nullptr);
    return dx;
    // END SOLUTION
}

}  // namespace tt::nn
