// Module 15 (Kernels): the fused kernels of fused.h against their unfused `_ref` twins, against the engine's own
// unfused kernels (layer_norm_forward, cross_entropy_forward/backward) and against scalar oracles written here,
// plus sgemm's epilogue hook. Tolerances: a K-term float sum is within (K + 2) eps sum |terms| of the exact value
// (the GEMM checks); the elementwise chains within a few ulps relative (1e-5 relative + 1e-6 absolute); the
// online softmax, whose rescaling adds a rounding per tile, within 1e-5 relative to sum_j p_j |v_j| on top of
// what the float scores' own error (scale (D + 2) eps sum |q k|) does to the weights.
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "activations.h"
#include "fused.h"
#include "gemm.h"
#include "layer_norm.h"
#include "loss.h"
#include "parallel.h"
#include "random.h"
#include "testing.h"

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::string shape_text(int a, int b, int c) {
    return std::to_string(a) + "x" + std::to_string(b) + "x" + std::to_string(c);
}

// How many elements of got differ from want by more than rtol * |want| + atol (NaN matches NaN).
int mismatches(const tt::Tensor& got, const tt::Tensor& want, float rtol, float atol) {
    if (got.shape() != want.shape()) return -1;
    const auto g = got.to_vector(), w = want.to_vector();
    int bad = 0;
    for (size_t i = 0; i < g.size(); ++i) {
        if (std::isnan(w[i]) && std::isnan(g[i])) continue;
        if (!(std::fabs(g[i] - w[i]) <= rtol * std::fabs(w[i]) + atol)) {
            if (bad == 0)
                MESSAGE((std::string("element ") + std::to_string(i) + ": " + std::to_string(g[i]) + ", want " +
                         std::to_string(w[i])));
            ++bad;
        }
    }
    return bad;
}

double gelu_exact(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }

}  // namespace

// ---- sgemm's epilogue -------------------------------------------------------------------------------------------

namespace {

struct Visits {
    std::vector<int> count;
    int N = 0;
};

// Counts the visits of every element of C and maps c to 2c + 1: the result tells whether the epilogue saw each
// element exactly once, and after its final value (alpha, beta and every K block applied).
void count_and_map(const void* context, float* c, int ldc, int i0, int j0, int rows, int cols) {
    Visits& v = *const_cast<Visits*>(static_cast<const Visits*>(context));
    for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) {
            v.count[static_cast<size_t>(i0 + r) * v.N + j0 + j] += 1;
            c[r * ldc + j] = 2.0f * c[r * ldc + j] + 1.0f;
        }
}

void check_epilogue(bool ta, bool tb, int M, int N, int K, float alpha, float beta) {
    tt::Generator gen(static_cast<uint64_t>(M * 131 + N * 7 + K));
    const auto A = tt::uniform({M, K}, -1, 1, gen), B = tt::uniform({K, N}, -1, 1, gen);
    const auto C0 = tt::uniform({M, N}, -1, 1, gen);
    const int lda = ta ? M : K, ldb = tb ? K : N;
    std::vector<float> a = A.to_vector(), b = B.to_vector(), want = C0.to_vector(), got = want;
    tt::sgemm(ta, tb, M, N, K, alpha, a.data(), std::max(lda, 1), b.data(), std::max(ldb, 1), beta, want.data(),
              std::max(N, 1));
    Visits visits;
    visits.count.assign(static_cast<size_t>(M) * N, 0);
    visits.N = N;
    tt::GemmEpilogue epilogue;
    epilogue.apply = count_and_map;
    epilogue.context = &visits;
    tt::sgemm(ta, tb, M, N, K, alpha, a.data(), std::max(lda, 1), b.data(), std::max(ldb, 1), beta, got.data(),
              std::max(N, 1), epilogue);
    int wrong_count = 0, wrong_value = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        wrong_count += visits.count[i] != 1;
        wrong_value += got[i] != 2.0f * want[i] + 1.0f;
    }
    const std::string what = shape_text(M, N, K) + " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb);
    CHECK_MESSAGE(wrong_count == 0, what);
    CHECK_MESSAGE(wrong_value == 0, what);
}

}  // namespace

