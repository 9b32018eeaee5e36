// Module 08 — SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, the
// update of torch.optim.SGD. Per element of a parameter θ with gradient g, at every step:
//
//     d ← g + λ θ                          weight decay λ: the gradient of an L2 penalty (λ/2)‖θ‖² on the loss
//     b ← d                    first step  the momentum buffer starts AS the first gradient (not at 0, and not
//     b ← μ b + (1 − τ) d      later       dampened), so the first step equals plain SGD's
//     d ← d + μ b   (Nesterov) or  d ← b   Nesterov looks ahead: the gradient plus the next momentum step
//     θ ← θ − η d                          learning rate η
//
// Momentum μ makes b a running sum of past gradients (≈ 1 / (1 − μ) times a steady gradient: 10× for μ = 0.9),
// which speeds up travel along directions where the gradients agree and cancels zig-zags where they do not.
//
// Options (per group): lr (required, SGD has no default), momentum 0, dampening 0, weight_decay 0, nesterov 0 or 1
// (needs momentum > 0 and dampening 0). State per parameter with momentum: "momentum_buffer".
#pragma once

#include <string>
#include <vector>

#include "optimizer.h"

namespace tt::optim {

class SGD : public Optimizer {
public:
    SGD(std::vector<nn::Parameter*> params, const Options& options);
    SGD(std::vector<ParamGroup> groups, const Options& options);

    void step() override;

protected:
    std::vector<std::string> buffer_names() const override { return {"momentum_buffer"}; }
    void check_group(const ParamGroup& group) const override;
};

}  // namespace tt::optim
