#include "prune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "elementwise.h"
#include "error.h"

namespace tt::nn {

int64_t prune_count(int64_t n, double sparsity, const char* who) {
    TT_CHECK(sparsity >= 0.0 && sparsity <= 1.0, who << ": sparsity must be in [0, 1], got " << sparsity);
    // nearbyint rounds half to even in the default rounding mode, as Python's round() in torch's prune
    return static_cast<int64_t>(std::nearbyint(sparsity * static_cast<double>(n)));
}

namespace {

// keep[i] = 0 for the k entries of smallest score, ranked by (score, index); 1 for the others.
std::vector<float> keep_largest(const std::vector<float>& score, int64_t k) {
    const int64_t n = static_cast<int64_t>(score.size());
    std::vector<float> keep(score.size(), 1.0f);
    // BEGIN SOLUTION rank the indices by (score, index) and zero the first k of keep
    std::vector<int64_t> order(score.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    // A strict order on (score, index) makes the k pruned entries unique whatever the sort's stability; partial
    // sorting is enough, only which k come first matters
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&score](int64_t a, int64_t b) {
        return score[a] < score[b] || (score[a] == score[b] && a < b);
    });
    for (int64_t i = 0; i < k && i < n; ++i) keep[order[i]] = 0.0f;
    // END SOLUTION
    return keep;
}

std::vector<float> magnitudes(const Tensor& x, const char* who) {
    std::vector<float> v = x.to_vector();
    for (size_t i = 0; i < v.size(); ++i) {
        TT_CHECK(!std::isnan(v[i]), who << ": element " << i << " is NaN and has no magnitude to rank");
        v[i] = std::fabs(v[i]);
    }
    return v;
}

}  // namespace

Tensor magnitude_mask(const Tensor& x, double sparsity) {
    TT_CHECK(x.defined(), "magnitude_mask: the tensor is undefined");
    const int64_t k = prune_count(x.numel(), sparsity, "magnitude_mask");
    return Tensor(x.shape(), keep_largest(magnitudes(x, "magnitude_mask"), k));
}

std::vector<Tensor> global_magnitude_masks(const std::vector<Tensor>& xs, double sparsity) {
    std::vector<float> all;
    for (const Tensor& x : xs) {
        TT_CHECK(x.defined(), "global_magnitude_masks: a tensor is undefined");
        std::vector<float> m = magnitudes(x, "global_magnitude_masks");
        all.insert(all.end(), m.begin(), m.end());
    }
    const int64_t k = prune_count(static_cast<int64_t>(all.size()), sparsity, "global_magnitude_masks");
    std::vector<float> keep = keep_largest(all, k);
    std::vector<Tensor> masks;
    size_t at = 0;
    for (const Tensor& x : xs) {
        const size_t n = static_cast<size_t>(x.numel());
        masks.emplace_back(x.shape(), std::vector<float>(keep.begin() + at, keep.begin() + at + n));
        at += n;
    }
    return masks;
}

const char* prune_norm_name(PruneNorm norm) { return norm == PruneNorm::L1 ? "L1" : "L2"; }

Tensor row_norms(const Tensor& x, PruneNorm norm) {
    TT_CHECK(x.defined() && x.dim() >= 1, "row_norms: need a tensor with at least one axis");
    const int64_t rows = x.shape(0), cols = rows == 0 ? 0 : x.numel() / rows;
    const std::vector<float> v = x.to_vector();
    std::vector<float> out(rows);
    for (int64_t r = 0; r < rows; ++r) {
        const float* row = v.data() + r * cols;
        // BEGIN SOLUTION the L1 (sum |w|) or L2 (sqrt of sum w^2) norm of row, summed in double
        double s = 0;
        for (int64_t c = 0; c < cols; ++c)
            s += norm == PruneNorm::L1 ? std::fabs(static_cast<double>(row[c]))
                                       : static_cast<double>(row[c]) * static_cast<double>(row[c]);
        out[r] = static_cast<float>(norm == PruneNorm::L1 ? s : std::sqrt(s));
        // END SOLUTION
    }
    return Tensor({rows}, std::move(out));
}

