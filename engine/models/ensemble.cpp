#include "ensemble.h"

#include <string>

#include "classifier.h"
#include "error.h"
#include "grad_mode.h"
#include "metrics.h"

namespace tt {

Tensor average_logits(const std::vector<Tensor>& logits) {
    TT_CHECK(!logits.empty(), "average_logits: no logits to average");
    for (size_t m = 0; m < logits.size(); ++m)
        TT_CHECK(logits[m].defined() && logits[m].shape() == logits[0].shape(),
                 "average_logits: member " << m << "'s logits are "
                                           << (logits[m].defined() ? logits[m].shape() : Shape{}) << ", member 0's "
                                           << logits[0].shape());
    Tensor out(logits[0].shape());
    // BEGIN SOLUTION sum every member's logits elementwise (in member order, contiguous copies), then divide by the number of members
    float* o = out.data();
    for (const Tensor& l : logits) {
        const Tensor c = l.contiguous();
        for (int64_t i = 0; i < out.numel(); ++i) o[i] += c.data()[i];
    }
    const auto m = static_cast<float>(logits.size());
    for (int64_t i = 0; i < out.numel(); ++i) o[i] /= m;
    // END SOLUTION
    return out;
}

Ensemble::Ensemble(const std::vector<std::shared_ptr<nn::Module>>& members) : members_(members) {
    TT_CHECK(!members.empty(), "Ensemble: needs at least one member");
    for (size_t m = 0; m < members.size(); ++m) {
        TT_CHECK(members[m] != nullptr, "Ensemble: member " << m << " is null");
        register_module(std::to_string(m), members[m]);
    }
}

Tensor Ensemble::forward(const Tensor& x) { return forward_first(x, size()); }

Tensor Ensemble::forward_first(const Tensor& x, int64_t k) {
    TT_CHECK(k >= 1 && k <= size(), "Ensemble::forward_first: k = " << k << " must be in 1 .. " << size());
    autograd::NoGrad no_grad;
    std::vector<Tensor> logits;
    for (int64_t m = 0; m < k; ++m) logits.push_back(members_[static_cast<size_t>(m)]->forward(x));
    return average_logits(logits);
}

Tensor Ensemble::backward(const Tensor&) {
    TT_CHECK(false, "Ensemble::backward: an ensemble is built from trained models and is not trained itself");
    return Tensor();
}

namespace {

// Forward of the first k members as a Module, so time_forward can time it.
class FirstK : public nn::Module {
public:
    FirstK(Ensemble& e, int64_t k) : e_(e), k_(k) {}
    Tensor forward(const Tensor& x) override { return e_.forward_first(x, k_); }
    Tensor backward(const Tensor&) override { return Tensor(); }
    std::string type_name() const override { return "FirstK"; }

private:
    Ensemble& e_;
    int64_t k_;
};

}  // namespace

std::vector<EnsemblePoint> ensemble_curve(Ensemble& ensemble, const Tensor& x, const Tensor& labels,
                                          double sample_seconds) {
    TT_CHECK(x.defined() && labels.defined() && labels.dim() == 1 && x.dim() >= 1 && x.shape(0) == labels.shape(0),
             "ensemble_curve: x [N, ...] and labels [N] must have the same N");
    std::vector<EnsemblePoint> points;
    for (int64_t k = 1; k <= ensemble.size(); ++k) {
        EnsemblePoint p;
        p.members = k;
        p.accuracy = nn::accuracy(ensemble.forward_first(x, k), labels);
        FirstK net(ensemble, k);
        p.ms_per_example = 1000.0 * time_forward(net, x, sample_seconds) / static_cast<double>(x.shape(0));
        points.push_back(p);
    }
    // Bytes of the first k members: the ensemble's parameters are its members' in order.
    int64_t running = 0;
    size_t k = 0;
    for (auto& [name, child] : ensemble.children()) {
        if (k == points.size()) break;
        running += child->parameter_bytes();
        points[k++].parameter_bytes = running;
    }
    return points;
}

}  // namespace tt
