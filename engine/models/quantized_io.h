// Module 16 — Quantization: classifiers (classifier.h) saved and loaded as safetensors, float or quantized.
//
// The file carries its own architecture, so weights alone can be run (the class leaderboard loads submissions this
// way). Metadata:
//     tt.arch   the one-line architecture of classifier.h, e.g. "flatten linear:784:128 relu linear:128:10"
//     tt.quant  (quantized files only) JSON, one entry per quantized layer index:
//               {"1": {"bits": 8, "scheme": "symmetric", "axis": 0, "group": 0, "input": "static"}, ...}
//               axis 0 = a scale per output channel, -1 = one per tensor; group = int4 group size (0 for int8);
//               input "static" (calibrated scale and zero point stored) or "dynamic" (from each batch);
//               "input_bits": 7 when the inputs are quantized over 0..127 (reduce_range; absent: 8, over 0..255).
// Tensors of layer i (float layers: F32 under PyTorch's names, "i.weight", "i.bias", ...):
//     int8 linear:  i.weight I8 [out, in]         i.weight_scale F32 [out] (axis 0) or [1]   i.bias F32 [out]
//     int8 conv:    i.weight I8 [OC, C, K, K]     i.weight_scale F32 [OC] or [1]             i.bias F32 [OC]
//     int4 linear:  i.weight U8 [out, ceil(in/2)] (element 2j in the low nibble)
//                   i.weight_scale F32 [out, ceil(in/group)]                                 i.bias F32 [out]
//     static input: i.input_scale F32 [] and i.input_zero_point U8 []
// Weights are symmetric (zero point 0: no weight_zero_point tensor); x ~ (q - zero_point) * scale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sequential.h"

namespace tt {

// The bytes of net (built from `arch`, possibly quantized by nn::quantize_model) with tt.arch (and tt.quant).
std::vector<uint8_t> save_classifier(nn::Sequential& net, const std::string& arch);

// A runnable network from such bytes, float or quantized, in eval mode. `arch` is used when the file has no tt.arch
// (the float assets of milestone 1 keep theirs in the model card). A missing tensor, a wrong dtype or shape, an
// unknown or extra name, a bad scale or tt.quant entry: a tt::Error naming the source, the tensor and what was
// expected. Nothing is run before the whole file is checked.
std::shared_ptr<nn::Sequential> load_classifier(const uint8_t* bytes, size_t size,
                                                const std::string& source = "<bytes>", const std::string& arch = "");
std::shared_ptr<nn::Sequential> load_classifier(const std::vector<uint8_t>& bytes,
                                                const std::string& source = "<bytes>", const std::string& arch = "");

}  // namespace tt
