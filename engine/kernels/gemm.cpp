// Module 15 — Kernels: SGEMM, three ways: the naive triple loop, the loop-reordered one, and a packed, cache-blocked kernel with an
// xsimd micro-kernel (gemm_kernel.h). bench/run.mjs measures all three; module 15 (Kernels) explains the gap.
// sgemm itself picks one of three paths by shape: packed blocks (the general case), dot tiles (C = A @ B^T when
// packing cannot pay for itself: see prefer_dot), and single rows (fewer rows than a register tile).
#include "gemm.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "error.h"
#include "gemm_kernel.h"
#include "parallel.h"

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
    // BEGIN SOLUTION the naive loops with k moved out of the inner loop: for each row i, zero C's row, then for each k add A[i][k] times B's row k to it
    for (int i = 0; i < M; ++i) {
        float* c = C + i * N;
        std::fill(c, c + N, 0.0f);
        for (int k = 0; k < K; ++k) {
            const float a = A[i * K + k];
            const float* b = B + k * N;
            for (int j = 0; j < N; ++j) c[j] += a * b[j];
        }
    }
    // END SOLUTION
}

// ---- the oracle ---------------------------------------------------------------------------------------------

static void check_gemm_args(const char* who, bool trans_a, bool trans_b, int M, int N, int K, int lda, int ldb,
                            int ldc) {
    TT_CHECK(M >= 0 && N >= 0 && K >= 0, who << ": sizes must be >= 0, got M=" << M << " N=" << N << " K=" << K);
    const int a_cols = trans_a ? M : K, b_cols = trans_b ? K : N;
    TT_CHECK(lda >= std::max(1, a_cols),
             who << ": lda=" << lda << " is smaller than A's row length " << a_cols
                 << (trans_a ? " (A is K x M, transposed)" : " (A is M x K)"));
    TT_CHECK(ldb >= std::max(1, b_cols),
             who << ": ldb=" << ldb << " is smaller than B's row length " << b_cols
                 << (trans_b ? " (B is N x K, transposed)" : " (B is K x N)"));
    TT_CHECK(ldc >= std::max(1, N), who << ": ldc=" << ldc << " is smaller than C's row length N=" << N);
}

void sgemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
               int ldb, float beta, float* C, int ldc) {
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

// Each can be set on its own with -DTT_GEMM_KC=.. / _MC / _NC, to try other blockings (bench/README.md); the
// relaxed-SIMD build sets a smaller MC and NC (CMakeLists.txt, ttkernels_relaxed, says why). An MC that is a multiple
// of MR (NC: of NR) only moves whole tiles between blocks, so C's bits stay the same; KC moves the cuts in the sums
// over K, so it changes them.
#if !defined(TT_GEMM_KC)
#define TT_GEMM_KC 256
#endif
#if !defined(TT_GEMM_MC)
#define TT_GEMM_MC 96
#endif
#if !defined(TT_GEMM_NC)
#define TT_GEMM_NC 2048
#endif
constexpr int kKC = TT_GEMM_KC;  // depth of one block: a b panel, KC x NR floats (8 KiB on wasm), stays in L1
constexpr int kMC = TT_GEMM_MC;  // rows of A per block: MC x KC floats = 96 KiB, fits L2; also the rows of C that
                                 // the ir loop walks down, one row apart, for each b panel (see ttkernels_relaxed)
constexpr int kNC = TT_GEMM_NC;  // columns of B per block: KC x NC floats = 2 MiB

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
        // BEGIN SOLUTION steps k .. kc-1 of this panel: out[k * kMR + r] = op(A)(i0 + ip + r, k0 + k) for the panel's rows, 0 for the padding rows up to kMR
        for (; k < kc; ++k) {  // scalar: edge panels, and the last steps of a transposed block
            float* step = out + k * kMR;
            for (int r = 0; r < rows; ++r)
                step[r] = trans_a ? A[(k0 + k) * lda + i0 + ip + r] : A[(i0 + ip + r) * lda + k0 + k];
            for (int r = rows; r < kMR; ++r) step[r] = 0.0f;
        }
        // END SOLUTION
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
        // BEGIN SOLUTION rows k .. kc-1 of this panel: out[k * kNR + c] = op(B)(k0 + k, j0 + jp + c) for the panel's columns, 0 for the padding columns up to kNR
        for (; k < kc; ++k) {  // scalar: edge panels, and the last rows of a transposed one
            float* row = out + k * kNR;
            for (int c = 0; c < cols; ++c)
                row[c] = trans_b ? B[(j0 + jp + c) * ldb + k0 + k] : B[(k0 + k) * ldb + j0 + jp + c];
            for (int c = cols; c < kNR; ++c) row[c] = 0.0f;
        }
        // END SOLUTION
    }
}

