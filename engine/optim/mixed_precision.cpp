#include "mixed_precision.h"

#include <cmath>

#include "bf16.h"
#include "error.h"
#include "functional.h"

namespace tt::optim {

GradScaler::GradScaler(const GradScalerOptions& o) : o_(o), scale_(o.init_scale) {
    TT_CHECK(o.init_scale > 0 && o.growth_factor > 1 && o.backoff_factor > 0 && o.backoff_factor < 1 &&
                 o.growth_interval >= 1,
             "GradScaler: init_scale > 0, growth_factor > 1, backoff_factor in (0, 1) and growth_interval >= 1 "
             "are needed, got "
                 << o.init_scale << ", " << o.growth_factor << ", " << o.backoff_factor << ", " << o.growth_interval);
}

bool GradScaler::unscale_(const std::vector<nn::Parameter*>& params) const {
    const auto inv = static_cast<float>(1.0 / scale_);
    bool found_inf = false;
    for (nn::Parameter* p : params) {
        float* g = p->grad.data();
        for (int64_t i = 0; i < p->grad.numel(); ++i) {
            g[i] *= inv;
            found_inf = found_inf || !std::isfinite(g[i]);
        }
    }
    return found_inf;
}

void GradScaler::update(bool found_inf) {
    // BEGIN SOLUTION an overflow: scale *= backoff_factor and the good-step count restarts at 0; otherwise count the good step, and when the count reaches growth_interval scale *= growth_factor and restart the count
    if (found_inf) {
        scale_ *= o_.backoff_factor;
        good_steps_ = 0;
        return;
    }
    if (++good_steps_ == o_.growth_interval) {
        scale_ *= o_.growth_factor;
        good_steps_ = 0;
    }
    // END SOLUTION
}

MixedPrecisionTrainer::MixedPrecisionTrainer(nn::Module& model, const GradScalerOptions& options)
    : model_params_(model.parameters()), scaler_(options) {
    for (nn::Parameter* p : model_params_) {
        TT_CHECK(p->value.is_contiguous(), "MixedPrecisionTrainer: parameters must be contiguous");
        masters_.push_back(std::make_unique<nn::Parameter>(p->value.clone()));
        bf16_.emplace_back(static_cast<size_t>(p->value.numel()));
    }
    copy_masters_to_model();
}

std::vector<nn::Parameter*> MixedPrecisionTrainer::master_parameters() {
    std::vector<nn::Parameter*> out;
    for (auto& m : masters_) out.push_back(m.get());
    return out;
}

void MixedPrecisionTrainer::copy_masters_to_model() {
    for (size_t i = 0; i < masters_.size(); ++i) {
        const int64_t n = masters_[i]->value.numel();
        float_to_bf16(masters_[i]->value.data(), bf16_[i].data(), n);
        bf16_to_float(bf16_[i].data(), model_params_[i]->value.data(), n);
    }
}

Tensor MixedPrecisionTrainer::cast_activation(const Tensor& x) {
    activation_elements_ += x.numel();
    // x + (bf16(x) - x) with the difference a constant: the value is bf16(x), the gradient flows to x as is.
    return F::add(x, F::sub(bf16_round(x), x.detach()).detach());
}

MixedPrecisionStep MixedPrecisionTrainer::step(Optimizer& opt, const std::function<Tensor()>& loss_fn) {
    MixedPrecisionStep r;
    r.scale = scaler_.scale();
    activation_elements_ = 0;
    copy_masters_to_model();
    for (nn::Parameter* p : model_params_) p->grad.fill_(0.0f);
    Tensor loss = loss_fn();
    TT_CHECK(loss.defined() && loss.numel() == 1, "MixedPrecisionTrainer::step: loss_fn must return one value");
    r.loss = loss.contiguous().data()[0];
    // BEGIN SOLUTION backward of loss * scale (F::mul by a one-element tensor); each master's grad = bf16_round of its model parameter's grad; scaler_.unscale_ the masters' grads; skip opt.step() when that found Inf or NaN (r.skipped); scaler_.update either way
    F::mul(loss, Tensor({1}, {static_cast<float>(r.scale)})).backward();
    for (size_t i = 0; i < masters_.size(); ++i) masters_[i]->grad.copy_(bf16_round(model_params_[i]->grad));
    r.skipped = scaler_.unscale_(master_parameters());
    if (!r.skipped) opt.step();
    scaler_.update(r.skipped);
    // END SOLUTION
    return r;
}

int64_t MixedPrecisionTrainer::master_bytes() const {
    int64_t n = 0;
    for (const auto& m : masters_) n += m->value.nbytes();
    return n;
}

int64_t MixedPrecisionTrainer::bf16_bytes() const {
    int64_t n = 0;
    for (const auto& b : bf16_) n += static_cast<int64_t>(b.size() * sizeof(uint16_t));
    return n;
}

}  // namespace tt::optim
