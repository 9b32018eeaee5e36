// Module 15 — Kernels: what lesson 15's systems panel (bindings/kernels.cpp) and bench/bench_fusion.cpp measure,
// as JSON: the three matmuls in GFLOP/s next to this machine's multiply+add ceiling, and each fused kernel of
// fused.h against its unfused `_ref` chain — time, bytes moved, and the ratios.
//
// Bytes moved is a model, counted in floats x 4: every kernel of a chain reads each of its inputs once from
// memory and writes its output once (the compulsory traffic; a GEMM's re-reads of its packed blocks from cache are
// not counted, on either side). The fused attention reads k and v once per tile of kAttentionQueryTile queries,
// and that is counted. The formulas are written next to each row in kernel_profile.cpp.
#pragma once

#include <vector>

#include "json.h"

namespace tt {

// The multiply+add ceiling of one core in GFLOP/s: 8 independent vector accumulators over an L1-resident window
// (the micro-kernel's arithmetic without its loads from memory), timed for about `ms` milliseconds.
double simd_peak_gflops(double ms = 50.0);

// { "arch", "clock" ("cpu": this process's CPU time natively; "wall" in the browser), "tile": [MR, NR],
//   "peak_gflops", "rows": [{ n, naive_ms, ikj_ms, sgemm_ms, *_gflops }] } for square
// n x n x n products; matmul_naive and matmul_ikj only up to naive_max_n (they are slow).
Json profile_matmul(const std::vector<int>& sizes, int naive_max_n = 256, int repeats = 5);

// { "clock", "rows": [{ name, shape, unfused_ms, fused_ms, speedup, unfused_bytes, fused_bytes, bytes_ratio,
//   max_abs_diff }] }
// for Linear + bias + ReLU, Linear + bias + GELU, softmax-cross-entropy (forward and backward), LayerNorm and one
// causal attention head. scale multiplies every size (1 = the panel's sizes).
Json profile_fusion(int scale = 1, int repeats = 5);

}  // namespace tt
