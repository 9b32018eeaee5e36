// Module 17 — `tt compress`: a recipe's trained classifier turned into one optimized model — pruned, fine-tuned with
// its masks, int8-quantized, saved as one safetensors file for `tt evaluate` and the class leaderboard (compress.cpp,
// models/optimized_model.h).
#pragma once

#include <string>

#include "optimized_model.h"
#include "recipes.h"

namespace tt::cli {

// Writes `output` and prints the fp32 and optimized files' bytes and test accuracies. Returns the exit code.
// recipe "tinygpt": compress_gpt_weights on the asset, saved in the asset format (still float32 tensors).
int compress(const std::string& recipe, const RecipeOptions& data, const OptimizeOptions& options,
             const std::string& output);

}  // namespace tt::cli
