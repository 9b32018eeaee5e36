// tt_bench_native: the native engine's numbers for bench/run.mjs (context for the wasm table), printed as JSON.
//   tt_bench_native [seconds-per-sample-target] [cpu|wall]   (cpu: process CPU time, steadier on shared cores)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gemm.h"
#include "median_time.h"
#include "mlp.h"
#include "simd.h"

namespace {

using tt::bench::median_seconds;
using tt::bench::use_cpu_clock;

std::vector<float> random_vector(size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    const double target = argc > 1 ? std::atof(argv[1]) : 0.05;
    use_cpu_clock = argc > 2 && std::string(argv[2]) == "cpu";
    std::mt19937 rng(7);
    tt::GemmTile tile = tt::sgemm_tile();
    std::printf("{\"arch\": \"%s\", \"tile\": [%d, %d], \"matmul\": [", tt::simd_arch_name(), tile.mr, tile.nr);
    const int sizes[] = {128, 256, 512, 1024};
    for (int n : sizes) {
        std::vector<float> A = random_vector(size_t(n) * n, rng), B = random_vector(size_t(n) * n, rng),
                           C(size_t(n) * n);
        auto gemm = [&] { tt::sgemm(false, false, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n); };
        std::printf("%s{\"n\": %d, \"sgemm\": %.9g", n == sizes[0] ? "" : ", ", n, median_seconds(gemm, target));
        if (n <= 512) {
            auto naive = [&] { tt::matmul_naive(A.data(), B.data(), C.data(), n, n, n); };
            auto ikj = [&] { tt::matmul_ikj(A.data(), B.data(), C.data(), n, n, n); };
            std::printf(", \"naive\": %.9g, \"ikj\": %.9g", median_seconds(naive, target, 3),
                        median_seconds(ikj, target, 3));
        }
        std::printf("}");
    }
    std::printf("], \"mlp\": [");
    const int n_in = 784, n_hidden = 128, n_out = 10;
    std::vector<float> w1 = random_vector(n_hidden * n_in, rng), b1 = random_vector(n_hidden, rng);
    std::vector<float> w2 = random_vector(n_out * n_hidden, rng), b2 = random_vector(n_out, rng);
    const int batches[] = {1, 64};
    for (int batch : batches) {
        std::vector<float> x = random_vector(size_t(batch) * n_in, rng), h(size_t(batch) * n_hidden),
                           y(size_t(batch) * n_out);
        auto mlp = [&] {
            tt::bench::mlp_forward(batch, n_in, n_hidden, n_out, x.data(), w1.data(), b1.data(), w2.data(), b2.data(),
                                   h.data(), y.data());
        };
        std::printf("%s{\"batch\": %d, \"seconds\": %.9g}", batch == batches[0] ? "" : ", ", batch,
                    median_seconds(mlp, target));
    }
    std::printf("]}\n");
}
