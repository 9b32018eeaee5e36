// Module 14 — GPT: the page's training loop (gpt_trainer.h), shared by the reference engine and the student's build.
#include "gpt_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "checkpoint.h"
#include "clip_grad.h"
#include "error.h"
#include "grad_mode.h"
#include "tokenizer.h"

namespace tt {

Json GPTTrainOptions::to_json() const {
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

GPTTrainOptions GPTTrainOptions::from_json(const Json& j, GPTTrainOptions o) {
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

std::vector<uint32_t> char_vocab(const std::string& text) {
    std::vector<uint32_t> cps = utf8_decode(text, "char_vocab");
    std::sort(cps.begin(), cps.end());
    cps.erase(std::unique(cps.begin(), cps.end()), cps.end());
    return cps;
}

std::vector<int64_t> char_ids(const std::string& text, const std::vector<uint32_t>& vocab) {
    std::map<uint32_t, int64_t> id_of;
    for (size_t i = 0; i < vocab.size(); ++i) id_of.emplace(vocab[i], int64_t(i));
    const std::vector<uint32_t> cps = utf8_decode(text, "char_ids");
    std::vector<int64_t> ids;
    ids.reserve(cps.size());
    for (size_t i = 0; i < cps.size(); ++i) {
        const auto it = id_of.find(cps[i]);
        if (it == id_of.end()) {
            std::string ch;
            utf8_append(ch, cps[i]);
            TT_CHECK(false,
                     "the character '" << ch << "' (U+" << std::hex << cps[i] << std::dec << ", character " << i
                                       << ") is not in the model's vocabulary of " << vocab.size());
        }
        ids.push_back(it->second);
    }
    return ids;
}

std::vector<uint8_t> with_safetensors_metadata(const std::vector<uint8_t>& file,
                                               const std::map<std::string, std::string>& metadata) {
    uint64_t n = 0;
    TT_CHECK(file.size() >= 8, "with_safetensors_metadata: " << file.size() << " bytes is not a safetensors file");
    for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(file[size_t(i)]) << (8 * i);
    TT_CHECK(n <= file.size() - 8,
             "with_safetensors_metadata: the header claims " << n << " of " << file.size() - 8 << " bytes");
    const Json old = parse_json(std::string(file.begin() + 8, file.begin() + 8 + long(n)), "safetensors header");
    Json meta = Json::object(), header = Json::object();
    for (const auto& [k, v] : metadata) meta.set(k, v);
    header.set("__metadata__", meta);
    for (const auto& [k, v] : old.members()) header.set(k, v);  // data_offsets are relative to the data: unchanged
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    std::vector<uint8_t> out(8 + h.size());
    for (int i = 0; i < 8; ++i) out[size_t(i)] = static_cast<uint8_t>(uint64_t(h.size()) >> (8 * i));
    std::memcpy(out.data() + 8, h.data(), h.size());
    out.insert(out.end(), file.begin() + 8 + long(n), file.end());
    return out;
}

GPTTrainer::GPTTrainer(GPT& model, const std::vector<int64_t>& ids, GPTTrainOptions options)
    : model_(model), options_(options), batch_gen_(options.seed + 1) {
    const int64_t B = model_.config.block_size;
    if (options_.block <= 0 || options_.block > B) options_.block = B;
    const int64_t T = options_.block;
    const int64_t n = int64_t(ids.size()), need = 20 * (T + 1);
    TT_CHECK(n >= need,
             "the text is too short to train on: " << n << " characters; a context of " << T << " needs at least "
                                                   << need);
    const int64_t chunk = std::clamp<int64_t>(n / 20, T + 1, 1024);
    const int64_t chunks = (n + chunk - 1) / chunk;
    std::vector<int64_t> order(static_cast<size_t>(chunks));
    for (int64_t i = 0; i < chunks; ++i) order[size_t(i)] = i;
    Generator split(options_.seed);
    for (int64_t i = chunks - 1; i > 0; --i) std::swap(order[size_t(i)], order[split.next_u32() % uint64_t(i + 1)]);
    const int64_t held = std::max<int64_t>(1, std::llround(options_.val_fraction * double(chunks)));
    std::vector<bool> is_val(size_t(chunks), false);
    for (int64_t i = 0; i < held; ++i) is_val[size_t(order[size_t(i)])] = true;
    for (int64_t c = 0; c < chunks; ++c) {
        auto& dst = is_val[size_t(c)] ? val_ids_ : train_ids_;
        dst.insert(dst.end(), ids.begin() + c * chunk, ids.begin() + std::min(n, (c + 1) * chunk));
    }
    TT_CHECK(int64_t(val_ids_.size()) > T && int64_t(train_ids_.size()) > T,
             "the text is too short to split into training and validation windows of " << T << " characters");
    characters_ = n;
    chunk_ = chunk;
    optimizer_ =
        std::make_unique<optim::AdamW>(model_.parameters(),
                                       optim::Options{{"lr", options_.lr}, {"weight_decay", options_.weight_decay}});
}

Json GPTTrainer::split_summary() const {
    return Json::object()
        .set("characters", characters_)
        .set("train", int64_t(train_ids_.size()))
        .set("validation", int64_t(val_ids_.size()))
        .set("chunk", chunk_)
        .set("options", options_.to_json());
}

// [starts.size(), T] ids from ids[start + offset ...]: offset 0 the inputs, 1 the targets.
std::vector<float> GPTTrainer::window_batch(const std::vector<int64_t>& ids, const std::vector<int64_t>& starts,
                                            int offset) const {
    const int64_t T = options_.block;
    std::vector<float> out;
    out.reserve(starts.size() * size_t(T));
    for (int64_t s : starts)
        for (int64_t t = 0; t < T; ++t) out.push_back(float(ids[size_t(s + t + offset)]));
    return out;
}

GPTStepReport GPTTrainer::step(int k) {
    TT_CHECK(k > 0, "GPTTrainer::step: the number of steps must be > 0");
    const int64_t T = options_.block, B = options_.batch, span = int64_t(train_ids_.size()) - T;
    const auto t0 = std::chrono::steady_clock::now();
    model_.train();
    GPTStepReport r;
    double loss_sum = 0.0;
    for (int s = 0; s < k; ++s) {
        const double t = double(step_);
        const double warm = options_.warmup > 0 ? std::min(1.0, (t + 1) / double(options_.warmup)) : 1.0;
        const double progress = std::min(1.0, t / double(options_.max_steps));
        r.lr = options_.lr * warm * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * progress)));
        for (auto& g : optimizer_->param_groups()) g.options["lr"] = r.lr;
        std::vector<int64_t> starts(static_cast<size_t>(B));
        for (auto& st : starts) st = int64_t(batch_gen_.next_u32() % uint64_t(span));
        Tensor x({B, T}, window_batch(train_ids_, starts, 0)), y({B, T}, window_batch(train_ids_, starts, 1));
        optimizer_->zero_grad();
        Tensor loss = GPT::loss(model_(x), y);
        loss.backward();
        if (options_.clip > 0) optim::clip_grad_norm_(model_, float(options_.clip));
        optimizer_->step();
        loss_sum += loss.item();
        ++step_;
    }
    model_.eval();
    r.loss = loss_sum / k;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.tokens = int64_t(k) * B * T;
    return r;
}

