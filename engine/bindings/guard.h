// Embind's error boundary: every C++ error that would leave a bound call becomes a JS Error with the C++ message.
//
// Why not let the exception escape? In Emscripten 3.1.6 JS then receives a bare number (-fexceptions) or an
// opaque WebAssembly.Exception (-fwasm-exceptions), not the message. So each bound function runs inside
// guarded(): it catches in C++, keeps the message in a static string (destructors of locals do not run once a JS
// exception crosses wasm frames, so nothing may own heap memory at that point), and throws a JS Error from EM_JS.
// Crossing wasm frames with a JS exception also skips the epilogues that pop Emscripten's shadow stack; the JS side
// restores it (web/js/engine.mjs, guardModule). In the threaded build the typed catch clauses below match only
// with wasm_eh_threads.cpp linked in (clang 14 against Emscripten 3.1.6's libunwind).
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "error.h"

extern "C" void tt_throw_js_error(const char* name, const char* message);

namespace tt::web {

template <typename F>
decltype(auto) guarded(F&& body) {
    static std::string message;
    const char* name = "Error";
    try {
        return body();
    } catch (const tt::Error& e) {
        message = e.what();
    } catch (const std::bad_alloc&) {
        name = "RangeError";
        message = "out of memory";
    } catch (const std::exception& e) {
        message = e.what();
    }
    tt_throw_js_error(name, message.c_str());
    __builtin_unreachable();
}

// guard<&f>: a function with f's signature that runs f inside guarded(). Works for free functions and for
// functions taking the bound object as first argument (Embind binds those as methods).
template <auto F>
struct Guard;

template <typename R, typename... A, R (*F)(A...)>
struct Guard<F> {
    static R call(A... args) {
        return guarded([&]() -> R { return F(std::forward<A>(args)...); });
    }
};

template <typename R, typename C, typename... A, R (C::*F)(A...)>
struct Guard<F> {
    static R call(C& self, A... args) {
        return guarded([&]() -> R { return (self.*F)(std::forward<A>(args)...); });
    }
};

template <typename R, typename C, typename... A, R (C::*F)(A...) const>
struct Guard<F> {
    static R call(const C& self, A... args) {
        return guarded([&]() -> R { return (self.*F)(std::forward<A>(args)...); });
    }
};

template <auto F>
constexpr auto guard = &Guard<F>::call;

}  // namespace tt::web
