// Module 15 (Kernels): the packed, blocked SIMD sgemm and the course's naive / loop-reordered matmuls, all checked
// against the scalar oracle sgemm_ref. No timing here: speed is measured by bench/run.mjs, not by tests.
#include <atomic>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gemm.h"
#include "parallel.h"
#include "simd.h"
#include "testing.h"

namespace {

// Small deterministic generator (the same numbers in every build).
struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
    uint32_t next() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<uint32_t>(state >> 33);
    }
    float uniform() { return static_cast<float>(next() & 0xFFFFFF) / 8388608.0f - 1.0f; }  // [-1, 1)
    int below(int n) { return static_cast<int>(next() % static_cast<uint32_t>(n)); }
};

std::vector<float> random_vector(size_t n, Rng& rng) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.uniform();
    return v;
}

struct Case {
    bool ta, tb;
    int M, N, K;
    float alpha, beta;
    int pad_a = 0, pad_b = 0, pad_c = 0;  // extra floats per row beyond the logical width (leading dimensions)
};

std::string describe(const Case& c) {
    return "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
        " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " alpha=" + std::to_string(c.alpha) +
        " beta=" + std::to_string(c.beta) + " pads=" + std::to_string(c.pad_a) + "," + std::to_string(c.pad_b) + "," +
        std::to_string(c.pad_c);
}

// Runs sgemm and sgemm_ref on the same inputs. The tolerance follows the error bound of a K-term float sum:
// |error| <= (K + 2) * eps * (|alpha| * sum_k |a_ik| |b_kj| + |beta| |c_ij|), so it is relative to K and to the
// magnitudes actually summed, never a fixed constant. Padding in C must be left untouched.
// Returns the number of mismatching elements (0 on success) and reports the first one.
int check_case(const Case& c, uint64_t seed) {
    Rng rng(seed);
    const int a_rows = c.ta ? c.K : c.M, a_cols = c.ta ? c.M : c.K;
    const int b_rows = c.tb ? c.N : c.K, b_cols = c.tb ? c.K : c.N;
    const int lda = a_cols + c.pad_a, ldb = b_cols + c.pad_b, ldc = c.N + c.pad_c;
    std::vector<float> A = random_vector(static_cast<size_t>(a_rows) * lda + 1, rng);
    std::vector<float> B = random_vector(static_cast<size_t>(b_rows) * ldb + 1, rng);
    std::vector<float> C0 = random_vector(static_cast<size_t>(c.M) * ldc + 1, rng);
    const float sentinel = 12345.0f;
    for (int i = 0; i < c.M; ++i)
        for (int j = c.N; j < ldc; ++j) C0[static_cast<size_t>(i) * ldc + j] = sentinel;

    std::vector<float> got = C0, want = C0, bound(static_cast<size_t>(c.M) * ldc + 1, 0.0f);
    tt::sgemm(c.ta, c.tb, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, got.data(), ldc);
    tt::sgemm_ref(c.ta, c.tb, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, want.data(), ldc);
    std::vector<float> absA(A), absB(B);
    for (float& x : absA) x = std::fabs(x);
    for (float& x : absB) x = std::fabs(x);
    tt::sgemm_ref(c.ta, c.tb, c.M, c.N, c.K, 1.0f, absA.data(), lda, absB.data(), ldb, 0.0f, bound.data(), ldc);

    int bad = 0;
    for (int i = 0; i < c.M; ++i)
        for (int j = 0; j < ldc; ++j) {
            const size_t at = static_cast<size_t>(i) * ldc + j;
            bool ok;
            if (j >= c.N) {
                ok = got[at] == sentinel;
            } else {
                const float tol =
                    (c.K + 2) * FLT_EPSILON * (std::fabs(c.alpha) * bound[at] + std::fabs(c.beta) * std::fabs(C0[at]));
                ok = std::fabs(got[at] - want[at]) <= tol + FLT_MIN;
            }
            if (!ok && bad++ == 0)
                MESSAGE(describe(c) << ": C[" << i << "][" << j << "] = " << got[at] << ", want "
                                    << (j >= c.N ? sentinel : want[at]));
        }
    return bad;
}

}  // namespace

TEST_CASE("15 sgemm: every square size 1..67, all four transposes") {
    for (int n = 1; n <= 67; ++n)
        for (int t = 0; t < 4; ++t) {
            Case c{(t & 1) != 0, (t & 2) != 0, n, n, n, 1.0f, 0.0f};
            CHECK_MESSAGE(check_case(c, 1000 + n * 4 + t) == 0, describe(c));
        }
}

TEST_CASE("15 sgemm: random non-square sizes in 1..67 with transposes, alpha, beta and leading dimensions") {
    Rng rng(15);
    const float alphas[] = {1.0f, -0.5f, 2.0f, 0.0f};
    const float betas[] = {0.0f, 1.0f, -1.5f, 0.25f};
    for (int trial = 0; trial < 600; ++trial) {
        Case c{rng.below(2) == 1,    rng.below(2) == 1,   1 + rng.below(67), 1 + rng.below(67), 1 + rng.below(67),
               alphas[rng.below(4)], betas[rng.below(4)], rng.below(3) * 3,  rng.below(3) * 5,  rng.below(3) * 2};
        CHECK_MESSAGE(check_case(c, 5000 + trial) == 0, describe(c));
    }
}

