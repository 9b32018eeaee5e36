#include "adam.h"

#include <cmath>

#include "error.h"

namespace tt::optim {

namespace {

Options adam_defaults(double weight_decay) {
    return {{"lr", 1e-3}, {"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}, {"weight_decay", weight_decay}};
}

std::vector<ParamGroup> one_group(std::vector<nn::Parameter*> params) { return {ParamGroup{std::move(params), {}}}; }

}  // namespace

Adam::Adam(std::vector<nn::Parameter*> params, const Options& options) : Adam(one_group(std::move(params)), options) {}

Adam::Adam(std::vector<ParamGroup> groups, const Options& options)
    : Adam("Adam", std::move(groups), adam_defaults(0.0), options, false) {}

Adam::Adam(std::string name, std::vector<ParamGroup> groups, const Options& defaults, const Options& options,
           bool decoupled)
    : Optimizer(std::move(name), std::move(groups), defaults, options), decoupled_weight_decay(decoupled) {
    check_groups();
}

AdamW::AdamW(std::vector<nn::Parameter*> params, const Options& options)
    : AdamW(one_group(std::move(params)), options) {}

AdamW::AdamW(std::vector<ParamGroup> groups, const Options& options)
    : Adam("AdamW", std::move(groups), adam_defaults(1e-2), options, true) {}

void Adam::check_group(const ParamGroup& group) const {
    const double lr = group.get("lr"), beta1 = group.get("beta1"), beta2 = group.get("beta2"), eps = group.get("eps"),
                 weight_decay = group.get("weight_decay");
    const std::string& name = type_name();
    TT_CHECK(lr >= 0, name << ": invalid lr " << lr << " (must be >= 0)");
    TT_CHECK(eps >= 0, name << ": invalid eps " << eps << " (must be >= 0)");
    // beta = 1 would make 1 - beta^t zero: the bias correction would divide by 0.
    TT_CHECK(beta1 >= 0 && beta1 < 1, name << ": invalid beta1 " << beta1 << " (must be in [0, 1))");
    TT_CHECK(beta2 >= 0 && beta2 < 1, name << ": invalid beta2 " << beta2 << " (must be in [0, 1))");
    TT_CHECK(weight_decay >= 0, name << ": invalid weight_decay " << weight_decay << " (must be >= 0)");
}

void Adam::step() {
    for (ParamGroup& group : param_groups()) {
        // Options are used rounded to float32, the precision of the tensors and of a saved state dict, so that an
        // optimizer reloaded from one computes bit for bit what the original would have. Coefficients derived from
        // them are formed in double and rounded once, as PyTorch's Python floats are.
        const float lr = static_cast<float>(group.get("lr")), beta1 = static_cast<float>(group.get("beta1")),
                    beta2 = static_cast<float>(group.get("beta2")), eps = static_cast<float>(group.get("eps")),
                    weight_decay = static_cast<float>(group.get("weight_decay"));
        const float one_minus_beta1 = static_cast<float>(1.0 - beta1);
        const float one_minus_beta2 = static_cast<float>(1.0 - beta2);
        const float decay = static_cast<float>(1.0 - static_cast<double>(lr) * weight_decay);  // AdamW's shrink
        for (nn::Parameter* p : group.params) {
            check_param(*p);
            const int64_t n = p->value.numel();
            float* w = p->value.data();
            const float* g = p->grad.data();
            ParamState& st = state(p);
            if (!st.has("exp_avg")) {  // the first step: both moments start at 0
                st.buffers["exp_avg"] = Tensor(p->value.shape());
                st.buffers["exp_avg_sq"] = Tensor(p->value.shape());
            }
            float* m = st.buffer("exp_avg").data();
            float* v = st.buffer("exp_avg_sq").data();
            // BEGIN SOLUTION count the step (st.step += 1, t = st.step); bias corrections 1 - beta^t in double; then per element: AdamW (decoupled_weight_decay) multiplies w by decay, Adam adds weight_decay * w to the gradient (when weight_decay != 0); update m and v; w -= (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
            st.step += 1;
            const double bias_correction1 = 1 - std::pow(static_cast<double>(beta1), static_cast<double>(st.step));
            const double bias_correction2 = 1 - std::pow(static_cast<double>(beta2), static_cast<double>(st.step));
            const float step_size = static_cast<float>(lr / bias_correction1);
            const float bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
            for (int64_t i = 0; i < n; ++i) {
                float grad = g[i];
                if (decoupled_weight_decay) w[i] *= decay;
                else if (weight_decay != 0) grad += weight_decay * w[i];
                m[i] = beta1 * m[i] + one_minus_beta1 * grad;
                v[i] = beta2 * v[i] + one_minus_beta2 * grad * grad;
                const float denom = std::sqrt(v[i]) / bias_correction2_sqrt + eps;
                w[i] -= step_size * (m[i] / denom);
            }
            // END SOLUTION
        }
    }
}

}  // namespace tt::optim
