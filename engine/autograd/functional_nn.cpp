// tt::F, the network ops: activations, linear, the spatial ops of module 10 (conv2d, pooling, batch_norm, dropout)
// and the losses, over the forward/backward kernel pairs of modules 03, 05, 09 and 10 — autograd adds the recording, the arithmetic stays in the kernels.
#include <algorithm>
#include <memory>
#include <vector>

#include "activations.h"
#include "batchnorm.h"
#include "conv.h"
#include "dropout.h"
#include "elementwise.h"
#include "error.h"
#include "functional.h"
#include "gemm.h"
#include "graph.h"
#include "loss.h"
#include "matmul.h"
#include "pool.h"
#include "reduce.h"

namespace tt::F {

using autograd::Grads;
using autograd::record;
using autograd::SavedList;

Tensor relu(const Tensor& x) {
    return record("relu", relu_forward(x), {x}, {x},
                  [](const SavedList& s, const Tensor& g) -> Grads { return {relu_backward(g, s[0])}; });
}

// sigmoid, tanh, softmax and log_softmax save their output y (their derivatives are functions of y); record()
// stores it detached, so the node does not own the tensor that owns the node.
Tensor sigmoid(const Tensor& x) {
    Tensor y = sigmoid_forward(x);
    return record("sigmoid", y, {x}, {y},
                  [](const SavedList& s, const Tensor& g) -> Grads { return {sigmoid_backward(g, s[0])}; });
}

Tensor tanh(const Tensor& x) {
    Tensor y = tanh_forward(x);
    return record("tanh", y, {x}, {y},
                  [](const SavedList& s, const Tensor& g) -> Grads { return {tanh_backward(g, s[0])}; });
}

Tensor gelu(const Tensor& x) {
    return record("gelu", gelu_forward(x), {x}, {x},
                  [](const SavedList& s, const Tensor& g) -> Grads { return {gelu_backward(g, s[0])}; });
}

Tensor softmax(const Tensor& x, int axis) {
    Tensor y = softmax_forward(x, axis);
    return record("softmax", y, {x}, {y},
                  [axis](const SavedList& s, const Tensor& g) -> Grads { return {softmax_backward(g, s[0], axis)}; });
}

Tensor log_softmax(const Tensor& x, int axis) {
    Tensor y = log_softmax_forward(x, axis);
    return record("log_softmax", y, {x}, {y}, [axis](const SavedList& s, const Tensor& g) -> Grads {
        return {log_softmax_backward(g, s[0], axis)};
    });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    TT_CHECK(x.defined() && weight.defined() && weight.dim() == 2 && x.dim() >= 1 && x.shape(-1) == weight.shape(1),
             "F::linear: x [..., in] and weight [out, in] do not fit: "
                 << (x.defined() ? x.shape() : Shape{}) << " and " << (weight.defined() ? weight.shape() : Shape{}));
    const int64_t in = weight.shape(1), out = weight.shape(0);
    TT_CHECK(!bias.defined() || bias.shape() == Shape{out},
             "F::linear: bias has shape " << bias.shape() << ", expected [" << out << "]");
    // SGEMM with op(W) = W^T reads the [out, in] weight as it is: tt::matmul(x, weight.t()) would first copy the
    // whole weight into a transposed contiguous tensor, on every call (it dominated a GPT's decoding step).
    Tensor x2 = x.reshape({-1, in}).contiguous(), w = weight.contiguous();
    const int rows = static_cast<int>(x2.shape(0)), n_in = static_cast<int>(in), n_out = static_cast<int>(out);
    Tensor y({x2.shape(0), out});
    sgemm(false, true, rows, n_out, n_in, 1.0f, x2.data(), std::max(n_in, 1), w.data(), std::max(n_in, 1), 0.0f,
          y.data(), std::max(n_out, 1));
    if (bias.defined()) y.add_(bias);  // y is fresh: adding in place saves a copy
    Shape y_shape = x.shape();
    y_shape.back() = out;
    return record("linear", y.reshape(y_shape), {x, weight, bias}, {x2, w},
                  [rows, n_in, n_out, x_shape = x.shape(), has_bias = bias.defined()](const SavedList& s,
                                                                                      const Tensor& g) {
                      Tensor g2 = g.reshape({-1, n_out}).contiguous(), dx({rows, n_in}), dw({n_out, n_in});
                      const int ld_in = std::max(n_in, 1), ld_out = std::max(n_out, 1);
                      // dx = g W ([rows, out] @ [out, in]); dW = g^T x (op(g) = g^T, no transposed copy)
                      sgemm(false, false, rows, n_in, n_out, 1.0f, g2.data(), ld_out, s[1].data(), ld_in, 0.0f,
                            dx.data(), ld_in);
                      sgemm(true, false, n_out, n_in, rows, 1.0f, g2.data(), ld_out, s[0].data(), ld_in, 0.0f,
                            dw.data(), ld_in);
                      return Grads{dx.reshape(x_shape), dw, has_bias ? tt::sum(g2, 0) : Tensor()};
                  });
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
              int64_t dilation) {
    TT_CHECK(x.defined() && x.dim() == 4 && weight.defined() && weight.dim() == 4 && x.shape(1) == weight.shape(1),
             "F::conv2d: x [N, C, H, W] and weight [OC, C, KH, KW] do not fit: "
                 << (x.defined() ? x.shape() : Shape{}) << " and " << (weight.defined() ? weight.shape() : Shape{}));
    TT_CHECK(!bias.defined() || bias.shape() == Shape{weight.shape(0)},
             "F::conv2d: bias has shape " << bias.shape() << ", expected [" << weight.shape(0) << "]");
    Conv2dGeometry geo;
    geo.batch = int(x.shape(0)), geo.in_channels = int(x.shape(1)), geo.height = int(x.shape(2));
    geo.width = int(x.shape(3)), geo.out_channels = int(weight.shape(0));
    geo.kernel_h = int(weight.shape(2)), geo.kernel_w = int(weight.shape(3));
    geo.stride = int(stride), geo.padding = int(padding), geo.dilation = int(dilation);
    geo.validate("F::conv2d");
    Tensor xc = x.contiguous(), wc = weight.contiguous(), bc = bias.defined() ? bias.contiguous() : Tensor();
    Tensor y({geo.batch, geo.out_channels, geo.out_h(), geo.out_w()});
    conv2d_forward(geo, xc.data(), wc.data(), bc.defined() ? bc.data() : nullptr, y.data());
    return record("conv2d", y, {x, weight, bias}, {xc, wc},
                  [geo, has_bias = bias.defined()](const SavedList& s, const Tensor& g) {
                      Tensor gc = g.contiguous(), dx(s[0].shape()), dw(s[1].shape());
                      Tensor db = has_bias ? Tensor({geo.out_channels}) : Tensor();
                      conv2d_backward(geo, s[0].data(), s[1].data(), gc.data(), dx.data(), dw.data(),
                                      has_bias ? db.data() : nullptr);
                      return Grads{dx, dw, db};
                  });
}

Tensor max_pool2d(const Tensor& x, int64_t kernel_size, int64_t stride, int64_t padding) {
    TT_CHECK(x.defined(), "F::max_pool2d: undefined input");
    const Pool2dGeometry geo = pool2d_geometry(x.shape(), kernel_size, stride, padding, "F::max_pool2d");
    Tensor xc = x.contiguous();
    Tensor y({geo.batch, geo.channels, geo.out_h(), geo.out_w()});
    // Only the winners' positions are kept for backward, not x (int32 indices, not counted in graph_stats).
    auto argmax = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(geo.output_size()));
    maxpool2d_forward(geo, xc.data(), y.data(), argmax->data());
    return record("max_pool2d", y, {x}, {}, [geo, argmax, in = x.shape()](const SavedList&, const Tensor& g) {
        Tensor gc = g.contiguous(), dx(in);
        maxpool2d_backward(geo, gc.data(), argmax->data(), dx.data());
        return Grads{dx};
    });
}

