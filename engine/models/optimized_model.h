// Module 17 — Competition: one optimized model, modules 15-17 combined — what a competitor submits.
//
// A classifier: pruned (module 16, magnitude, one global threshold), fine-tuned with the masks kept (so the zeros
// stay zeros), then int8-quantized (quantize_model, calibrated on training images, never on the test set) and saved
// with save_classifier: one safetensors file that `tt evaluate` and the class leaderboard load like any other. A
// pruned weight quantizes to exactly 0 (0 / scale rounds to 0), so the int8 file keeps the sparsity; the matmuls
// stay module 15's fast int8 kernels, dense.
//
// A GPT: the same two steps on its weights (every parameter of dim >= 2: embeddings, attention and MLP projections,
// the head), int8 as a weight round trip (per output row, symmetric: what an int8 weight file holds), so the model
// still runs module 14's float forward and module 17's managed KV cache. Everything is seeded: the same options
// give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets.h"
#include "gpt.h"
#include "module.h"

namespace tt {

struct OptimizeOptions {
    double sparsity = 0.5;         // of the weights of dim >= 2, one global magnitude threshold
    int64_t finetune_steps = 300;  // SGD with momentum 0.9, masks applied after each step (0: none)
    int64_t batch_size = 64;
    float lr = 0.01f;
    int64_t calibration_images = 512;  // the first training images, for the int8 inputs' static scale
    std::string form = "int8";         // compress_classifier's: fp32, int8, int8-tensor, int8-u7, int4
    uint64_t seed = 1;
};

// The optimized file (save_classifier bytes with tt.arch and tt.quant) of a trained classifier.
std::vector<uint8_t> optimize_classifier(const std::string& arch, const StateDict& trained, const ImageDataset& train,
                                         const OptimizeOptions& options);

// In place: model's weights of dim >= 2 pruned to `sparsity` (global magnitude) and, when int8, rounded to int8 per
// output row and back. Returns the fraction of those weights that are 0 afterwards.
double compress_gpt_weights(GPT& model, double sparsity, bool int8);

}  // namespace tt
