#include "recipes.h"

namespace tt::cli {

const std::vector<Recipe>& recipes() {
    static const std::vector<std::string> digits = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    static const std::vector<Recipe> all = {
        {"xor-mlp", "xor", "flatten linear:2:8 tanh linear:8:2", 300, 4, 0.1f, 0.9f, 0.0f, 0, 1, {"0", "1"}},
        {"mnist-mlp", "mnist", "flatten linear:784:128 relu linear:128:10", 20, 64, 0.05f, 0.9f, 1e-4f, 2, 1, digits},
        {"fashion-cnn",
         "fashion-mnist",
         "conv:1:16:3:1 relu maxpool:2 conv:16:32:3:1 relu maxpool:2 flatten linear:1568:64 relu linear:64:10",
         5,
         64,
         0.05f,
         0.9f,
         1e-4f,
         0,
         1,
         {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}},
        {"cifar10-cnn",
         "cifar10",
         // VGG-style with BatchNorm: one conv at 32x32 (the costly resolution), two at 16x16 and at 8x8, then the
         // global average of the 4x4 maps; flips and 4-px shifts stand in for the data it never saw.
         "conv:3:16:3:1 bn:16 relu maxpool:2 conv:16:32:3:1 bn:32 relu conv:32:32:3:1 bn:32 relu maxpool:2 "
         "conv:32:64:3:1 bn:64 relu conv:64:64:3:1 bn:64 relu maxpool:2 avgpool:4 flatten linear:64:10",
         20,
         64,
         0.05f,
         0.9f,
         5e-4f,
         4,
         1,
         {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"},
         true},
    };
    return all;
}

const Recipe* find_recipe(const std::string& name) {
    for (const Recipe& r : recipes())
        if (r.name == name) return &r;
    return nullptr;
}

}  // namespace tt::cli
