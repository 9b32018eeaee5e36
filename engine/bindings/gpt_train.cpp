// Milestone 3: training the TinyGPT in the page (the other half of bindings/gpt.cpp). The loop itself is
// models/gpt_trainer.h, which the student's own build runs too (web/apps/train_gpt_main.cpp).
//
//   gpt.setCorpus(text, JSON.stringify({ valFraction: 0.1, seed: 0, batch: 16, lr: 3e-3, maxSteps: 2000 }));
//   const { loss, tokensPerSec } = gpt.step(10);      // 10 AdamW steps on random windows of the training split
//   const val = gpt.evaluate();                       // mean cross entropy (nats/char) on fixed held-out windows
//   const bytes = gpt.saveCheckpoint();               // model + AdamW state + step + batch RNG (io/checkpoint.h)
#include <algorithm>

#include "error.h"
#include "gpt_session.h"
#include "safetensors.h"

namespace tt::web {

using emscripten::val;

std::string TinyGPT::set_corpus(const std::string& text, const std::string& options_json) {
    const GPTTrainOptions options =
        GPTTrainOptions::from_json(parse_json(options_json.empty() ? "{}" : options_json, "setCorpus options"),
                                   GPTTrainOptions{});
    trainer_.reset();
    trainer_ = std::make_unique<GPTTrainer>(*model_, ids_of(text), options);
    return trainer_->split_summary().dump();
}

void TinyGPT::need_training() const {
    TT_CHECK(trainer_ != nullptr, "TinyGPT: call setCorpus(text, options) before training");
}

val TinyGPT::step(int k) {
    need_training();
    const GPTStepReport r = trainer_->step(k);
    val out = val::object();
    out.set("loss", r.loss);
    out.set("tokensPerSec", double(r.tokens) / std::max(r.seconds, 1e-9));
    out.set("step", double(trainer_->steps_done()));
    out.set("lr", r.lr);
    return out;
}

double TinyGPT::evaluate() {
    need_training();
    return trainer_->evaluate();
}

val TinyGPT::save_checkpoint() {
    need_training();
    return bytes_to_js(trainer_->save_checkpoint(metadata()));
}

void TinyGPT::load_checkpoint(const std::string& bytes) {
    need_training();
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    trainer_->load_checkpoint(std::vector<uint8_t>(data, data + bytes.size()), "TinyGPT checkpoint");
}

// The model of a checkpoint, its weights loaded (generation works at once); training continues after
// setCorpus(the same text, the same options) and loadCheckpoint(bytes).
TinyGPT* TinyGPT::from_checkpoint(const std::string& bytes) {
    const GPTAssetHeader header =
        read_gpt_asset_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "checkpoint");
    auto gpt = std::make_unique<TinyGPT>(header.config, header.vocab, 0);
    StateDict weights;
    for (auto& [k, v] : load_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "checkpoint"))
        if (k.rfind("model.", 0) == 0) weights[k.substr(6)] = v;
    gpt->model_->load_state_dict(weights);
    return gpt.release();
}

}  // namespace tt::web