TEST_CASE("15 sgemm epilogue: every element once, after its last K block, on every path") {
    check_epilogue(false, false, 100, 70, 600, 0.75f, 0.5f);  // packed blocks, 3 K blocks, beta
    check_epilogue(true, true, 37, 29, 65, 1.0f, 0.0f);       // packed, transposes, edge tiles
    check_epilogue(false, true, 40, 6, 300, 1.0f, 1.0f);      // dot tiles (narrow C), tail rows
    check_epilogue(false, true, 64, 128, 784, 1.0f, 0.0f);    // dot tiles (Linear's shape)
    check_epilogue(false, false, 3, 50, 40, 1.0f, 0.0f);      // single rows
    check_epilogue(false, false, 5, 6, 0, 1.0f, 0.5f);        // K = 0: C = beta C, then the epilogue
}

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
TEST_CASE("15 sgemm epilogue on 2 threads: bias columns are global") {
    if (tt::max_threads() < 2) return;
    tt::set_num_threads(2);
    check_epilogue(false, false, 200, 300, 200, 1.0f, 0.0f);
    check_epilogue(false, true, 40, 600, 800, 1.0f, 0.0f);
    tt::set_num_threads(1);
}
#endif

// ---- Linear + bias + activation ---------------------------------------------------------------------------------

namespace {

// The scalar oracle: x @ w^T + b in double, then the activation; and the error bound of the float GEMM.
void check_linear(int M, int N, int K, tt::Activation act, bool with_bias) {
    tt::Generator gen(static_cast<uint64_t>(M * 1000 + N * 10 + K));
    const tt::Tensor x = tt::uniform({M, K}, -1, 1, gen), w = tt::uniform({N, K}, -1, 1, gen);
    const tt::Tensor b = with_bias ? tt::uniform({N}, -1, 1, gen) : tt::Tensor();
    const tt::Tensor got = tt::fused_linear_forward(x, w, b, act);
    const tt::Tensor ref = tt::fused_linear_forward_ref(x, w, b, act);
    REQUIRE(got.shape() == tt::Shape{M, N});
    int bad = 0;
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            double z = with_bias ? b.data()[j] : 0.0, mag = with_bias ? std::fabs(b.data()[j]) : 0.0;
            for (int k = 0; k < K; ++k) {
                z += double(x.data()[i * K + k]) * w.data()[j * K + k];
                mag += std::fabs(double(x.data()[i * K + k]) * w.data()[j * K + k]);
            }
            const double want = act == tt::Activation::ReLU ? std::max(z, 0.0)
                : act == tt::Activation::GELU               ? gelu_exact(z)
                                                            : z;
            const double tol = (K + 3) * FLT_EPSILON * mag + 1e-6 * std::fabs(want) + 1e-7;
            if (std::fabs(got.data()[i * N + j] - want) > tol && bad++ == 0)
                MESSAGE((shape_text(M, N, K) + ": y[" + std::to_string(i) + "][" + std::to_string(j) +
                         "] = " + std::to_string(got.data()[i * N + j]) + ", want " + std::to_string(want)));
        }
    CHECK_MESSAGE(bad == 0, shape_text(M, N, K));
    CHECK_MESSAGE(mismatches(got, ref, 1e-4f, 1e-4f) == 0,
                  (std::string("vs fused_linear_forward_ref ") + shape_text(M, N, K)));
}

}  // namespace

TEST_CASE("15 fused_linear_forward: bias + ReLU / GELU in the epilogue, on every sgemm path") {
    const int shapes[][3] = {{100, 40, 600}, {70, 33, 65}, {64, 64, 600}, {20, 7, 50}, {3, 30, 17}, {1, 1, 1}};
    for (const auto& s : shapes)
        for (tt::Activation act : {tt::Activation::None, tt::Activation::ReLU, tt::Activation::GELU}) {
            check_linear(s[0], s[1], s[2], act, true);
            if (act == tt::Activation::ReLU) check_linear(s[0], s[1], s[2], act, false);
        }
}

