#include "clip_grad.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace tt::optim {

float clip_grad_norm_(const std::vector<nn::Parameter*>& params, float max_norm) {
    TT_CHECK(std::isfinite(max_norm) && max_norm >= 0,
             "clip_grad_norm_: max_norm must be a finite number >= 0, got " << max_norm);
    for (const nn::Parameter* p : params)
        TT_CHECK(p != nullptr && p->grad.defined() && p->grad.is_contiguous(),
                 "clip_grad_norm_: every parameter needs a contiguous grad");
    // BEGIN SOLUTION sum g * g over every element of every p->grad (in double: millions of small squares), total = sqrt of it; clip_coef = max_norm / (total + 1e-6); only when clip_coef < 1, multiply every grad by it in place (mul_); return total
    double sum_sq = 0;
    for (const nn::Parameter* p : params) {
        const float* g = p->grad.data();
        for (int64_t i = 0, n = p->grad.numel(); i < n; ++i) sum_sq += static_cast<double>(g[i]) * g[i];
    }
    const float total = static_cast<float>(std::sqrt(sum_sq));
    const float clip_coef = max_norm / (total + 1e-6f);
    if (clip_coef < 1.0f)
        for (nn::Parameter* p : params) p->grad.mul_(clip_coef);
    return total;
    // END SOLUTION
}

float clip_grad_norm_(nn::Module& module, float max_norm) { return clip_grad_norm_(module.parameters(), max_norm); }

}  // namespace tt::optim
