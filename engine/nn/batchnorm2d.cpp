#include "batchnorm2d.h"

#include "error.h"

namespace tt::nn {

BatchNorm2d::BatchNorm2d(int64_t c, float e, float m, bool affine)
    : num_features(c),
      eps(e),
      momentum(m),
      weight(affine ? &register_parameter("weight", full({c}, 1.0f)) : nullptr),
      bias(affine ? &register_parameter("bias", Tensor({c})) : nullptr),
      running_mean(register_buffer("running_mean", Tensor({c}))),
      running_var(register_buffer("running_var", full({c}, 1.0f))),
      num_batches_tracked(register_buffer("num_batches_tracked", scalar(0.0f))) {
    TT_CHECK(c > 0 && e > 0.0f && m >= 0.0f && m <= 1.0f,
             "BatchNorm2d: bad configuration num_features=" << c << " eps=" << e << " momentum=" << m);
}

Tensor BatchNorm2d::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() == 4 && x.shape(1) == num_features,
             "BatchNorm2d: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [B, " << num_features
                                             << ", H, W]");
    shape_.batch = int(x.shape(0)), shape_.channels = int(num_features);
    shape_.height = int(x.shape(2)), shape_.width = int(x.shape(3));
    shape_.validate("BatchNorm2d");
    x_ = x.contiguous();
    batch_stats_ = is_training();
    // BEGIN SOLUTION training: the batch's mean and biased var (batch_norm2d_statistics), then update the running statistics and count the batch; eval: clones of the running statistics. Keep them in mean_, var_ for backward
    if (batch_stats_) {
        mean_ = Tensor({num_features}), var_ = Tensor({num_features});
        batch_norm2d_statistics(shape_, x_.data(), mean_.data(), var_.data());
        batch_norm2d_update_running(int(num_features), shape_.per_channel(), mean_.data(), var_.data(), momentum,
                                    running_mean.data(), running_var.data());
        num_batches_tracked.data()[0] += 1.0f;
    } else {
        mean_ = running_mean.clone(), var_ = running_var.clone();
    }
    // END SOLUTION
    Tensor y(x_.shape());
    batch_norm2d_forward(shape_, x_.data(), mean_.data(), var_.data(), eps, weight ? weight->value.data() : nullptr,
                         bias ? bias->value.data() : nullptr, y.data());
    return y;
}

Tensor BatchNorm2d::backward(const Tensor& grad_out) {
    TT_CHECK(x_.defined(), "BatchNorm2d::backward: call forward first");
    TT_CHECK(grad_out.shape() == x_.shape(),
             "BatchNorm2d::backward: grad_out has shape " << grad_out.shape() << ", the forward output had "
                                                          << x_.shape());
    const Tensor dy = grad_out.contiguous();
    Tensor dx(x_.shape());
    batch_norm2d_backward(shape_, x_.data(), mean_.data(), var_.data(), eps, weight ? weight->value.data() : nullptr,
                          batch_stats_, dy.data(), dx.data(), weight ? weight->grad.data() : nullptr,
                          bias ? bias->grad.data() : nullptr);
    return dx;
}

}  // namespace tt::nn
