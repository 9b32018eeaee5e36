// Module 16 — Quantization: inference-only layers over the int8 / int4 kernels of quant.h, built from trained float
// layers, and quantize_model, which swaps a Sequential's Linear and Conv2d layers for them.
//
// Weights: int8 symmetric, one scale per output channel (per_channel) or one for the tensor; int4 with one scale per
// group of 32 inputs. Inputs: uint8 asymmetric, one scale and zero point per tensor — "static" when a calibration
// pass over held-out batches fixed them (InputQuant), otherwise "dynamic": taken from each batch's own min/max.
// Biases stay float (they are added once per output, after the int32 sum). Shapes are those of the float layers:
// QuantizedLinear x [*, in] -> [*, out]; QuantizedConv2d x [B, C, H, W] -> [B, OC, OH, OW].
// The layers hold no Parameters (nothing here is learned): state_dict() does not see them; models/quantized_io.h
// saves and loads them as safetensors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "conv.h"
#include "module.h"
#include "quant.h"
#include "sequential.h"

namespace tt::nn {

class Linear;
class Conv2d;

struct InputQuant {
    bool is_static = false;  // false: from each batch's min/max
    QParams qparams;         // static: all of it; dynamic: only quant_max (255, or 127 for 7-bit inputs) is used
};

// The common part: forward only, and what the layer costs in bytes.
class QuantizedModule : public Module {
public:
    Tensor backward(const Tensor& grad_out) override;  // an error: quantized layers are for inference
    virtual int64_t weight_bytes() const = 0;          // bytes of weights, scales and biases as stored
    InputQuant input;

protected:
    QParams input_qparams(const Tensor& x) const;  // static, or from x's min/max
};

class QuantizedLinear : public QuantizedModule {
public:
    explicit QuantizedLinear(const Linear& from, bool per_channel = true);
    // From stored values: weight [out * in], weight_scale [out] or [1], bias [out] or empty.
    QuantizedLinear(int64_t in_features, int64_t out_features, std::vector<int8_t> weight,
                    std::vector<float> weight_scale, std::vector<float> bias);

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "QuantizedLinear"; }
    int64_t weight_bytes() const override;

    const int64_t in_features, out_features;
    std::vector<int8_t> weight;       // [out, in]
    std::vector<float> weight_scale;  // [out] (per channel) or [1]
    std::vector<float> bias;          // [out] or empty

private:
    std::vector<float> scales_;   // weight_scale, one per output
    std::vector<int8_t> packed_;  // weight padded for qgemm_packed: [out, qpack_k(in)]
    std::vector<int32_t> wsum_;   // row sums of packed_, for qgemm_packed_u7 (7-bit inputs)
};

class QuantizedConv2d : public QuantizedModule {
public:
    explicit QuantizedConv2d(const Conv2d& from, bool per_channel = true);
    // weight [OC * C * K * K], weight_scale [OC] or [1], bias [OC] or empty.
    QuantizedConv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride, int64_t padding,
                    int64_t dilation, std::vector<int8_t> weight, std::vector<float> weight_scale,
                    std::vector<float> bias);

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "QuantizedConv2d"; }
    int64_t weight_bytes() const override;

    const int64_t in_channels, out_channels, kernel_size, stride, padding, dilation;
    std::vector<int8_t> weight;  // [OC, C, K, K]
    std::vector<float> weight_scale;
    std::vector<float> bias;

private:
    std::vector<float> scales_;
    std::vector<int8_t> packed_;  // weight padded for qgemm_packed: [OC, qpack_k(C * K * K)]
    std::vector<int32_t> wsum_;   // row sums of packed_, for qgemm_packed_u7 (7-bit inputs)
};

class Int4Linear : public QuantizedModule {
public:
    explicit Int4Linear(const Linear& from, int group = kInt4Group);
    // packed [out * ceil(in / 2)], scales [out * ceil(in / group)], bias [out] or empty.
    Int4Linear(int64_t in_features, int64_t out_features, int group, std::vector<uint8_t> packed,
               std::vector<float> scales, std::vector<float> bias);

    Tensor forward(const Tensor& x) override;  // float input: the weights are what is quantized
    std::string type_name() const override { return "Int4Linear"; }
    int64_t weight_bytes() const override;

    const int64_t in_features, out_features;
    const int group;
    std::vector<uint8_t> packed;
    std::vector<float> scales;
    std::vector<float> bias;
};

struct QuantizeOptions {
    int bits = 8;             // 8: QuantizedLinear / QuantizedConv2d; 4: Int4Linear (convolutions get int8)
    bool per_channel = true;  // int8 weights: a scale per output channel, or one per tensor
    // int8 inputs over 0..127, not 0..255 (PyTorch's reduce_range): half the input resolution, for the relaxed int8
    // dot (quant_packed.h), which the relaxed web build then runs at 16 multiply-adds per instruction
    bool reduce_range = false;
    int group = kInt4Group;  // int4
};

// Swaps every Linear and Conv2d child of net for its quantized version, in place. With calibration batches (inputs
// of the whole net, e.g. [B, 1, 28, 28]), the net runs on them first (eval, no grad) and each int8 layer's input
// qparams come from the running min/max of what it saw (static); without, the layers quantize dynamically.
// Returns how many layers were swapped.
int quantize_model(Sequential& net, const QuantizeOptions& options, const std::vector<Tensor>& calibration = {});

// Bytes of every float parameter and buffer plus every quantized layer's weight_bytes(): what the model costs.
int64_t model_bytes(Module& net);

}  // namespace tt::nn
