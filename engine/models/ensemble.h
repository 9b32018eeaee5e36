// Module 17 — Competition: ensembles, several classifiers voting by averaging their logits.
//
//     logits = (logits_1 + ... + logits_M) / M              [B, classes]
// Models trained from different seeds make partly independent mistakes, so their average is right more often than
// each alone; the price is M forward passes and M models' bytes. Logits, not probabilities: the mean of logits is
// the geometric mean of the members' softmax distributions (renormalised), which a confident member cannot swamp
// the way it swamps an arithmetic mean of probabilities; and it keeps the output a logit, so the same
// cross-entropy, argmax and softmax apply to the ensemble as to one model.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "module.h"

namespace tt {

// The elementwise mean of M >= 1 logit tensors of one shape.
Tensor average_logits(const std::vector<Tensor>& logits);

class Ensemble : public nn::Module {
public:
    // Members "0", "1", ... (their parameters are named "0.0.weight" ...). Inference only.
    explicit Ensemble(const std::vector<std::shared_ptr<nn::Module>>& members);

    Tensor forward(const Tensor& x) override;  // average_logits of every member's forward(x)
    // The same with only the first k members (1 .. size()): the accuracy-vs-cost curve's points.
    Tensor forward_first(const Tensor& x, int64_t k);
    Tensor backward(const Tensor& grad_out) override;  // an error: an ensemble of trained models is not trained
    std::string type_name() const override { return "Ensemble"; }
    int64_t size() const { return static_cast<int64_t>(members_.size()); }

private:
    std::vector<std::shared_ptr<nn::Module>> members_;
};

struct EnsemblePoint {
    int64_t members = 0;
    double accuracy = 0;          // on the given examples, 0 .. 1
    double ms_per_example = 0;    // measured forward time of the first `members` members
    int64_t parameter_bytes = 0;  // of those members
};

// Accuracy and cost of the first k members for k = 1 .. size(): x [N, ...], labels [N] (class ids as float).
std::vector<EnsemblePoint> ensemble_curve(Ensemble& ensemble, const Tensor& x, const Tensor& labels,
                                          double sample_seconds);

}  // namespace tt
