// Deterministic inputs for the checks, from a 32-bit LCG: independent of the engine's own random module, so a check
// never depends on the code it checks, and the same in every build.
#pragma once

#include <cstdint>
#include <vector>

namespace tt_testing {

// n floats in [lo, hi)
inline std::vector<float> values(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> v(static_cast<size_t>(n));
    for (auto& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = lo + float(seed >> 8) / float(1 << 24) * (hi - lo);
    }
    return v;
}

// n integers in [lo, hi], as T
template <class T>
std::vector<T> random_ints(int64_t n, uint32_t seed, int lo, int hi) {
    std::vector<T> v(static_cast<size_t>(n));
    for (auto& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = static_cast<T>(lo + int((seed >> 8) % uint32_t(hi - lo + 1)));
    }
    return v;
}

}  // namespace tt_testing
