// Module 16 — Compression: CSR, the sparse format that turns a pruned weight's zeros into saved bytes, and the
// sparse x dense product that runs a pruned Linear layer from it.
//
// A pruned weight [M, K] (M rows = out features, K columns = in features) stored dense costs 4 M K bytes whatever
// its zeros. Compressed sparse rows keep only the nnz non-zero values:
//     values      [nnz]    float32, row by row, left to right
//     col_indices [nnz]    the column of each value: uint16 when K <= 65536 (every column index fits), else uint32
//     row_ptr     [M + 1]  int32: row m's entries are values[row_ptr[m] .. row_ptr[m + 1])
// so 4 nnz + 2 nnz + 4 (M + 1) bytes: smaller than dense only when nnz / (M K) < 2/3 (with uint16 indices) — a
// 50%-pruned layer saves 25%, a 90%-pruned one 85%. Each value pays for its index: sparsity is not free.
//
// csr_linear_forward computes y [B, M] = x [B, K] A^T + bias, a Linear layer's forward, touching only the stored
// values. Its scalar twin csr_linear_forward_ref is the oracle; both add each output's terms in the same order
// (row_ptr order, then the bias), so they agree bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor.h"

namespace tt {

struct CsrMatrix {
    int64_t rows = 0, cols = 0;  // M, K
    std::vector<float> values;
    std::vector<uint16_t> col16;  // used when cols <= 65536
    std::vector<uint32_t> col32;  // used otherwise
    std::vector<int32_t> row_ptr;

    int64_t nnz() const { return static_cast<int64_t>(values.size()); }
    bool narrow_indices() const { return cols <= 65536; }
    int index_bytes() const { return narrow_indices() ? 2 : 4; }
    int64_t col(int64_t i) const { return narrow_indices() ? col16[i] : col32[i]; }
    // The format's real size: values, column indices and row pointers, as stored in memory.
    int64_t nbytes() const;
    int64_t dense_nbytes() const { return rows * cols * 4; }
};

// w [M, K] -> CSR of its non-zero entries (+0 and -0 both dropped).
CsrMatrix csr_from_dense(const Tensor& w);
Tensor csr_to_dense(const CsrMatrix& a);  // [M, K]
// A CSR from its three arrays (indices as int64 for any storage), checked: row_ptr starts at 0, never decreases and
// ends at nnz; every column index is in [0, cols) and increases within a row. Errors name the array and position.
CsrMatrix csr_from_parts(int64_t rows, int64_t cols, std::vector<float> values, const std::vector<int64_t>& col_indices,
                         const std::vector<int64_t>& row_ptr);

// x [B, K], A [M, K] as CSR, bias [M] or undefined -> y [B, M] = x A^T + bias.
Tensor csr_linear_forward(const Tensor& x, const CsrMatrix& a, const Tensor& bias = Tensor());
Tensor csr_linear_forward_ref(const Tensor& x, const CsrMatrix& a, const Tensor& bias = Tensor());

}  // namespace tt
