// `tt generate`: text from a TinyGPT asset (tinygpt.h), and the asset's reader and writer.
//
// Reproducible to the token, natively and in the page: the prompt's characters become ids (the asset's "tt.vocab"),
// then GPT::generate(ids [1, P], tokens, {temperature, top_k}, Generator(seed), use_cache) — one Generator made
// from the seed, and exactly one gen.uniform_double() per generated token (inverse CDF over next_token_probs of the
// last position, models/sampling.h), none at temperature 0 (greedy). Nothing else draws from it. With the KV cache
// the prompt runs in one pass and every later token in one step; without it the whole (cropped) context runs again
// for every token. Both give the same logits up to float rounding, so the same text.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "error.h"
#include "json.h"
#include "safetensors.h"
#include "tinygpt.h"
#include "tokenizer.h"

namespace tt::cli {
namespace {

int64_t config_int(const Json& config, const char* key, const std::string& source) {
    const Json* v = config.find(key);
    TT_CHECK(v && v->is_number() && v->as_number() >= 1 && v->as_number() == double(int64_t(v->as_number())),
             source << ": metadata tt.gpt needs \"" << key << "\", a whole number >= 1");
    return int64_t(v->as_number());
}

std::string describe(uint32_t c) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", c);
    std::string shown;
    if (c >= 0x20 && c != 0x7F) utf8_append(shown, c);
    return shown.empty() ? std::string(code) : "'" + shown + "' (" + code + ")";
}

}  // namespace

std::vector<uint8_t> save_gpt_asset(GPT& model, const std::vector<uint32_t>& vocab) {
    const GPTConfig& c = model.config;
    TT_CHECK(int64_t(vocab.size()) == c.vocab_size,
             "save_gpt_asset: " << vocab.size() << " characters for a vocabulary of " << c.vocab_size);
    std::string chars;
    for (uint32_t v : vocab) utf8_append(chars, v);
    const Json config = Json::object()
                            .set("vocab_size", c.vocab_size)
                            .set("block_size", c.block_size)
                            .set("n_layer", c.n_layer)
                            .set("n_head", c.n_head)
                            .set("n_embd", c.n_embd)
                            .set("tie_weights", c.tie_weights);
    return save_safetensors(model.state_dict(), {{"tt.gpt", config.dump()}, {"tt.vocab", Json(chars).dump()}});
}

LoadedGPT load_gpt_asset(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    TT_CHECK(f.good(),
             path << " is missing: train it with `tt train tinygpt` (it needs build/datasets/austen.txt: "
                     "`make setup` then `make native`), or pass --weights FILE");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return load_gpt_bytes(bytes, path);
}

LoadedGPT load_gpt_bytes(const std::vector<uint8_t>& bytes, const std::string& path) {
    const auto meta = load_safetensors_metadata(bytes.data(), bytes.size(), path);
    TT_CHECK(meta.count("tt.gpt") && meta.count("tt.vocab"),
             path << ": not a TinyGPT asset (its metadata lacks tt.gpt or tt.vocab)");
    const Json config = parse_json(meta.at("tt.gpt"), path + ": metadata tt.gpt");
    TT_CHECK(config.is_object(), path << ": metadata tt.gpt is not a JSON object");
    GPTConfig c;
    c.vocab_size = config_int(config, "vocab_size", path);
    c.block_size = config_int(config, "block_size", path);
    c.n_layer = config_int(config, "n_layer", path);
    c.n_head = config_int(config, "n_head", path);
    c.n_embd = config_int(config, "n_embd", path);
    const Json* tie = config.find("tie_weights");
    TT_CHECK(tie && tie->is_bool(), path << ": metadata tt.gpt needs \"tie_weights\", true or false");
    c.tie_weights = tie->as_bool();
    const Json vocab = parse_json(meta.at("tt.vocab"), path + ": metadata tt.vocab");
    TT_CHECK(vocab.is_string(), path << ": metadata tt.vocab is not a JSON string");
    LoadedGPT out;
    out.config_text = config.dump();
    for (uint32_t ch : utf8_decode(vocab.as_string(), "tt.vocab")) {
        out.vocab.emplace_back();
        utf8_append(out.vocab.back(), ch);
    }
    TT_CHECK(int64_t(out.vocab.size()) == c.vocab_size,
             path << ": tt.vocab has " << out.vocab.size() << " characters, tt.gpt a vocab_size of " << c.vocab_size);
    Generator unused(0);  // the weights are overwritten by the file's
    out.model = std::make_unique<GPT>(c, unused);
    out.model->load_state_dict(load_safetensors(bytes, path));
    out.model->eval();
    return out;
}

int generate(const GenerateOptions& o) {
    LoadedGPT loaded = load_gpt_asset(o.weights);
    GPT& model = *loaded.model;
    const std::vector<uint32_t> prompt = utf8_decode(o.prompt, "--prompt");
    TT_CHECK(!prompt.empty(), "--prompt is empty: give at least one character to start from");
    Tensor idx({1, int64_t(prompt.size())});
    for (size_t i = 0; i < prompt.size(); ++i) {
        std::string c;
        utf8_append(c, prompt[i]);
        size_t id = 0;
        while (id < loaded.vocab.size() && loaded.vocab[id] != c) ++id;
        TT_CHECK(id < loaded.vocab.size(),
                 "--prompt: the character " << describe(prompt[i]) << " at position " << i
                                            << " is not in the model's vocabulary of " << loaded.vocab.size()
                                            << " characters");
        idx.data()[i] = float(id);
    }
    const int64_t T = model.config.block_size;
    TT_CHECK(!o.use_cache || int64_t(prompt.size()) + o.tokens <= T,
             "with the KV cache, the prompt (" << prompt.size() << " characters) and --tokens " << o.tokens
                                               << " must fit the model's context of " << T
                                               << " characters; use --no-cache to generate longer text (the "
                                                  "context then slides)");
    SamplingOptions sampling;
    sampling.temperature = o.temperature;
    sampling.top_k = o.top_k;
    Generator gen(o.seed);
    const Tensor out = model.generate(idx, o.tokens, sampling, gen, o.use_cache);
    std::string text;
    for (int64_t i = 0; i < out.shape(1); ++i) text += loaded.vocab[size_t(out.data()[i])];
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
}

}  // namespace tt::cli
