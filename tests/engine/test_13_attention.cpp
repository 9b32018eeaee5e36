// Module 13 — Attention: the attention softmax (masks, a fully masked row, stability), scaled dot-product attention
// and nn.MultiheadAttention against PyTorch (tests/fixtures/13_attention.txt), and the KV cache against full
// recomputation.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "activations.h"
#include "attention.h"
#include "attention_softmax.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "grad_mode.h"
#include "gradcheck.h"
#include "random.h"
#include "reduce.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("13_attention.txt");
    return f;
}

const float kInf = std::numeric_limits<float>::infinity();

// The fixture's additive mask: its finite part, -inf where "blocked" is 1.
Tensor mask_of(const std::string& tag) {
    Tensor m = fx()[tag + ".mask.bias"], blocked = fx()[tag + ".mask.blocked"];
    for (int64_t i = 0; i < m.numel(); ++i)
        if (blocked.data()[i] == 1.0f) m.data()[i] = -kInf;
    return m;
}

Tensor leaf(const Tensor& t) { return t.clone().requires_grad_(); }

// F::scaled_dot_product_attention on the fixture's q, k, v, weighted by its g: output and the three gradients.
void check_sdpa_case(const std::string& tag, const Tensor& mask, bool causal) {
    INFO("case " << tag);
    Tensor q = leaf(fx()[tag + ".q"]), k = leaf(fx()[tag + ".k"]), v = leaf(fx()[tag + ".v"]);
    Tensor out = F::scaled_dot_product_attention(q, k, v, mask, causal);
    CHECK_TENSOR(out, fx()[tag + ".out"], 1e-5f, 1e-4f);
    F::sum(F::mul(out, fx()[tag + ".g"])).backward();
    CHECK_TENSOR(q.grad(), fx()[tag + ".grad.q"], 1e-5f, 1e-4f);
    CHECK_TENSOR(k.grad(), fx()[tag + ".grad.k"], 1e-5f, 1e-4f);
    CHECK_TENSOR(v.grad(), fx()[tag + ".grad.v"], 1e-5f, 1e-4f);
}

void load_mha(tt::nn::MultiheadAttention& mha) {
    tt::StateDict sd;
    for (const char* name : {"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"})
        sd[name] = fx()[std::string("mha.param.") + name];
    mha.load_state_dict(sd);
}

}  // namespace

TEST_CASE("13 attention_softmax: rows sum to 1, masked keys get exactly 0, a fully masked row is 0 (not NaN)") {
    Tensor s = tt::randn({2, 3, 4}, 1);
    Tensor mask = tt::zeros({3, 4});
    mask.at({0, 1}) = -kInf;
    mask.at({2, 0}) = mask.at({2, 1}) = mask.at({2, 2}) = mask.at({2, 3}) = -kInf;  // query 2 sees no key
    Tensor p = tt::attention_softmax_forward(s, 0.5f, mask);
    for (int64_t b = 0; b < 2; ++b) {
        for (int64_t i = 0; i < 2; ++i) {
            float sum = 0;
            for (int64_t j = 0; j < 4; ++j) sum += p.at({b, i, j});
            CHECK(sum == doctest::Approx(1.0f).epsilon(1e-6));
        }
        CHECK(p.at({b, 0, 1}) == 0.0f);
        for (int64_t j = 0; j < 4; ++j) CHECK(p.at({b, 2, j}) == 0.0f);
        // Row 1 is softmax(0.5 * s) exactly as module 03 computes it.
        Tensor row = tt::softmax_forward(tt::mul(s.select(0, b).select(0, 1), tt::scalar(0.5f)));
        for (int64_t j = 0; j < 4; ++j) CHECK(p.at({b, 1, j}) == doctest::Approx(row.at({j})).epsilon(1e-6));
    }
    // is_causal: query i sees keys 0..i (top-left, as PyTorch), the same as causal_mask(T, T).
    Tensor c = tt::attention_softmax_forward(s.slice(2, 0, 3), 1.0f, Tensor(), true);
    CHECK_TENSOR(c, tt::attention_softmax_forward(s.slice(2, 0, 3), 1.0f, tt::causal_mask(3, 3)), 0.0f, 0.0f);
    CHECK(c.at({0, 0, 0}) == 1.0f);
    CHECK(c.at({1, 1, 2}) == 0.0f);
    // Stable: scores of +-1e4 give finite weights.
    Tensor big = tt::attention_softmax_forward(Tensor({1, 3}, {1e4f, -1e4f, 1e4f - 1.0f}), 1.0f);
    CHECK(big.at({0, 0}) == doctest::Approx(1.0f / (1.0f + std::exp(-1.0f))));
    CHECK(big.at({0, 1}) == 0.0f);
}

