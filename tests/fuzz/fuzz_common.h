// What every fuzz driver shares: a reader may refuse its input only with a tt::Error. Anything else — another
// exception (std::length_error, std::bad_alloc, std::out_of_range), a sanitizer report, a signal, a hang — is a bug,
// and libFuzzer stops with the input that caused it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "error.h"

namespace tt::fuzz {

// Runs read(); a tt::Error is the reader saying no, which is fine. Returns whether the input was accepted.
template <typename F>
bool accepts(F&& read) {
    try {
        read();
        return true;
    } catch (const tt::Error&) {
        return false;
    }
}

// A property that must hold for an accepted input (a round trip): its failure aborts, which libFuzzer reports.
inline void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz property failed: %s\n", what);
    std::abort();
}

inline std::string text(const uint8_t* data, size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace tt::fuzz