Tensor avg_pool2d(const Tensor& x, int64_t kernel_size, int64_t stride, int64_t padding) {
    TT_CHECK(x.defined(), "F::avg_pool2d: undefined input");
    const Pool2dGeometry geo = pool2d_geometry(x.shape(), kernel_size, stride, padding, "F::avg_pool2d");
    Tensor xc = x.contiguous();
    Tensor y({geo.batch, geo.channels, geo.out_h(), geo.out_w()});
    avgpool2d_forward(geo, xc.data(), y.data());
    // The gradient does not depend on x: nothing saved.
    return record("avg_pool2d", y, {x}, {}, [geo, in = x.shape()](const SavedList&, const Tensor& g) {
        Tensor gc = g.contiguous(), dx(in);
        avgpool2d_backward(geo, gc.data(), dx.data());
        return Grads{dx};
    });
}

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum, float eps) {
    TT_CHECK(x.defined() && x.dim() == 4,
             "F::batch_norm: x must be [N, C, H, W], got " << (x.defined() ? x.shape() : Shape{}));
    const Shape per_channel{x.shape(1)};
    for (const Tensor* t : {&running_mean, &running_var, &weight, &bias})
        TT_CHECK(!t->defined() || t->shape() == per_channel,
                 "F::batch_norm: statistics, weight and bias must have shape " << per_channel << ", got "
                                                                               << t->shape());
    TT_CHECK(training || (running_mean.defined() && running_var.defined()),
             "F::batch_norm: evaluation needs running_mean and running_var");
    TT_CHECK(running_mean.defined() == running_var.defined(),
             "F::batch_norm: running_mean and running_var go together");
    TT_CHECK(!running_mean.defined() || (running_mean.is_contiguous() && running_var.is_contiguous()),
             "F::batch_norm: running statistics must be contiguous (they are updated in place)");
    BatchNorm2dShape shape;
    shape.batch = int(x.shape(0)), shape.channels = int(x.shape(1)), shape.height = int(x.shape(2));
    shape.width = int(x.shape(3));
    shape.validate("F::batch_norm");
    Tensor xc = x.contiguous(), mean(per_channel), var(per_channel);
    if (training) {
        batch_norm2d_statistics(shape, xc.data(), mean.data(), var.data());
        if (running_mean.defined()) {
            Tensor rm = running_mean, rv = running_var;  // handles: the update lands in the caller's tensors
            batch_norm2d_update_running(shape.channels, shape.per_channel(), mean.data(), var.data(), momentum,
                                        rm.data(), rv.data());
            rm.storage()->bump_version(), rv.storage()->bump_version();
        }
    } else {
        mean.copy_(running_mean), var.copy_(running_var);
    }
    Tensor wc = weight.defined() ? weight.contiguous() : Tensor(), bc = bias.defined() ? bias.contiguous() : Tensor();
    Tensor y(x.shape());
    batch_norm2d_forward(shape, xc.data(), mean.data(), var.data(), eps, wc.defined() ? wc.data() : nullptr,
                         bc.defined() ? bc.data() : nullptr, y.data());
    return record("batch_norm", y, {x, weight, bias}, {xc, mean, var, wc},
                  [shape, eps, training, has_w = weight.defined(), has_b = bias.defined()](const SavedList& s,
                                                                                           const Tensor& g) {
                      Tensor gc = g.contiguous(), dx(s[0].shape());
                      Tensor dw = has_w ? Tensor({shape.channels}) : Tensor();
                      Tensor db = has_b ? Tensor({shape.channels}) : Tensor();
                      batch_norm2d_backward(shape, s[0].data(), s[1].data(), s[2].data(), eps,
                                            has_w ? s[3].data() : nullptr, training, gc.data(), dx.data(),
                                            has_w ? dw.data() : nullptr, has_b ? db.data() : nullptr);
                      return Grads{dx, dw, db};
                  });
}