TEST_CASE("13 causal_mask (bottom-right for a cache) and key_padding_mask") {
    Tensor m = tt::causal_mask(2, 4);  // the last 2 of 4 positions: query 0 is position 2
    CHECK(m.shape() == Shape{2, 4});
    CHECK(m.to_vector() == std::vector<float>{0, 0, 0, -kInf, 0, 0, 0, 0});
    Tensor pad = tt::key_padding_mask(Tensor({2, 3}, {0, 0, 1, 0, 0, 0}));
    CHECK(pad.shape() == Shape{2, 1, 1, 3});
    CHECK(pad.to_vector() == std::vector<float>{0, 0, -kInf, 0, 0, 0});
}

TEST_CASE("13 gradcheck: attention_softmax with a mask and causal, against finite differences") {
    Tensor s = tt::randn({2, 3, 3}, 2), g = tt::randn({2, 3, 3}, 3);
    Tensor mask = tt::zeros({3, 3});
    mask.at({1, 2}) = -kInf;
    for (bool causal : {false, true}) {
        INFO("causal " << causal);
        Tensor sm = causal ? Tensor() : mask;
        auto f = [&](const Tensor& x) { return tt::attention_softmax_forward(x, 0.7f, sm, causal); };
        Tensor x = leaf(s);
        F::attention_softmax(x, 0.7f, sm, causal).backward(g);
        CHECK_TENSOR(x.grad(), tt_test::numeric_grad(f, s, g), 2e-3f, 1e-2f);
    }
}

TEST_CASE("13 scaled_dot_product_attention vs PyTorch: plain, causal, additive mask (output and q, k, v grads)") {
    check_sdpa_case("plain", Tensor(), false);
    check_sdpa_case("causal", Tensor(), true);
    check_sdpa_case("mask", mask_of("mask"), false);
}

TEST_CASE("13 a fully masked query: output 0 where PyTorch 1.13 gives NaN; the rest and every gradient as PyTorch") {
    // The fixture's reference leaves that query out (torch >= 2.5 returns 0 for it, as the engine does).
    Tensor nan_rows = fx()["full.nan_rows"];
    CHECK(tt::sum(nan_rows).item() == 2.0f);  // batch 1, query 3, both heads: what torch itself could not define
    check_sdpa_case("full", mask_of("full"), false);
    Tensor out = F::scaled_dot_product_attention(fx()["full.q"], fx()["full.k"], fx()["full.v"], mask_of("full"));
    for (int64_t h = 0; h < 2; ++h)
        for (int64_t d = 0; d < 3; ++d) CHECK(out.at({1, h, 3, d}) == 0.0f);
}

TEST_CASE("13 split_heads and merge_heads: [B, T, C] <-> [B, H, T, D], the head axis a view of the features") {
    Tensor x = tt::arange(2 * 3 * 8).reshape({2, 3, 8});
    Tensor h = tt::nn::split_heads(x, 2);
    CHECK(h.shape() == Shape{2, 2, 3, 4});
    CHECK(h.shares_storage(x));  // a view: nothing copied to split
    CHECK(h.at({1, 1, 2, 3}) == x.at({1, 2, 7}));
    CHECK(h.at({0, 1, 0, 0}) == x.at({0, 0, 4}));
    CHECK_TENSOR_EQ(tt::nn::merge_heads(h), x);
}

