// Modules 13-14's systems panels in the browser (web/js/course/systems/13.mjs, 14.mjs): the measurements of
// models/gpt_profile.h, which bench/bench_gpt.cpp runs natively, as JSON text. Each takes its options as JSON:
//     JSON.parse(M.profileAttention(JSON.stringify({ lengths: [32, 64, 128], heads: 4, headDim: 32 })))
//     JSON.parse(M.profileDecoding(JSON.stringify({ config, lengths: [16, 64] })))
//     JSON.parse(M.profileGpt(JSON.stringify({ config, batch: 4, T: 32, steps: 3 })))   // parameters + training
// config: { vocabSize, blockSize, nLayer, nHead, nEmbd, tieWeights } (any left out keeps GPTConfig's default).
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "error.h"
#include "gpt.h"
#include "gpt_profile.h"
#include "guard.h"
#include "json.h"

namespace tt::web {
namespace {

double number(const Json& options, const char* key, double fallback) {
    const Json* v = options.find(key);
    if (!v) return fallback;
    TT_CHECK(v->is_number(), "options." << key << " must be a number");
    return v->as_number();
}

std::vector<int64_t> lengths(const Json& options) {
    const Json* v = options.find("lengths");
    TT_CHECK(v && v->is_array(), "options.lengths must be an array of sequence lengths");
    std::vector<int64_t> out;
    for (const Json& n : v->items()) out.push_back(static_cast<int64_t>(n.as_number()));
    return out;
}

GPTConfig config_of(const Json& options) {
    GPTConfig c;
    const Json* j = options.find("config");
    if (!j) return c;
    TT_CHECK(j->is_object(), "options.config must be an object");
    c.vocab_size = static_cast<int64_t>(number(*j, "vocabSize", double(c.vocab_size)));
    c.block_size = static_cast<int64_t>(number(*j, "blockSize", double(c.block_size)));
    c.n_layer = static_cast<int64_t>(number(*j, "nLayer", double(c.n_layer)));
    c.n_head = static_cast<int64_t>(number(*j, "nHead", double(c.n_head)));
    c.n_embd = static_cast<int64_t>(number(*j, "nEmbd", double(c.n_embd)));
    if (const Json* t = j->find("tieWeights")) c.tie_weights = t->as_bool();
    return c;
}

std::string profile_attention_js(const std::string& text) {
    Json o = parse_json(text, "profileAttention options");
    return profile_attention(lengths(o), static_cast<int64_t>(number(o, "heads", 4)),
                             static_cast<int64_t>(number(o, "headDim", 32)), static_cast<int>(number(o, "repeats", 3)))
        .dump();
}

std::string profile_decoding_js(const std::string& text) {
    Json o = parse_json(text, "profileDecoding options");
    Generator gen(0);
    GPT model(config_of(o), gen);
    return profile_decoding(model, lengths(o), static_cast<int>(number(o, "repeats", 1))).dump();
}

std::string profile_gpt_js(const std::string& text) {
    Json o = parse_json(text, "profileGpt options");
    Generator gen(0);
    GPT model(config_of(o), gen);
    Json out = Json::object();
    out.set("parameters", profile_parameters(model));
    out.set("training",
            profile_training(model, static_cast<int64_t>(number(o, "batch", 4)),
                             static_cast<int64_t>(number(o, "T", 32)), static_cast<int>(number(o, "steps", 3))));
    return out.dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_attention) {
    using namespace emscripten;
    using namespace tt::web;
    function("profileAttention", guard<&profile_attention_js>);
    function("profileDecoding", guard<&profile_decoding_js>);
    function("profileGpt", guard<&profile_gpt_js>);
}
