#include "sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "error.h"

namespace tt {

std::vector<float> next_token_probs(const float* logits, int64_t V, const SamplingOptions& o) {
    TT_CHECK(V > 0, "next_token_probs: needs at least one logit");
    TT_CHECK(o.temperature >= 0.0f && o.top_k >= 0 && o.top_p > 0.0f && o.top_p <= 1.0f,
             "next_token_probs: temperature must be >= 0, top_k >= 0 and top_p in (0, 1]; got "
                 << o.temperature << ", " << o.top_k << ", " << o.top_p);
    std::vector<float> p(static_cast<size_t>(V), 0.0f);
    if (o.temperature == 0.0f) {
        p[static_cast<size_t>(std::max_element(logits, logits + V) - logits)] = 1.0f;
        return p;
    }
    // Ids by descending logit (ties: lower id first), the order both filters walk.
    std::vector<int64_t> order(static_cast<size_t>(V));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return logits[a] > logits[b]; });
    // softmax(logits / T) over all ids, stable (the maximum is order[0]).
    double sum = 0.0;
    for (int64_t i = 0; i < V; ++i) sum += (p[i] = std::exp((logits[i] - logits[order[0]]) / o.temperature));
    for (float& v : p) v = static_cast<float>(v / sum);
    int64_t keep = V;  // how many of `order` survive the filters
    // BEGIN SOLUTION top-k: keep = k, plus the ids tied with the k-th logit; top-p: walking `order`, keep up to and including the id where the running sum of p first reaches top_p (at least one)
    if (o.top_k > 0 && o.top_k < V) {
        keep = o.top_k;
        while (keep < V && logits[order[keep]] == logits[order[o.top_k - 1]]) ++keep;
    }
    if (o.top_p < 1.0f) {
        double cum = 0.0;
        int64_t n = 0;
        while (n < keep) {
            cum += p[order[n++]];
            if (cum >= o.top_p) break;
        }
        keep = std::max<int64_t>(n, 1);
    }
    // END SOLUTION
    double kept = 0.0;
    for (int64_t n = 0; n < keep; ++n) kept += p[order[n]];
    for (int64_t n = keep; n < V; ++n) p[order[n]] = 0.0f;
    for (int64_t n = 0; n < keep; ++n) p[order[n]] = static_cast<float>(p[order[n]] / kept);
    return p;
}

int64_t sample_next_token(const float* logits, int64_t V, const SamplingOptions& options, Generator& gen) {
    std::vector<float> p = next_token_probs(logits, V, options);
    if (options.temperature == 0.0f) return std::max_element(p.begin(), p.end()) - p.begin();
    const double u = gen.uniform_double();
    double cum = 0.0;
    int64_t last = 0;
    for (int64_t i = 0; i < V; ++i) {
        if (p[i] == 0.0f) continue;
        last = i;
        cum += p[i];
        if (u < cum) return i;
    }
    return last;  // u within rounding of 1: the last token that could be drawn
}

}  // namespace tt
