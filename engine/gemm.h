// SGEMM: C = alpha * op(A) @ op(B) + beta * C, float32, row-major, op(X) = X or X^T.
// The one matrix-multiply kernel under matmul, Linear and (later) convolution. sgemm is the fast path;
// sgemm_ref is its plain scalar twin, the oracle every fast kernel is tested against.
//   op(A): M x K (A is M x K, or K x M when trans_a), leading dimension lda
//   op(B): K x N (B is K x N, or N x K when trans_b), leading dimension ldb
//   C:     M x N, leading dimension ldc
#pragma once

namespace tt {

void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc);

void sgemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace tt
