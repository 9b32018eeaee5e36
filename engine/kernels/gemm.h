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

// What sgemm does to each finished block of C while it is still in cache, after alpha and beta: a fused kernel's
// epilogue (fused.h: + bias, then ReLU or GELU) instead of a second pass over C. apply gets C[i0 : i0 + rows,
// j0 : j0 + cols] at c (leading dimension ldc), every element of C exactly once, only after its last K step.
struct GemmEpilogue {
    void (*apply)(const void* context, float* c, int ldc, int i0, int j0, int rows, int cols) = nullptr;
    const void* context = nullptr;
    int column_offset = 0;  // added to j0: sgemm sets it when it hands a share of C's columns to a thread
    void operator()(float* c, int ldc, int i0, int j0, int rows, int cols) const {
        if (apply && rows > 0 && cols > 0) apply(context, c, ldc, i0, j0 + column_offset, rows, cols);
    }
};
void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc, const GemmEpilogue& epilogue);

void sgemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
               int ldb, float beta, float* C, int ldc);

// The register tile of sgemm's micro-kernel in this build (MR rows x NR columns of C per call), for reports.
struct GemmTile {
    int mr, nr;
};
GemmTile sgemm_tile();

// The two matmuls a course starts with, kept so lessons and bench/ can measure the gap to sgemm.
// C (M x N) = A (M x K) @ B (K x N), all contiguous row-major.
void matmul_naive(const float* A, const float* B, float* C, int M, int N, int K);  // i-j-k loop order
void matmul_ikj(const float* A, const float* B, float* C, int M, int N, int K);    // i-k-j loop order

}  // namespace tt