// One register tile. Whole tiles go straight to C; edge tiles (the scalar tail) are computed into a scratch
// tile and only their valid rows x cols are merged into C.
static void tile(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc, int rows,
                 int cols) {
    // BEGIN SOLUTION a whole tile: micro_kernel straight into C; an edge tile: micro_kernel into a kMR x kNR scratch tile (alpha 1, beta 0), then only its rows x cols merged into C with alpha and beta
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
    // END SOLUTION
}

// Below this many flops (2 MFLOP: ~50 us on one core) a product stays on one thread; waking a worker costs ~10 us.
constexpr double kParallelFlops = 2e6;

// Scratch buffers are per thread. wasm32-wasip1 has no threads, and no __cxa_thread_atexit to destroy a
// thread_local vector: a student-build program that reaches sgemm failed to link on it (the checks' doctest main
// happens to stub it), so there they are plain statics.
#if defined(TT_STUDENT_BUILD)
#define TT_SCRATCH_THREAD_LOCAL
#else
#define TT_SCRATCH_THREAD_LOCAL thread_local
#endif

// C = alpha * op(A) @ B^T + beta * C with B stored N x K and A not transposed: a grid of dot products of
// contiguous rows, computed in place by dot tiles (gemm_kernel.h), no packing. Loop order: each pair of B's rows
// is read once per block of A's rows and stays in L1 while the block streams past it; the block is small enough
// that it, and the block of C it writes, stay in L2.
constexpr int kDotRows = 4, kDotCols = 2;  // one dot tile: 4 rows of A x 2 rows of B, 8 accumulators
constexpr int kDotMaxK = 2048;             // beyond this, 2 rows of B (16 KiB) no longer sit in L1 beside A's
constexpr int kDotBlockRows = 64;

// Packing pays for itself when both M and N are large; dot tiles win when it cannot (measured in wasm, bench/
// shapes): a narrow C (N < 2 NR: packed tiles would be mostly padding; N=10: 0.0077 → 0.0047 ms), or few rows with
// a long K (M <= 64, K >= 512: packing B costs more than those rows reuse it; 64x128x784: 2-3% faster). Elsewhere
// (square, or short K) the packed kernel is 3-30% faster.
static bool prefer_dot(int M, int N, int K) {
    return K <= kDotMaxK && (N < 2 * kNR || (M <= kDotBlockRows && K >= 512));
}

// One row of C from one row x: 8 rows of B per tile (x stays in registers' reach, B is the stream), then 1.
static void dot_row(int N, int K, const float* x, const float* B, int ldb, float alpha, float beta, float* c) {
    int j = 0;
    for (; j + 8 <= N; j += 8) dot_tile<1, 8>(K, x, K, B + static_cast<size_t>(j) * ldb, ldb, alpha, beta, c + j, 1);
    for (; j < N; ++j) dot_tile<1, 1>(K, x, K, B + static_cast<size_t>(j) * ldb, ldb, alpha, beta, c + j, 1);
}

static void sgemm_dot(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                      float* C, int ldc, const GemmEpilogue& epilogue) {
    constexpr int block = kDotBlockRows;
    for (int i0 = 0; i0 < M; i0 += block) {
        const int i1 = std::min(M, i0 + block), whole = i0 + (i1 - i0) / kDotRows * kDotRows;
        auto tiles = [&](auto cols, int j) {  // every whole tile of this block in columns j .. j + cols
            for (int i = i0; i < whole; i += kDotRows)
                dot_tile<kDotRows, decltype(cols)::value>(K, A + static_cast<size_t>(i) * lda, lda,
                                                          B + static_cast<size_t>(j) * ldb, ldb, alpha, beta,
                                                          C + static_cast<size_t>(i) * ldc + j, ldc);
        };
        int j = 0;
        for (; j + kDotCols <= N; j += kDotCols) {  // the epilogue takes each strip of columns while it is in L1
            tiles(std::integral_constant<int, kDotCols>(), j);
            epilogue(C + static_cast<size_t>(i0) * ldc + j, ldc, i0, j, whole - i0, kDotCols);
        }
        for (; j < N; ++j) {
            tiles(std::integral_constant<int, 1>(), j);
            epilogue(C + static_cast<size_t>(i0) * ldc + j, ldc, i0, j, whole - i0, 1);
        }
        for (int i = whole; i < i1; ++i) {  // the last rows (fewer than a tile): one at a time
            dot_row(N, K, A + static_cast<size_t>(i) * lda, B, ldb, alpha, beta, C + static_cast<size_t>(i) * ldc);
            epilogue(C + static_cast<size_t>(i) * ldc, ldc, i, 0, 1, N);
        }
    }
}

