// Module 15's systems panel in the browser (web/js/course/systems/15.mjs): the measurements of kernel_profile.h,
// which bench/bench_fusion.cpp runs natively, as JSON text.
//     JSON.parse(M.profileMatmul(JSON.stringify({ sizes: [64, 128, 256], naiveMaxN: 256, repeats: 5 })))
//     JSON.parse(M.profileFusion(JSON.stringify({ scale: 1, repeats: 5 })))
//     M.simdPeakGflops(50)   // the multiply+add ceiling of one core, measured for ~50 ms
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "error.h"
#include "guard.h"
#include "json.h"
#include "kernel_profile.h"

namespace tt::web {
namespace {

double option(const Json& options, const char* key, double fallback) {
    const Json* v = options.find(key);
    if (!v) return fallback;
    TT_CHECK(v->is_number(), "options." << key << " must be a number");
    return v->as_number();
}

std::string profile_matmul_js(const std::string& text) {
    const Json o = parse_json(text, "profileMatmul options");
    const Json* s = o.find("sizes");
    TT_CHECK(s && s->is_array(), "options.sizes must be an array of matrix sizes");
    std::vector<int> sizes;
    for (const Json& n : s->items()) {
        TT_CHECK(n.is_number() && n.as_number() >= 1 && n.as_number() <= 2048,
                 "options.sizes: each size must be a number in [1, 2048]");
        sizes.push_back(static_cast<int>(n.as_number()));
    }
    return profile_matmul(sizes, static_cast<int>(option(o, "naiveMaxN", 256)),
                          static_cast<int>(option(o, "repeats", 5)))
        .dump();
}

std::string profile_fusion_js(const std::string& text) {
    const Json o = parse_json(text, "profileFusion options");
    return profile_fusion(static_cast<int>(option(o, "scale", 1)), static_cast<int>(option(o, "repeats", 5))).dump();
}

double simd_peak_js(double ms) { return simd_peak_gflops(ms); }

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_kernels) {
    using namespace emscripten;
    using namespace tt::web;
    function("profileMatmul", guard<&profile_matmul_js>);
    function("profileFusion", guard<&profile_fusion_js>);
    function("simdPeakGflops", guard<&simd_peak_js>);
}