Tensor structured_mask(const Tensor& x, double amount, PruneNorm norm) {
    TT_CHECK(x.defined() && x.dim() >= 1, "structured_mask: need a tensor with at least one axis");
    const int64_t rows = x.shape(0), cols = rows == 0 ? 0 : x.numel() / rows;
    const int64_t k = prune_count(rows, amount, "structured_mask");
    std::vector<float> keep_row = keep_largest(magnitudes(row_norms(x, norm), "structured_mask"), k);
    std::vector<float> keep(static_cast<size_t>(x.numel()));
    for (int64_t r = 0; r < rows; ++r) std::fill_n(keep.begin() + r * cols, cols, keep_row[r]);
    return Tensor(x.shape(), std::move(keep));
}

namespace {

std::vector<std::pair<std::string, Parameter*>> prunable(Module& model) {
    std::vector<std::pair<std::string, Parameter*>> out;
    for (auto& np : model.named_parameters())
        if (np.second->value.dim() >= 2) out.push_back(np);
    return out;
}

}  // namespace

PruningMasks PruningMasks::magnitude(Module& model, double sparsity, bool global) {
    PruningMasks masks;
    auto params = prunable(model);
    if (global) {
        std::vector<Tensor> values;
        for (auto& np : params) values.push_back(np.second->value);
        std::vector<Tensor> m = global_magnitude_masks(values, sparsity);
        for (size_t i = 0; i < params.size(); ++i) masks.set(params[i].first, m[i]);
    } else {
        for (auto& np : params) masks.set(np.first, magnitude_mask(np.second->value, sparsity));
    }
    masks.apply(model);
    return masks;
}

PruningMasks PruningMasks::structured(Module& model, double amount, PruneNorm norm) {
    PruningMasks masks;
    auto all = model.named_parameters();
    for (auto& np : prunable(model)) {
        Tensor m = structured_mask(np.second->value, amount, norm);
        masks.set(np.first, m);
        const std::string& name = np.first;
        const size_t dot = name.rfind("weight");
        if (dot == std::string::npos || dot + 6 != name.size()) continue;
        const std::string bias_name = name.substr(0, dot) + "bias";
        for (auto& other : all) {
            if (other.first != bias_name || other.second->value.dim() != 1) continue;
            const int64_t rows = m.shape(0), cols = m.numel() / std::max<int64_t>(rows, 1);
            std::vector<float> keep(static_cast<size_t>(rows));
            for (int64_t r = 0; r < rows; ++r) keep[r] = m.data()[r * cols];
            if (other.second->value.numel() == rows) masks.set(bias_name, Tensor({rows}, std::move(keep)));
        }
    }
    masks.apply(model);
    return masks;
}

void PruningMasks::set(const std::string& name, const Tensor& mask) {
    TT_CHECK(mask.defined(), "PruningMasks: the mask of '" << name << "' is undefined");
    masks_[name] = mask.contiguous().clone();
}

const Tensor& PruningMasks::mask(const std::string& name) const {
    auto it = masks_.find(name);
    TT_CHECK(it != masks_.end(), "PruningMasks: no mask for '" << name << "'");
    return it->second;
}

void PruningMasks::apply(Module& model) const {
    auto params = model.named_parameters();
    for (const auto& entry : masks_) {
        Parameter* p = nullptr;
        for (auto& np : params)
            if (np.first == entry.first) p = np.second;
        TT_CHECK(p != nullptr, "PruningMasks::apply: the model has no parameter '" << entry.first << "'");
        TT_CHECK(p->value.shape() == entry.second.shape(),
                 "PruningMasks::apply: mask of '" << entry.first << "' has shape " << entry.second.shape()
                                                  << ", the parameter " << p->value.shape());
        // BEGIN SOLUTION multiply the parameter's value by its mask, in place (the optimizer holds this tensor)
        float* w = p->value.data();
        const float* m = entry.second.data();
        for (int64_t i = 0; i < p->value.numel(); ++i) w[i] *= m[i];
        // END SOLUTION
    }
}

StateDict PruningMasks::state_dict() const {
    StateDict out;
    for (const auto& entry : masks_) out[entry.first + "_mask"] = entry.second;
    return out;
}

}  // namespace tt::nn

