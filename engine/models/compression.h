// Module 16 — Compression: one classifier in several forms (fp32, int8, int4, ...) and what each costs and keeps —
// the numbers of the module's compression table, computed by the same code natively (bench/compression_native.cpp)
// and in the browser (engine/bindings/compression.cpp), so the two can be compared value for value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets.h"
#include "module.h"

namespace tt {

// Calibration input: `count` images of data from `start`, as batches of `batch` [B, C, H, W] floats (pixel / 255).
std::vector<Tensor> image_batches(const ImageDataset& data, int64_t start, int64_t count, int64_t batch);

// The file (save_classifier bytes, with tt.arch) of a float classifier turned into `form`:
//   "fp32"  unchanged;  "int8"  int8 per-channel weights, uint8 inputs calibrated on `calibration` (dynamic when
//   empty);  "int8-tensor"  one weight scale per tensor;  "int8-u7"  int8 with inputs over 0..127 (reduce_range: what
//   the relaxed web build's int8 dot takes);  "int4"  int4 linears (group 32), int8 convolutions.
std::vector<uint8_t> compress_classifier(const std::vector<uint8_t>& fp32_file, const std::string& arch,
                                         const std::string& form, const std::vector<Tensor>& calibration);

// Correct top-1 predictions of net (eval mode) on the first `count` images of data, in batches of 256.
int64_t count_correct(nn::Module& net, const ImageDataset& data, int64_t count);

}  // namespace tt