TEST_CASE("15 sgemm: larger odd sizes cross every cache block boundary") {
    const int sizes[][3] = {{127, 129, 131}, {257, 255, 253}, {3, 300, 517}, {300, 5, 700}, {1, 2100, 9},
                            {1, 130, 784},   {2, 10, 131},    {5, 37, 333},     // M < one tile: the unpacked row path
                            {37, 45, 785},   {64, 128, 784},  {130, 10, 128}};  // (tb) the dot-tile path, with tails
    for (const auto& s : sizes)
        for (int t = 0; t < 4; ++t) {
            Case c{(t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 0.75f, t == 3 ? 0.5f : 0.0f, 1, 2, 3};
            CHECK_MESSAGE(check_case(c, 9000 + s[0] + t) == 0, describe(c));
        }
}

TEST_CASE("15 sgemm: empty sizes, K = 0 and alpha = 0 scale C by beta") {
    std::vector<float> A(4, 1.0f), B(4, 1.0f), C = {1.0f, 2.0f, 3.0f, 4.0f};
    tt::sgemm(false, false, 2, 2, 0, 1.0f, A.data(), 1, B.data(), 2, 0.5f, C.data(), 2);
    CHECK(C == std::vector<float>{0.5f, 1.0f, 1.5f, 2.0f});
    tt::sgemm(false, false, 2, 2, 2, 0.0f, A.data(), 2, B.data(), 2, 2.0f, C.data(), 2);
    CHECK(C == std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f});
    tt::sgemm(false, false, 0, 2, 2, 1.0f, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2);  // M = 0: no-op
    CHECK(C == std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f});
}

TEST_CASE("15 sgemm: beta = 0 overwrites C without reading it (NaN in C does not leak)") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int n : {3, 17, 40}) {
        std::vector<float> A(n * n, 0.5f), B(n * n, 2.0f), C(n * n, nan);
        tt::sgemm(false, true, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n);
        int wrong = 0;
        for (float x : C) wrong += x != static_cast<float>(n);
        CHECK_MESSAGE(wrong == 0, "n=" << n);
    }
}

TEST_CASE("15 sgemm: a known product") {
    // [1 2 3; 4 5 6] @ [7 8; 9 10; 11 12] = [58 64; 139 154]
    const float A[] = {1, 2, 3, 4, 5, 6}, B[] = {7, 8, 9, 10, 11, 12};
    float C[4] = {};
    tt::sgemm(false, false, 2, 2, 3, 1.0f, A, 3, B, 2, 0.0f, C, 2);
    CHECK(C[0] == 58.0f);
    CHECK(C[1] == 64.0f);
    CHECK(C[2] == 139.0f);
    CHECK(C[3] == 154.0f);
}

TEST_CASE("15 matmul_naive and matmul_ikj agree with sgemm_ref") {
    Rng rng(42);
    const int sizes[][3] = {{1, 1, 1}, {5, 7, 3}, {16, 16, 16}, {33, 17, 65}, {64, 3, 100}};
    for (const auto& s : sizes) {
        const int M = s[0], N = s[1], K = s[2];
        std::vector<float> A = random_vector(M * K, rng), B = random_vector(K * N, rng);
        std::vector<float> want(M * N), naive(M * N, 7.0f), ikj(M * N, 7.0f);
        tt::sgemm_ref(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, want.data(), N);
        tt::matmul_naive(A.data(), B.data(), naive.data(), M, N, K);
        tt::matmul_ikj(A.data(), B.data(), ikj.data(), M, N, K);
        int bad_naive = 0, bad_ikj = 0;
        for (int i = 0; i < M * N; ++i) {
            const float tol = (K + 2) * FLT_EPSILON * K;  // |a|, |b| <= 1
            bad_naive += std::fabs(naive[i] - want[i]) > tol;
            bad_ikj += std::fabs(ikj[i] - want[i]) > tol;
        }
        CHECK_MESSAGE(bad_naive == 0, "naive M=" << M << " N=" << N << " K=" << K);
        CHECK_MESSAGE(bad_ikj == 0, "ikj M=" << M << " N=" << N << " K=" << K);
    }
}

TEST_CASE("15 sgemm_tile: the register tile is whole SIMD batches") {
    tt::GemmTile t = tt::sgemm_tile();
    CHECK(t.mr >= 1);
    CHECK(t.nr % tt::kSimdWidth == 0);
}

