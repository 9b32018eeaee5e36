// Module 09 — the training loop, as three small helpers over a model, a loss and an optimizer:
//
//     train_step    one optimizer step from k micro-batches (gradient accumulation)
//     train_epoch   train_step over every batch (or every group of `accumulation` batches)
//     evaluate      the loss and accuracy without a graph, in eval mode
//
// Batches come as a vector or as a callable that fills the next one and returns false at the end of the epoch (what
// a data loader will provide). Gradient accumulation: the gradient of a mean over B = k·b samples equals the sum
// over k micro-batches of (1/k)·(gradient of each micro-batch's mean over b), so scaling each micro-batch's loss by
// 1/k and letting backward ADD into Parameter::grad reproduces the big batch's step with a k times smaller graph.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "losses.h"
#include "module.h"
#include "optimizer.h"
#include "tensor.h"

namespace tt::optim {

struct Batch {
    Tensor input;
    Tensor target;
};
// Fills `batch` with the next one and returns true, or returns false when there are no more.
using BatchSource = std::function<bool(Batch& batch)>;
BatchSource batches_of(const std::vector<Batch>& batches);  // the vector must outlive the source

struct EpochResult {
    double loss = 0;      // the mean loss per sample (each batch's loss weighted by its size)
    double accuracy = 0;  // evaluate: the fraction correct for logits [N, C] and classes [N]; otherwise NaN
    int64_t samples = 0;
    int64_t steps = 0;  // optimizer steps taken (train_epoch)
};

// zero_grad; for each of the k micro-batches: loss(model(input), target) / k, backward; then one optimizer step.
// Every micro-batch should have the same size (otherwise the small ones weigh more than their share). Returns the
// mean of the micro-batches' (unscaled) losses.
double train_step(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const std::vector<Batch>& micro);

// model.train(), then one train_step per `accumulation` consecutive batches (a last, shorter group steps too).
EpochResult train_epoch(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const BatchSource& next,
                        int accumulation = 1);
EpochResult train_epoch(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer,
                        const std::vector<Batch>& batches, int accumulation = 1);

// model.eval() and no graph; the model's training mode is restored afterwards.
EpochResult evaluate(nn::Module& model, const nn::Loss& loss, const BatchSource& next);
EpochResult evaluate(nn::Module& model, const nn::Loss& loss, const std::vector<Batch>& batches);

}  // namespace tt::optim
