// Module 15 — Kernels: the measurements of kernel_profile.h, on the reference engine (web) or natively (bench/).
#include "kernel_profile.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "elementwise.h"
#include "fused.h"
#include "gemm.h"
#include "profile.h"
#include "random.h"
#include "simd.h"

namespace tt {

namespace {

// The clock: this process's CPU time natively (the benchmark machine is shared: wall time there measures the
// other processes too), the wall clock in the browser, which has no CPU clock.
#if defined(__EMSCRIPTEN__) || defined(__wasi__)
constexpr const char* kClock = "wall";
double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
#else
constexpr const char* kClock = "cpu";
double now_ms() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}
#endif

// Milliseconds per call: calls are batched so that one timed sample lasts >= ~5 ms (a browser's clock may tick
// in 0.1 ms steps), then the median of `repeats` samples (profile.h's median: one slow sample does not count).
// ms per call, one sample per repeat, each sample a batch of calls long enough (~5 ms) to read on a coarse clock
std::vector<double> samples_per_call(const std::function<void()>& work, int repeats) {
    work();  // warm: first-touch allocations, packing buffers
    double t0 = now_ms();
    work();
    const int batch = std::max(1, static_cast<int>(5.0 / std::max(now_ms() - t0, 1e-4)));
    std::vector<double> samples;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        t0 = now_ms();
        for (int i = 0; i < batch; ++i) work();
        samples.push_back((now_ms() - t0) / batch);
    }
    return samples;
}

double ms_per_call(const std::function<void()>& work, int repeats) { return median(samples_per_call(work, repeats)); }

double gflops(double flops, double ms) { return ms > 0 ? flops / (ms * 1e6) : 0.0; }

float sink = 0.0f;  // keeps the ceiling probe's result alive

// One run of the ceiling probe: `iterations` x 8 steps x 8 accumulators x kSimdWidth lanes x 2 FLOPs. The window
// moves every iteration, so the compiler can neither hoist the products out of the loop nor fold them.
float peak_loop(int iterations, const float* ring) {
#if defined(TT_USE_XSIMD)
    using batch = float_batch;
    constexpr int W = kSimdWidth;
    const batch s0(1e-3f), s1(2e-3f), s2(3e-3f), s3(4e-3f);
    batch c00(0.0f), c01(0.0f), c10(0.0f), c11(0.0f), c20(0.0f), c21(0.0f), c30(0.0f), c31(0.0f);
    for (int it = 0; it < iterations; ++it) {
        const float* window = ring + (it & 15) * 2 * W;
#if defined(__clang__)
#pragma clang loop unroll(disable)  // one step per iteration: unrolled, V8 spills the 16 live vectors
#endif
        for (int k = 0; k < 16 * W; k += 2 * W) {  // 8 steps
            const batch b0 = batch::load_unaligned(window + k), b1 = batch::load_unaligned(window + k + W);
            c00 = c00 + s0 * b0, c01 = c01 + s0 * b1, c10 = c10 + s1 * b0, c11 = c11 + s1 * b1;
            c20 = c20 + s2 * b0, c21 = c21 + s2 * b1, c30 = c30 + s3 * b0, c31 = c31 + s3 * b1;
        }
    }
    const batch sum = ((c00 + c01) + (c10 + c11)) + ((c20 + c21) + (c30 + c31));
    return xsimd::reduce_add(sum);
#else
    float c[8] = {};
    for (int it = 0; it < iterations; ++it)
        for (int k = 0; k < 16; k += 2)
            for (int a = 0; a < 4; ++a) {
                c[2 * a] += 1e-3f * (a + 1) * ring[(it & 15) * 2 + k];
                c[2 * a + 1] += 1e-3f * (a + 1) * ring[(it & 15) * 2 + k + 1];
            }
    return c[0] + c[7];
#endif
}

Tensor random(const Shape& shape, Generator& gen) { return uniform(shape, -1.0f, 1.0f, gen); }

struct Row {
    std::string name, shape;
    double unfused_bytes, fused_bytes;
    std::function<Tensor()> unfused, fused;
};

}  // namespace

double simd_peak_gflops(double ms) {
    std::vector<float> ring(64 * kSimdWidth + 64, 0.5f);
    const int iterations = 1 << 14;
    const double flops = double(iterations) * 8 * 8 * kSimdWidth * 2;
    // A ceiling is the fastest the loop ran: the best sample, so a sample another process preempted (a shared
    // machine, a busy browser) cannot lower it below what the kernels it is compared with reach.
    const std::vector<double> t =
        samples_per_call([&] { sink += peak_loop(iterations, ring.data()); }, std::max(3, static_cast<int>(ms / 5.0)));
    return gflops(flops, *std::min_element(t.begin(), t.end()));
}

