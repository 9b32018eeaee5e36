// TinyGPT's file format (gpt_asset.h): the config as JSON and the vocabulary, read and written in one place.
#include "gpt_asset.h"

#include <cmath>
#include <set>

#include "error.h"
#include "safetensors.h"
#include "tokenizer.h"

namespace tt {

Json gpt_config_json(const GPTConfig& c) {
    return Json::object()
        .set("vocab_size", c.vocab_size)
        .set("block_size", c.block_size)
        .set("n_layer", c.n_layer)
        .set("n_head", c.n_head)
        .set("n_embd", c.n_embd)
        .set("tie_weights", c.tie_weights);
}

GPTConfig gpt_config_from_json(const Json& j, const std::string& source, bool complete) {
    TT_CHECK(j.is_object(), source << ": the GPT config must be a JSON object");
    GPTConfig c;
    auto field = [&](const char* snake, const char* camel) {
        const Json* v = j.find(snake) ? j.find(snake) : j.find(camel);
        TT_CHECK(v || !complete, source << ": the GPT config needs \"" << snake << "\"");
        return v;
    };
    auto whole = [&](const char* snake, const char* camel, int64_t fallback) {
        const Json* v = field(snake, camel);
        if (!v) return fallback;
        TT_CHECK(v->is_number() && v->as_number() >= 1 && v->as_number() == std::floor(v->as_number()) &&
                     v->as_number() <= 1e9,
                 source << ": \"" << snake << "\" must be a whole number >= 1");
        return static_cast<int64_t>(v->as_number());
    };
    c.vocab_size = whole("vocab_size", "vocabSize", c.vocab_size);
    c.block_size = whole("block_size", "blockSize", c.block_size);
    c.n_layer = whole("n_layer", "nLayer", c.n_layer);
    c.n_head = whole("n_head", "nHead", c.n_head);
    c.n_embd = whole("n_embd", "nEmbd", c.n_embd);
    if (const Json* tie = field("tie_weights", "tieWeights")) {
        TT_CHECK(tie->is_bool(), source << ": \"tie_weights\" must be true or false");
        c.tie_weights = tie->as_bool();
    }
    return c;
}

std::map<std::string, std::string> gpt_asset_metadata(const GPTConfig& c, const std::vector<uint32_t>& vocab) {
    TT_CHECK(int64_t(vocab.size()) == c.vocab_size,
             "a TinyGPT file: " << vocab.size() << " characters for a vocabulary of " << c.vocab_size);
    std::string chars;
    for (uint32_t v : vocab) utf8_append(chars, v);
    return {{"tt.gpt", gpt_config_json(c).dump()}, {"tt.vocab", Json(chars).dump()}};
}

GPTAssetHeader read_gpt_asset_header(const uint8_t* bytes, size_t size, const std::string& source) {
    const auto meta = load_safetensors_metadata(bytes, size, source);
    TT_CHECK(meta.count("tt.gpt") && meta.count("tt.vocab"),
             source << ": not a TinyGPT asset (its metadata lacks tt.gpt or tt.vocab; `tt train tinygpt` writes one)");
    GPTAssetHeader out;
    out.config = gpt_config_from_json(parse_json(meta.at("tt.gpt"), source + ": metadata tt.gpt"),
                                      source + ": metadata tt.gpt", true);
    const Json vocab = parse_json(meta.at("tt.vocab"), source + ": metadata tt.vocab");
    TT_CHECK(vocab.is_string(), source << ": metadata tt.vocab must be a JSON string of the characters in id order");
    out.vocab = utf8_decode(vocab.as_string(), (source + ": tt.vocab").c_str());
    TT_CHECK(int64_t(out.vocab.size()) == out.config.vocab_size,
             source << ": tt.vocab has " << out.vocab.size() << " characters, tt.gpt a vocab_size of "
                    << out.config.vocab_size);
    TT_CHECK(std::set<uint32_t>(out.vocab.begin(), out.vocab.end()).size() == out.vocab.size(),
             source << ": tt.vocab repeats a character");
    return out;
}

}  // namespace tt
