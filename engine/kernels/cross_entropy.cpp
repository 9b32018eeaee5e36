// Module 09 — cross entropy with torch.nn's options (class weights, label smoothing, ignore_index, reduction), one
// fused pass per row: log_softmax through log-sum-exp, so logits of ±1e4 give finite losses and gradients, where
// log(softmax(x)) would take the log of an underflowed 0 (-inf) and softmax alone would overflow exp(1e4).
// The engine's only cross-entropy kernel: module 07's F::cross_entropy(logits, target) runs it with the default
// options, nn::CrossEntropyLoss with its own, and so does every training run (tt train's recipes).
#include <cmath>
#include <string>
#include <vector>

#include "error.h"
#include "loss.h"

namespace tt {

namespace {

// The inputs checked and flattened: a bad target, a weight of the wrong length or a smoothing outside [0, 1] is
// an error naming it, never a read past a row.
struct CeInputs {
    int64_t N = 0, C = 0;
    Tensor x, t;           // logits [N, C] and targets [N], contiguous
    std::vector<float> w;  // the class weights, all 1 when none were given
    std::vector<bool> ignored;
    std::vector<int64_t> y;  // the class of each row that is not ignored
};

CeInputs prepare(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& o) {
    TT_CHECK(logits.defined() && logits.dim() == 2,
             "cross_entropy: logits must be [N, C], got " << (logits.defined() ? logits.shape() : Shape{}));
    TT_CHECK(target.defined() && target.dim() == 1 && target.shape(0) == logits.shape(0),
             "cross_entropy: target must be [N] = [" << logits.shape(0) << "] class indices, got "
                                                     << (target.defined() ? target.shape() : Shape{}));
    TT_CHECK(o.label_smoothing >= 0.0f && o.label_smoothing <= 1.0f,
             "cross_entropy: label_smoothing must be in [0, 1], got " << o.label_smoothing);
    CeInputs in;
    in.N = logits.shape(0);
    in.C = logits.shape(1);
    in.x = logits.contiguous();
    in.t = target.contiguous();
    if (o.weight.defined()) {
        TT_CHECK(o.weight.dim() == 1 && o.weight.shape(0) == in.C,
                 "cross_entropy: weight must be [C] = [" << in.C << "], got " << o.weight.shape());
        in.w = o.weight.to_vector();
    } else {
        in.w.assign(static_cast<size_t>(in.C), 1.0f);
    }
    in.ignored.resize(static_cast<size_t>(in.N));
    in.y.resize(static_cast<size_t>(in.N));
    const std::string not_ignored = " nor ignore_index " + std::to_string(o.ignore_index);  // for the error
    for (int64_t n = 0; n < in.N; ++n) {
        float t = in.t.data()[n];
        in.ignored[n] = t == static_cast<float>(o.ignore_index);
        if (in.ignored[n]) continue;
        in.y[n] = class_index(in.t.data(), n, in.C, "cross_entropy", not_ignored.c_str());
    }
    return in;
}

// What the mean divides by: the weights of the rows' own classes, summed over the rows not ignored.
double mean_denominator(const CeInputs& in) {
    double total = 0;
    for (int64_t n = 0; n < in.N; ++n)
        if (!in.ignored[n]) total += in.w[in.y[n]];
    return total;
}

// l_n for every row (0 for ignored rows), in double.
std::vector<double> row_losses(const CeInputs& in, float smoothing) {
    std::vector<double> loss(static_cast<size_t>(in.N), 0.0);
    // BEGIN SOLUTION per row n not ignored: m = max_c x[n, c], lse = m + log(sum_c exp(x[n, c] - m)) in double, -logp_c = lse - x[n, c]; loss[n] = (1 - smoothing) * w[y] * (lse - x[n, y]) + smoothing / C * sum_c w[c] * (lse - x[n, c])
    const int64_t C = in.C;
    for (int64_t n = 0; n < in.N; ++n) {
        if (in.ignored[n]) continue;
        const float* row = in.x.data() + n * C;
        float m = row[0];
        for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
        double s = 0;
        for (int64_t c = 0; c < C; ++c) s += std::exp(static_cast<double>(row[c]) - m);
        const double lse = m + std::log(s);
        double smooth = 0;
        if (smoothing != 0.0f)
            for (int64_t c = 0; c < C; ++c) smooth += in.w[c] * (lse - row[c]);
        const int64_t y = in.y[n];
        loss[n] = (1.0 - smoothing) * in.w[y] * (lse - row[y]) + smoothing / static_cast<double>(C) * smooth;
    }
    // END SOLUTION
    return loss;
}

// dl_n/dx[n, c] times scale[n], written into d (zeros on entry; ignored rows stay 0).
void row_gradients(const CeInputs& in, float smoothing, const std::vector<double>& scale, float* d) {
    // BEGIN SOLUTION per row n not ignored, with p = softmax(x[n]) (subtract the max first) and W = sum_c w[c]: d[n, c] = scale[n] * ((1 - smoothing) * w[y] * (p_c - [c == y]) + smoothing / C * (W * p_c - w[c]))
    const int64_t C = in.C;
    double wsum = 0;
    for (float v : in.w) wsum += v;
    std::vector<double> p(static_cast<size_t>(C));
    for (int64_t n = 0; n < in.N; ++n) {
        if (in.ignored[n] || scale[n] == 0.0) continue;
        const float* row = in.x.data() + n * C;
        float m = row[0];
        for (int64_t c = 1; c < C; ++c) m = std::max(m, row[c]);
        double s = 0;
        for (int64_t c = 0; c < C; ++c) s += p[c] = std::exp(static_cast<double>(row[c]) - m);
        const int64_t y = in.y[n];
        for (int64_t c = 0; c < C; ++c) {
            const double pc = p[c] / s;
            double g = (1.0 - smoothing) * in.w[y] * (pc - (c == y ? 1.0 : 0.0));
            g += smoothing / static_cast<double>(C) * (wsum * pc - in.w[c]);
            d[n * C + c] = static_cast<float>(scale[n] * g);
        }
    }
    // END SOLUTION
}

}  // namespace

Tensor cross_entropy_forward(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
    CeInputs in = prepare(logits, target, options);
    std::vector<double> loss = row_losses(in, options.label_smoothing);
    if (options.reduction == Reduction::None) {
        Tensor out({in.N});
        for (int64_t n = 0; n < in.N; ++n) out.data()[n] = static_cast<float>(loss[n]);
        return out;
    }
    double total = 0;
    for (double l : loss) total += l;
    // Mean: 0 / 0 = NaN when every row is ignored (or every weight is 0), which is what PyTorch returns.
    if (options.reduction == Reduction::Mean) total /= mean_denominator(in);
    return scalar(static_cast<float>(total));
}

Tensor cross_entropy_backward(const Tensor& grad, const Tensor& logits, const Tensor& target,
                              const CrossEntropyOptions& options) {
    CeInputs in = prepare(logits, target, options);
    std::vector<double> scale(static_cast<size_t>(in.N));
    if (options.reduction == Reduction::None) {
        TT_CHECK(grad.defined() && grad.numel() == in.N,
                 "cross_entropy_backward: reduction none needs a gradient of [N] = [" << in.N << "]");
        std::vector<float> g = grad.to_vector();
        for (int64_t n = 0; n < in.N; ++n) scale[n] = g[n];
    } else {
        TT_CHECK(grad.defined() && grad.numel() == 1,
                 "cross_entropy_backward: the gradient of a scalar loss is a scalar");
        double s = grad.item();
        if (options.reduction == Reduction::Mean) s /= mean_denominator(in);  // NaN when every row is ignored
        scale.assign(static_cast<size_t>(in.N), s);
    }
    Tensor d({in.N, in.C});
    row_gradients(in, options.label_smoothing, scale, d.data());
    return d;
}

}  // namespace tt
