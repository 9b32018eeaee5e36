// Module 06's systems panel from JS (web/js/course/systems/06.mjs): tt::loader_benchmark (data/loader_benchmark.h)
// with its options given as an object, the result as a JSON string:
//     JSON.parse(M.loaderBenchmark({samples: 1024, batchSize: 64, prefetch: true, augment: true, computeMs: 2}))
// Missing fields keep loader_benchmark's defaults.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "error.h"
#include "guard.h"
#include "loader_benchmark.h"
#include "prefetch.h"

using emscripten::val;

namespace tt::web {
namespace {

double number_field(const val& config, const char* key, double fallback, double lo, double hi, bool whole) {
    const val v = config[key];
    if (v.isUndefined()) return fallback;
    TT_CHECK(v.isNumber(), "loaderBenchmark: " << key << " must be a number");
    const double d = v.as<double>();
    TT_CHECK(d >= lo && d <= hi && (!whole || d == double(int64_t(d))),
             "loaderBenchmark: " << key << " = " << d << " must be " << (whole ? "a whole number " : "") << "in " << lo
                                 << ".." << hi);
    return d;
}

std::string loader_benchmark_js(const val& config) {
    TT_CHECK(config.typeOf().as<std::string>() == "object", "loaderBenchmark: pass an options object");
    LoaderBenchmarkOptions o;
    o.samples = int64_t(number_field(config, "samples", double(o.samples), 1, 1 << 20, true));
    o.channels = int(number_field(config, "channels", o.channels, 1, 4, true));
    o.height = int(number_field(config, "height", o.height, 1, 1024, true));
    o.width = int(number_field(config, "width", o.width, 1, 1024, true));
    o.batch_size = int64_t(number_field(config, "batchSize", double(o.batch_size), 1, 1 << 20, true));
    o.compute_ms = number_field(config, "computeMs", 0, 0, 1000, false);
    o.seed = uint64_t(number_field(config, "seed", 0, 0, 1 << 30, true));
    o.prefetch = config["prefetch"].isTrue();
    o.augment = config["augment"].isTrue();
    return loader_benchmark(o).dump();
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_data) {
    using namespace emscripten;
    using namespace tt::web;
    function("loaderBenchmark", guard<&loader_benchmark_js>);
    function("prefetchThreaded", &tt::Prefetcher::threaded);
}