double GPTTrainer::evaluate() {
    autograd::NoGrad no_grad;
    const int64_t T = options_.block, n = int64_t(val_ids_.size());
    const int64_t windows = std::min<int64_t>(options_.eval_windows, (n - 1) / T);
    std::vector<int64_t> all;
    for (int64_t i = 0; i < windows; ++i) all.push_back(i * T);  // fixed: the same windows at every evaluation
    double sum = 0.0;
    for (size_t i = 0; i < all.size(); i += size_t(options_.batch)) {
        std::vector<int64_t> starts(all.begin() + long(i),
                                    all.begin() + long(std::min(all.size(), i + size_t(options_.batch))));
        const int64_t b = int64_t(starts.size());
        Tensor x({b, T}, window_batch(val_ids_, starts, 0)), y({b, T}, window_batch(val_ids_, starts, 1));
        sum += GPT::loss(model_(x), y).item() * double(b);
    }
    return sum / double(windows);
}

std::vector<uint8_t> GPTTrainer::save_checkpoint(std::map<std::string, std::string> metadata) {
    metadata["tt.train"] = options_.to_json().dump();
    TrainingProgress progress;
    progress.step = step_;
    return with_safetensors_metadata(tt::save_checkpoint(model_, *optimizer_, batch_gen_, progress), metadata);
}

void GPTTrainer::load_checkpoint(const std::vector<uint8_t>& bytes, const std::string& source) {
    step_ = tt::load_checkpoint(bytes, model_, *optimizer_, batch_gen_, source).step;
    model_.eval();
}

}  // namespace tt
