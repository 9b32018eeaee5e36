// Module 01 — Setup: what machine and build the engine runs on, and the units every later module reports in:
// time (Timer), memory (tensor storage accounting) and work (FLOPs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tt {

// Build and machine facts a lesson prints before it measures anything.
struct Environment {
    std::string build;      // "native", "web-reference" or "student"
    std::string simd_arch;  // xsimd's name for the instruction set ("sse2", "avx2", "wasm") or "scalar"
    int simd_width;         // float32 lanes per SIMD register
    int threads;            // hardware threads the engine may use
};

// hardware_threads is what the platform reports (std::thread::hardware_concurrency(), which may be 0 when it cannot
// tell): a parameter, so that a check can ask what the engine does on such a platform.
Environment environment(unsigned hardware_threads);
Environment environment();  // environment(std::thread::hardware_concurrency())

// ---- units --------------------------------------------------------------------------------------------------

// "1.50 KiB", "3.00 MiB": binary prefixes, two decimals; bytes must be >= 0.
std::string format_bytes(double bytes);

// "512 FLOP", "1.50 kFLOP", "2.00 GFLOP": decimal (SI) prefixes, two decimals; flops must be >= 0.
std::string format_flops(double flops);

// ---- time ---------------------------------------------------------------------------------------------------

// The middle value of the samples (the mean of the two middle values for an even count). The median, not the
// mean, is what a benchmark reports: one slow run (a page fault, another process) must not move the result.
double median(std::vector<double> samples);

struct Timing {
    double median_ms = 0;
    double min_ms = 0;
    double max_ms = 0;
    int repeats = 0;
};

// Times a piece of work: `warmup` untimed runs first (caches, lazy allocations, the JIT in the browser), then
// `repeats` timed runs, reported by their median.
class Timer {
public:
    explicit Timer(int warmup = 1, int repeats = 5);
    Timing measure(const std::function<void()>& work) const;

private:
    int warmup_;
    int repeats_;
};

// ---- memory -------------------------------------------------------------------------------------------------

// Bytes held by tensor storage. Every Storage reports its allocation and its release here, so a view (which shares
// its base's storage) costs 0 new bytes, and a copy costs its full size.
namespace memory {

void record_alloc(int64_t bytes);
void record_free(int64_t bytes);
int64_t live_bytes();  // storage bytes allocated now
int64_t peak_bytes();  // the most live_bytes() has been since the last reset_peak()
void reset_peak();     // peak := live

}  // namespace memory

}  // namespace tt
