// Module 17's systems panel in the browser (web/js/course/systems/17.mjs): the measurements of
// models/competition_profile.h, which bench/bench_competition.cpp runs natively, as JSON text. Options are JSON:
//     JSON.parse(M.profileKvCache(JSON.stringify({ config, maxLens: [64, 256], tokens: [32, 64] })))
//     JSON.parse(M.profileBatching(JSON.stringify({ rates: [200, 2000], requests: 500, maxBatch: 16, maxWait: 2 })))
//     JSON.parse(M.profileMixedPrecision(JSON.stringify({ batch: 256, in: 32, hidden: 256, classes: 10, steps: 100 })))
//     JSON.parse(M.profileEnsemble(ttdsBytes, 'mnist-test.ttds', JSON.stringify({ members: 4, trainCount: 3000, ... })))
// config: { vocabSize, blockSize, nLayer, nHead, nEmbd } (any left out keeps GPTConfig's default).
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "classifier.h"
#include "competition_profile.h"
#include "error.h"
#include "guard.h"
#include "json.h"

namespace tt::web {
namespace {

double number(const Json& o, const char* key, double fallback) {
    const Json* v = o.find(key);
    if (!v) return fallback;
    TT_CHECK(v->is_number(), "options." << key << " must be a number");
    return v->as_number();
}

template <typename T>
std::vector<T> numbers(const Json& o, const char* key) {
    const Json* v = o.find(key);
    TT_CHECK(v && v->is_array(), "options." << key << " must be an array of numbers");
    std::vector<T> out;
    for (const Json& n : v->items()) out.push_back(static_cast<T>(n.as_number()));
    return out;
}

std::string profile_kv_cache_js(const std::string& text) {
    const Json o = parse_json(text, "profileKvCache options");
    GPTConfig c;
    if (const Json* j = o.find("config")) {
        c.vocab_size = static_cast<int64_t>(number(*j, "vocabSize", double(c.vocab_size)));
        c.block_size = static_cast<int64_t>(number(*j, "blockSize", double(c.block_size)));
        c.n_layer = static_cast<int64_t>(number(*j, "nLayer", double(c.n_layer)));
        c.n_head = static_cast<int64_t>(number(*j, "nHead", double(c.n_head)));
        c.n_embd = static_cast<int64_t>(number(*j, "nEmbd", double(c.n_embd)));
    }
    return profile_kv_cache(c, numbers<int64_t>(o, "maxLens"), numbers<int64_t>(o, "tokens"),
                            static_cast<int>(number(o, "repeats", 1)))
        .dump();
}

std::string profile_batching_js(const std::string& text) {
    const Json o = parse_json(text, "profileBatching options");
    Generator g(0);
    auto mlp = build_classifier("flatten linear:784:128 relu linear:128:10", g);
    const BatcherOptions bo{static_cast<int64_t>(number(o, "maxBatch", 16)), number(o, "maxWait", 2.0)};
    return profile_batching(*mlp, randn({1, 1, 28, 28}, 1), numbers<double>(o, "rates"),
                            static_cast<int64_t>(number(o, "requests", 500)), bo, number(o, "sampleSeconds", 0.02))
        .dump();
}

std::string profile_mixed_precision_js(const std::string& text) {
    const Json o = parse_json(text, "profileMixedPrecision options");
    return profile_mixed_precision(static_cast<int64_t>(number(o, "batch", 256)),
                                   static_cast<int64_t>(number(o, "in", 32)),
                                   static_cast<int64_t>(number(o, "hidden", 256)),
                                   static_cast<int64_t>(number(o, "classes", 10)),
                                   static_cast<int>(number(o, "steps", 100)))
        .dump();
}

std::string profile_ensemble_js(const std::string& bytes, const std::string& name, const std::string& text) {
    const Json o = parse_json(text, "profileEnsemble options");
    const ImageDataset d = parse_packed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
    const auto train_count = static_cast<int64_t>(number(o, "trainCount", 3000));
    return profile_ensemble(d, d, static_cast<int64_t>(number(o, "members", 4)),
                            static_cast<int64_t>(number(o, "hidden", 32)), train_count,
                            static_cast<int64_t>(number(o, "testStart", double(train_count))),
                            static_cast<int64_t>(number(o, "testCount", 2000)),
                            static_cast<int>(number(o, "epochs", 2)), number(o, "sampleSeconds", 0.02))
        .dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_competition) {
    using namespace emscripten;
    using namespace tt::web;
    function("profileKvCache", guard<&profile_kv_cache_js>);
    function("profileBatching", guard<&profile_batching_js>);
    function("profileMixedPrecision", guard<&profile_mixed_precision_js>);
    function("profileEnsemble", guard<&profile_ensemble_js>);
}
