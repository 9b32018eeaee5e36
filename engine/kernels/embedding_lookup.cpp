#include "embedding_lookup.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "error.h"

namespace tt {

int64_t embedding_index(const float* indices, int64_t n, int64_t V, const char* who) {
    const float t = indices[n];
    TT_CHECK(std::floor(t) == t,
             who << ": indices[" << n << "] = " << t
                 << " is not an integer (token ids are whole numbers stored as float)");
    TT_CHECK(t >= 0 && t < static_cast<float>(V),
             who << ": indices[" << n << "] = " << t << " is out of range for an embedding table of V = " << V
                 << " rows (valid ids: 0 .. " << V - 1 << ")");
    return static_cast<int64_t>(t);
}

namespace {

void check_weight(const Tensor& weight, const Tensor& indices, const char* who) {
    TT_CHECK(weight.defined() && weight.dim() == 2,
             who << ": weight must be [V, C], got " << (weight.defined() ? weight.shape() : Shape{}));
    TT_CHECK(indices.defined(), who << ": indices are undefined");
}

}  // namespace

Tensor embedding_forward(const Tensor& weight, const Tensor& indices) {
    check_weight(weight, indices, "embedding");
    const int64_t V = weight.shape(0), C = weight.shape(1), N = indices.numel();
    const Tensor w = weight.contiguous(), idx = indices.contiguous();
    Shape out_shape = indices.shape();
    out_shape.push_back(C);
    Tensor out(out_shape);
    const float* ids = idx.data();
    float* dst = out.data();
    // BEGIN SOLUTION for each position n: check its id (embedding_index), then copy row id of w (C floats) to row n of out
    for (int64_t n = 0; n < N; ++n) {
        const int64_t row = embedding_index(ids, n, V, "embedding");
        std::memcpy(dst + n * C, w.data() + row * C, static_cast<size_t>(C) * sizeof(float));
    }
    // END SOLUTION
    return out;
}

Tensor embedding_backward(const Tensor& grad_out, const Tensor& indices, int64_t V, int64_t padding_idx) {
    TT_CHECK(grad_out.defined() && indices.defined() && grad_out.dim() == indices.dim() + 1,
             "embedding_backward: grad_out must be indices.shape + [C], got "
                 << (grad_out.defined() ? grad_out.shape() : Shape{}) << " for indices "
                 << (indices.defined() ? indices.shape() : Shape{}));
    for (int d = 0; d < indices.dim(); ++d)
        TT_CHECK(grad_out.shape(d) == indices.shape(d),
                 "embedding_backward: grad_out has shape " << grad_out.shape() << ", indices " << indices.shape());
    TT_CHECK(V > 0, "embedding_backward: num_embeddings must be > 0, got " << V);
    const int64_t C = grad_out.shape(-1), N = indices.numel();
    const Tensor g = grad_out.contiguous(), idx = indices.contiguous();
    Tensor dweight({V, C});
    const float* ids = idx.data();
    float* dw = dweight.data();
    // BEGIN SOLUTION for each position n: row = its id (checked); skip the padding row; otherwise ADD row n of g into row `row` of dw (a repeated id accumulates)
    for (int64_t n = 0; n < N; ++n) {
        const int64_t row = embedding_index(ids, n, V, "embedding_backward");
        if (row == padding_idx) continue;
        const float* src = g.data() + n * C;
        float* dst = dw + row * C;
        for (int64_t c = 0; c < C; ++c) dst[c] += src[c];
    }
    // END SOLUTION
    return dweight;
}

int64_t embedding_rows_touched(const Tensor& indices, int64_t V) {
    TT_CHECK(indices.defined() && V > 0, "embedding_rows_touched: needs indices and V > 0");
    const Tensor idx = indices.contiguous();
    std::vector<char> seen(static_cast<size_t>(V), 0);
    int64_t rows = 0;
    for (int64_t n = 0; n < idx.numel(); ++n) {
        const int64_t row = embedding_index(idx.data(), n, V, "embedding_rows_touched");
        rows += !seen[static_cast<size_t>(row)];
        seen[static_cast<size_t>(row)] = 1;
    }
    return rows;
}

}  // namespace tt
