// TinyGPT, milestone 3's language model: `tt train tinygpt`, `tt eval tinygpt` (train_gpt.cpp) and `tt generate`
// (generate.cpp). A character-level GPT (models/gpt.h) trained on Jane Austen's six novels (datasets/austen.py packs
// build/datasets/austen.txt and its split, austen.json).
//
// The asset, assets/tinygpt.safetensors, is the GPT's state dict plus two metadata strings, all a loader needs:
//     "tt.gpt"    JSON of GPTConfig: {"vocab_size", "block_size", "n_layer", "n_head", "n_embd", "tie_weights"}
//     "tt.vocab"  the characters in id order, as a JSON string: character i of it is token id i (no special ids)
// Its card, assets/tinygpt.json, records the config, vocabulary, corpus and its sha256, the schedule, the train and
// validation losses (nats per character) and the command.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpt.h"

namespace tt::cli {

// The recipe: everything that changes the weights, besides the corpus and --steps / --limit.
struct GPTRecipe {
    std::string name = "tinygpt";
    GPTConfig config{0, 128, 4, 4, 128, true};  // vocab_size: the corpus's distinct characters
    int64_t steps = 1200;
    int64_t batch_size = 16;  // windows of block_size + 1 characters per step
    float lr = 3e-3f;         // peak; linear warm-up from 0, then cosine to min_lr
    float min_lr = 3e-4f;
    int64_t warmup_steps = 40;
    float weight_decay = 0.1f;  // AdamW, on matrices and tables only (not on biases and LayerNorms)
    float beta2 = 0.99f;
    float grad_clip = 1.0f;       // clip_grad_norm_ before every step
    int64_t eval_every = 100;     // steps between validation estimates
    int64_t eval_windows = 64;    // windows of the periodic estimate
    int64_t final_windows = 512;  // windows of the card's validation loss (and of `tt eval tinygpt`)
    uint64_t seed = 1;
};

const GPTRecipe& tinygpt_recipe();

struct GPTOptions {
    std::string corpus = "build/datasets/austen.txt";  // its split: the .json beside it (datasets/austen.py)
    std::string out_dir = "assets";
    std::string weights;  // eval: this file instead of <out>/tinygpt.safetensors
    int64_t steps = -1;   // -1: the recipe's
    int64_t limit = -1;   // only the first N characters of each split (quick runs); -1: all
    bool quiet = false;   // train: no progress lines, only the result
};

struct GenerateOptions {
    std::string weights = "assets/tinygpt.safetensors";
    std::string prompt = "\n";
    int64_t tokens = 100;
    float temperature = 0.8f;
    int64_t top_k = 0;
    uint64_t seed = 1;
    bool use_cache = true;
};

// The model of an asset, with its vocabulary (one UTF-8 character per id).
struct LoadedGPT {
    std::unique_ptr<GPT> model;
    std::vector<std::string> vocab;
    std::string config_text;  // tt.gpt as compact JSON
};
LoadedGPT load_gpt_asset(const std::string& path);
// The same from bytes already read (`tt evaluate`); `source` names them in errors.
LoadedGPT load_gpt_bytes(const std::vector<uint8_t>& bytes, const std::string& source);
// The asset's bytes: the state dict with "tt.gpt" and "tt.vocab" (the header's comment).
std::vector<uint8_t> save_gpt_asset(GPT& model, const std::vector<uint32_t>& vocab);

int train_gpt(const GPTOptions& o);
int eval_gpt(const GPTOptions& o);
int generate(const GenerateOptions& o);

}  // namespace tt::cli
