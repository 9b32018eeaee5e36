#include "linear.h"

#include <cmath>

#include "error.h"
#include "gemm.h"
#include "init.h"

namespace tt::nn {

Linear::Linear(int64_t in, int64_t out, bool with_bias, Generator& gen)
    : in_features(in), out_features(out), weight(register_parameter("weight", Tensor({out, in}))), bias(nullptr) {
    TT_CHECK(in > 0 && out > 0, "Linear: in_features and out_features must be > 0, got " << in << " and " << out);
    // torch.nn.Linear's default: kaiming_uniform_ with a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in)).
    init::kaiming_uniform_(weight.value, gen, std::sqrt(5.0f));
    if (with_bias) {
        bias = &register_parameter("bias", Tensor({out}));
        float bound = 1.0f / std::sqrt(static_cast<float>(in));
        uniform_(bias->value, -bound, bound, gen);
    }
}

Tensor Linear::forward(const Tensor& x) {
    TT_CHECK(x.defined() && x.dim() >= 1 && x.shape(-1) == in_features,
             "Linear: input has shape " << (x.defined() ? x.shape() : Shape{}) << ", expected [..., " << in_features
                                        << "] (in_features)");
    x_shape_ = x.shape();
    x_ = x.reshape({-1, in_features}).contiguous();  // [B, in]
    const int B = static_cast<int>(x_.shape(0)), in = static_cast<int>(in_features),
              out = static_cast<int>(out_features);
    Tensor y({B, out_features});
    // BEGIN SOLUTION y = x W^T (sgemm with trans_b: W is [out, in] and needs no transposed copy), then add the bias to every row
    sgemm(false, true, B, out, in, 1.0f, x_.data(), in, weight.value.data(), in, 0.0f, y.data(), out);
    if (bias) {
        const float* b = bias->value.data();
        float* row = y.data();
        for (int n = 0; n < B; ++n, row += out)
            for (int j = 0; j < out; ++j) row[j] += b[j];
    }
    // END SOLUTION
    Shape y_shape = x_shape_;
    y_shape.back() = out_features;
    return y.reshape(y_shape);
}

Tensor Linear::backward(const Tensor& grad_out) {
    TT_CHECK(x_.defined(), "Linear::backward: call forward first");
    Shape expected = x_shape_;
    expected.back() = out_features;
    TT_CHECK(grad_out.shape() == expected,
             "Linear::backward: grad_out has shape " << grad_out.shape() << ", the forward output had " << expected);
    Tensor g = grad_out.reshape({-1, out_features}).contiguous();  // [B, out]
    const int B = static_cast<int>(g.shape(0)), in = static_cast<int>(in_features),
              out = static_cast<int>(out_features);
    Tensor dx({B, in_features});
    // BEGIN SOLUTION weight.grad += g^T x ([out, B] @ [B, in]: sgemm with trans_a and beta = 1 accumulates in place); bias.grad += the column sums of g; dx = g W ([B, out] @ [out, in])
    sgemm(true, false, out, in, B, 1.0f, g.data(), out, x_.data(), in, 1.0f, weight.grad.data(), in);
    if (bias) {
        float* db = bias->grad.data();
        const float* row = g.data();
        for (int n = 0; n < B; ++n, row += out)
            for (int j = 0; j < out; ++j) db[j] += row[j];
    }
    sgemm(false, false, B, in, out, 1.0f, g.data(), out, weight.value.data(), in, 0.0f, dx.data(), in);
    // END SOLUTION
    return dx.reshape(x_shape_);
}

}  // namespace tt::nn
