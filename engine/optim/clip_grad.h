// Module 08 — gradient clipping by the global norm (torch.nn.utils.clip_grad_norm_).
//
// All gradient elements of all parameters, taken as one vector G, have the 2-norm ‖G‖ = sqrt(Σ g²). When ‖G‖ is
// above max_norm, every gradient is multiplied by the same factor max_norm / (‖G‖ + 1e-6), so G keeps its direction
// and gets (just under) the length max_norm; at or below it nothing changes. One bad batch (an exploding gradient in
// an RNN or a transformer early in training) then moves the weights a bounded distance instead of wrecking them.
// The 1e-6 keeps the division finite when every gradient is 0.
//
// Call it between backward and optimizer.step(). It returns ‖G‖ before clipping: the number a training log plots to
// see whether clipping happens at all.
#pragma once

#include <vector>

#include "module.h"

namespace tt::optim {

float clip_grad_norm_(const std::vector<nn::Parameter*>& params, float max_norm);
float clip_grad_norm_(nn::Module& module, float max_norm);  // all of the module's parameters

}  // namespace tt::optim
