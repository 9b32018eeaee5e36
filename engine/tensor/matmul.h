// Matrix multiplication: a [..., M, K] @ b [..., K, N] -> [..., M, N].
//
// Both operands need at least 2 dimensions; the leading ("batch") dimensions broadcast like elementwise ops, so
// [B, M, K] @ [K, N] multiplies every batch by the same matrix. matmul() runs the SGEMM kernel of gemm.h (the fast
// path, made fast in module 15); matmul_ref() is the plain triple loop it is tested against.
#pragma once

#include "tensor.h"

namespace tt {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor matmul_ref(const Tensor& a, const Tensor& b);

// 2 * M * N * K per matrix product, times the batch count: the work a matmul of these shapes does.
double matmul_flops(const Shape& a, const Shape& b);

}  // namespace tt
