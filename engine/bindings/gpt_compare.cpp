// Milestone 3's "compare with vision models": what one training example costs a classifier (milestone 2's CNN) and
// a GPT, counted and measured by the engine, as JSON text:
//
//   JSON.parse(M.classifierCosts('conv:1:16:3:1 relu maxpool:2 …', '1x28x28'))
//   JSON.parse(M.gptCosts(JSON.stringify(config), T))
// Both: {parameters, parameter_bytes, flops (forward, one example)}; gptCosts also activation_bytes (what the autograd
// graph keeps for backward at batch 1, gpt_profile.h) — a classifier's is M.trainingMemoryReport(arch, shape, 1). FLOPs count the multiply-adds of convolutions and matmuls (2 per
// multiply-add); for a GPT one example is a window of T tokens, every token predicting the next.
#include <emscripten/bind.h>

#include <cstdio>
#include <string>

#include "classifier.h"
#include "error.h"
#include "gpt.h"
#include "gpt_profile.h"
#include "gpt_session.h"
#include "guard.h"
#include "json.h"

namespace tt::web {
namespace {

std::string classifier_costs(const std::string& architecture, const std::string& input_shape) {
    int c = 0, h = 0, w = 0;
    TT_CHECK(std::sscanf(input_shape.c_str(), "%dx%dx%d", &c, &h, &w) == 3 && c > 0 && h > 0 && w > 0,
             "classifierCosts: input shape '" << input_shape << "' is not CxHxW");
    check_architecture(architecture, c, h, w);  // the shapes fit (errors name the layer)
    double flops = 0;
    for (const LayerSpec& l : parse_architecture(architecture)) {
        switch (l.kind) {
            case LayerSpec::Conv2d:
                h = h + 2 * l.padding - l.kernel + 1;
                w = w + 2 * l.padding - l.kernel + 1;
                c = l.out;
                flops += 2.0 * l.in * l.out * l.kernel * l.kernel * h * w;
                break;
            case LayerSpec::MaxPool2d:
            case LayerSpec::AvgPool2d:
                h /= l.kernel;
                w /= l.kernel;
                break;
            case LayerSpec::Linear: flops += 2.0 * l.in * l.out; break;
            default: break;
        }
    }
    Generator gen(0);
    auto net = build_classifier(architecture, gen);
    return Json::object()
        .set("parameters", net->parameter_count())
        .set("parameter_bytes", net->parameter_bytes())
        .set("flops", flops)
        .dump();
}

std::string gpt_costs(const std::string& config, int T) {
    const GPTConfig c = gpt_config_from_json(parse_json(config, "gptCosts config"), "gptCosts config", false);
    TT_CHECK(T > 0 && T <= c.block_size, "gptCosts: T must be in [1, block_size]");
    Generator gen(0);
    GPT model(c, gen);
    const double C = double(c.n_embd), L = double(c.n_layer), V = double(c.vocab_size), t = double(T);
    // per token: q k v + out projection (4 C^2) and the MLP (8 C^2) per layer, the head (V C); attention: q k^T and
    // p v over the T keys (2 T C per layer, counted in full)
    const double flops = 2.0 * t * (L * 12.0 * C * C + V * C) + L * 4.0 * t * t * C;
    const Json memory = profile_memory(model, 1, {T});
    return Json::object()
        .set("parameters", model.parameter_count())
        .set("parameter_bytes", model.parameter_bytes())
        .set("flops", flops)
        .set("activation_bytes", memory.find("rows")->items()[0].find("activation_bytes")->as_number())
        .set("T", T)
        .dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_gpt_compare) {
    using namespace emscripten;
    using namespace tt::web;
    function("classifierCosts", guard<&classifier_costs>);
    function("gptCosts", guard<&gpt_costs>);
}