TEST_CASE("15 fused_linear_forward: GELU is the erf form, ReLU(0) = 0, empty batch, K = 0") {
    // K = 1, weight 1, bias 0: y = act(x) exactly. The tanh approximation is off by 1.5e-4 at x = 1.
    const tt::Tensor x = tt::from_vector({6, 1}, {1.0f, -1.0f, 2.0f, -3.0f, 0.0f, 0.5f}), w = tt::ones({1, 1});
    const tt::Tensor g = tt::fused_linear_forward(x, w, tt::zeros({1}), tt::Activation::GELU);
    const double want[] = {0.8413447460685429, -0.15865525393145707, 1.9544997361036416, -0.00404969409489031, 0.0,
                           0.34573123063700656};
    for (int i = 0; i < 6; ++i)
        CHECK_MESSAGE(std::fabs(g.data()[i] - want[i]) <= 1e-6,
                      (std::string("GELU(x) at x[") + std::to_string(i) + "]"));
    const tt::Tensor r = tt::fused_linear_forward(x, w, tt::full({1}, -0.5f), tt::Activation::ReLU);
    CHECK(r.to_vector() == std::vector<float>{0.5f, 0.0f, 1.5f, 0.0f, 0.0f, 0.0f});
    CHECK(tt::fused_linear_forward(tt::zeros({0, 4}), tt::ones({3, 4}), tt::ones({3}), tt::Activation::ReLU).shape() ==
          tt::Shape{0, 3});
    // K = 0: the product is 0, so y = act(bias) in every row
    const tt::Tensor k0 = tt::fused_linear_forward(tt::zeros({2, 0}), tt::zeros({3, 0}),
                                                   tt::from_vector({3}, {-1.0f, 2.0f, 0.5f}), tt::Activation::ReLU);
    CHECK(k0.to_vector() == std::vector<float>{0.0f, 2.0f, 0.5f, 0.0f, 2.0f, 0.5f});
}

TEST_CASE("15 fused_linear_forward: bad shapes name what is wrong") {
    const tt::Tensor x = tt::ones({2, 3});
    TT_CHECK_ERROR(tt::fused_linear_forward(tt::ones({2, 3, 4}), tt::ones({4, 4}), tt::Tensor(), tt::Activation::None),
                   "fused_linear_forward: x must be [M, K], got [2, 3, 4]");
    TT_CHECK_ERROR(tt::fused_linear_forward(x, tt::ones({4, 5}), tt::Tensor(), tt::Activation::None),
                   "fused_linear_forward: weight must be [N, K] with K = 3 (x is [2, 3]), got [4, 5]");
    TT_CHECK_ERROR(tt::fused_linear_forward(x, tt::ones({4, 3}), tt::ones({3}), tt::Activation::ReLU),
                   "fused_linear_forward: bias must be [N] = [4], got [3]");
}

// ---- softmax + cross entropy --------------------------------------------------------------------------------------

TEST_CASE("15 fused_softmax_cross_entropy: loss and dlogits agree with the unfused kernels") {
    tt::Generator gen(5);
    for (int N : {1, 7, 64})
        for (int C : {1, 2, 10, 300}) {
            const tt::Tensor logits = tt::normal({N, C}, 0.0f, 3.0f, gen);
            std::vector<float> t(N);
            for (int n = 0; n < N; ++n) t[n] = static_cast<float>((n * 7 + 3) % C);
            const tt::Tensor target = tt::from_vector({N}, t);
            const tt::LossAndGrad got = tt::fused_softmax_cross_entropy(logits, target);
            const tt::LossAndGrad ref = tt::fused_softmax_cross_entropy_ref(logits, target);
            const tt::Tensor want_loss = tt::cross_entropy_forward(logits, target);
            const tt::Tensor want_d = tt::cross_entropy_backward(tt::scalar(1.0f), logits, target);
            const std::string what = "N=" + std::to_string(N) + " C=" + std::to_string(C);
            CHECK_MESSAGE(got.loss.item() == doctest::Approx(want_loss.item()).epsilon(1e-5), what);
            CHECK_MESSAGE(mismatches(got.dlogits, want_d, 1e-5f, 1e-7f) == 0, what);
            CHECK_MESSAGE(got.loss.item() == doctest::Approx(ref.loss.item()).epsilon(1e-5), what);
            CHECK_MESSAGE(mismatches(got.dlogits, ref.dlogits, 1e-5f, 1e-7f) == 0, what);
        }
}

