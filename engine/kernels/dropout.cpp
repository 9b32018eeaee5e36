// Module 10 — dropout masks (see dropout.h).
#include "dropout.h"

#include "error.h"

namespace tt {

void dropout_mask(int64_t n, float p, Generator& gen, float* mask) {
    TT_CHECK(p >= 0.0f && p <= 1.0f, "dropout: probability has to be between 0 and 1, but got " << p);
    // BEGIN SOLUTION one gen.uniform() per element: below p -> 0, else the survivor's scale 1 / (1 - p) (p = 1: all 0)
    const float keep_scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
    for (int64_t i = 0; i < n; i++) mask[i] = gen.uniform() < p ? 0.0f : keep_scale;
    // END SOLUTION
}

void dropout_apply(int64_t n, const float* in, const float* mask, float* out) {
    for (int64_t i = 0; i < n; i++) out[i] = in[i] * mask[i];
}

}  // namespace tt