TEST_CASE("15 sgemm: bad sizes and leading dimensions are errors that name them") {
    std::vector<float> A(64), B(64), C(64);
    TT_CHECK_ERROR(tt::sgemm(false, false, -1, 2, 2, 1.0f, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2),
                   "sgemm: sizes must be >= 0, got M=-1 N=2 K=2");
    TT_CHECK_ERROR(tt::sgemm(false, false, 2, 2, 3, 1.0f, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2),
                   "sgemm: lda=2 is smaller than A's row length 3 (A is M x K)");
    TT_CHECK_ERROR(tt::sgemm(false, true, 2, 2, 3, 1.0f, A.data(), 3, B.data(), 2, 0.0f, C.data(), 2),
                   "sgemm: ldb=2 is smaller than B's row length 3 (B is N x K, transposed)");
    TT_CHECK_ERROR(tt::sgemm(true, false, 4, 5, 3, 1.0f, A.data(), 4, B.data(), 5, 0.0f, C.data(), 4),
                   "sgemm: ldc=4 is smaller than C's row length N=5");
}

// ---- threads (parallel.h) -----------------------------------------------------------------------------------

namespace {

// Sets the thread count for one scope, and puts 1 back (the default) whatever happens.
struct Threads {
    explicit Threads(int n) { tt::set_num_threads(n); }
    ~Threads() { tt::set_num_threads(1); }
};

std::vector<float> product(bool ta, bool tb, int M, int N, int K, float beta) {
    Rng rng(M * 7919 + N * 31 + K);
    const auto A = random_vector(static_cast<size_t>(M) * K, rng), B = random_vector(static_cast<size_t>(K) * N, rng);
    auto C = random_vector(static_cast<size_t>(M) * N, rng);
    tt::sgemm(ta, tb, M, N, K, 1.0f, A.data(), ta ? M : K, B.data(), tb ? K : N, beta, C.data(), N);
    return C;
}

}  // namespace

// Builds without threads: the single-threaded web build and the student build (wasm32-wasi, in the page).
#if defined(__wasi__) || (defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__))
#define TT_TEST_SINGLE_THREADED 1
#else
#define TT_TEST_SINGLE_THREADED 0
#endif

TEST_CASE("15 parallel_for: every task runs exactly once, on 1 and on all threads") {
    CHECK(tt::num_threads() == 1);  // the default: more threads are asked for, never assumed
    for (int threads : {1, tt::max_threads()}) {
        Threads scope(threads);
        CHECK(tt::num_threads() == threads);
        for (int tasks : {0, 1, 2, 7, 100}) {
            std::vector<std::atomic<int>> runs(tasks);
            tt::parallel_for(tasks, [&](int i) { runs[i].fetch_add(1); });
            int wrong = 0;
            for (auto& r : runs) wrong += r.load() != 1;
            CHECK_MESSAGE(wrong == 0, threads << " threads, " << tasks << " tasks");
        }
    }
#if !TT_TEST_SINGLE_THREADED
    {  // two tasks that can only finish together: each waits (up to 20 s) until both have started
        Threads scope(2);
        std::atomic<int> started{0};
        std::atomic<bool> timed_out{false};
        tt::parallel_for(2, [&](int) {
            started.fetch_add(1);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (started.load() < 2)
                if (std::chrono::steady_clock::now() > deadline) {
                    timed_out = true;
                    break;
                }
        });
        CHECK_MESSAGE(!timed_out, "parallel_for(2) never ran its two tasks at the same time");
    }
#endif
    tt::set_num_threads(1000);
    CHECK(tt::num_threads() == tt::max_threads());  // clamped, not an error
    tt::set_num_threads(0);
    CHECK(tt::num_threads() == 1);
}

TEST_CASE("15 sgemm on 2 threads: the same bits as on 1 thread, on every path") {
#if TT_TEST_SINGLE_THREADED
    CHECK(tt::max_threads() == 1);  // threads come from the native build and tt_web_mt only
#else
    REQUIRE(tt::max_threads() == 2);
    //                M     N    K   ta     tb     beta     path
    const struct {
        int M, N, K;
        bool ta, tb;
        float beta;
    } shapes[] = {
        {256, 256, 256, false, false, 0.0f},  // packed blocks
        {131, 200, 129, true, true, 0.5f},    // packed, transposes, edge tiles
        {64, 128, 784, false, true, 1.0f},    // dot tiles (Linear's x @ W^T)
        {3, 4000, 700, false, false, 0.0f},   // single rows
        {2, 1000, 1500, true, true, 0.0f},    // single rows, gathered, dot products
    };
    for (const auto& s : shapes) {
        const auto one = product(s.ta, s.tb, s.M, s.N, s.K, s.beta);
        Threads scope(2);
        const auto two = product(s.ta, s.tb, s.M, s.N, s.K, s.beta);
        CHECK_MESSAGE(one == two, "M=" << s.M << " N=" << s.N << " K=" << s.K);
    }
    // and still right against the oracle
    Threads scope(2);
    for (const Case& c : {Case{false, false, 257, 255, 253, 0.75f, 0.5f, 1, 2, 3},
                          Case{true, false, 300, 77, 190, 1.0f, 0.0f}, Case{false, true, 40, 600, 800, 1.0f, 1.0f}})
        CHECK_MESSAGE(check_case(c, 77) == 0, describe(c));
#endif
}