TEST_CASE("15 fused_softmax_cross_entropy: hand-worked, extreme logits, one class, empty batch") {
    // logits [0, 0], target 0: loss log 2, dlogits [0.5 - 1, 0.5]
    auto r = tt::fused_softmax_cross_entropy(tt::zeros({1, 2}), tt::zeros({1}));
    CHECK(r.loss.item() == doctest::Approx(std::log(2.0)).epsilon(1e-6));
    CHECK(r.dlogits.to_vector() == std::vector<float>{-0.5f, 0.5f});
    // +-1e4: exp would overflow without the max; target on the small one costs 2e4
    r = tt::fused_softmax_cross_entropy(tt::from_vector({2, 2}, {1e4f, -1e4f, -1e4f, 1e4f}),
                                        tt::from_vector({2}, {1, 1}));
    CHECK(r.loss.item() == doctest::Approx(1e4f).epsilon(1e-6));
    CHECK(r.dlogits.to_vector() == std::vector<float>{0.5f, -0.5f, 0.0f, 0.0f});
    r = tt::fused_softmax_cross_entropy(tt::from_vector({3, 1}, {5.0f, -2.0f, 1e30f}), tt::zeros({3}));
    CHECK(r.loss.item() == 0.0f);
    CHECK(r.dlogits.to_vector() == std::vector<float>{0.0f, 0.0f, 0.0f});
    r = tt::fused_softmax_cross_entropy(tt::zeros({0, 4}), tt::zeros({0}));
    CHECK(std::isnan(r.loss.item()));
    CHECK(r.dlogits.shape() == tt::Shape{0, 4});
}

TEST_CASE("15 fused_softmax_cross_entropy: bad shapes and targets name what is wrong") {
    TT_CHECK_ERROR(tt::fused_softmax_cross_entropy(tt::zeros({4}), tt::zeros({4})),
                   "fused_softmax_cross_entropy: logits must be [N, C], got [4]");
    TT_CHECK_ERROR(tt::fused_softmax_cross_entropy(tt::zeros({2, 3}), tt::zeros({3})),
                   "fused_softmax_cross_entropy: target must be [N] = [2] class indices, got [3]");
    TT_CHECK_ERROR(tt::fused_softmax_cross_entropy(tt::zeros({2, 3}), tt::from_vector({2}, {0, 3})),
                   "fused_softmax_cross_entropy: target[1] = 3 is not a class index in [0, 3)");
}

// ---- LayerNorm ---------------------------------------------------------------------------------------------------

TEST_CASE("15 fused_layer_norm: agrees with layer_norm_forward and the tensor-op chain") {
    tt::Generator gen(9);
    for (int C : {1, 2, 7, 64, 1000}) {
        const tt::Tensor x = tt::normal({3, 5, C}, 0.5f, 2.0f, gen);
        const tt::Tensor w = tt::normal({C}, 1.0f, 0.5f, gen), b = tt::normal({C}, 0.0f, 1.0f, gen);
        const tt::Tensor got = tt::fused_layer_norm(x, w, b, 1e-5f);
        tt::Tensor want(x.shape()), mean({15}), rstd({15});
        tt::layer_norm_forward(x.data(), w.data(), b.data(), 15, C, 1e-5f, want.data(), mean.data(), rstd.data());
        CHECK_MESSAGE(mismatches(got, want, 1e-4f, 1e-5f) == 0, (std::string("C=") + std::to_string(C)));
        CHECK_MESSAGE(mismatches(got, tt::fused_layer_norm_ref(x, w, b, 1e-5f), 1e-4f, 1e-5f) == 0,
                      ("vs ref C=" + std::to_string(C)));
        // no affine part
        tt::layer_norm_forward(x.data(), nullptr, nullptr, 15, C, 1e-5f, want.data(), mean.data(), rstd.data());
        CHECK_MESSAGE(mismatches(tt::fused_layer_norm(x, tt::Tensor(), tt::Tensor()), want, 1e-4f, 1e-5f) == 0,
                      ("no affine C=" + std::to_string(C)));
    }
}

