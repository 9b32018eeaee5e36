// Module 15's systems panel in the browser (web/js/course/systems/15.mjs): the measurements of kernel_profile.h,
// which bench/bench_fusion.cpp runs natively, as JSON text.
//     JSON.parse(M.profileMatmul(JSON.stringify({ sizes: [64, 128, 256], naiveMaxN: 256, repeats: 5 })))
//     JSON.parse(M.profileFusion(JSON.stringify({ scale: 1, repeats: 5 })))
//     M.simdPeakGflops(50)   // the multiply+add ceiling of one core, measured for ~50 ms
// and module 16's int8 GEMM on 7-bit inputs as this build runs it (the relaxed int8 dot in tt_web_relaxed):
//     M.qgemmU7(m, n, k, x, zero, w)  // x Uint8Array [m, k] in 0..127, w Int8Array [n, k] -> Int32Array [m, n]
//                                     // = sum_k (x - zero) w;  M.qgemmU7Relaxed() -> true where it is the dot
#include <emscripten/bind.h>

#include <string>
#include <vector>

#include "error.h"
#include "guard.h"
#include "json.h"
#include "kernel_profile.h"
#include "quant_packed.h"

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

emscripten::val qgemm_u7_js(int m, int n, int k, const emscripten::val& x, int zero, const emscripten::val& w) {
    TT_CHECK(m >= 0 && n >= 0 && k >= 0 && k <= 65536, "qgemmU7: m=" << m << " n=" << n << " k=" << k);
    const std::vector<int32_t> xv = emscripten::convertJSArrayToNumberVector<int32_t>(x);
    const std::vector<int32_t> wv = emscripten::convertJSArrayToNumberVector<int32_t>(w);
    TT_CHECK(xv.size() == size_t(m) * k && wv.size() == size_t(n) * k,
             "qgemmU7: x has " << xv.size() << " values (expected " << size_t(m) * k << "), w " << wv.size()
                               << " (expected " << size_t(n) * k << ")");
    const int kp = qpack_k(k);
    std::vector<uint8_t> xp(size_t(m) * kp, 0);
    std::vector<int8_t> wp(size_t(n) * kp, 0);
    for (int r = 0; r < m; ++r)
        for (int c = 0; c < k; ++c) {
            const int32_t v = xv[size_t(r) * k + size_t(c)];
            TT_CHECK(v >= 0 && v <= 127, "qgemmU7: x[" << r << ", " << c << "] = " << v << " is not 7-bit");
            xp[size_t(r) * kp + size_t(c)] = static_cast<uint8_t>(v);
        }
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < k; ++c) wp[size_t(r) * kp + size_t(c)] = static_cast<int8_t>(wv[size_t(r) * k + size_t(c)]);
    std::vector<int32_t> wsum(static_cast<size_t>(n)), acc(static_cast<size_t>(m) * n);
    row_sums_s8(wp.data(), n, kp, wsum.data());
    qgemm_packed_u7(m, n, kp, xp.data(), zero, wp.data(), wsum.data(), acc.data());
    return emscripten::val::global("Int32Array").new_(emscripten::typed_memory_view(acc.size(), acc.data()));
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_kernels) {
    using namespace emscripten;
    using namespace tt::web;
    function("profileMatmul", guard<&profile_matmul_js>);
    function("profileFusion", guard<&profile_fusion_js>);
    function("simdPeakGflops", guard<&simd_peak_js>);
    function("qgemmU7", guard<&qgemm_u7_js>);
    function("qgemmU7Relaxed", &tt::qgemm_u7_relaxed);
}
