#include "lr_scheduler.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace tt::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
    // The first scheduler on an optimizer records each group's lr as "initial_lr"; later ones (and a reload of a
    // saved optimizer) start from that same value, not from whatever lr the schedule has reached.
    for (ParamGroup& group : optimizer_.param_groups()) {
        if (!group.options.count("initial_lr")) group.set("initial_lr", group.get("lr"));
        base_lrs_.push_back(group.get("initial_lr"));
    }
}

void LRScheduler::start() {
    last_epoch_ = 0;
    apply();
}

void LRScheduler::step() {
    TT_CHECK(last_epoch_ >= 0, "LRScheduler::step: the scheduler was not started");
    ++last_epoch_;
    apply();
}

void LRScheduler::apply() {
    std::vector<ParamGroup>& groups = optimizer_.param_groups();
    TT_CHECK(groups.size() == base_lrs_.size(),
             "LRScheduler: the optimizer has " << groups.size() << " param group(s), the scheduler was built for "
                                               << base_lrs_.size() << " (build the scheduler after add_param_group)");
    last_lr_.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
        last_lr_.push_back(lr_at(base_lrs_[g], last_epoch_));
        groups[g].set("lr", last_lr_.back());
    }
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size_, double gamma_)
    : LRScheduler(optimizer), step_size(step_size_), gamma(gamma_) {
    TT_CHECK(step_size > 0, "StepLR: step_size must be > 0, got " << step_size);
    TT_CHECK(gamma >= 0, "StepLR: gamma must be >= 0, got " << gamma);
    start();
}

double StepLR::lr_at(double base_lr, int64_t t) const {
    return base_lr * std::pow(gamma, static_cast<double>(t / step_size));  // t / step_size: integer division
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max_, double eta_min_)
    : LRScheduler(optimizer), T_max(T_max_), eta_min(eta_min_) {
    TT_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be > 0, got " << T_max);
    TT_CHECK(eta_min >= 0, "CosineAnnealingLR: eta_min must be >= 0, got " << eta_min);
    start();
}

double CosineAnnealingLR::lr_at(double base_lr, int64_t t) const {
    // BEGIN SOLUTION eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2, in double: t / T_max is not an integer division (M_PI is not standard C++: pi = std::acos(-1.0))
    const double pi = std::acos(-1.0);
    const double progress = static_cast<double>(t) / static_cast<double>(T_max);
    return eta_min + (base_lr - eta_min) * (1 + std::cos(pi * progress)) / 2;
    // END SOLUTION
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor_, double end_factor_, int64_t total_iters_)
    : LRScheduler(optimizer), start_factor(start_factor_), end_factor(end_factor_), total_iters(total_iters_) {
    TT_CHECK(start_factor > 0 && start_factor <= 1, "LinearLR: start_factor must be in (0, 1], got " << start_factor);
    TT_CHECK(end_factor >= 0 && end_factor <= 1, "LinearLR: end_factor must be in [0, 1], got " << end_factor);
    TT_CHECK(total_iters > 0, "LinearLR: total_iters must be > 0, got " << total_iters);
    start();
}

double LinearLR::lr_at(double base_lr, int64_t t) const {
    const double progress = static_cast<double>(std::min(t, total_iters)) / static_cast<double>(total_iters);
    return base_lr * (start_factor + (end_factor - start_factor) * progress);
}

}  // namespace tt::optim
