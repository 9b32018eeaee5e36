#include "profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "error.h"
#include "simd.h"

namespace tt {

Environment environment(unsigned hardware_threads) {
    Environment env;
#if defined(TT_STUDENT_BUILD)
    env.build = "student";
#elif defined(__EMSCRIPTEN__)
    env.build = "web-reference";
#else
    env.build = "native";
#endif
    // BEGIN SOLUTION fill simd_arch, simd_width (see simd.h) and threads (from hardware_threads, at least 1)
    env.simd_arch = simd_arch_name();
    env.simd_width = kSimdWidth;
    env.threads = hardware_threads == 0 ? 1 : static_cast<int>(hardware_threads);
    // END SOLUTION
    return env;
}

Environment environment() { return environment(std::thread::hardware_concurrency()); }

std::string format_bytes(double bytes) {
    // BEGIN SOLUTION check bytes >= 0, then divide by 1024 until it fits a unit; "%.0f B" for bytes, "%.2f KiB" above
    TT_CHECK(bytes >= 0, "format_bytes: bytes must be >= 0, got " << bytes);
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 4) {
        bytes /= 1024.0;
        ++u;
    }
    char text[32];
    if (u == 0) std::snprintf(text, sizeof text, "%.0f B", bytes);
    else std::snprintf(text, sizeof text, "%.2f %s", bytes, units[u]);
    return text;
    // END SOLUTION
}

std::string format_flops(double flops) {
    TT_CHECK(flops >= 0, "format_flops: flops must be >= 0, got " << flops);
    // BEGIN SOLUTION like format_bytes, but with SI prefixes (k, M, G, T, P) in steps of 1000
    const char* units[] = {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP"};
    int u = 0;
    while (flops >= 1000.0 && u < 5) {
        flops /= 1000.0;
        ++u;
    }
    char text[32];
    if (u == 0) std::snprintf(text, sizeof text, "%.0f %s", flops, units[0]);
    else std::snprintf(text, sizeof text, "%.2f %s", flops, units[u]);
    return text;
    // END SOLUTION
}

double median(std::vector<double> samples) {
    TT_CHECK(!samples.empty(), "median: no samples");
    // BEGIN SOLUTION sort the samples; pick the middle one, or average the two middle ones for an even count
    std::sort(samples.begin(), samples.end());
    size_t n = samples.size();
    if (n % 2 == 1) return samples[n / 2];
    return 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
    // END SOLUTION
}

Timer::Timer(int warmup, int repeats) : warmup_(warmup), repeats_(repeats) {
    TT_CHECK(warmup >= 0, "Timer: warmup must be >= 0, got " << warmup);
    TT_CHECK(repeats >= 1, "Timer: repeats must be >= 1, got " << repeats);
}

Timing Timer::measure(const std::function<void()>& work) const {
    using clock = std::chrono::steady_clock;
    for (int i = 0; i < warmup_; ++i) work();
    std::vector<double> samples;
    // BEGIN SOLUTION time each of the repeats_ runs with clock::now() and keep the milliseconds in samples
    for (int i = 0; i < repeats_; ++i) {
        auto start = clock::now();
        work();
        std::chrono::duration<double, std::milli> elapsed = clock::now() - start;
        samples.push_back(elapsed.count());
    }
    // END SOLUTION
    Timing t;
    t.repeats = static_cast<int>(samples.size());
    t.min_ms = *std::min_element(samples.begin(), samples.end());
    t.max_ms = *std::max_element(samples.begin(), samples.end());
    t.median_ms = median(samples);
    return t;
}

namespace memory {
namespace {
int64_t g_live = 0;
int64_t g_peak = 0;
}  // namespace

void record_alloc(int64_t bytes) {
    // BEGIN SOLUTION add to the live bytes and raise the peak when live goes above it
    g_live += bytes;
    g_peak = std::max(g_peak, g_live);
    // END SOLUTION
}

void record_free(int64_t bytes) {
    // BEGIN SOLUTION
    g_live -= bytes;
    // END SOLUTION
}

int64_t live_bytes() { return g_live; }
int64_t peak_bytes() { return g_peak; }
void reset_peak() { g_peak = g_live; }

}  // namespace memory

}  // namespace tt
