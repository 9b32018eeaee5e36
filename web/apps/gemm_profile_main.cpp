// Module 15's "time my code": the matmul profile of the systems panel (tt::profile_matmul, kernels/kernel_profile.h)
// as a plain program, so the lesson page can build it with the student's own engine/kernels/gemm.cpp and time the
// student's naive, i-k-j and blocked + packed + SIMD matmuls against the same measured ceiling.
//   gemm_profile <n>[,<n>…] [naive_max_n] [repeats]
// Prints the profile as one JSON line.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "error.h"
#include "kernel_profile.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: gemm_profile <n>[,<n>...] [naive_max_n] [repeats]\n");
        return 2;
    }
    std::vector<int> sizes;
    std::stringstream list(argv[1]);
    for (std::string item; std::getline(list, item, ',');) {
        const int n = std::atoi(item.c_str());
        TT_CHECK(n > 0 && n <= 2048, "matrix size '" << item << "' is not in 1..2048");
        sizes.push_back(n);
    }
    const int naive_max_n = argc > 2 ? std::atoi(argv[2]) : 256;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
    std::printf("%s\n", tt::profile_matmul(sizes, naive_max_n, repeats).dump().c_str());
    return 0;
}
