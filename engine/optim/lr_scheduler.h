// Module 08 — learning-rate schedules (torch.optim.lr_scheduler). A scheduler owns no learning rate of its own: it
// rewrites each param group's "lr" from the group's initial lr η0 (kept in the group as "initial_lr") and the number
// t of scheduler steps taken, by a closed form:
//
//     StepLR             η_t = η0 γ^⌊t / step_size⌋                         drop by γ every step_size epochs
//     CosineAnnealingLR  η_t = η_min + (η0 − η_min) (1 + cos(π t / T_max)) / 2
//                        from η0 at t = 0 down to η_min at t = T_max along half a cosine (and back up after it,
//                        as PyTorch's does; stop at T_max)
//     LinearLR           η_t = η0 (s + (e − s) min(t, T) / T)               linear warm-up with s < e = 1: a few small
//                        steps while Adam's second moment (or a fresh momentum buffer) is still a poor estimate
//
// Used as in PyTorch: build it after the optimizer (that already sets the lr of t = 0), then once per epoch (or per
// iteration, for warm-up) call optimizer.step() and then scheduler.step().
#pragma once

#include <cstdint>
#include <vector>

#include "optimizer.h"

namespace tt::optim {

class LRScheduler {
public:
    virtual ~LRScheduler() = default;
    LRScheduler(const LRScheduler&) = delete;
    LRScheduler& operator=(const LRScheduler&) = delete;

    void step();                                        // t += 1; every group's lr := lr_at(its initial lr, t)
    int64_t last_epoch() const { return last_epoch_; }  // t, PyTorch's name
    const std::vector<double>& get_last_lr() const { return last_lr_; }  // the lr each group got last
    const std::vector<double>& base_lrs() const { return base_lrs_; }    // each group's η0

    // The schedule's closed form: the lr at step t of a group that started at base_lr.
    virtual double lr_at(double base_lr, int64_t t) const = 0;

protected:
    explicit LRScheduler(Optimizer& optimizer);
    // Sets the lr of t = 0. Subclass constructors call it last: a base constructor cannot reach lr_at (virtual).
    void start();

private:
    void apply();

    Optimizer& optimizer_;
    std::vector<double> base_lrs_;
    std::vector<double> last_lr_;
    int64_t last_epoch_ = -1;
};

class StepLR : public LRScheduler {
public:
    StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
    double lr_at(double base_lr, int64_t t) const override;

    const int64_t step_size;
    const double gamma;
};

class CosineAnnealingLR : public LRScheduler {
public:
    CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);
    double lr_at(double base_lr, int64_t t) const override;

    const int64_t T_max;
    const double eta_min;
};

class LinearLR : public LRScheduler {
public:
    LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);
    double lr_at(double base_lr, int64_t t) const override;

    const double start_factor;
    const double end_factor;
    const int64_t total_iters;
};

}  // namespace tt::optim
