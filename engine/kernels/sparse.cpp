#include "sparse.h"

#include <algorithm>

#include "error.h"
#include "parallel.h"

namespace tt {

int64_t CsrMatrix::nbytes() const {
    return nnz() * static_cast<int64_t>(sizeof(float)) + nnz() * index_bytes() +
        static_cast<int64_t>(row_ptr.size()) * static_cast<int64_t>(sizeof(int32_t));
}

CsrMatrix csr_from_dense(const Tensor& w) {
    TT_CHECK(w.defined() && w.dim() == 2, "csr_from_dense: need a 2-D weight [M, K], got shape " << w.shape());
    CsrMatrix a;
    a.rows = w.shape(0);
    a.cols = w.shape(1);
    TT_CHECK(w.numel() < (int64_t{1} << 31), "csr_from_dense: " << w.numel() << " elements overflow int32 row_ptr");
    const Tensor c = w.contiguous();
    const float* p = c.data();
    a.row_ptr.reserve(static_cast<size_t>(a.rows) + 1);
    a.row_ptr.push_back(0);
    for (int64_t m = 0; m < a.rows; ++m) {
        for (int64_t k = 0; k < a.cols; ++k) {
            const float v = p[m * a.cols + k];
            if (v == 0.0f) continue;
            a.values.push_back(v);
            if (a.narrow_indices()) a.col16.push_back(static_cast<uint16_t>(k));
            else a.col32.push_back(static_cast<uint32_t>(k));
        }
        a.row_ptr.push_back(static_cast<int32_t>(a.values.size()));
    }
    return a;
}

Tensor csr_to_dense(const CsrMatrix& a) {
    Tensor w({a.rows, a.cols});
    float* p = w.data();
    for (int64_t m = 0; m < a.rows; ++m)
        for (int64_t i = a.row_ptr[m]; i < a.row_ptr[m + 1]; ++i) p[m * a.cols + a.col(i)] = a.values[i];
    return w;
}

CsrMatrix csr_from_parts(int64_t rows, int64_t cols, std::vector<float> values, const std::vector<int64_t>& col_indices,
                         const std::vector<int64_t>& row_ptr) {
    TT_CHECK(rows >= 0 && cols >= 0, "csr_from_parts: shape [" << rows << ", " << cols << "] is negative");
    const int64_t nnz = static_cast<int64_t>(values.size());
    TT_CHECK(static_cast<int64_t>(col_indices.size()) == nnz,
             "csr_from_parts: " << col_indices.size() << " column indices for " << nnz << " values");
    TT_CHECK(static_cast<int64_t>(row_ptr.size()) == rows + 1,
             "csr_from_parts: row_ptr has " << row_ptr.size() << " entries, need rows + 1 = " << rows + 1);
    TT_CHECK(row_ptr[0] == 0, "csr_from_parts: row_ptr[0] = " << row_ptr[0] << ", must be 0");
    TT_CHECK(row_ptr[rows] == nnz,
             "csr_from_parts: row_ptr[" << rows << "] = " << row_ptr[rows] << ", must be nnz = " << nnz);
    CsrMatrix a;
    a.rows = rows;
    a.cols = cols;
    a.values = std::move(values);
    for (int64_t m = 0; m < rows; ++m) {
        TT_CHECK(row_ptr[m + 1] >= row_ptr[m],
                 "csr_from_parts: row_ptr decreases at " << m + 1 << " (" << row_ptr[m] << " -> " << row_ptr[m + 1]
                                                         << ")");
        for (int64_t i = row_ptr[m]; i < row_ptr[m + 1]; ++i) {
            const int64_t k = col_indices[i];
            TT_CHECK(k >= 0 && k < cols,
                     "csr_from_parts: col_indices[" << i << "] = " << k << " is not in [0, " << cols << ")");
            TT_CHECK(i == row_ptr[m] || k > col_indices[i - 1],
                     "csr_from_parts: col_indices of row " << m << " do not increase at " << i);
        }
    }
    for (int64_t k : col_indices) {
        if (a.narrow_indices()) a.col16.push_back(static_cast<uint16_t>(k));
        else a.col32.push_back(static_cast<uint32_t>(k));
    }
    for (int64_t r : row_ptr) a.row_ptr.push_back(static_cast<int32_t>(r));
    return a;
}

namespace {

void check_linear(const Tensor& x, const CsrMatrix& a, const Tensor& bias, const char* who) {
    TT_CHECK(x.defined() && x.dim() == 2 && x.shape(1) == a.cols,
             who << ": x must be [B, " << a.cols << "] for a [" << a.rows << ", " << a.cols << "] weight, got "
                 << x.shape());
    TT_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape(0) == a.rows),
             who << ": bias must be [" << a.rows << "], got " << bias.shape());
}