TEST_CASE("15 fused_layer_norm: one-pass statistics stay exact where E[x^2] - E[x]^2 does not") {
    // values 1000 + 0.01 * (c - 2): mean 1000, variance 2e-4; float keeps none of it in E[x^2] - E[x]^2.
    std::vector<float> v(5);
    for (int c = 0; c < 5; ++c) v[c] = 1000.0f + 0.01f * static_cast<float>(c - 2);
    const tt::Tensor y = tt::fused_layer_norm(tt::from_vector({1, 5}, v), tt::Tensor(), tt::Tensor(), 0.0f);
    double mean = 0, var = 0;
    for (float f : v) mean += f / 5.0;
    for (float f : v) var += (f - mean) * (f - mean) / 5.0;
    for (int c = 0; c < 5; ++c) CHECK(y.data()[c] == doctest::Approx((v[c] - mean) / std::sqrt(var)).epsilon(1e-2));
    // one feature: x - mean = 0, so y = bias; an empty batch stays empty
    const tt::Tensor one =
        tt::fused_layer_norm(tt::from_vector({2, 1}, {3.0f, -7.0f}), tt::full({1}, 2.0f), tt::full({1}, 0.25f));
    CHECK(one.to_vector() == std::vector<float>{0.25f, 0.25f});
    CHECK(tt::fused_layer_norm(tt::zeros({0, 8}), tt::Tensor(), tt::Tensor()).shape() == tt::Shape{0, 8});
}

TEST_CASE("15 fused_layer_norm: bad shapes name what is wrong") {
    TT_CHECK_ERROR(tt::fused_layer_norm(tt::zeros({2, 4}), tt::ones({3}), tt::Tensor()),
                   "fused_layer_norm: weight must be [C] = [4], got [3]");
    TT_CHECK_ERROR(tt::fused_layer_norm(tt::zeros({2, 4}), tt::Tensor(), tt::ones({4, 1})),
                   "fused_layer_norm: bias must be [C] = [4], got [4, 1]");
}

// ---- attention, one head ----------------------------------------------------------------------------------------

namespace {

// The oracle: softmax(scale q k^T + mask) v in double, row by row; a row with every key masked is 0.
void check_attention(int Tq, int Tk, int D, int Dv, float scale, bool causal, const tt::Tensor& mask, uint64_t seed) {
    tt::Generator gen(seed);
    const tt::Tensor q = tt::normal({Tq, D}, 0, 1, gen), k = tt::normal({Tk, D}, 0, 1, gen),
                     v = tt::normal({Tk, Dv}, 0, 1, gen);
    const tt::Tensor got = tt::fused_attention(q, k, v, scale, mask, causal);
    REQUIRE(got.shape() == tt::Shape{Tq, Dv});
    int bad = 0;
    std::vector<double> s(Tk);
    for (int i = 0; i < Tq; ++i) {
        double m = -INFINITY, score_error = 0;  // the float scores' error bound: scale (D + 2) eps sum |q k|
        for (int j = 0; j < Tk; ++j) {
            double dot = 0, size = 0;
            for (int d = 0; d < D; ++d) {
                dot += double(q.data()[i * D + d]) * k.data()[j * D + d];
                size += std::fabs(double(q.data()[i * D + d]) * k.data()[j * D + d]);
            }
            score_error = std::max(score_error, scale * (D + 2) * FLT_EPSILON * size);
            s[j] = double(scale) * dot + (mask.defined() ? mask.data()[i * Tk + j] : 0.0f);
            if (causal && j > i) s[j] = -INFINITY;
            m = std::max(m, s[j]);
        }
        double l = 0;
        for (int j = 0; j < Tk; ++j) l += m == -INFINITY ? 0.0 : std::exp(s[j] - m);
        for (int d = 0; d < Dv; ++d) {
            double o = 0, mag = 0;
            for (int j = 0; j < Tk; ++j) {
                const double p = l == 0 ? 0.0 : std::exp(s[j] - m) / l;
                o += p * v.data()[j * Dv + d];
                mag += p * std::fabs(v.data()[j * Dv + d]);
            }
            const float g = got.data()[i * Dv + d];
            // each weight is off by up to twice the scores' error (relative), plus the roundings of the sums
            const double tol = (2 * score_error + 1e-5 + (D + Tk) * FLT_EPSILON) * mag + 1e-7;
            if (!(std::fabs(g - o) <= tol) && bad++ == 0)
                MESSAGE((std::string("o[") + std::to_string(i) + "][" + std::to_string(d) + "] = " + std::to_string(g) +
                         ", want " + std::to_string(o)));
        }
    }
    const std::string what =
        "Tq=" + std::to_string(Tq) + " Tk=" + std::to_string(Tk) + " causal=" + std::to_string(causal);
    CHECK_MESSAGE(bad == 0, what);
    CHECK_MESSAGE(mismatches(got, tt::fused_attention_ref(q, k, v, scale, mask, causal), 1e-4f, 1e-5f) == 0,
                  ("vs fused_attention_ref " + what));
}

}  // namespace

