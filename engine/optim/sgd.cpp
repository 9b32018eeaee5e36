#include "sgd.h"

#include <cmath>
#include <limits>

#include "error.h"

namespace tt::optim {

namespace {

Options sgd_defaults() {
    return {{"lr", std::numeric_limits<double>::quiet_NaN()},  // no default: a learning rate is the user's choice
            {"momentum", 0.0},
            {"dampening", 0.0},
            {"weight_decay", 0.0},
            {"nesterov", 0.0}};
}

}  // namespace

SGD::SGD(std::vector<nn::Parameter*> params, const Options& options)
    : SGD(std::vector<ParamGroup>{ParamGroup{std::move(params), {}}}, options) {}

SGD::SGD(std::vector<ParamGroup> groups, const Options& options)
    : Optimizer("SGD", std::move(groups), sgd_defaults(), options) {
    check_groups();
}

void SGD::check_group(const ParamGroup& group) const {
    const double lr = group.get("lr"), momentum = group.get("momentum"), dampening = group.get("dampening"),
                 weight_decay = group.get("weight_decay"), nesterov = group.get("nesterov");
    TT_CHECK(!std::isnan(lr), "SGD: lr is required (SGD has no default learning rate)");
    TT_CHECK(lr >= 0, "SGD: invalid lr " << lr << " (must be >= 0)");
    TT_CHECK(momentum >= 0, "SGD: invalid momentum " << momentum << " (must be >= 0)");
    TT_CHECK(weight_decay >= 0, "SGD: invalid weight_decay " << weight_decay << " (must be >= 0)");
    TT_CHECK(nesterov == 0 || nesterov == 1, "SGD: nesterov must be 0 or 1, got " << nesterov);
    TT_CHECK(nesterov == 0 || (momentum > 0 && dampening == 0),
             "SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum "
                 << momentum << " and dampening " << dampening);
}

void SGD::step() {
    for (ParamGroup& group : param_groups()) {
        // Options are used rounded to float32, the precision of the tensors and of a saved state dict, so that an
        // optimizer reloaded from one computes bit for bit what the original would have. 1 - dampening is formed in
        // double and rounded once, as PyTorch's alpha = 1 - dampening is.
        const float lr = static_cast<float>(group.get("lr"));
        const float momentum = static_cast<float>(group.get("momentum"));
        const float dampening = static_cast<float>(group.get("dampening"));
        const float one_minus_dampening = static_cast<float>(1.0 - dampening);
        const float weight_decay = static_cast<float>(group.get("weight_decay"));
        const bool nesterov = group.get("nesterov") != 0;
        for (nn::Parameter* p : group.params) {
            check_param(*p);
            const int64_t n = p->value.numel();
            float* w = p->value.data();
            const float* g = p->grad.data();
            // BEGIN SOLUTION per element: d = g (+ weight_decay * w when weight_decay != 0). Without momentum, w -= lr * d. With momentum, keep state(p)'s "momentum_buffer" (create it on the first step, when state(p).has() says it is missing): b = d on the first step, else b = momentum * b + one_minus_dampening * d; then d = d + momentum * b (nesterov) or d = b; w -= lr * d
            if (momentum == 0) {
                for (int64_t i = 0; i < n; ++i) {
                    float d = g[i];
                    if (weight_decay != 0) d += weight_decay * w[i];
                    w[i] -= lr * d;
                }
            } else {
                ParamState& st = state(p);
                const bool first = !st.has("momentum_buffer");
                if (first) st.buffers["momentum_buffer"] = Tensor(p->value.shape());
                float* b = st.buffer("momentum_buffer").data();
                for (int64_t i = 0; i < n; ++i) {
                    float d = g[i];
                    if (weight_decay != 0) d += weight_decay * w[i];
                    b[i] = first ? d : momentum * b[i] + one_minus_dampening * d;
                    d = nesterov ? d + momentum * b[i] : b[i];
                    w[i] -= lr * d;
                }
            }
            // END SOLUTION
        }
    }
}

}  // namespace tt::optim