namespace tt::nn {

namespace {

// The weights of head h: its rows of the q, k and v thirds of in_proj_weight [3C, C] and its columns of
// out_proj.weight [C, C] (the features of merged heads are h*D..(h+1)*D-1).
double head_norm(MultiheadAttention& attn, int64_t h, PruneNorm norm) {
    const int64_t C = attn.embed_dim, D = attn.head_dim;
    const float* in = attn.in_proj_weight.value.data();
    const float* out = attn.out_proj->weight.value.data();
    double s = 0;
    auto add = [&s, norm](float w) { s += norm == PruneNorm::L1 ? std::fabs(double(w)) : double(w) * double(w); };
    for (int64_t third = 0; third < 3; ++third)
        for (int64_t r = third * C + h * D; r < third * C + (h + 1) * D; ++r)
            for (int64_t c = 0; c < C; ++c) add(in[r * C + c]);
    for (int64_t r = 0; r < C; ++r)
        for (int64_t c = h * D; c < (h + 1) * D; ++c) add(out[r * C + c]);
    return norm == PruneNorm::L1 ? s : std::sqrt(s);
}

Tensor ones_or(const PruningMasks& masks, const std::string& name, const Shape& shape) {
    if (masks.has(name)) return masks.mask(name).clone();
    Tensor t(shape);
    t.fill_(1.0f);
    return t;
}

}  // namespace

std::vector<int64_t> attention_head_ranking(MultiheadAttention& attn, PruneNorm norm) {
    std::vector<float> score(static_cast<size_t>(attn.num_heads));
    for (int64_t h = 0; h < attn.num_heads; ++h) score[h] = static_cast<float>(head_norm(attn, h, norm));
    std::vector<int64_t> order(score.size());
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&score](int64_t a, int64_t b) { return score[a] < score[b]; });
    return order;
}

void prune_attention_heads(MultiheadAttention& attn, const std::vector<int64_t>& heads, PruningMasks& masks,
                           const std::string& prefix) {
    const int64_t C = attn.embed_dim, D = attn.head_dim;
    const std::string in_w = prefix + "in_proj_weight", in_b = prefix + "in_proj_bias",
                      out_w = prefix + "out_proj.weight";
    Tensor m_in = ones_or(masks, in_w, attn.in_proj_weight.value.shape());
    Tensor m_out = ones_or(masks, out_w, attn.out_proj->weight.value.shape());
    Tensor m_bias = attn.in_proj_bias ? ones_or(masks, in_b, attn.in_proj_bias->value.shape()) : Tensor();
    for (int64_t h : heads) {
        TT_CHECK(h >= 0 && h < attn.num_heads,
                 "prune_attention_heads: head " << h << " is not in [0, " << attn.num_heads << ")");
        for (int64_t third = 0; third < 3; ++third)
            for (int64_t r = third * C + h * D; r < third * C + (h + 1) * D; ++r) {
                std::fill_n(m_in.data() + r * C, C, 0.0f);
                if (m_bias.defined()) m_bias.data()[r] = 0.0f;
            }
        for (int64_t r = 0; r < C; ++r) std::fill_n(m_out.data() + r * C + h * D, D, 0.0f);
    }
    masks.set(in_w, m_in);
    masks.set(out_w, m_out);
    if (m_bias.defined()) masks.set(in_b, m_bias);
    // applied to this layer directly: `masks` may hold the whole model's names, which attn does not know
    attn.in_proj_weight.value.copy_(tt::mul(attn.in_proj_weight.value, m_in));
    attn.out_proj->weight.value.copy_(tt::mul(attn.out_proj->weight.value, m_out));
    if (m_bias.defined()) attn.in_proj_bias->value.copy_(tt::mul(attn.in_proj_bias->value, m_bias));
}

std::vector<SparsityRow> sparsity_rows(Module& model) {
    std::vector<SparsityRow> rows;
    for (auto& np : model.named_parameters()) {
        SparsityRow row{np.first, np.second->value.numel(), 0};
        for (float v : np.second->value.to_vector()) row.zeros += v == 0.0f;
        rows.push_back(row);
    }
    return rows;
}

std::string sparsity_report(Module& model) {
    std::ostringstream out;
    char line[160];
    std::snprintf(line, sizeof line, "%-28s %10s %10s %9s\n", "parameter", "elements", "zeros", "sparsity");
    out << line;
    int64_t total = 0, zeros = 0;
    for (const SparsityRow& r : sparsity_rows(model)) {
        std::snprintf(line, sizeof line, "%-28s %10lld %10lld %8.2f%%\n", r.name.c_str(), (long long)r.numel,
                      (long long)r.zeros, r.numel ? 100.0 * r.zeros / r.numel : 0.0);
        out << line;
        total += r.numel;
        zeros += r.zeros;
    }
    std::snprintf(line, sizeof line, "%-28s %10lld %10lld %8.2f%%\n", "total", (long long)total, (long long)zeros,
                  total ? 100.0 * zeros / total : 0.0);
    out << line;
    return out.str();
}

}  // namespace tt::nn
