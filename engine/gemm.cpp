// SGEMM, three ways: the naive triple loop, the loop-reordered one, and a packed, cache-blocked kernel with an
// xsimd micro-kernel (gemm_kernel.h). bench/run.mjs measures all three; module 15 (Kernels) explains the gap.
#include "gemm.h"

#include <algorithm>
#include <vector>

#include "error.h"
#include "gemm_kernel.h"

namespace tt {

// ---- the two loops every course starts with -----------------------------------------------------------------

void matmul_naive(const float* A, const float* B, float* C, int M, int N, int K) {
    // i-j-k: the inner loop walks B down a column, a stride of N floats: one cache line per multiply-add.
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k) acc += A[i * K + k] * B[k * N + j];
            C[i * N + j] = acc;
        }
}

void matmul_ikj(const float* A, const float* B, float* C, int M, int N, int K) {
    // i-k-j: the inner loop walks a row of B and a row of C, both contiguous, so the compiler can vectorise it.
    // Same arithmetic, different order of memory accesses.
    for (int i = 0; i < M; ++i) {
        float* c = C + i * N;
        std::fill(c, c + N, 0.0f);
        for (int k = 0; k < K; ++k) {
            const float a = A[i * K + k];
            const float* b = B + k * N;
            for (int j = 0; j < N; ++j) c[j] += a * b[j];
        }
    }
}

// ---- the oracle ---------------------------------------------------------------------------------------------

static void check_gemm_args(const char* who, bool trans_a, bool trans_b, int M, int N, int K, int lda, int ldb,
                            int ldc) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0, who << ": sizes must be >= 0, got M=" << M << " N=" << N << " K=" << K);
    const int a_cols = trans_a ? M : K, b_cols = trans_b ? K : N;
    TT_CHECK(lda >= std::max(1, a_cols), who << ": lda=" << lda << " is smaller than A's row length " << a_cols
                                             << (trans_a ? " (A is K x M, transposed)" : " (A is M x K)"));
    TT_CHECK(ldb >= std::max(1, b_cols), who << ": ldb=" << ldb << " is smaller than B's row length " << b_cols
                                             << (trans_b ? " (B is N x K, transposed)" : " (B is K x N)"));
    TT_CHECK(ldc >= std::max(1, N), who << ": ldc=" << ldc << " is smaller than C's row length N=" << N);
}

void sgemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc) {
    check_gemm_args("sgemm_ref", trans_a, trans_b, M, N, K, lda, ldb, ldc);
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float acc = 0.0f;
            for (int k = 0; k < K; ++k) {
                float a = trans_a ? A[k * lda + i] : A[i * lda + k];
                float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
                acc += a * b;
            }
            C[i * ldc + j] = alpha * acc + (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]);
        }
}

// ---- the fast path ------------------------------------------------------------------------------------------
//
// Goto's scheme (as in BLIS/OpenBLAS). Loops, outermost first:
//   jc: NC columns of B  (a KC x NC block of B, packed, stays in L2/L3)
//   pc: KC of the K dimension
//   ic: MC rows of A     (an MC x KC block of A, packed, stays in L2)
//   jr, ir: NR x MR register tiles, each a call of the micro-kernel (its b panel, KC x NR, stays in L1)
// Packing copies each block once into the exact order the micro-kernel reads it, so the kernel walks memory
// linearly whatever the strides or transposes of A and B. Edges are padded with zeros to whole tiles.

