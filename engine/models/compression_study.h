// Module 16 — Compression: the measurements of the pruning and distillation half, shared by bench/ (native,
// printed tables) and the module's systems panel (engine/bindings/compression_prune.cpp). Everything is seeded: the
// same options give the same numbers.
//
// prune_curve: a trained classifier pruned to each sparsity (magnitude, one global threshold over every weight of
// dim >= 2, or per layer), its held-out accuracy as pruned and after a short masked fine-tune (optim/compress_steps.h)
// that starts again from the trained weights at every sparsity, and what CSR (kernels/sparse.h) stores of it.
// distill_compare: the same small student trained twice, same seed, same batches, same steps — once on the labels
// alone, once on F::distillation_loss against a trained teacher — and both tested on the same held-out images.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets.h"
#include "module.h"
#include "prune.h"

namespace tt {

struct PruneCurveOptions {
    std::vector<double> sparsities{0.0, 0.5, 0.7, 0.8, 0.9, 0.95};
    bool global = true;          // one threshold over all the weights; false: each layer to the same sparsity
    int64_t finetune_steps = 0;  // 0: no fine-tuning column
    int64_t batch_size = 64;
    float lr = 0.01f;                           // SGD, momentum 0.9
    int64_t train_count = -1, test_count = -1;  // the first images of each set (-1: all)
    int64_t train_offset = 0;  // training draws from images [offset, offset + count): the panel trains on held-out
                               // images past the scored ones, as it loads no training set
    uint64_t seed = 1;
};

struct PrunePoint {
    double sparsity = 0;       // asked, over the pruned (dim >= 2) weights
    double accuracy = 0;       // held-out, percent, pruned without fine-tuning
    double finetuned = -1;     // after the fine-tune (-1: none)
    int64_t dense_bytes = 0;   // every parameter as float32
    int64_t sparse_bytes = 0;  // 2-D weights as CSR when that is smaller, the rest dense
};

std::vector<PrunePoint> prune_curve(const std::string& architecture, const StateDict& trained,
                                    const ImageDataset& train, const ImageDataset& test,
                                    const PruneCurveOptions& options);

struct DistillOptions {
    std::string student = "flatten linear:784:32 relu linear:32:10";
    int64_t steps = 300, batch_size = 64;
    float lr = 0.05f;  // SGD, momentum 0.9
    float temperature = 4.0f, alpha = 0.9f;
    int64_t train_count = -1, test_count = -1;
    int64_t train_offset = 0;  // as PruneCurveOptions
    uint64_t seed = 1;
};

struct DistillResult {
    double teacher = 0, alone = 0, distilled = 0;  // held-out accuracy, percent
    int64_t teacher_parameters = 0, student_parameters = 0;
};

DistillResult distill_compare(const std::string& teacher_architecture, const StateDict& teacher_weights,
                              const ImageDataset& train, const ImageDataset& test, const DistillOptions& options);

// The fine-tune of a pruned net: `steps` SGD steps (momentum 0.9) on batches of `batch_size` images drawn, seeded,
// from train images [offset, offset + count) (count -1: the rest), the masks applied again after every step.
void finetune_pruned(nn::Module& net, const nn::PruningMasks& masks, const ImageDataset& train, int64_t offset,
                     int64_t count, int64_t steps, int64_t batch_size, float lr, uint64_t seed);

// Held-out accuracy in percent of net on the first `count` images (-1: all), batches of 256, eval mode.
double test_accuracy(nn::Module& net, const ImageDataset& test, int64_t count = -1);

}  // namespace tt