// Fewer rows than one register tile (e.g. one input vector through a Linear layer): no packing, one row of C at
// a time straight from B (see row_times_b and dot_row).
static void sgemm_by_rows(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                          const float* B, int ldb, float beta, float* C, int ldc, const GemmEpilogue& epilogue) {
    static TT_SCRATCH_THREAD_LOCAL buffer row;
    for (int i = 0; i < M; ++i) {
        const float* x = A + static_cast<size_t>(i) * lda;
        if (trans_a) {  // a row of op(A) is a column of A: gather it
            row.resize(K);
            for (int k = 0; k < K; ++k) row[k] = A[static_cast<size_t>(k) * lda + i];
            x = row.data();
        }
        float* c = C + static_cast<size_t>(i) * ldc;
        if (trans_b) dot_row(N, K, x, B, ldb, alpha, beta, c);
        else row_times_b(N, K, x, B, ldb, alpha, beta, c);
        epilogue(c, ldc, i, 0, 1, N);
    }
}

static void sgemm_blocked(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                          const float* B, int ldb, float beta, float* C, int ldc, const GemmEpilogue& epilogue) {
    // Packing buffers are reused across calls (one set per thread): no allocation in steady state.
    static TT_SCRATCH_THREAD_LOCAL buffer packed_a, packed_b;
    const int round_m = (std::min(M, kMC) + kMR - 1) / kMR * kMR;
    const int round_n = (std::min(N, kNC) + kNR - 1) / kNR * kNR;
    packed_a.resize(static_cast<size_t>(round_m) * kKC);
    packed_b.resize(static_cast<size_t>(round_n) * kKC);

    // K is cut into equal blocks of at most KC (784 → 4 x 196, not 3 x 256 + 16): no short, inefficient last block.
    const int k_blocks = (K + kKC - 1) / kKC, kc_even = (K + k_blocks - 1) / k_blocks;
    // BEGIN SOLUTION loops jc (kNC columns) > pc (kc_even of K; beta on the first block only, 1 after) > ic (kMC rows) > jr (kNR) > ir (kMR): pack_b per (jc, pc), pack_a per ic, then tile() per register tile; after the LAST K block, epilogue(c, ldc, i, j, rows, cols) on each finished tile
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
                        const int rows = std::min(kMR, mc - ir), cols = std::min(kNR, nc - jr);
                        tile(kc, a, b, alpha, beta_block, c, ldc, rows, cols);
                        if (pc + kc == K) epilogue(c, ldc, ic + ir, jc + jr, rows, cols);
                    }
                }
            }
        }
    }
    // END SOLUTION
}

}  // namespace gemm_detail

GemmTile sgemm_tile() { return {gemm_detail::kMR, gemm_detail::kNR}; }

void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc) {
    sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, GemmEpilogue());
}

void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
           int ldb, float beta, float* C, int ldc, const GemmEpilogue& epilogue) {
    using namespace gemm_detail;
    check_gemm_args("sgemm", trans_a, trans_b, M, N, K, lda, ldb, ldc);
    if (M == 0 || N == 0) return;
    if (K == 0 || alpha == 0.0f) {  // nothing to multiply: C = beta * C
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        epilogue(C, ldc, 0, 0, M, N);
        return;
    }
    // The path is chosen for the whole product, then C's columns may be shared among threads: every path computes
    // each element of C the same way whatever columns surround it, so 1 and 2 threads give the same bits.
    const bool dot = trans_b && !trans_a && prefer_dot(M, N, K), rows = M < kMR;
    auto columns = [&](int j0, int j1) {  // C[:, j0:j1] from op(B)[:, j0:j1]
        const float* b = trans_b ? B + static_cast<size_t>(j0) * ldb : B + j0;
        GemmEpilogue share = epilogue;
        share.column_offset += j0;
        if (dot) sgemm_dot(M, j1 - j0, K, alpha, A, lda, b, ldb, beta, C + j0, ldc, share);
        else if (rows) sgemm_by_rows(trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, b, ldb, beta, C + j0, ldc, share);
        else sgemm_blocked(trans_a, trans_b, M, j1 - j0, K, alpha, A, lda, b, ldb, beta, C + j0, ldc, share);
    };
    // One share of columns per thread, in whole register tiles, when there is enough work to pay for the hand-off.
    const int threads = num_threads();
    if (threads == 1 || 2.0 * M * N * K < kParallelFlops || N < threads * kNR) {
        columns(0, N);
        return;
    }
    const int share = (N + threads * kNR - 1) / (threads * kNR) * kNR;
    parallel_for(threads, [&](int t) { columns(std::min(N, t * share), std::min(N, (t + 1) * share)); });
}

}  // namespace tt