// Rows [m0, m1) of yt [M, B] from xt [K, B]: each stored value scales a whole row of xt, so the inner loop runs over
// B contiguous floats (vectorised by the compiler), and row_ptr order is kept for every output.
template <typename Index>
void csr_rows(const CsrMatrix& a, const Index* col, const float* xt, const float* bias, int64_t B, int64_t m0,
              int64_t m1, float* yt) {
    if (B == 1) {  // one input: a dot product per row, summed in a register (not through memory), same order
        for (int64_t m = m0; m < m1; ++m) {
            float s = 0.0f;
            for (int64_t i = a.row_ptr[m]; i < a.row_ptr[m + 1]; ++i) s += a.values[i] * xt[col[i]];
            if (bias) s += bias[m];
            yt[m] = s;
        }
        return;
    }
    for (int64_t m = m0; m < m1; ++m) {
        float* y = yt + m * B;
        std::fill_n(y, B, 0.0f);
        for (int64_t i = a.row_ptr[m]; i < a.row_ptr[m + 1]; ++i) {
            const float v = a.values[i];
            const float* xr = xt + static_cast<int64_t>(col[i]) * B;
            for (int64_t b = 0; b < B; ++b) y[b] += v * xr[b];
        }
        if (bias)
            for (int64_t b = 0; b < B; ++b) y[b] += bias[m];
    }
}

}  // namespace

Tensor csr_linear_forward(const Tensor& x, const CsrMatrix& a, const Tensor& bias) {
    check_linear(x, a, bias, "csr_linear_forward");
    const int64_t B = x.shape(0), M = a.rows;
    const Tensor xt = x.t().contiguous();  // [K, B]
    const Tensor bc = bias.defined() ? bias.contiguous() : Tensor();
    Tensor yt({M, B});
    const int tasks = std::max(1, std::min<int>(num_threads(), static_cast<int>(M)));
    parallel_for(tasks, [&](int t) {
        const int64_t m0 = M * t / tasks, m1 = M * (t + 1) / tasks;
        const float* bp = bc.defined() ? bc.data() : nullptr;
        if (a.narrow_indices()) csr_rows(a, a.col16.data(), xt.data(), bp, B, m0, m1, yt.data());
        else csr_rows(a, a.col32.data(), xt.data(), bp, B, m0, m1, yt.data());
    });
    return yt.t().contiguous();
}

Tensor csr_linear_forward_ref(const Tensor& x, const CsrMatrix& a, const Tensor& bias) {
    check_linear(x, a, bias, "csr_linear_forward_ref");
    const int64_t B = x.shape(0), M = a.rows;
    Tensor y({B, M});
    for (int64_t b = 0; b < B; ++b)
        for (int64_t m = 0; m < M; ++m) {
            float s = 0.0f;
            for (int64_t i = a.row_ptr[m]; i < a.row_ptr[m + 1]; ++i) s += a.values[i] * x.at({b, a.col(i)});
            if (bias.defined()) s += bias.at({m});
            y.at({b, m}) = s;
        }
    return y;
}

}  // namespace tt
