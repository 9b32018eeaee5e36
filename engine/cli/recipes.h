// The training recipes of `tt train` / `tt eval`: every pretrained asset in assets/ is one of these, reproducible
// bit for bit from its command (native build, single thread).
#pragma once

#include <string>
#include <vector>

namespace tt::cli {

struct Recipe {
    std::string name;          // asset file stem: assets/<name>.safetensors and assets/<name>.json
    std::string dataset;       // xor, mnist, fashion-mnist, cifar10
    std::string architecture;  // classifier.h grammar
    int epochs = 1;
    int batch_size = 64;
    float lr = 0.05f;          // peak learning rate; cosine decay to 0 over the run
    float momentum = 0.9f;
    float weight_decay = 0.0f;
    int shift = 0;             // augmentation: random translations of up to +-shift pixels (0: none)
    unsigned long long seed = 1;
    std::vector<std::string> classes;
};

const std::vector<Recipe>& recipes();
const Recipe* find_recipe(const std::string& name);

// The commands (train.cpp); argv[1] is the command's name.
int cmd_train(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_predict(int argc, char** argv);

}  // namespace tt::cli
