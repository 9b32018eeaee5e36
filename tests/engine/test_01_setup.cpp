#include <chrono>
#include <string>

#include "profile.h"
#include "simd.h"
#include "testing.h"

TEST_CASE("01 environment: reports the build's SIMD arch and width") {
    tt::Environment env = tt::environment();
    CHECK(env.simd_arch == std::string(tt::simd_arch_name()));
    CHECK(env.simd_width == tt::kSimdWidth);
    CHECK(env.threads >= 1);
#if defined(__EMSCRIPTEN__)
    CHECK(env.build == "web-reference");
    CHECK(env.simd_arch == "wasm");
    CHECK(env.simd_width == 4);
#elif !defined(TT_STUDENT_BUILD)
    CHECK(env.build == "native");
#endif
}

TEST_CASE("01 environment: threads follow what the platform reports, and at least 1 when it reports 0") {
    CHECK(tt::environment(0).threads == 1);  // "cannot tell": an engine with 0 threads would do nothing
    CHECK(tt::environment(1).threads == 1);
    CHECK(tt::environment(3).threads == 3);
    CHECK(tt::environment(64).threads == 64);
    CHECK(tt::environment(0).simd_width == tt::kSimdWidth);  // the other fields do not depend on it
}

TEST_CASE("01 format_bytes: binary prefixes") {
    CHECK(tt::format_bytes(0) == "0 B");
    CHECK(tt::format_bytes(1023) == "1023 B");
    CHECK(tt::format_bytes(1536) == "1.50 KiB");
    CHECK(tt::format_bytes(3.0 * 1024 * 1024) == "3.00 MiB");
}

TEST_CASE("01 format_bytes: exactly 1024 of a unit is one of the next; TiB is the largest unit") {
    const double KiB = 1024.0, TiB = KiB * KiB * KiB * KiB;
    CHECK(tt::format_bytes(KiB) == "1.00 KiB");
    CHECK(tt::format_bytes(KiB * KiB) == "1.00 MiB");
    CHECK(tt::format_bytes(KiB * KiB * KiB) == "1.00 GiB");
    CHECK(tt::format_bytes(TiB) == "1.00 TiB");
    CHECK(tt::format_bytes(2048 * TiB) == "2048.00 TiB");
}

TEST_CASE("01 format_bytes: negative input is an error naming the value") {
    TT_CHECK_ERROR(tt::format_bytes(-5), "format_bytes: bytes must be >= 0, got -5");
}

TEST_CASE("01 format_flops: SI prefixes in steps of 1000") {
    CHECK(tt::format_flops(0) == "0 FLOP");
    CHECK(tt::format_flops(999) == "999 FLOP");
    CHECK(tt::format_flops(1500) == "1.50 kFLOP");
    CHECK(tt::format_flops(2e6) == "2.00 MFLOP");
    CHECK(tt::format_flops(3.25e9) == "3.25 GFLOP");
    CHECK(tt::format_flops(4e12) == "4.00 TFLOP");
    CHECK(tt::format_flops(5e15) == "5.00 PFLOP");
}

TEST_CASE("01 format_flops: exactly 1000 of a unit is one of the next; PFLOP is the largest unit") {
    CHECK(tt::format_flops(1000) == "1.00 kFLOP");
    CHECK(tt::format_flops(1e6) == "1.00 MFLOP");
    CHECK(tt::format_flops(1e15) == "1.00 PFLOP");
    CHECK(tt::format_flops(3e18) == "3000.00 PFLOP");
}

TEST_CASE("01 format_flops: negative input is an error naming the value") {
    TT_CHECK_ERROR(tt::format_flops(-2), "format_flops: flops must be >= 0, got -2");
}

TEST_CASE("01 median: middle value, or the mean of the two middle values") {
    CHECK(tt::median({5}) == 5);
    CHECK(tt::median({3, 1, 2}) == 2);
    CHECK(tt::median({4, 1, 3, 2}) == 2.5);
    CHECK(tt::median({10, 1, 1000, 2, 3}) == 3);  // one outlier does not move it
}

