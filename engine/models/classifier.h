// Milestone 1 — the pretrained models (XOR, MNIST MLP, Fashion-MNIST / CIFAR-10 CNNs) as nn::Sequential networks
// described by one line of text, which the model card (assets/<name>.json) carries so weights alone can be run:
//     "flatten linear:2:8 tanh linear:8:2"
//     "conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10"
// (conv:C:OC:K:padding with stride 1, maxpool:K and avgpool:K with stride K, bn:C for BatchNorm2d, dropout:P with
// P in [0, 1) like 0.25, linear:IN:OUT). Layer i is the Sequential's child
// "i", so parameters are named like PyTorch's nn.Sequential ("0.weight", "3.bias") and the safetensors files load
// into PyTorch as they are. Inputs are always [B, C, H, W] (XOR: [B, 1, 1, 2]).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "random.h"
#include "sequential.h"

namespace tt {

struct LayerSpec {
    enum Kind { Linear, Conv2d, ReLU, Tanh, MaxPool2d, Flatten, AvgPool2d, BatchNorm2d, Dropout } kind = ReLU;
    int in = 0, out = 0, kernel = 0, padding = 0;  // what the kind uses (see the grammar above)
    float p = 0.0f;                                // dropout probability
    std::string text;                              // dropout's probability as written (formatted back unchanged)
};

// Parses the one-line description; errors name the bad token.
std::vector<LayerSpec> parse_architecture(const std::string& text);
std::string format_architecture(const std::vector<LayerSpec>& layers);

struct ClassifierShape {
    int channels, height, width;  // one input example
    int classes;                  // outputs
};
// Follows one example's shape through the layers; errors say which layer does not fit.
ClassifierShape check_architecture(const std::string& text, int channels, int height, int width);

// A freshly initialised network (PyTorch's default initialisations, drawn from gen).
std::shared_ptr<nn::Sequential> build_classifier(const std::string& text, Generator& gen);

// Median seconds per forward pass of net on x: 3 warm-up passes, then 7 samples, each enough repeated passes to fill
// sample_seconds. The one timing path of milestone 1's "your build vs the reference engine": the reference page and
// the student's compiled program (web/apps/infer_main.cpp) both call it, on the same thread count (one).
double time_forward(nn::Module& net, const Tensor& x, double sample_seconds);

}  // namespace tt
