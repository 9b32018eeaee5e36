// Milestone 3 in the browser: one character-level GPT (models/gpt.h) with everything the TinyGPT page does with it —
// bindings/gpt.cpp (loading, text, step-wise generation, attention maps, export) and bindings/gpt_train.cpp (training
// on a corpus, validation loss, checkpoints). The JS class is TinyGPT (registered in gpt.cpp).
//
// Vocabulary: id i is the i-th character (code point) of the vocabulary string, the asset's "tt.vocab".
// Files: safetensors with the state dict and two metadata strings, "tt.gpt" (GPTConfig as JSON: vocab_size,
// block_size, n_layer, n_head, n_embd, tie_weights) and "tt.vocab" (a JSON string). Checkpoints carry the same two
// plus "tt.train" (the training options), so a checkpoint alone rebuilds the model it belongs to.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpt.h"
#include "gpt_asset.h"
#include "gpt_trainer.h"
#include "json.h"
#include "random.h"

namespace tt::web {

emscripten::val bytes_to_js(const std::vector<uint8_t>& bytes);  // a Uint8Array copy

class TinyGPT {
public:
    TinyGPT(const GPTConfig& config, std::vector<uint32_t> vocab, uint64_t seed);
    static TinyGPT* from_safetensors(const std::string& bytes, const std::string& name);
    static TinyGPT* create(const std::string& config_json, const std::string& vocab, double seed);
    static TinyGPT* from_checkpoint(const std::string& bytes);
    static std::string vocab_of(const std::string& text);  // the sorted distinct characters of a text

    std::string config() const { return gpt_config_json(model_->config).dump(); }
    std::string vocab() const;
    double parameter_count() const { return double(model_->parameter_count()); }
    emscripten::val encode(const std::string& text) const;  // Int32Array; an unknown character is an error
    std::string decode(emscripten::val ids) const;
    std::vector<int64_t> ids_of(const std::string& text) const;
    std::string text_of(const std::vector<int64_t>& ids) const;

    // Generation as GPT::generate does it, one token per next(): the same Generator(seed), one draw per token.
    void start(const std::string& prompt, const std::string& options_json);
    emscripten::val next();         // {id, text, probs: Float32Array(V), ms}
    std::string generated() const;  // the prompt + every token so far
    std::string generate(const std::string& prompt, int tokens, const std::string& options_json);  // GPT::generate
    emscripten::val attention();  // {data: Float32Array [L, H, T, T], shape, text} of the last block_size tokens
    emscripten::val export_weights();

    // gpt_train.cpp
    std::string set_corpus(const std::string& text, const std::string& options_json);  // -> JSON split summary
    emscripten::val step(int k);                                                       // {loss, tokensPerSec, step, lr}
    double evaluate();
    double steps_done() const { return trainer_ ? double(trainer_->steps_done()) : 0.0; }
    emscripten::val save_checkpoint();
    void load_checkpoint(const std::string& bytes);

private:
    std::map<std::string, std::string> metadata() const;
    void forward_next();  // the logits of the next position from `tokens_`
    void need_training() const;

    std::unique_ptr<GPT> model_;
    std::vector<uint32_t> vocab_;
    std::map<uint32_t, int64_t> id_of_;
    // generation
    std::vector<int64_t> tokens_;
    size_t prompt_length_ = 0;
    SamplingOptions sampling_;
    bool use_cache_ = true;
    GPTCache cache_;
    Generator sample_gen_;
    std::vector<float> logits_;  // the next position's, when has_logits_
    bool has_logits_ = false;
    // training (models/gpt_trainer.h: the same loop the student's build runs)
    std::unique_ptr<GPTTrainer> trainer_;
};

}  // namespace tt::web
