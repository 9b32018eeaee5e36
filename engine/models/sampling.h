// Module 14 — choosing the next token from a language model's logits: greedy, temperature, top-k, top-p.
//
//     temperature T: p = softmax(logits / T). T < 1 sharpens the distribution, T > 1 flattens it; T = 0 is greedy
//                    (always the most likely token, ties to the lowest id).
//     top-k:        only the k most likely tokens may be drawn (ties with the k-th are kept); 0 = all.
//     top-p:        only the smallest set of most likely tokens whose probabilities add up to at least p (the
//                    "nucleus", Holtzman et al. 2019); the token that crosses p is kept; 1 = all.
// The kept probabilities are renormalised and one token is drawn by inverse CDF from the given seeded Generator,
// so a seed reproduces a generated text exactly, natively and in the browser.
#pragma once

#include <cstdint>
#include <vector>

#include "random.h"

namespace tt {

struct SamplingOptions {
    float temperature = 1.0f;  // 0: greedy
    int64_t top_k = 0;         // 0: no limit
    float top_p = 1.0f;        // 1: no limit
};

// The distribution the next token is drawn from: V probabilities summing to 1 (one-hot for greedy).
std::vector<float> next_token_probs(const float* logits, int64_t V, const SamplingOptions& options);
// One token id drawn from next_token_probs with gen (greedy draws nothing from gen).
int64_t sample_next_token(const float* logits, int64_t V, const SamplingOptions& options, Generator& gen);

}  // namespace tt
