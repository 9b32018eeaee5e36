#include "matmul.h"

#include <algorithm>

#include "elementwise.h"
#include "error.h"
#include "gemm.h"

namespace tt {

namespace {

// The shared shape logic: checks the operands, broadcasts their batch dimensions and returns them as dense
// [batch, M, K] and [batch, K, N] tensors, plus the output shape [..., M, N].
struct MatmulOperands {
    Tensor a, b;
    Shape out_shape;
    int64_t batch, M, K, N;
};

MatmulOperands prepare(const Tensor& a, const Tensor& b, const char* what) {
    TT_CHECK(a.defined() && b.defined(), what << ": an operand is undefined (default-constructed)");
    TT_CHECK(a.dim() >= 2 && b.dim() >= 2,
             what << ": needs tensors with at least 2 dimensions, got " << a.shape() << " @ " << b.shape());
    MatmulOperands m;
    m.M = a.shape(-2);
    m.K = a.shape(-1);
    m.N = b.shape(-1);
    TT_CHECK(b.shape(-2) == m.K,
             what << ": inner sizes differ, " << a.shape() << " @ " << b.shape() << " (" << m.K << " != " << b.shape(-2)
                  << ")");
    Shape batch_a(a.shape().begin(), a.shape().end() - 2);
    Shape batch_b(b.shape().begin(), b.shape().end() - 2);
    Shape batch = broadcast_shapes(batch_a, batch_b, what);
    m.batch = numel(batch);
    Shape full_a = batch, full_b = batch;
    full_a.insert(full_a.end(), {m.M, m.K});
    full_b.insert(full_b.end(), {m.K, m.N});
    // expand() is free; contiguous() copies only operands that are broadcast, transposed or sliced.
    m.a = a.expand(full_a).contiguous().reshape({m.batch, m.M, m.K});
    m.b = b.expand(full_b).contiguous().reshape({m.batch, m.K, m.N});
    m.out_shape = batch;
    m.out_shape.insert(m.out_shape.end(), {m.M, m.N});
    return m;
}

}  // namespace

Tensor matmul_ref(const Tensor& a, const Tensor& b) {
    MatmulOperands m = prepare(a, b, "matmul");
    Tensor out(m.out_shape);
    const float* A = m.a.data();
    const float* B = m.b.data();
    float* C = out.data();
    const int64_t M = m.M, K = m.K, N = m.N;
    // BEGIN SOLUTION for every batch p and every (i, j): C[p][i][j] = sum over k of A[p][i][k] * B[p][k][j] (dense row-major: A[p][i][k] is A[(p*M + i)*K + k])
    for (int64_t p = 0; p < m.batch; ++p)
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) {
                float acc = 0.0f;
                for (int64_t k = 0; k < K; ++k) acc += A[(p * M + i) * K + k] * B[(p * K + k) * N + j];
                C[(p * M + i) * N + j] = acc;
            }
    // END SOLUTION
    return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
    MatmulOperands m = prepare(a, b, "matmul");
    Tensor out(m.out_shape);
    const int M = static_cast<int>(m.M), K = static_cast<int>(m.K), N = static_cast<int>(m.N);
    // BLAS convention: a leading dimension is at least 1, even for an empty matrix.
    const int lda = std::max(K, 1), ldb = std::max(N, 1);
    for (int64_t p = 0; p < m.batch; ++p)
        sgemm(false, false, M, N, K, 1.0f, m.a.data() + p * m.M * m.K, lda, m.b.data() + p * m.K * m.N, ldb, 0.0f,
              out.data() + p * m.M * m.N, ldb);
    return out;
}

double matmul_flops(const Shape& a, const Shape& b) {
    TT_CHECK(a.size() >= 2 && b.size() >= 2,
             "matmul_flops: needs shapes with at least 2 dimensions, got " << a << " @ " << b);
    Shape batch = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2), "matmul_flops");
    return 2.0 * static_cast<double>(numel(batch)) * static_cast<double>(a[a.size() - 2]) *
        static_cast<double>(a.back()) * static_cast<double>(b.back());
}

}  // namespace tt