namespace gemm_detail {

constexpr int kKC = 256;   // depth of one block: a b panel, KC x NR floats (8 KiB on wasm), stays in L1
constexpr int kMC = 96;    // rows of A per block: MC x KC floats = 96 KiB, fits L2
constexpr int kNC = 2048;  // columns of B per block: KC x NC floats = 2 MiB

#if defined(TT_USE_XSIMD)
using buffer = std::vector<float, xsimd::aligned_allocator<float, 64>>;
#else
using buffer = std::vector<float>;
#endif

#if defined(TT_USE_XSIMD)
// A whole panel (MR rows) with vector moves when a panel is exactly one batch wide (MR == kBatch: wasm, SSE);
// returns how many of its kc steps it packed. Transposed A (stored K x M): each step is one contiguous batch.
// Not transposed: kBatch x kBatch blocks loaded along K, transposed in registers.
static int pack_a_panel_simd(bool trans_a, const float* A, int lda, int i, int k0, int kc, float* out) {
    if (kMR != kBatch) return 0;
    if (trans_a) {
        for (int k = 0; k < kc; ++k) batch::load_unaligned(A + (k0 + k) * lda + i).store_aligned(out + k * kMR);
        return kc;
    }
    int k = 0;
    for (; k + kBatch <= kc; k += kBatch) {
        batch block[kBatch];
        for (int r = 0; r < kBatch; ++r) block[r] = batch::load_unaligned(A + (i + r) * lda + k0 + k);
        xsimd::transpose(block, block + kBatch);
        for (int r = 0; r < kBatch; ++r) block[r].store_aligned(out + (k + r) * kMR);
    }
    return k;
}
#endif

// op(A)[i0 : i0 + mc, k0 : k0 + kc] → panels of MR rows, each kc x MR (k-major), zero-padded to whole panels.
static void pack_a(bool trans_a, const float* A, int lda, int i0, int k0, int mc, int kc, float* out) {
    for (int ip = 0; ip < mc; ip += kMR, out += static_cast<size_t>(kc) * kMR) {
        const int rows = std::min(kMR, mc - ip);
        int k = 0;
#if defined(TT_USE_XSIMD)
        if (rows == kMR) k = pack_a_panel_simd(trans_a, A, lda, i0 + ip, k0, kc, out);
#endif
        for (; k < kc; ++k) {  // scalar: edge panels, and the last steps of a transposed block
            float* step = out + k * kMR;
            for (int r = 0; r < rows; ++r)
                step[r] = trans_a ? A[(k0 + k) * lda + i0 + ip + r] : A[(i0 + ip + r) * lda + k0 + k];
            for (int r = rows; r < kMR; ++r) step[r] = 0.0f;
        }
    }
}

#if defined(TT_USE_XSIMD)
// A whole panel (NR columns) with vector moves; returns how many of its kc rows it packed (the rest: scalar).
// Not transposed: each row of the panel is NB batches, copied as they are. Transposed (B stored N x K, as Linear
// weights are): square blocks of kBatch x kBatch are loaded along K, transposed in registers, stored along N.
static int pack_b_panel_simd(bool trans_b, const float* B, int ldb, int k0, int j, int kc, float* out) {
    if (!trans_b) {
        for (int k = 0; k < kc; ++k)
            for (int q = 0; q < kNB; ++q)
                batch::load_unaligned(B + (k0 + k) * ldb + j + q * kBatch).store_aligned(out + k * kNR + q * kBatch);
        return kc;
    }
    int k = 0;
    for (; k + kBatch <= kc; k += kBatch)
        for (int q = 0; q < kNB; ++q) {
            batch block[kBatch];
            for (int r = 0; r < kBatch; ++r) block[r] = batch::load_unaligned(B + (j + q * kBatch + r) * ldb + k0 + k);
            xsimd::transpose(block, block + kBatch);
            for (int r = 0; r < kBatch; ++r) block[r].store_aligned(out + (k + r) * kNR + q * kBatch);
        }
    return k;
}
#endif

// op(B)[k0 : k0 + kc, j0 : j0 + nc] → panels of NR columns, each kc x NR (k-major), zero-padded.
static void pack_b(bool trans_b, const float* B, int ldb, int k0, int j0, int kc, int nc, float* out) {
    for (int jp = 0; jp < nc; jp += kNR, out += static_cast<size_t>(kc) * kNR) {
        const int cols = std::min(kNR, nc - jp);
        int k = 0;
#if defined(TT_USE_XSIMD)
        if (cols == kNR) k = pack_b_panel_simd(trans_b, B, ldb, k0, j0 + jp, kc, out);
#endif
        for (; k < kc; ++k) {  // scalar: edge panels, and the last rows of a transposed one
            float* row = out + k * kNR;
            for (int c = 0; c < cols; ++c)
                row[c] = trans_b ? B[(j0 + jp + c) * ldb + k0 + k] : B[(k0 + k) * ldb + j0 + jp + c];
            for (int c = cols; c < kNR; ++c) row[c] = 0.0f;
        }
    }
}

// One register tile. Whole tiles go straight to C; edge tiles (the scalar tail) are computed into a scratch
// tile and only their valid rows x cols are merged into C.
static void tile(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc, int rows,
                 int cols) {
    if (rows == kMR && cols == kNR) {
        micro_kernel(kc, a, b, alpha, beta, c, ldc);
        return;
    }
    alignas(64) float scratch[kMR * kNR];
    micro_kernel(kc, a, b, 1.0f, 0.0f, scratch, kNR);
    for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) {
            float& out = c[r * ldc + j];
            out = alpha * scratch[r * kNR + j] + (beta != 0.0f ? beta * out : 0.0f);
        }
}

