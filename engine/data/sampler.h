// Module 06 — random integers for sampling: the one draw that shuffles and crops build on.
//
// A uniform integer in [low, high) from the engine's one generator (tensor/random.h), made with integer arithmetic
// only, so a shuffle or a crop offset is bit-identical natively, in the web build and in the student build.
// `next_u32() % n` alone is biased when n does not divide 2^32 (some remainders come up once more often than the
// others); the draws that would cause the bias are rejected and drawn again (O'Neill's bounded_rand, "debiased
// modulo"), at most once in two tries on average.
#pragma once

#include <cstdint>

#include "random.h"

namespace tt {

// torch.randint(low, high): uniform in [low, high); high - low must be in [1, 2^32].
int64_t randint(int64_t low, int64_t high, Generator& gen);

}  // namespace tt