TEST_CASE("13 MultiheadAttention vs nn.MultiheadAttention: causal and key padding, output and every gradient") {
    for (const char* tag : {"causal", "pad"}) {
        const std::string t = std::string("mha.") + tag;
        INFO(t);
        tt::nn::MultiheadAttention mha(8, 2);
        load_mha(mha);
        Tensor x = leaf(fx()[t + ".x"]);
        Tensor mask = std::string(tag) == "pad" ? tt::key_padding_mask(fx()["mha.pad"]) : Tensor();
        Tensor out = mha.forward(x, mask, std::string(tag) == "causal");
        CHECK_TENSOR(out, fx()[t + ".out"], 1e-5f, 1e-4f);
        F::sum(F::mul(out, fx()[t + ".g"])).backward();
        CHECK_TENSOR(x.grad(), fx()[t + ".grad.x"], 1e-5f, 1e-4f);
        for (auto& named : mha.named_parameters()) {
            const std::string name = named.first;
            tt::nn::Parameter* p = named.second;
            INFO("parameter " << name);
            CHECK_TENSOR(p->grad, fx()[t + ".grad." + name], 1e-5f, 1e-4f);
        }
    }
}

TEST_CASE("13 KV cache: token-by-token and chunked decoding equal full causal recomputation; bytes accounted") {
    tt::Generator gen(5);
    tt::nn::MultiheadAttention mha(8, 2, true, gen);
    const int64_t B = 2, T = 7;
    Tensor x = tt::randn({B, T, 8}, 6);
    Tensor full;
    {
        tt::autograd::NoGrad no_grad;
        full = mha.forward(x, Tensor(), true);
    }
    tt::nn::KVCache cache = mha.make_cache(B, T);
    CHECK(cache.nbytes() == 2 * B * 2 * T * 4 * 4);  // k and v, [B, H, max_len, D] float32 each
    for (int64_t t = 0; t < T; ++t) {
        INFO("token " << t);
        Tensor y = mha.forward_cached(x.slice(1, t, t + 1), cache);
        CHECK(cache.length == t + 1);
        CHECK_TENSOR(y, full.slice(1, t, t + 1), 1e-5f, 1e-4f);
    }
    // A prompt of 3 in one pass ("prefill"), then 4 at once: the new queries are the last of the cached positions.
    cache.reset();
    Tensor a = mha.forward_cached(x.slice(1, 0, 3), cache), b = mha.forward_cached(x.slice(1, 3, T), cache);
    CHECK_TENSOR(a, full.slice(1, 0, 3), 1e-5f, 1e-4f);
    CHECK_TENSOR(b, full.slice(1, 3, T), 1e-5f, 1e-4f);
}

TEST_CASE("13 attention: bad input is an error naming what was wrong") {
    Tensor q = tt::zeros({1, 2, 4}), k = tt::zeros({1, 3, 5});
    TT_CHECK_ERROR_CONTAINS(F::scaled_dot_product_attention(q, k, k), "do not fit");
    TT_CHECK_ERROR_CONTAINS(tt::attention_softmax_forward(tt::zeros({2, 3}), 1.0f, tt::zeros({4})), "cannot broadcast");
    TT_CHECK_ERROR_CONTAINS(tt::attention_softmax_forward(tt::zeros({2, 3}), 1.0f, tt::zeros({2, 2, 3})),
                            "does not broadcast to the scores");
    TT_CHECK_ERROR_CONTAINS(tt::nn::MultiheadAttention(10, 3), "multiple of num_heads");
    tt::nn::MultiheadAttention mha(8, 2);
    tt::nn::KVCache cache = mha.make_cache(1, 2);
    TT_CHECK_ERROR_CONTAINS(mha.forward_cached(tt::zeros({1, 3, 8}), cache), "exceed");
    TT_CHECK_ERROR_CONTAINS(tt::causal_mask(3, 2), "Tq <= Tk");
}
