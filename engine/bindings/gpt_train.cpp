// Milestone 3: training the TinyGPT in the page (the other half of bindings/gpt.cpp).
//
//   gpt.setCorpus(text, JSON.stringify({ valFraction: 0.1, seed: 0, batch: 16, lr: 3e-3, maxSteps: 2000 }));
//   const { loss, tokensPerSec } = gpt.step(10);      // 10 AdamW steps on random windows of the training split
//   const val = gpt.evaluate();                       // mean cross entropy (nats/char) on fixed held-out windows
//   const bytes = gpt.saveCheckpoint();               // model + AdamW state + step + batch RNG (io/checkpoint.h)
//
// The split: the text cut into chunks (1 KB, fewer for short texts), a seeded shuffle of the chunks picks the held-out
// ones. The learning rate is a function of the step alone (linear warm-up, then a cosine to lr / 10 at maxSteps), so a
// checkpoint (weights, AdamW's moments, its step, the batch generator's state) resumes bit for bit.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "checkpoint.h"
#include "clip_grad.h"
#include "error.h"
#include "gpt_session.h"
#include "grad_mode.h"
#include "safetensors.h"
#include "tokenizer.h"

namespace tt::web {

using emscripten::val;

Json TrainOptions::to_json() const {
    return Json::object()
        .set("batch", batch)
        .set("block", block)
        .set("lr", lr)
        .set("weightDecay", weight_decay)
        .set("warmup", warmup)
        .set("maxSteps", max_steps)
        .set("clip", clip)
        .set("seed", static_cast<double>(seed))
        .set("valFraction", val_fraction)
        .set("evalWindows", eval_windows);
}

TrainOptions TrainOptions::from_json(const Json& j, TrainOptions o) {
    TT_CHECK(j.is_object(), "training options must be a JSON object");
    auto num = [&](const char* key, double fallback, double lo, double hi) {
        const Json* v = j.find(key);
        if (!v || v->is_null()) return fallback;
        TT_CHECK(v->is_number() && v->as_number() >= lo && v->as_number() <= hi,
                 "training option '" << key << "' must be a number in [" << lo << ", " << hi << "]");
        return v->as_number();
    };
    o.batch = int64_t(num("batch", double(o.batch), 1, 4096));
    o.block = int64_t(num("block", double(o.block), 0, 1 << 20));
    o.lr = num("lr", o.lr, 1e-7, 1.0);
    o.weight_decay = num("weightDecay", o.weight_decay, 0.0, 1.0);
    o.warmup = int64_t(num("warmup", double(o.warmup), 0, 1e9));
    o.max_steps = int64_t(num("maxSteps", double(o.max_steps), 1, 1e9));
    o.clip = num("clip", o.clip, 0.0, 1e9);
    o.seed = uint64_t(num("seed", double(o.seed), 0, 9007199254740991.0));
    o.val_fraction = num("valFraction", o.val_fraction, 0.01, 0.5);
    o.eval_windows = int64_t(num("evalWindows", double(o.eval_windows), 1, 4096));
    return o;
}

std::string TinyGPT::set_corpus(const std::string& text, const std::string& options_json) {
    train_ = TrainOptions::from_json(parse_json(options_json.empty() ? "{}" : options_json, "setCorpus options"),
                                     TrainOptions{});
    const int64_t B = model_->config.block_size;
    if (train_.block <= 0 || train_.block > B) train_.block = B;
    const int64_t T = train_.block;
    const std::vector<int64_t> ids = ids_of(text);
    const int64_t n = int64_t(ids.size()), need = 20 * (T + 1);
    TT_CHECK(n >= need,
             "the text is too short to train on: " << n << " characters; a context of " << T << " needs at least "
                                                   << need);
    const int64_t chunk = std::clamp<int64_t>(n / 20, T + 1, 1024);
    const int64_t chunks = (n + chunk - 1) / chunk;
    std::vector<int64_t> order(static_cast<size_t>(chunks));
    for (int64_t i = 0; i < chunks; ++i) order[size_t(i)] = i;
    Generator split(train_.seed);
    for (int64_t i = chunks - 1; i > 0; --i) std::swap(order[size_t(i)], order[split.next_u32() % uint64_t(i + 1)]);
    const int64_t held = std::max<int64_t>(1, std::llround(train_.val_fraction * double(chunks)));
    std::vector<bool> is_val(size_t(chunks), false);
    for (int64_t i = 0; i < held; ++i) is_val[size_t(order[size_t(i)])] = true;
    train_ids_.clear();
    val_ids_.clear();
    for (int64_t c = 0; c < chunks; ++c) {
        auto& dst = is_val[size_t(c)] ? val_ids_ : train_ids_;
        dst.insert(dst.end(), ids.begin() + c * chunk, ids.begin() + std::min(n, (c + 1) * chunk));
    }
    TT_CHECK(int64_t(val_ids_.size()) > T && int64_t(train_ids_.size()) > T,
             "the text is too short to split into training and validation windows of " << T << " characters");
    optimizer_ =
        std::make_unique<optim::AdamW>(model_->parameters(),
                                       optim::Options{{"lr", train_.lr}, {"weight_decay", train_.weight_decay}});
    batch_gen_ = Generator(train_.seed + 1);
    progress_step_ = 0;
    return Json::object()
        .set("characters", n)
        .set("train", int64_t(train_ids_.size()))
        .set("validation", int64_t(val_ids_.size()))
        .set("chunk", chunk)
        .set("options", train_.to_json())
        .dump();
}

void TinyGPT::need_training() const {
    TT_CHECK(optimizer_ != nullptr, "TinyGPT: call setCorpus(text, options) before training");
}

// [starts.size(), T] ids from ids[start + offset ...]: offset 0 the inputs, 1 the targets.
std::vector<float> TinyGPT::window_batch(const std::vector<int64_t>& ids, const std::vector<int64_t>& starts, int64_t T,
                                         int offset) const {
    std::vector<float> out;
    out.reserve(starts.size() * size_t(T));
    for (int64_t s : starts)
        for (int64_t t = 0; t < T; ++t) out.push_back(float(ids[size_t(s + t + offset)]));
    return out;
}

val TinyGPT::step(int k) {
    need_training();
    TT_CHECK(k > 0, "TinyGPT.step: the number of steps must be > 0");
    const int64_t T = train_.block, B = train_.batch, span = int64_t(train_ids_.size()) - T;
    const auto t0 = std::chrono::steady_clock::now();
    model_->train();
    double loss_sum = 0.0, lr = 0.0;
    for (int s = 0; s < k; ++s) {
        const double t = double(progress_step_);
        const double warm = train_.warmup > 0 ? std::min(1.0, (t + 1) / double(train_.warmup)) : 1.0;
        const double progress = std::min(1.0, t / double(train_.max_steps));
        lr = train_.lr * warm * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * progress)));
        for (auto& g : optimizer_->param_groups()) g.options["lr"] = lr;
        std::vector<int64_t> starts(static_cast<size_t>(B));
        for (auto& st : starts) st = int64_t(batch_gen_.next_u32() % uint64_t(span));
        Tensor x({B, T}, window_batch(train_ids_, starts, T, 0)), y({B, T}, window_batch(train_ids_, starts, T, 1));
        optimizer_->zero_grad();
        Tensor loss = GPT::loss((*model_)(x), y);
        loss.backward();
        if (train_.clip > 0) optim::clip_grad_norm_(*model_, float(train_.clip));
        optimizer_->step();
        loss_sum += loss.item();
        ++progress_step_;
    }
    model_->eval();
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    val out = val::object();
    out.set("loss", loss_sum / k);
    out.set("tokensPerSec", double(k * B * T) / std::max(sec, 1e-9));
    out.set("step", double(progress_step_));
    out.set("lr", lr);
    return out;
}

