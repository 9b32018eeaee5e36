// Module 16's systems panel, the pruning and distillation half (web/js/course/systems/16-prune.mjs): the measurements
// of models/compression_study.h on a pretrained asset and packed data sets, given as bytes, returned as JSON text.
//
//   JSON.parse(M.pruneCurve(JSON.stringify({architecture, sparsities, global, finetune_steps, batch_size, lr,
//                                           train_count, train_offset, test_count, seed}), weights, trainTtds, testTtds))
//     -> {points: [{sparsity, accuracy, finetuned, dense_bytes, sparse_bytes}]}
//   JSON.parse(M.distillCompare(JSON.stringify({teacher, student, steps, batch_size, lr, temperature, alpha,
//                                               train_count, train_offset, test_count, seed}), teacherWeights, trainTtds, testTtds))
//     -> {teacher, alone, distilled, teacher_parameters, student_parameters}
// Options left out keep compression_study.h's defaults; `architecture` / `teacher` are required.
#include <emscripten/bind.h>

#include <string>

#include "compression_study.h"
#include "error.h"
#include "guard.h"
#include "json.h"
#include "safetensors.h"

namespace tt::web {
namespace {

double number(const Json& o, const char* key, double fallback) {
    const Json* v = o.find(key);
    if (!v) return fallback;
    TT_CHECK(v->is_number(), "option '" << key << "' must be a number");
    return v->as_number();
}

std::string text(const Json& o, const char* key, const char* who) {
    const Json* v = o.find(key);
    TT_CHECK(v && v->is_string(), who << ": option '" << key << "' (an architecture string) is required");
    return v->as_string();
}

ImageDataset dataset(const std::string& bytes, const char* name) {
    return parse_packed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

StateDict weights(const std::string& bytes) {
    return load_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "weights.safetensors");
}

std::string prune_curve_js(const std::string& options, const std::string& weight_bytes, const std::string& train,
                           const std::string& test) {
    const Json o = parse_json(options, "pruneCurve options");
    TT_CHECK(o.is_object(), "pruneCurve: options must be a JSON object");
    PruneCurveOptions p;
    if (const Json* s = o.find("sparsities")) {
        TT_CHECK(s->is_array(), "pruneCurve: option 'sparsities' must be an array of numbers");
        p.sparsities.clear();
        for (const Json& x : s->items()) p.sparsities.push_back(x.as_number());
    }
    if (const Json* g = o.find("global")) p.global = g->as_bool();
    p.finetune_steps = static_cast<int64_t>(number(o, "finetune_steps", 0));
    p.batch_size = static_cast<int64_t>(number(o, "batch_size", 64));
    p.lr = static_cast<float>(number(o, "lr", p.lr));
    p.train_count = static_cast<int64_t>(number(o, "train_count", -1));
    p.test_count = static_cast<int64_t>(number(o, "test_count", -1));
    p.train_offset = static_cast<int64_t>(number(o, "train_offset", 0));
    p.seed = static_cast<uint64_t>(number(o, "seed", 1));
    const auto points = prune_curve(text(o, "architecture", "pruneCurve"), weights(weight_bytes),
                                    dataset(train, "train.ttds"), dataset(test, "test.ttds"), p);
    Json list = Json::array();
    for (const PrunePoint& q : points) {
        Json j = Json::object();
        j.set("sparsity", q.sparsity).set("accuracy", q.accuracy).set("finetuned", q.finetuned);
        j.set("dense_bytes", q.dense_bytes).set("sparse_bytes", q.sparse_bytes);
        list.push_back(j);
    }
    Json out = Json::object();
    out.set("points", list);
    return out.dump();
}

std::string distill_compare_js(const std::string& options, const std::string& weight_bytes, const std::string& train,
                               const std::string& test) {
    const Json o = parse_json(options, "distillCompare options");
    TT_CHECK(o.is_object(), "distillCompare: options must be a JSON object");
    DistillOptions d;
    if (o.find("student")) d.student = text(o, "student", "distillCompare");
    d.steps = static_cast<int64_t>(number(o, "steps", static_cast<double>(d.steps)));
    d.batch_size = static_cast<int64_t>(number(o, "batch_size", 64));
    d.lr = static_cast<float>(number(o, "lr", d.lr));
    d.temperature = static_cast<float>(number(o, "temperature", d.temperature));
    d.alpha = static_cast<float>(number(o, "alpha", d.alpha));
    d.train_count = static_cast<int64_t>(number(o, "train_count", -1));
    d.test_count = static_cast<int64_t>(number(o, "test_count", -1));
    d.train_offset = static_cast<int64_t>(number(o, "train_offset", 0));
    d.seed = static_cast<uint64_t>(number(o, "seed", 1));
    const DistillResult r = distill_compare(text(o, "teacher", "distillCompare"), weights(weight_bytes),
                                            dataset(train, "train.ttds"), dataset(test, "test.ttds"), d);
    Json out = Json::object();
    out.set("teacher", r.teacher).set("alone", r.alone).set("distilled", r.distilled);
    out.set("teacher_parameters", r.teacher_parameters).set("student_parameters", r.student_parameters);
    return out.dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_compression_prune) {
    using namespace emscripten;
    using namespace tt::web;
    function("pruneCurve", guard<&prune_curve_js>);
    function("distillCompare", guard<&distill_compare_js>);
}
