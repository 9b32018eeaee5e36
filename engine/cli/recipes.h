// The training recipes of `tt train` / `tt eval`: every pretrained asset in assets/ is one of these, reproducible
// bit for bit from its command (native build, any number of threads: the GEMM splits output columns, never sums).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "random.h"

namespace tt::cli {

struct Recipe {
    std::string name;          // asset file stem: assets/<name>.safetensors and assets/<name>.json
    std::string dataset;       // xor, mnist, fashion-mnist, cifar10
    std::string architecture;  // classifier.h grammar
    int epochs = 1;
    int batch_size = 64;
    float lr = 0.05f;  // peak learning rate; cosine decay to 0 over the run
    float momentum = 0.9f;
    float weight_decay = 0.0f;
    int shift = 0;  // augmentation: random translations of up to +-shift pixels (0: none)
    unsigned long long seed = 1;
    std::vector<std::string> classes;
    bool flip = false;  // augmentation: mirror half the images left to right (not for digits: a mirrored 7 is no 7)
};

const std::vector<Recipe>& recipes();
const Recipe* find_recipe(const std::string& name);

// What `tt train`, `tt eval` and `tt predict` take from the command line (tt.cpp).
struct RecipeOptions {
    std::string data_dir = "build/datasets";                       // packed MNIST / Fashion-MNIST (datasets/)
    std::string cifar_dir = "build/cifar10/cifar-10-batches-bin";  // where datasets/download-cifar10.sh unpacks
    std::string out_dir = "assets";                                // train writes, eval and predict read here
    int epochs = -1;                                               // -1: the recipe's
    int64_t limit = -1;   // only the first `limit` images (train: training set, eval: test set); -1: all
    std::string weights;  // eval/predict: this .safetensors instead of <out>/<recipe>.safetensors
    bool quiet = false;   // train: accuracy only after the last epoch
    int threads = 1;      // engine threads (set_num_threads); the weights are the same for any count
};

// The commands (train.cpp). Each returns the process exit code; errors are tt::Error.
int train(const std::string& recipe, const RecipeOptions& o);
int eval(const std::string& recipe, const RecipeOptions& o);
int predict(const std::string& recipe, const std::vector<int64_t>& indices, const RecipeOptions& o);

// Shared by train.cpp and train_gpt.cpp:
// A draw in [0, n) from the engine's generator, without modulo bias (Lemire's multiply-and-reject): n < 2^32.
int64_t below(Generator& gen, int64_t n);
void write_file(const std::string& path, const void* data, size_t size);
// <dir>/index.json: the assets present (one per model card), so pages can tell "not trained" from "failed".
void write_index(const std::string& dir);

}  // namespace tt::cli
