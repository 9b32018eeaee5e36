// Milestone 3 (web/milestone-tinygpt.html): the TinyGPT class — a GPT from the pretrained asset or a new one, text
// in and out, step-wise generation that reproduces GPT::generate token by token (so the page's seeded text equals
// `tt generate`'s), the attention weights of every layer and head, and weights export. Training: gpt_train.cpp.
//
//   const gpt = M.TinyGPT.fromSafetensors(bytes, 'tinygpt.safetensors');
//   gpt.start('It is a truth', JSON.stringify({ temperature: 0.8, topK: 10, seed: 1, useCache: true }));
//   const { id, text, probs, ms } = gpt.next();          // one token; probs: Float32Array of the V probabilities
//   const { data, shape } = gpt.attention();              // Float32Array [L, H, T, T], every row sums to 1
#include <emscripten/bind.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "attention_softmax.h"
#include "error.h"
#include "functional.h"
#include "gpt_asset.h"
#include "gpt_session.h"
#include "grad_mode.h"
#include "guard.h"
#include "matmul.h"
#include "safetensors.h"
#include "tokenizer.h"
#include "transformer.h"

namespace tt::web {

using emscripten::val;

namespace {

double number_or(const Json& o, const char* key, double fallback) {
    const Json* v = o.find(key);
    if (!v || v->is_null()) return fallback;
    TT_CHECK(v->is_number(), "option '" << key << "' must be a number");
    return v->as_number();
}

uint64_t seed_of(const Json& o) {
    const double s = number_or(o, "seed", 0);
    TT_CHECK(s >= 0 && s == std::floor(s) && s < 9007199254740992.0, "option 'seed' must be a whole number >= 0");
    return static_cast<uint64_t>(s);
}

Json parse_options(const std::string& text, const char* who) {
    Json o = parse_json(text.empty() ? "{}" : text, who);
    TT_CHECK(o.is_object(), who << ": options must be a JSON object");
    return o;
}

Tensor ids_tensor(const std::vector<int64_t>& ids) {
    Tensor t({1, static_cast<int64_t>(ids.size())});
    for (size_t i = 0; i < ids.size(); ++i) t.data()[i] = static_cast<float>(ids[i]);
    return t;
}

}  // namespace

val bytes_to_js(const std::vector<uint8_t>& bytes) {
    return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

TinyGPT::TinyGPT(const GPTConfig& config, std::vector<uint32_t> vocab, uint64_t seed) : vocab_(std::move(vocab)) {
    TT_CHECK(!vocab_.empty() && int64_t(vocab_.size()) == config.vocab_size,
             "TinyGPT: the vocabulary has " << vocab_.size() << " characters but vocab_size is " << config.vocab_size);
    for (size_t i = 0; i < vocab_.size(); ++i) {
        TT_CHECK(id_of_.emplace(vocab_[i], int64_t(i)).second, "TinyGPT: the vocabulary repeats a character");
    }
    Generator gen(seed);
    model_ = std::make_unique<GPT>(config, gen);
    model_->eval();
}

TinyGPT* TinyGPT::from_safetensors(const std::string& bytes, const std::string& name) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    const GPTAssetHeader header = read_gpt_asset_header(data, bytes.size(), name);
    auto* gpt = new TinyGPT(header.config, header.vocab, 0);
    try {
        gpt->model_->load_state_dict(load_safetensors(data, bytes.size(), name));
    } catch (...) {
        delete gpt;
        throw;
    }
    return gpt;
}

TinyGPT* TinyGPT::create(const std::string& config, const std::string& vocab, double seed) {
    GPTConfig c = gpt_config_from_json(parse_json(config, "TinyGPT.create config"), "TinyGPT.create config", false);
    std::vector<uint32_t> chars = utf8_decode(vocab, "TinyGPT.create vocab");
    c.vocab_size = int64_t(chars.size());  // the vocabulary decides
    TT_CHECK(!chars.empty(), "TinyGPT.create: the vocabulary is empty");
    return new TinyGPT(c, std::move(chars), static_cast<uint64_t>(seed));
}

std::string TinyGPT::vocab_of(const std::string& text) {
    std::string out;
    for (uint32_t c : char_vocab(text)) utf8_append(out, c);
    return out;
}

std::string TinyGPT::vocab() const {
    std::string out;
    for (uint32_t c : vocab_) utf8_append(out, c);
    return out;
}

std::vector<int64_t> TinyGPT::ids_of(const std::string& text) const {
    std::vector<int64_t> ids;
    size_t offset = 0;
    for (uint32_t c : utf8_decode(text, "TinyGPT.encode")) {
        auto it = id_of_.find(c);
        if (it == id_of_.end()) {
            std::string ch;
            utf8_append(ch, c);
            TT_CHECK(false,
                     "the character '" << ch << "' (U+" << std::hex << c << std::dec << ", character " << offset
                                       << ") is not in the model's vocabulary of " << vocab_.size());
        }
        ids.push_back(it->second);
        ++offset;
    }
    return ids;
}

std::string TinyGPT::text_of(const std::vector<int64_t>& ids) const {
    std::string out;
    for (int64_t id : ids) {
        TT_CHECK(id >= 0 && id < int64_t(vocab_.size()), "TinyGPT.decode: id " << id << " is outside the vocabulary");
        utf8_append(out, vocab_[size_t(id)]);
    }
    return out;
}

val TinyGPT::encode(const std::string& text) const {
    std::vector<int64_t> ids = ids_of(text);
    std::vector<int32_t> out(ids.begin(), ids.end());
    return val::global("Int32Array").new_(emscripten::typed_memory_view(out.size(), out.data()));
}

std::string TinyGPT::decode(val ids) const {
    std::vector<double> v = emscripten::convertJSArrayToNumberVector<double>(ids);
    return text_of(std::vector<int64_t>(v.begin(), v.end()));
}

void TinyGPT::start(const std::string& prompt, const std::string& options_json) {
    const Json o = parse_options(options_json, "TinyGPT.start");
    sampling_ = SamplingOptions{};
    sampling_.temperature = static_cast<float>(number_or(o, "temperature", 1.0));
    sampling_.top_k = static_cast<int64_t>(number_or(o, "topK", 0));
    sampling_.top_p = static_cast<float>(number_or(o, "topP", 1.0));
    next_token_probs(std::vector<float>(1, 0.0f).data(), 1, sampling_);  // checks the options now, not at next()
    const Json* cache = o.find("useCache");
    use_cache_ = !cache || cache->as_bool();
    tokens_ = ids_of(prompt);
    TT_CHECK(!tokens_.empty(), "TinyGPT.start: the prompt needs at least one character");
    prompt_length_ = tokens_.size();
    sample_gen_ = Generator(seed_of(o));
    cache_ = GPTCache{};
    has_logits_ = false;
}

void TinyGPT::forward_next() {
    autograd::NoGrad no_grad;
    const int64_t B = model_->config.block_size, T = int64_t(tokens_.size());
    Tensor logits;
    if (!use_cache_) {
        const int64_t start = std::max<int64_t>(0, T - B);  // GPT::generate's crop
        logits = model_->forward(ids_tensor(std::vector<int64_t>(tokens_.begin() + start, tokens_.end())));
    } else if (cache_.layers.empty() || cache_.length() >= B) {
        // Prefill (the prompt, as GPT::generate does). Past block_size positions the cache restarts from the last
        // half block: GPT::generate refuses that length with a cache, so only there the two texts may part.
        const int64_t keep = cache_.layers.empty() ? std::min(T, B) : std::max<int64_t>(1, B / 2);
        cache_ = model_->make_cache(1, B);
        logits = model_->forward_cached(ids_tensor(std::vector<int64_t>(tokens_.end() - keep, tokens_.end())), cache_);
    } else {
        logits = model_->forward_cached(ids_tensor({tokens_.back()}), cache_);
    }
    Tensor lc = logits.contiguous();
    const int64_t V = lc.shape(2), last = lc.shape(1) - 1;
    logits_.assign(lc.data() + last * V, lc.data() + (last + 1) * V);
    has_logits_ = true;
}

val TinyGPT::next() {
    TT_CHECK(!tokens_.empty(), "TinyGPT.next: call start(prompt, options) first");
    const auto t0 = std::chrono::steady_clock::now();
    if (!has_logits_) forward_next();
    const int64_t V = int64_t(logits_.size());
    std::vector<float> probs = next_token_probs(logits_.data(), V, sampling_);
    const int64_t id = sample_next_token(logits_.data(), V, sampling_, sample_gen_);  // the one draw of this token
    tokens_.push_back(id);
    has_logits_ = false;
    val out = val::object();
    out.set("id", int(id));
    out.set("text", text_of({id}));
    out.set("probs", val::global("Float32Array").new_(emscripten::typed_memory_view(probs.size(), probs.data())));
    out.set("ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return out;
}

std::string TinyGPT::generated() const { return text_of(tokens_); }

std::string TinyGPT::generate(const std::string& prompt, int tokens, const std::string& options_json) {
    const Json o = parse_options(options_json, "TinyGPT.generate");
    SamplingOptions s;
    s.temperature = static_cast<float>(number_or(o, "temperature", 1.0));
    s.top_k = static_cast<int64_t>(number_or(o, "topK", 0));
    s.top_p = static_cast<float>(number_or(o, "topP", 1.0));
    const Json* cache = o.find("useCache");
    Generator gen(seed_of(o));
    std::vector<int64_t> ids = ids_of(prompt);
    TT_CHECK(!ids.empty(), "TinyGPT.generate: the prompt needs at least one character");
    Tensor out = model_->generate(ids_tensor(ids), tokens, s, gen, !cache || cache->as_bool());
    std::vector<int64_t> all;
    for (float v : out.contiguous().to_vector()) all.push_back(static_cast<int64_t>(v));
    return text_of(all);
}

val TinyGPT::attention() {
    TT_CHECK(!tokens_.empty(), "TinyGPT.attention: no text yet (start a generation first)");
    autograd::NoGrad no_grad;
    const GPTConfig& c = model_->config;
    const int64_t T = std::min<int64_t>(int64_t(tokens_.size()), c.block_size), C = c.n_embd, H = c.n_head;
    const std::vector<int64_t> window(tokens_.end() - T, tokens_.end());
    std::vector<float> data;
    data.reserve(size_t(c.n_layer * H * T * T));
    // The blocks' own forward, with each block's attention weights recomputed from its input the way
    // MultiheadAttention computes them (in_proj, split_heads, softmax(q k^T / sqrt(D)), causal).
    Tensor x = F::add((*model_->wte)(ids_tensor(window)), (*model_->wpe)(arange(T)));
    for (int64_t l = 0; l < c.n_layer; ++l) {
        auto& block = static_cast<nn::TransformerBlock&>((*model_->h)[size_t(l)]);
        const auto& attn = *block.attn;
        Tensor qkv = F::linear((*block.ln_1)(x), attn.in_proj_weight.value,
                               attn.in_proj_bias ? attn.in_proj_bias->value : Tensor());
        Tensor q = nn::split_heads(F::slice(qkv, 2, 0, C), H).contiguous();
        Tensor k = nn::split_heads(F::slice(qkv, 2, C, 2 * C), H);
        Tensor scores = matmul(q, k.transpose(2, 3).contiguous());
        Tensor w = attention_softmax_forward(scores, 1.0f / std::sqrt(float(attn.head_dim)), Tensor(), true);
        std::vector<float> wv = w.contiguous().to_vector();
        data.insert(data.end(), wv.begin(), wv.end());
        x = block(x);
    }
    val out = val::object();
    out.set("data", val::global("Float32Array").new_(emscripten::typed_memory_view(data.size(), data.data())));
    val shape = val::array();
    for (int64_t d : {c.n_layer, H, T, T}) shape.call<void>("push", int(d));
    out.set("shape", shape);
    out.set("text", text_of(window));
    return out;
}

std::map<std::string, std::string> TinyGPT::metadata() const { return gpt_asset_metadata(model_->config, vocab_); }

val TinyGPT::export_weights() { return bytes_to_js(save_safetensors(model_->state_dict(), metadata())); }

namespace {
TinyGPT* from_safetensors_js(const std::string& bytes, const std::string& name) {
    return TinyGPT::from_safetensors(bytes, name);
}
TinyGPT* create_js(const std::string& config, const std::string& vocab, double seed) {
    return TinyGPT::create(config, vocab, seed);
}
TinyGPT* from_checkpoint_js(const std::string& bytes) { return TinyGPT::from_checkpoint(bytes); }
std::string vocab_of_js(const std::string& text) { return TinyGPT::vocab_of(text); }
}  // namespace

}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_gpt) {
    using namespace emscripten;
    using namespace tt::web;
    class_<TinyGPT>("TinyGPT")
        .class_function("fromSafetensors", guard<&from_safetensors_js>, allow_raw_pointers())
        .class_function("create", guard<&create_js>, allow_raw_pointers())
        .class_function("fromCheckpoint", guard<&from_checkpoint_js>, allow_raw_pointers())
        .class_function("vocabOf", guard<&vocab_of_js>)
        .function("config", guard<&TinyGPT::config>)
        .function("vocab", guard<&TinyGPT::vocab>)
        .function("parameterCount", guard<&TinyGPT::parameter_count>)
        .function("encode", guard<&TinyGPT::encode>)
        .function("decode", guard<&TinyGPT::decode>)
        .function("start", guard<&TinyGPT::start>)
        .function("next", guard<&TinyGPT::next>)
        .function("generated", guard<&TinyGPT::generated>)
        .function("generate", guard<&TinyGPT::generate>)
        .function("attention", guard<&TinyGPT::attention>)
        .function("exportWeights", guard<&TinyGPT::export_weights>)
        .function("setCorpus", guard<&TinyGPT::set_corpus>)
        .function("step", guard<&TinyGPT::step>)
        .function("evaluate", guard<&TinyGPT::evaluate>)
        .function("stepsDone", guard<&TinyGPT::steps_done>)
        .function("saveCheckpoint", guard<&TinyGPT::save_checkpoint>)
        .function("loadCheckpoint", guard<&TinyGPT::load_checkpoint>);
}
