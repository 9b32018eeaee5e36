// tt_bench_fusion: module 15's measurements natively (kernel_profile.h, the same code as lesson 15's systems
// panel): the three matmuls in GFLOP/s against this core's multiply+add ceiling, then each fused kernel against
// its unfused chain — time, bytes moved, ratios. Prints JSON (bench/fusion.mjs turns it into a table next to the
// PyTorch peer).   tt_bench_fusion [scale] [repeats]
#include <cstdio>
#include <cstdlib>

#include "kernel_profile.h"

int main(int argc, char** argv) {
    const int scale = argc > 1 ? std::atoi(argv[1]) : 1;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 7;
    tt::Json out = tt::Json::object();
    out.set("matmul", tt::profile_matmul({64, 128, 256, 512}, 512, repeats));
    out.set("fusion", tt::profile_fusion(scale, repeats));
    std::printf("%s\n", out.dump().c_str());
}
