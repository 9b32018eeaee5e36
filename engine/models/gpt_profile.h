// Module 14 — what attention and a GPT cost, measured by the engine: the numbers of lessons 13 and 14, of their
// systems panels (bindings/attention.cpp, in the browser) and of bench/bench_gpt.cpp (natively). One
// implementation for all three, timed with core/profile.h's Timer, reported as JSON (core/json.h).
#pragma once

#include <cstdint>
#include <vector>

#include "gpt.h"
#include "json.h"

namespace tt {

// Causal F::scaled_dot_product_attention, batch 1, `heads` heads of `head_dim` features, at each sequence length:
// {"rows": [{"T", "forward_ms", "backward_ms", "scores_bytes" (one [H, T, T] float tensor), "saved_bytes" (what
// the graph keeps for backward), "flops" (forward: 4 H T^2 D)}]}.
Json profile_attention(const std::vector<int64_t>& lengths, int64_t heads, int64_t head_dim, int repeats = 3);

// Greedy generation of n tokens after a 1-token prompt, with and without the KV cache, for each n:
// {"rows": [{"tokens", "cached_ms_per_token", "uncached_ms_per_token", "cached_tokens_per_s",
// "uncached_tokens_per_s", "speedup", "cache_bytes"}]}. Needs n + 1 <= block_size.
Json profile_decoding(GPT& model, const std::vector<int64_t>& lengths, int repeats = 1);

// Parameters per component: {"rows": [{"component", "parameters", "bytes"}], "total", "total_bytes"}: token and
// position embeddings, per block the attention's projections, the MLP and the two norms, the final norm, the head
// (0 when tied: it is wte).
Json profile_parameters(GPT& model);

// Training throughput: forward + cross entropy + backward (+ an AdamW step when `with_optimizer`) on random
// batches [batch, T]: {"tokens_per_s", "ms_per_step", "batch", "T"}.
Json profile_training(GPT& model, int64_t batch, int64_t T, int steps, bool with_optimizer = true);

// What the graph keeps for backward after a forward and loss of [batch, T] tokens (autograd::graph_stats), per T:
// {"rows": [{"T", "activation_bytes", "scores_bytes" (the attention weights alone: L * B * H * T^2 floats),
// "parameter_bytes"}]}.
Json profile_memory(GPT& model, int64_t batch, const std::vector<int64_t>& lengths);

// Gradient flow through depth: a stack of `depth` pre-norm MLP sublayers (width 64, x [8, 16, 64]), with the
// residual x + f(ln(x)) and without it (x = f(ln(x))); the size of dL/dx at the input relative to the output's,
// ||dL/dx_0|| / ||dL/dx_depth|| with L = sum(x_depth * g): {"rows": [{"depth", "with_residual",
// "without_residual"}]}.
Json profile_residual_gradients(const std::vector<int64_t>& depths);

}  // namespace tt