Tensor dropout(const Tensor& x, float p, bool training, Generator& gen) {
    TT_CHECK(x.defined(), "F::dropout: undefined input");
    TT_CHECK(p >= 0.0f && p <= 1.0f, "F::dropout: probability has to be between 0 and 1, but got " << p);
    if (!training || p == 0.0f) return x;  // the identity: no node, the gradient passes straight through
    Tensor xc = x.contiguous(), mask(x.shape()), y(x.shape());
    dropout_mask(x.numel(), p, gen, mask.data());
    dropout_apply(x.numel(), xc.data(), mask.data(), y.data());
    return record("dropout", y, {x}, {mask}, [](const SavedList& s, const Tensor& g) {
        Tensor gc = g.contiguous(), dx(g.shape());
        dropout_apply(gc.numel(), gc.data(), s[0].data(), dx.data());
        return Grads{dx};
    });
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target) {
    return cross_entropy(logits, target, CrossEntropyOptions{});  // module 09's kernel, the one cross entropy
}

Tensor mse_loss(const Tensor& input, const Tensor& target) {
    return record("mse_loss", mse_loss_forward(input, target), {input, target}, {input, target},
                  [](const SavedList& s, const Tensor& g) -> Grads {
                      Tensor d = mse_loss_backward(g.item(), s[0], s[1]);
                      return {d, tt::neg(d)};
                  });
}

}  // namespace tt::F