Json profile_matmul(const std::vector<int>& sizes, int naive_max_n, int repeats) {
    Generator gen(15);
    Json rows = Json::array();
    for (int n : sizes) {
        const Tensor A = random({n, n}, gen), B = random({n, n}, gen);
        Tensor C({n, n});
        const double flops = 2.0 * n * n * n;
        Json row = Json::object().set("n", n);
        if (n <= naive_max_n) {
            const double naive = ms_per_call([&] { matmul_naive(A.data(), B.data(), C.data(), n, n, n); }, repeats);
            const double ikj = ms_per_call([&] { matmul_ikj(A.data(), B.data(), C.data(), n, n, n); }, repeats);
            row.set("naive_ms", naive).set("naive_gflops", gflops(flops, naive));
            row.set("ikj_ms", ikj).set("ikj_gflops", gflops(flops, ikj));
        }
        const double fast =
            ms_per_call([&] { sgemm(false, false, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n); },
                        repeats);
        row.set("sgemm_ms", fast).set("sgemm_gflops", gflops(flops, fast));
        rows.push_back(row);
    }
    const GemmTile tile = sgemm_tile();
    return Json::object()
        .set("arch", simd_arch_name())
        .set("clock", kClock)
        .set("tile", Json::array({tile.mr, tile.nr}))
        .set("peak_gflops", simd_peak_gflops())
        .set("rows", rows);
}

Json profile_fusion(int scale, int repeats) {
    Generator gen(16);
    const int s = std::max(1, scale);
    std::vector<Row> table;
    {  // Linear: unfused = sgemm (MK + NK + MN) + add (MN + N, MN) + act (MN, MN); fused = MK + NK + N + MN
        const int M = 64 * s, K = 256, N = 256;
        const Tensor x = random({M, K}, gen), w = random({N, K}, gen), b = random({N}, gen);
        const double unfused = 4.0 * (double(M) * K + double(N) * K + 5.0 * M * N + N);
        const double fused = 4.0 * (double(M) * K + double(N) * K + N + double(M) * N);
        const std::string shape =
            std::to_string(M) + "x" + std::to_string(K) + " @ " + std::to_string(K) + "x" + std::to_string(N);
        for (Activation act : {Activation::ReLU, Activation::GELU})
            table.push_back({act == Activation::ReLU ? "linear + bias + ReLU" : "linear + bias + GELU", shape, unfused,
                             fused, [=] { return fused_linear_forward_ref(x, w, b, act); },
                             [=] { return fused_linear_forward(x, w, b, act); }});
    }
    {  // cross entropy: unfused = log_softmax (2NC) + gather (2N) + exp (2NC) + onehot (3N) + / N (2NC);
        // fused = read NC + N targets, write NC
        const int N = 256 * s, C = 1000;
        const Tensor logits = random({N, C}, gen);
        Tensor target({N});
        for (int n = 0; n < N; ++n) target.data()[n] = static_cast<float>((n * 37) % C);
        table.push_back({"softmax + cross entropy, forward + backward",
                         std::to_string(N) + " x " + std::to_string(C) + " logits", 4.0 * (6.0 * N * C + 5.0 * N),
                         4.0 * (2.0 * N * C + N),
                         [=] { return fused_softmax_cross_entropy_ref(logits, target).dlogits; },
                         [=] { return fused_softmax_cross_entropy(logits, target).dlogits; }});
    }
    {  // LayerNorm: unfused = mean (RC) + sub (2RC) + square (3RC) + mean (RC) + div (2RC) + *w (2RC) + +b (2RC) =
        // 13 RC (+ the per-row and per-feature vectors); fused = read RC, write RC (+ w, b)
        const int R = 512 * s, C = 256;
        const Tensor x = random({R, C}, gen), w = random({C}, gen), b = random({C}, gen);
        table.push_back({"LayerNorm", std::to_string(R) + " x " + std::to_string(C),
                         4.0 * (13.0 * R * C + 8.0 * R + 2.0 * C), 4.0 * (2.0 * R * C + 2.0 * C),
                         [=] { return fused_layer_norm_ref(x, w, b); }, [=] { return fused_layer_norm(x, w, b); }});
    }
    {  // attention, causal, T x D: unfused = q, k (2TD) + S written (T^2) + scale and mask (2 T^2) + softmax
        // (2 T^2) + P read (T^2) + v, o (2TD) = 6 T^2 + 4TD; fused = q, o (2TD) + k, v once per query tile
        const int T = 256 * s, D = 32;
        const Tensor q = random({T, D}, gen), k = random({T, D}, gen), v = random({T, D}, gen);
        const double tiles = std::ceil(double(T) / kAttentionQueryTile);
        const float sc = 1.0f / std::sqrt(float(D));
        table.push_back({"attention (one causal head)", "T = " + std::to_string(T) + ", D = " + std::to_string(D),
                         4.0 * (6.0 * T * T + 4.0 * T * D), 4.0 * (2.0 * T * D + tiles * 2.0 * T * D),
                         [=] { return fused_attention_ref(q, k, v, sc, Tensor(), true); },
                         [=] { return fused_attention(q, k, v, sc, Tensor(), true); }});
    }
    Json rows = Json::array();
    for (const Row& r : table) {
        const double diff = max_abs_diff(r.unfused(), r.fused());
        const double unfused_ms = ms_per_call([&] { r.unfused(); }, repeats);
        const double fused_ms = ms_per_call([&] { r.fused(); }, repeats);
        rows.push_back(Json::object()
                           .set("name", r.name)
                           .set("shape", r.shape)
                           .set("unfused_ms", unfused_ms)
                           .set("fused_ms", fused_ms)
                           .set("speedup", unfused_ms / fused_ms)
                           .set("unfused_bytes", r.unfused_bytes)
                           .set("fused_bytes", r.fused_bytes)
                           .set("bytes_ratio", r.unfused_bytes / r.fused_bytes)
                           .set("max_abs_diff", diff));
    }
    return Json::object().set("clock", kClock).set("rows", rows);
}

}  // namespace tt