double TinyGPT::evaluate() {
    need_training();
    autograd::NoGrad no_grad;
    const int64_t T = train_.block, n = int64_t(val_ids_.size());
    const int64_t windows = std::min<int64_t>(train_.eval_windows, (n - 1) / T);
    std::vector<int64_t> all;
    for (int64_t i = 0; i < windows; ++i) all.push_back(i * T);  // fixed: the same windows at every evaluation
    double sum = 0.0;
    for (size_t i = 0; i < all.size(); i += size_t(train_.batch)) {
        std::vector<int64_t> starts(all.begin() + long(i),
                                    all.begin() + long(std::min(all.size(), i + size_t(train_.batch))));
        const int64_t b = int64_t(starts.size());
        Tensor x({b, T}, window_batch(val_ids_, starts, T, 0)), y({b, T}, window_batch(val_ids_, starts, T, 1));
        sum += GPT::loss((*model_)(x), y).item() * double(b);
    }
    return sum / double(windows);
}

val TinyGPT::save_checkpoint() {
    need_training();
    auto meta = metadata();
    meta["tt.train"] = train_.to_json().dump();
    TrainingProgress progress;
    progress.step = progress_step_;
    return bytes_to_js(
        with_safetensors_metadata(tt::save_checkpoint(*model_, *optimizer_, batch_gen_, progress), meta));
}

void TinyGPT::load_checkpoint(const std::string& bytes) {
    need_training();
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    const TrainingProgress p = tt::load_checkpoint(std::vector<uint8_t>(data, data + bytes.size()), *model_,
                                                   *optimizer_, batch_gen_, "TinyGPT checkpoint");
    progress_step_ = p.step;
    model_->eval();
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
