// Module 09 — a training checkpoint: everything a run needs to continue as if it had never stopped, in ONE
// safetensors file (io/safetensors.h), so any safetensors reader can open it and pick out the weights.
//
// Keys, by prefix:
//     model.<name>          the model's state_dict: "model.0.weight"
//     optim.<key>           the optimizer's state_dict (optimizer.h): "optim.state.0.exp_avg", "optim.param_groups.0.lr"
//     meta.epoch, meta.step the progress counters
//     meta.rng              the Generator's state (random.h: GeneratorState)
// The file holds float32 tensors only, which cannot carry a 64-bit integer exactly (a float has 24 bits of
// mantissa), so each integer of meta.* is stored as 16-bit words, lowest first, each an exact float in [0, 65535]:
// meta.epoch and meta.step [4]; meta.rng [13] = state (4 words), inc (4), has_spare (1), the bits of spare (4).
//
// Resuming needs all three parts: the weights, the optimizer's state (momentum, Adam's moments AND its step count,
// which sets the bias correction) and the RNG state (else the resumed run shuffles differently).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "module.h"
#include "optimizer.h"
#include "random.h"

namespace tt {

struct TrainingProgress {
    int64_t epoch = 0;  // epochs completed
    int64_t step = 0;   // optimizer steps taken
};

// The checkpoint as a state dict with the keys above (copies: later training does not change it).
StateDict checkpoint_state_dict(nn::Module& model, const optim::Optimizer& optimizer, const Generator& generator,
                                const TrainingProgress& progress);
// Restores model, optimizer and generator and returns the progress. Every key must be present and known; errors
// name the key. The model and optimizer must be built as the saved ones were (same shapes, same optimizer type).
TrainingProgress load_checkpoint_state_dict(const StateDict& state, nn::Module& model, optim::Optimizer& optimizer,
                                            Generator& generator);

std::vector<uint8_t> save_checkpoint(nn::Module& model, const optim::Optimizer& optimizer, const Generator& generator,
                                     const TrainingProgress& progress);
TrainingProgress load_checkpoint(const std::vector<uint8_t>& bytes, nn::Module& model, optim::Optimizer& optimizer,
                                 Generator& generator, const std::string& source = "<checkpoint>");
void save_checkpoint_file(const std::string& path, nn::Module& model, const optim::Optimizer& optimizer,
                          const Generator& generator, const TrainingProgress& progress);
TrainingProgress load_checkpoint_file(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                                      Generator& generator);

}  // namespace tt
