// Module 12 — Embeddings: F::embedding against torch.nn.functional.embedding (tests/fixtures/12_embeddings.txt:
// repeated ids accumulate, padding_idx gets no gradient), nn::Embedding's parameter and init, sinusoidal positions
// against the formula, a tiny language-model step against torch.autograd, gradient sparsity, and the errors.
#include <cmath>
#include <string>
#include <vector>

#include "elementwise.h"
#include "embedding.h"
#include "embedding_lookup.h"
#include "fixtures.h"
#include "functional.h"
#include "grad_mode.h"
#include "random.h"
#include "reduce.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("12_embeddings.txt");
    return f;
}

}  // namespace

TEST_CASE("12 F::embedding: forward picks rows, shape indices + [C]") {
    Tensor w({3, 2}, {0, 1, 10, 11, 20, 21});
    CHECK_TENSOR_EQ(F::embedding(w, Tensor({2, 2}, {2, 0, 1, 2})), Tensor({2, 2, 2}, {20, 21, 0, 1, 10, 11, 20, 21}));
    CHECK_TENSOR_EQ(F::embedding(w, tt::scalar(1)), Tensor({2}, {10, 11}));  // one id -> one vector
    CHECK(F::embedding(w, Tensor({0})).shape() == Shape{0, 2});              // no ids -> no rows
    // The table may be a view (here its transpose's transpose, non-contiguous after a slice of columns).
    Tensor wide({3, 4}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
    CHECK_TENSOR_EQ(F::embedding(wide.slice(1, 1, 4, 2), Tensor({2}, {2, 1})), Tensor({2, 2}, {21, 23, 11, 13}));
}

TEST_CASE("12 F::embedding vs torch: forward, backward with repeated ids, padding_idx") {
    const Tensor weight = fx()["emb.weight"], ids = fx()["emb.ids"], g = fx()["emb.g"];
    for (std::string tag : {"plain", "pad0"}) {
        INFO("case " << tag);
        Tensor w = weight.clone().requires_grad_();
        Tensor out = F::embedding(w, ids, tag == "pad0" ? 0 : -1);
        CHECK_TENSOR_EQ(out, fx()["emb." + tag + ".out"]);
        F::sum(F::mul(out, g)).backward();
        CHECK_TENSOR(w.grad(), fx()["emb." + tag + ".grad"], 1e-6f, 1e-6f);
    }
}

TEST_CASE("12 F::embedding: a repeated id receives the SUM of its rows of dout; the padding row none") {
    Tensor w = tt::zeros({4, 2}).requires_grad_();
    Tensor ids({5}, {1, 3, 1, 1, 0});
    Tensor g({5, 2}, {1, 2, 10, 20, 100, 200, 1000, 2000, 7, 7});
    F::embedding(w, ids).backward(g);
    CHECK_TENSOR_EQ(w.grad(), Tensor({4, 2}, {7, 7, 1101, 2202, 0, 0, 10, 20}));
    Tensor wp = tt::zeros({4, 2}).requires_grad_();
    F::embedding(wp, ids, /*padding_idx=*/1).backward(g);
    CHECK_TENSOR_EQ(wp.grad(), Tensor({4, 2}, {7, 7, 0, 0, 0, 0, 10, 20}));
    // The ids were copied when recorded: refilling the caller's buffer before backward changes nothing.
    Tensor w2 = tt::zeros({4, 2}).requires_grad_();
    Tensor buf({2}, {0, 3});
    Tensor y = F::embedding(w2, buf);
    buf.fill_(2.0f);
    y.backward(tt::ones({2, 2}));
    CHECK_TENSOR_EQ(w2.grad(), Tensor({4, 2}, {1, 1, 0, 0, 0, 0, 1, 1}));
}

TEST_CASE("12 nn::Embedding: one parameter 'weight' [V, C], N(0, 1) like torch, padding row 0") {
    tt::Generator gen(5);
    tt::nn::Embedding emb(500, 64, /*padding_idx=*/3, gen);
    auto named = emb.named_parameters();
    REQUIRE(named.size() == 1);
    CHECK(named[0].first == "weight");
    CHECK(emb.weight.value.shape() == Shape{500, 64});
    CHECK_TENSOR_EQ(emb.weight.value.select(0, 3), tt::zeros({64}));
    // 32,000 draws of N(0, 1): the mean is within 4 standard errors (4 / sqrt(32000) = 0.022) of 0, the std near 1.
    std::vector<float> v = emb.weight.value.to_vector();
    double sum = 0, sq = 0;
    for (float x : v) sum += x, sq += double(x) * x;
    const double n = double(v.size() - 64), mean = sum / n, var = sq / n - mean * mean;
    CHECK(std::fabs(mean) < 0.022);
    CHECK(std::fabs(std::sqrt(var) - 1.0) < 0.02);
    // Same seed, same table; a different seed, a different one.
    tt::Generator a(9), b(9), c(10);
    tt::nn::Embedding ea(6, 3, -1, a), eb(6, 3, -1, b), ec(6, 3, -1, c);
    CHECK_TENSOR_EQ(ea.weight.value, eb.weight.value);
    CHECK(ea.weight.value.to_vector() != ec.weight.value.to_vector());
}

TEST_CASE("12 nn::Embedding: called as layer(ids) it is one graph node; backward() by hand adds the same") {
    const Tensor ids = fx()["emb.ids"], g = fx()["emb.g"];
    tt::nn::Embedding emb(7, 4, /*padding_idx=*/0);
    emb.weight.value.copy_(fx()["emb.weight"]);
    Tensor out = emb(ids);
    CHECK_TENSOR_EQ(out, fx()["emb.pad0.out"]);
    REQUIRE(out.requires_grad());
    out.backward(g);
    CHECK_TENSOR(emb.weight.grad, fx()["emb.pad0.grad"], 1e-6f, 1e-6f);
    // The module-04 protocol: forward, then backward(dout) adds into weight.grad again (so now twice the gradient).
    {
        tt::autograd::NoGrad no_grad;
        emb.forward(ids);
    }
    CHECK_FALSE(emb.backward(g).defined());  // ids have no gradient
    CHECK_TENSOR(emb.weight.grad, tt::mul(fx()["emb.pad0.grad"], tt::scalar(2.0f)), 1e-6f, 1e-6f);
}

TEST_CASE("12 sinusoidal_positions: the Transformer formula") {
    CHECK_TENSOR(tt::nn::sinusoidal_positions(9, 6), fx()["pe.T9C6"], 1e-7f, 1e-6f);
    CHECK_TENSOR(tt::nn::sinusoidal_positions(3, 2), fx()["pe.T3C2"], 1e-7f, 1e-6f);
    // Position 0 is (sin 0, cos 0, ...) = (0, 1, 0, 1, ...); column 0 is sin(t) (frequency 1); the last pair of
    // columns turns slowest: 10000^((C-2)/C) positions per radian.
    Tensor pe = tt::nn::sinusoidal_positions(50, 8);
    CHECK_TENSOR_EQ(pe.select(0, 0), Tensor({8}, {0, 1, 0, 1, 0, 1, 0, 1}));
    CHECK(pe.at({37, 0}) == doctest::Approx(std::sin(37.0)).epsilon(1e-6));
    CHECK(pe.at({37, 7}) == doctest::Approx(std::cos(37.0 / std::pow(10000.0, 6.0 / 8.0))).epsilon(1e-6));
    // Each pair is a point on the unit circle: sin^2 + cos^2 = 1 for every position and frequency.
    for (int64_t t = 0; t < 50; t += 7)
        for (int64_t i = 0; i < 4; ++i)
            CHECK(std::hypot(pe.at({t, 2 * i}), pe.at({t, 2 * i + 1})) == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(tt::nn::sinusoidal_positions(0, 4).shape() == Shape{0, 4});
}

TEST_CASE("12 a language-model step: tok(ids) + positions -> linear -> cross_entropy, gradients vs torch") {
    Tensor table = fx()["lm.table"].requires_grad_(), lw = fx()["lm.lw"].requires_grad_();
    Tensor lb = fx()["lm.lb"].requires_grad_();
    const Tensor seq = fx()["lm.seq"], next = fx()["lm.next"];
    const int64_t V = table.shape(0), C = table.shape(1), T = seq.shape(1);
    Tensor h = F::add(F::embedding(table, seq), tt::nn::sinusoidal_positions(T, C));  // [B, T, C] + [T, C]
    Tensor loss = F::cross_entropy(F::reshape(F::linear(h, lw, lb), {-1, V}), next.reshape({-1}));
    CHECK(loss.item() == doctest::Approx(fx()["lm.loss"].item()).epsilon(1e-5));
    loss.backward();
    CHECK_TENSOR(table.grad(), fx()["lm.grad.table"], 1e-5f, 1e-4f);
    CHECK_TENSOR(lw.grad(), fx()["lm.grad.lw"], 1e-5f, 1e-4f);
    CHECK_TENSOR(lb.grad(), fx()["lm.grad.lb"], 1e-5f, 1e-4f);
}

TEST_CASE("12 gradient sparsity: backward writes only the rows the batch names") {
    Tensor ids({2, 6}, {4, 4, 9, 0, 9, 4, 1, 1, 1, 4, 0, 0});  // distinct: 0, 1, 4, 9
    CHECK(tt::embedding_rows_touched(ids, 12) == 4);
    Tensor dw = tt::embedding_backward(tt::ones({2, 6, 3}), ids, 12);
    int64_t nonzero_rows = 0;
    for (int64_t r = 0; r < 12; ++r) nonzero_rows += tt::sum(tt::abs(dw.select(0, r))).item() > 0;
    CHECK(nonzero_rows == 4);
    CHECK(dw.at({4, 0}) == 4.0f);  // id 4 appears 4 times
}

TEST_CASE("12 errors: a bad id, table, padding_idx or dimension names what was wrong" * TT_NEEDS_EXCEPTIONS) {
    Tensor w = tt::zeros({7, 3});
    CHECK_THROWS_WITH(F::embedding(w, Tensor({4}, {0, 1, 2, 7})),
                      doctest::Contains("indices[3] = 7 is out of range for an embedding table of V = 7 rows"));
    CHECK_THROWS_WITH(F::embedding(w, Tensor({2}, {-1, 0})), doctest::Contains("indices[0] = -1 is out of range"));
    CHECK_THROWS_WITH(F::embedding(w, Tensor({3}, {0, 2.5f, 1})),
                      doctest::Contains("indices[1] = 2.5 is not an integer"));
    CHECK_THROWS_WITH(F::embedding(w, Tensor({1}, {NAN})), doctest::Contains("is not an integer"));
    CHECK_THROWS_WITH(F::embedding(tt::zeros({7}), Tensor({1}, {0})), doctest::Contains("weight must be [V, C]"));
    CHECK_THROWS_WITH(F::embedding(w, Tensor({1}, {0}), 7), doctest::Contains("padding_idx = 7"));
    CHECK_THROWS_WITH(tt::nn::Embedding(7, 3, -2), doctest::Contains("padding_idx = -2"));
    CHECK_THROWS_WITH(tt::nn::Embedding(0, 3), doctest::Contains("num_embeddings and embedding_dim must be > 0"));
    CHECK_THROWS_WITH(tt::nn::sinusoidal_positions(4, 5), doctest::Contains("must be even"));
    tt::nn::Embedding emb(7, 3);
    CHECK_THROWS_WITH(emb.backward(tt::zeros({1, 3})), doctest::Contains("call forward first"));
    CHECK_THROWS_WITH(emb(Tensor({2}, {1, 70})), doctest::Contains("indices[1] = 70"));
}
