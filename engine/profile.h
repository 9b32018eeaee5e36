// Module 01 — Setup: what machine and build the engine runs on, and the units every later module reports in.
#pragma once

#include <string>

namespace tt {

// Build and machine facts a lesson prints before it measures anything.
struct Environment {
    std::string build;      // "native", "web-reference" or "student"
    std::string simd_arch;  // xsimd's name for the instruction set ("sse2", "avx2", "wasm") or "scalar"
    int simd_width;         // float32 lanes per SIMD register
    int threads;            // hardware threads the engine may use
};

Environment environment();

// "1.50 KiB", "3.00 MiB": binary prefixes, two decimals; bytes must be >= 0.
std::string format_bytes(double bytes);

}  // namespace tt
