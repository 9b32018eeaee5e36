// Module 08 — Adam and AdamW: a step size per element, from running averages of the gradient and of its square
// (torch.optim.Adam / AdamW). Per element of θ with gradient g, at step t = 1, 2, ...:
//
//     m ← β1 m + (1 − β1) g            the first moment (a smoothed gradient); m and v start at 0
//     v ← β2 v + (1 − β2) g²           the second moment (a smoothed squared gradient)
//     m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
//                                       bias correction: from a start at 0, m = (1 − β1) g at t = 1 — ten times too
//                                       small for β1 = 0.9; dividing by 1 − β1^t undoes exactly that
//     θ ← θ − η m̂ / (√v̂ + ε)           eps OUTSIDE the square root, as PyTorch: for a tiny gradient (|g| ~ 1e-4)
//                                       √(v̂ + ε) would be 1.4× √v̂ + ε, and the step would shrink
//
// m̂ / √v̂ is about ±1 whatever the gradient's scale, so every parameter moves about η per step: a loss scaled by
// 1000 trains the same. The price is memory: two buffers the size of the parameters.
//
// Weight decay λ: Adam adds λθ to g (an L2 penalty, which √v̂ then rescales per element, so weights with large
// gradients are barely decayed); AdamW (Loshchilov & Hutter) decouples it: θ ← θ (1 − ηλ) before the update, the
// same shrink for every weight.
//
// Options (per group): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0 (AdamW: 1e-2). State per
// parameter: "exp_avg" (m), "exp_avg_sq" (v) and the step count t.
#pragma once

#include <string>
#include <vector>

#include "optimizer.h"

namespace tt::optim {

class Adam : public Optimizer {
public:
    explicit Adam(std::vector<nn::Parameter*> params, const Options& options = {});
    explicit Adam(std::vector<ParamGroup> groups, const Options& options = {});

    void step() override;

    const bool decoupled_weight_decay;  // true for AdamW: weight decay shrinks θ instead of joining the gradient

protected:
    // AdamW's constructor: another name, another default weight decay, and decay applied to θ directly.
    Adam(std::string name, std::vector<ParamGroup> groups, const Options& defaults, const Options& options,
         bool decoupled);

    std::vector<std::string> buffer_names() const override { return {"exp_avg", "exp_avg_sq"}; }
    void check_group(const ParamGroup& group) const override;
};

class AdamW : public Adam {
public:
    explicit AdamW(std::vector<nn::Parameter*> params, const Options& options = {});
    explicit AdamW(std::vector<ParamGroup> groups, const Options& options = {});
};

}  // namespace tt::optim
