// Module 10 — dropout (Srivastava et al., 2014) with torch's "inverted" scaling.
//
// In training every element is zeroed with probability p and the survivors are multiplied by 1 / (1 - p), so the
// expected value of each output equals its input and evaluation needs no rescaling: there dropout is the identity.
// The mask comes from a seeded tt::Generator (one uniform draw per element, row-major), so a run is reproducible and
// a resumed checkpoint draws the same masks; it cannot match torch's own random stream.
#pragma once

#include <cstdint>

#include "random.h"

namespace tt {

// mask[i] = 0 with probability p, else 1 / (1 - p); p in [0, 1] (p = 1 zeroes everything, as in torch).
void dropout_mask(int64_t n, float p, Generator& gen, float* mask);
// y = x * mask (forward) and dx = dy * mask (backward): the same elementwise product.
void dropout_apply(int64_t n, const float* in, const float* mask, float* out);

}  // namespace tt
