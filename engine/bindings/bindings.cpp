// The engine as a JS module (web reference build). The only file that knows about JS; everything it binds is
// plain engine API, wrapped by guard<> so C++ errors arrive as JS Errors with their messages.
#include <emscripten.h>
#include <emscripten/bind.h>

#include "guard.h"
#include "parallel.h"
#include "profile.h"

EM_JS(void, tt_throw_js_error, (const char* name, const char* message), {
    var error = new Error(UTF8ToString(message));
    error.name = UTF8ToString(name);
    throw error;
});

namespace tt::web {
namespace {

emscripten::val environment_js() {
    Environment env = environment();
    emscripten::val out = emscripten::val::object();
    out.set("build", env.build);
    out.set("simdArch", env.simd_arch);
    out.set("simdWidth", env.simd_width);
    out.set("threads", env.threads);
    return out;
}

}  // namespace
}  // namespace tt::web

EMSCRIPTEN_BINDINGS(tt_profile) {
    using namespace emscripten;
    using namespace tt::web;
    function("environment", guard<&environment_js>);
    function("formatBytes", guard<&tt::format_bytes>);
    // Threads for the kernels (parallel.h): maxThreads() is 1 in the single-threaded build.
    function("maxThreads", &tt::max_threads);
    function("numThreads", &tt::num_threads);
    function("setNumThreads", &tt::set_num_threads);
}