TEST_CASE("01 median: no samples is an error") { TT_CHECK_ERROR(tt::median({}), "median: no samples"); }

TEST_CASE("01 Timer: runs warm-up plus repeats and reports the median of the timed runs") {
    int calls = 0;
    tt::Timer timer(2, 5);
    tt::Timing t = timer.measure([&] {
        ++calls;
        volatile double x = 0;
        for (int i = 0; i < 20000; ++i) x = x + i;
    });
    CHECK(calls == 7);
    CHECK(t.repeats == 5);
    CHECK(t.min_ms >= 0.0);
    CHECK(t.min_ms <= t.median_ms);
    CHECK(t.median_ms <= t.max_ms);
}

TEST_CASE("01 Timer: measures elapsed time (a longer task has a larger median)") {
    auto spin = [](int n) {
        return [n] {
            volatile double x = 0;
            for (int i = 0; i < n; ++i) x = x + i;
        };
    };
    tt::Timer timer(1, 3);
    double short_ms = timer.measure(spin(1000)).median_ms;
    double long_ms = timer.measure(spin(3000000)).median_ms;
    INFO("short " << short_ms << " ms, long " << long_ms << " ms");
    CHECK(long_ms > 0.0);
    CHECK(long_ms > short_ms);
}

namespace {
// Busy-waits (no sleep: the browser build has none) until `ms` milliseconds have passed on the steady clock.
void spin_for_ms(double ms) {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() < ms) {}
}
}  // namespace

TEST_CASE("01 Timer: each sample is one run's own time, in milliseconds") {
    // The first timed run takes 8 ms, the other four 1 ms: per-run samples have a minimum near 1 ms; samples
    // measured from a clock started once (cumulative) would all be >= 8 ms; seconds would be < 0.01.
    int calls = 0;
    tt::Timing t = tt::Timer(0, 5).measure([&] { spin_for_ms(calls++ == 0 ? 8.0 : 1.0); });
    INFO("min " << t.min_ms << " ms, median " << t.median_ms << " ms, max " << t.max_ms << " ms");
    CHECK(t.max_ms >= 8.0);
    CHECK(t.max_ms < 1000.0);
    CHECK(t.min_ms >= 1.0);
    CHECK(t.min_ms < 4.0);
}

TEST_CASE("01 Timer: sub-millisecond runs keep their fraction of a millisecond") {
    tt::Timing t = tt::Timer(1, 3).measure([] { spin_for_ms(0.25); });
    INFO("min " << t.min_ms << " ms, median " << t.median_ms << " ms");
    CHECK(t.min_ms >= 0.25);
    CHECK(t.median_ms > 0.0);
}

TEST_CASE("01 Timer: repeats must be >= 1") { TT_CHECK_ERROR(tt::Timer(0, 0), "Timer: repeats must be >= 1, got 0"); }

TEST_CASE("01 memory: record_alloc/record_free track live bytes and the peak") {
    int64_t base = tt::memory::live_bytes();
    tt::memory::reset_peak();
    CHECK(tt::memory::peak_bytes() == base);
    tt::memory::record_alloc(1000);
    tt::memory::record_alloc(500);
    CHECK(tt::memory::live_bytes() == base + 1500);
    tt::memory::record_free(1000);
    CHECK(tt::memory::live_bytes() == base + 500);
    CHECK(tt::memory::peak_bytes() == base + 1500);
    tt::memory::reset_peak();
    CHECK(tt::memory::peak_bytes() == base + 500);
    tt::memory::record_free(500);
    CHECK(tt::memory::live_bytes() == base);
}

TEST_CASE("01 memory: the peak is the most live at once (allocate, free, then a smaller allocation)") {
    int64_t base = tt::memory::live_bytes();
    tt::memory::reset_peak();
    tt::memory::record_alloc(1000);
    tt::memory::record_free(1000);
    tt::memory::record_alloc(400);
    CHECK(tt::memory::live_bytes() == base + 400);
    CHECK(tt::memory::peak_bytes() == base + 1000);
    tt::memory::record_free(400);
    CHECK(tt::memory::live_bytes() == base);
}