TEST_CASE("15 fused_attention: the online softmax over key tiles matches the full softmax") {
    const int lengths[][2] = {{1, 1}, {5, 5}, {64, 64}, {65, 65}, {130, 130}, {3, 200}, {100, 37}};
    for (const auto& t : lengths)
        for (bool causal : {false, true})
            check_attention(t[0], t[1], 8, 5, 0.35f, causal, tt::Tensor(), 1 + t[0] + t[1]);
    // scores that grow along the keys: every new key tile raises the running maximum
    check_attention(40, 300, 4, 3, 3.0f, false, tt::Tensor(), 77);
    // large scores (scale 50): exp(s) overflows without the running maximum
    check_attention(33, 150, 16, 8, 50.0f, true, tt::Tensor(), 78);
}

TEST_CASE("15 fused_attention: masks — a row with every key masked is 0, -inf in later tiles, no keys at all") {
    const int Tq = 6, Tk = 140;
    std::vector<float> m(static_cast<size_t>(Tq) * Tk, 0.0f);
    for (int j = 0; j < Tk; ++j) m[2 * Tk + j] = -kInf;                       // row 2: nothing to attend to
    for (int j = 0; j < Tk; j += 3) m[4 * Tk + j] = -kInf;                    // row 4: every third key
    for (int j = 64; j < Tk; ++j) m[5 * Tk + j] = -kInf;                      // row 5: the second and third tiles
    for (int j = 0; j < 128; ++j) m[1 * Tk + j] = j % 2 == 0 ? -kInf : 0.5f;  // row 1: a bias, then the last tile
    const tt::Tensor mask = tt::from_vector({Tq, Tk}, m);
    check_attention(Tq, Tk, 8, 4, 0.5f, false, mask, 11);
    tt::Generator gen(3);
    const tt::Tensor o = tt::fused_attention(tt::normal({Tq, 8}, 0, 1, gen), tt::normal({Tk, 8}, 0, 1, gen),
                                             tt::normal({Tk, 4}, 0, 1, gen), 0.5f, mask);
    for (int d = 0; d < 4; ++d) CHECK(o.data()[2 * 4 + d] == 0.0f);
    const tt::Tensor none = tt::fused_attention(tt::ones({3, 2}), tt::zeros({0, 2}), tt::zeros({0, 5}), 1.0f);
    CHECK(none.to_vector() == std::vector<float>(15, 0.0f));
    CHECK(tt::fused_attention(tt::zeros({0, 2}), tt::ones({4, 2}), tt::ones({4, 5}), 1.0f).shape() == tt::Shape{0, 5});
}

TEST_CASE("15 fused_attention: bad shapes name what is wrong") {
    const tt::Tensor q = tt::ones({4, 8});
    TT_CHECK_ERROR(tt::fused_attention(tt::ones({2, 4, 8}), q, q, 1.0f),
                   "fused_attention: q must be [Tq, D], got [2, 4, 8]");
    TT_CHECK_ERROR(tt::fused_attention(q, tt::ones({5, 7}), tt::ones({5, 3}), 1.0f),
                   "fused_attention: k must be [Tk, D] with D = 8 (q is [4, 8]), got [5, 7]");
    TT_CHECK_ERROR(tt::fused_attention(q, tt::ones({5, 8}), tt::ones({6, 3}), 1.0f),
                   "fused_attention: v must be [Tk, Dv] with Tk = 5 (k is [5, 8]), got [6, 3]");
    TT_CHECK_ERROR(tt::fused_attention(q, tt::ones({5, 8}), tt::ones({5, 3}), 1.0f, tt::zeros({5, 4})),
                   "fused_attention: mask must be [Tq, Tk] = [4, 5], got [5, 4]");
}
