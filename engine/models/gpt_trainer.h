// Module 14 — GPT: training a character-level GPT on one text, a slice of steps at a time, with a checkpoint that
// resumes bit for bit. One trainer for the TinyGPT page's two engines: the reference engine's binding
// (bindings/gpt_train.cpp) and the program the page builds from the student's own modules (web/apps/train_gpt_main.cpp),
// so the same seed gives both the same split, the same batches and the same learning-rate schedule.
//
// The split: the text cut into chunks (1 KB, fewer for short texts), a seeded shuffle of the chunks picks the held-out
// ones. The learning rate is a function of the step alone (linear warm-up, then a cosine to lr / 10 at max_steps), so a
// checkpoint (weights, AdamW's moments, its step, the batch generator's state) resumes exactly.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adam.h"
#include "gpt.h"
#include "json.h"
#include "random.h"

namespace tt {

struct GPTTrainOptions {
    int64_t batch = 16;
    int64_t block = 0;  // 0: the model's block_size
    double lr = 3e-3;
    double weight_decay = 0.1;
    int64_t warmup = 50;
    int64_t max_steps = 2000;  // the cosine decays to lr / 10 at this step
    double clip = 1.0;
    uint64_t seed = 0;
    double val_fraction = 0.1;
    int64_t eval_windows = 32;
    Json to_json() const;  // camelCase keys, as the page sends them
    static GPTTrainOptions from_json(const Json& j, GPTTrainOptions base);
};

struct GPTStepReport {
    double loss = 0.0;  // the mean training loss of the slice's steps
    double lr = 0.0;    // the last step's
    double seconds = 0.0;
    int64_t tokens = 0;  // B * T per step
};

// The sorted distinct code points of a UTF-8 text: a character-level vocabulary, id i = the i-th.
std::vector<uint32_t> char_vocab(const std::string& text);
// The ids of a text in a vocabulary; a character the vocabulary lacks is an error naming it.
std::vector<int64_t> char_ids(const std::string& text, const std::vector<uint32_t>& vocab);

// The same safetensors file with `metadata` set in its header (a checkpoint, io/checkpoint.h, is written without it).
std::vector<uint8_t> with_safetensors_metadata(const std::vector<uint8_t>& file,
                                               const std::map<std::string, std::string>& metadata);

class GPTTrainer {
public:
    // Splits the ids into training and validation chunks and makes the AdamW; the model must outlive the trainer.
    GPTTrainer(GPT& model, const std::vector<int64_t>& ids, GPTTrainOptions options);

    Json split_summary() const;  // {characters, train, validation, chunk, options}
    GPTStepReport step(int k);   // k AdamW steps on random windows of the training split
    double evaluate();           // mean cross entropy (nats/char) on fixed held-out windows
    int64_t steps_done() const { return step_; }
    const GPTTrainOptions& options() const { return options_; }

    // Model + AdamW state + step + batch RNG, with `metadata` (tt.gpt, tt.vocab, ...) and "tt.train" in the header.
    std::vector<uint8_t> save_checkpoint(std::map<std::string, std::string> metadata);
    void load_checkpoint(const std::vector<uint8_t>& bytes, const std::string& source);

private:
    std::vector<float> window_batch(const std::vector<int64_t>& ids, const std::vector<int64_t>& starts,
                                    int offset) const;

    GPT& model_;
    GPTTrainOptions options_;
    int64_t characters_ = 0, chunk_ = 0;
    std::vector<int64_t> train_ids_, val_ids_;
    std::unique_ptr<optim::AdamW> optimizer_;
    Generator batch_gen_;
    int64_t step_ = 0;
};

}  // namespace tt
