// Module 16 — Compression: the two training steps of the module, fine-tuning a pruned model and distilling a
// student from a teacher, each one optimizer step on top of module 09's training loop.
#pragma once

#include <vector>

#include "prune.h"
#include "train_loop.h"

namespace tt::optim {

// train_step, then the masks applied again: the step wrote every weight, pruned ones included (their gradients are
// not 0, and momentum or weight decay move them even when they are), so without it the pruned model would grow back
// during fine-tuning. Returns train_step's loss.
double pruned_train_step(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const nn::PruningMasks& masks,
                         const std::vector<Batch>& micro);

// One step of the student on F::distillation_loss (autograd/distillation.h) against the teacher's logits for the
// same batch, computed in eval mode without a graph (the teacher is not trained). Returns the loss.
double distill_train_step(nn::Module& student, nn::Module& teacher, Optimizer& optimizer, const Batch& batch,
                          float temperature, float alpha);

}  // namespace tt::optim
