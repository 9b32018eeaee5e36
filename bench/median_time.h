// The native benchmarks' one timer (bench_native.cpp, train_step_native.cpp): median seconds per call, on the wall
// clock or on this process's CPU clock (`cpu` on their command line), as bench/run.mjs times the wasm side.
#pragma once

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <vector>

namespace tt::bench {

inline bool use_cpu_clock = false;

inline double now() {
    if (use_cpu_clock) return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// `warmups` untimed calls, a repeat count chosen so one sample lasts ~target seconds, then the median of `samples`.
inline double median_seconds(const std::function<void()>& fn, double target, int samples = 7, int warmups = 1) {
    for (int i = 0; i < warmups; ++i) fn();
    double t0 = now();
    fn();
    const int reps = std::max(1, static_cast<int>(target / std::max(now() - t0, 1e-7)));
    std::vector<double> per_call;
    for (int s = 0; s < samples; ++s) {
        t0 = now();
        for (int r = 0; r < reps; ++r) fn();
        per_call.push_back((now() - t0) / reps);
    }
    std::sort(per_call.begin(), per_call.end());
    return per_call[per_call.size() / 2];
}

}  // namespace tt::bench