// Scratch buffers are per thread. wasm32-wasip1 has no threads, and no __cxa_thread_atexit to destroy a
// thread_local vector: a student-build program that reaches sgemm failed to link on it (the checks' doctest main
// happens to stub it), so there they are plain statics.
#if defined(TT_STUDENT_BUILD)
#define TT_SCRATCH_THREAD_LOCAL
#else
#define TT_SCRATCH_THREAD_LOCAL thread_local
#endif

// Fewer rows than one register tile (e.g. one input vector through a Linear layer): no packing, one row of C at
// a time straight from B (see row_times_b / row_times_bt in gemm_kernel.h).
static void sgemm_by_rows(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                          const float* B, int ldb, float beta, float* C, int ldc) {
    static TT_SCRATCH_THREAD_LOCAL buffer row;
    for (int i = 0; i < M; ++i) {
        const float* x = A + static_cast<size_t>(i) * lda;
        if (trans_a) {  // a row of op(A) is a column of A: gather it
            row.resize(K);
            for (int k = 0; k < K; ++k) row[k] = A[static_cast<size_t>(k) * lda + i];
            x = row.data();
        }
        float* c = C + static_cast<size_t>(i) * ldc;
        if (trans_b)
            row_times_bt(N, K, x, B, ldb, alpha, beta, c);
        else
            row_times_b(N, K, x, B, ldb, alpha, beta, c);
    }
}

static void sgemm_blocked(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                          const float* B, int ldb, float beta, float* C, int ldc) {
    // Packing buffers are reused across calls (one set per thread): no allocation in steady state.
    static TT_SCRATCH_THREAD_LOCAL buffer packed_a, packed_b;
    const int round_m = (std::min(M, kMC) + kMR - 1) / kMR * kMR;
    const int round_n = (std::min(N, kNC) + kNR - 1) / kNR * kNR;
    packed_a.resize(static_cast<size_t>(round_m) * kKC);
    packed_b.resize(static_cast<size_t>(round_n) * kKC);

    // K is cut into equal blocks of at most KC (784 → 4 x 196, not 3 x 256 + 16): no short, inefficient last block.
    const int k_blocks = (K + kKC - 1) / kKC, kc_even = (K + k_blocks - 1) / k_blocks;
    for (int jc = 0; jc < N; jc += kNC) {
        const int nc = std::min(kNC, N - jc);
        for (int pc = 0; pc < K; pc += kc_even) {
            const int kc = std::min(kc_even, K - pc);
            const float beta_block = pc == 0 ? beta : 1.0f;  // later K blocks accumulate onto the first
            pack_b(trans_b, B, ldb, pc, jc, kc, nc, packed_b.data());
            for (int ic = 0; ic < M; ic += kMC) {
                const int mc = std::min(kMC, M - ic);
                pack_a(trans_a, A, lda, ic, pc, mc, kc, packed_a.data());
                for (int jr = 0; jr < nc; jr += kNR) {
                    const float* b = packed_b.data() + static_cast<size_t>(jr) * kc;
                    for (int ir = 0; ir < mc; ir += kMR) {
                        const float* a = packed_a.data() + static_cast<size_t>(ir) * kc;
                        float* c = C + static_cast<size_t>(ic + ir) * ldc + jc + jr;
                        tile(kc, a, b, alpha, beta_block, c, ldc, std::min(kMR, mc - ir), std::min(kNR, nc - jr));
                    }
                }
            }
        }
    }
}

}  // namespace gemm_detail

GemmTile sgemm_tile() { return {gemm_detail::kMR, gemm_detail::kNR}; }

void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc) {
    check_gemm_args("sgemm", trans_a, trans_b, M, N, K, lda, ldb, ldc);
    if (M == 0 || N == 0) return;
    if (K == 0 || alpha == 0.0f) {  // nothing to multiply: C = beta * C
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    if (M < gemm_detail::kMR)
        gemm_detail::sgemm_by_rows(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        gemm_detail::sgemm_blocked(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace tt
