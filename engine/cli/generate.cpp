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
#include "gpt_asset.h"
#include "safetensors.h"
#include "tinygpt.h"
#include "tokenizer.h"

namespace tt::cli {
namespace {

std::string describe(uint32_t c) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", c);
    std::string shown;
    if (c >= 0x20 && c != 0x7F) utf8_append(shown, c);
    return shown.empty() ? std::string(code) : "'" + shown + "' (" + code + ")";
}

}  // namespace

std::vector<uint8_t> save_gpt_asset(GPT& model, const std::vector<uint32_t>& vocab) {
    return save_safetensors(model.state_dict(), gpt_asset_metadata(model.config, vocab));
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
    const GPTAssetHeader header = read_gpt_asset_header(bytes.data(), bytes.size(), path);
    LoadedGPT out;
    out.config_text = gpt_config_json(header.config).dump();
    for (uint32_t ch : header.vocab) {
        out.vocab.emplace_back();
        utf8_append(out.vocab.back(), ch);
    }
    Generator unused(0);  // the weights are overwritten by the file's
    out.model = std::make_unique<GPT>(header.config, unused);
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
