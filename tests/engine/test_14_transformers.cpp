// Module 14 — Transformers: layer norm against PyTorch and finite differences (and its variance against the
// one-pass formula), the residual block, sampling, and a whole GPT in llm.c's manner: the same small model built
// in PyTorch with the same weights (tests/fixtures/14_transformers.txt) — logits, loss, every parameter's gradient,
// then the losses of AdamW steps; and the KV cache against full recomputation.
#include <cmath>
#include <string>
#include <vector>

#include "adam.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "gpt.h"
#include "grad_mode.h"
#include "gradcheck.h"
#include "layer_norm.h"
#include "norm.h"
#include "random.h"
#include "reduce.h"
#include "sampling.h"
#include "testing.h"
#include "transformer.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("14_transformers.txt");
    return f;
}

Tensor leaf(const Tensor& t) { return t.clone().requires_grad_(); }

tt::GPTConfig small_config(bool tied) {
    tt::GPTConfig c;
    c.vocab_size = 13, c.block_size = 8, c.n_layer = 2, c.n_head = 2, c.n_embd = 8, c.tie_weights = tied;
    return c;
}

// Every parameter of the engine's GPT from the fixture, by name ("h.0.attn.in_proj_weight", ...).
void load_gpt(tt::GPT& model, const std::string& untied_head = "") {
    for (auto& named : model.named_parameters()) {
        const std::string name = named.first;  // a copy: clang 14 cannot capture a structured binding (INFO)
        tt::nn::Parameter* p = named.second;
        INFO("parameter " << name);
        std::string key = (name == "lm_head.weight" ? untied_head : "gpt.param.") + name;
        Tensor w = fx()[key];
        REQUIRE(w.shape() == p->value.shape());
        p->value.copy_(w);
    }
}

}  // namespace

TEST_CASE("14 layer_norm vs PyTorch: output and x, weight, bias gradients, rows near 1000 included") {
    Tensor x = leaf(fx()["ln.x"]), w = leaf(fx()["ln.weight"]), b = leaf(fx()["ln.bias"]);
    Tensor y = F::layer_norm(x, w, b);
    CHECK_TENSOR(y, fx()["ln.y"], 1e-4f, 1e-4f);
    y.backward(fx()["ln.g"]);
    CHECK_TENSOR(x.grad(), fx()["ln.grad.x"], 2e-3f, 1e-3f);  // the rows near 1000 carry float32's rounding of x
    CHECK_TENSOR(w.grad(), fx()["ln.grad.weight"], 1e-4f, 1e-4f);
    CHECK_TENSOR(b.grad(), fx()["ln.grad.bias"], 1e-5f, 1e-5f);
}

TEST_CASE("14 layer_norm's variance: two passes keep what the one-pass E[x^2] - E[x]^2 loses near 1000") {
    Tensor x = tt::add(tt::mul(tt::randn({1, 256}, 7), tt::scalar(0.01f)), tt::scalar(1000.0f));
    double mean = 0, var = 0;  // the exact variance of these floats, in double
    for (int64_t i = 0; i < 256; ++i) mean += x.data()[i] / 256.0;
    for (int64_t i = 0; i < 256; ++i) var += (x.data()[i] - mean) * (x.data()[i] - mean) / 256.0;
    Tensor y(x.shape());
    float m = 0, rstd = 0;
    tt::layer_norm_forward(x.data(), nullptr, nullptr, 1, 256, 1e-12f, y.data(), &m, &rstd);
    const double two_pass = 1.0 / (static_cast<double>(rstd) * rstd);
    CHECK(std::fabs(two_pass - var) / var < 1e-2);
    CHECK(std::fabs(tt::naive_variance(x.data(), 256) - var) / var > 0.5);  // the one-pass formula: garbage
    // the normalised row has variance 1
    double v1 = 0;
    for (int64_t i = 0; i < 256; ++i) v1 += y.data()[i] * y.data()[i] / 256.0;
    CHECK(v1 == doctest::Approx(1.0).epsilon(1e-2));
}

TEST_CASE("14 gradcheck: F::layer_norm with and without weight and bias") {
    Tensor x = tt::randn({3, 5}, 8), w = tt::randn({5}, 9), b = tt::randn({5}, 10), g = tt::randn({3, 5}, 11);
    for (bool affine : {true, false}) {
        INFO("affine " << affine);
        Tensor xl = leaf(x), wl = affine ? leaf(w) : Tensor(), bl = affine ? leaf(b) : Tensor();
        F::layer_norm(xl, wl, bl).backward(g);
        auto fx_ = [&](const Tensor& v) { return F::layer_norm(v, affine ? w : Tensor(), affine ? b : Tensor()); };
        CHECK_TENSOR(xl.grad(), tt_test::numeric_grad(fx_, x, g), 2e-3f, 1e-2f);
        if (affine) {
            auto fw = [&](const Tensor& v) { return F::layer_norm(x, v, b); };
            auto fb = [&](const Tensor& v) { return F::layer_norm(x, w, v); };
            CHECK_TENSOR(wl.grad(), tt_test::numeric_grad(fw, w, g), 2e-3f, 1e-2f);
            CHECK_TENSOR(bl.grad(), tt_test::numeric_grad(fb, b, g), 2e-3f, 1e-2f);
        }
    }
}

TEST_CASE("14 LayerNorm module: weight ones, bias zeros, torch's names; output has mean 0 and variance 1 per row") {
    tt::nn::LayerNorm ln(6);
    auto params = ln.named_parameters();
    REQUIRE(params.size() == 2);
    CHECK(params[0].first == "weight");
    CHECK(params[1].first == "bias");
    CHECK(params[0].second->value.to_vector() == std::vector<float>(6, 1.0f));
    Tensor y = ln(tt::add(tt::randn({4, 6}, 12), tt::scalar(3.0f)));
    Tensor mean = tt::mean(y, 1), var = tt::mean(tt::mul(y, y), 1);
    for (int64_t r = 0; r < 4; ++r) {
        CHECK(std::fabs(mean.at({r})) < 1e-5f);
        CHECK(var.at({r}) == doctest::Approx(1.0f).epsilon(1e-3));
    }
}

TEST_CASE("14 transformer block: with both sublayers' outputs zeroed it is the identity, and dL/dx = g (residuals)") {
    tt::Generator gen(3);
    tt::nn::TransformerBlock block(8, 2, gen);
    block.attn->out_proj->weight.value.fill_(0.0f);
    block.attn->out_proj->bias->value.fill_(0.0f);
    block.mlp->proj->weight.value.fill_(0.0f);
    block.mlp->proj->bias->value.fill_(0.0f);
    Tensor x = leaf(tt::randn({2, 5, 8}, 4)), g = tt::randn({2, 5, 8}, 5);
    Tensor y = block(x);
    CHECK_TENSOR_EQ(y, x.detach());
    y.backward(g);
    CHECK_TENSOR(x.grad(), g, 1e-6f, 0.0f);
    // the sublayers still get gradients: out_proj's weight sees the attention output
    CHECK(tt::sum(tt::abs(block.attn->out_proj->weight.grad)).item() > 0.0f);
}

TEST_CASE("14 GPT vs PyTorch (tied head): logits, loss and every parameter's gradient") {
    tt::GPT model(small_config(true));
    CHECK(model.named_parameters().size() == 2 + 2 * 12 + 2);  // wte, wpe; 12 per block; ln_f
    load_gpt(model);
    Tensor logits = model(fx()["gpt.idx"]);
    CHECK_TENSOR(logits, fx()["gpt.logits"], 1e-4f, 1e-4f);
    Tensor loss = tt::GPT::loss(logits, fx()["gpt.targets"]);
    CHECK(loss.item() == doctest::Approx(fx()["gpt.loss"].item()).epsilon(1e-5));
    loss.backward();
    for (auto& named : model.named_parameters()) {
        const std::string name = named.first;  // a copy: clang 14 cannot capture a structured binding (INFO)
        tt::nn::Parameter* p = named.second;
        INFO("gradient of " << name);
        CHECK_TENSOR(p->grad, fx()["gpt.grad." + name], 2e-5f, 1e-3f);
    }
}

TEST_CASE("14 GPT vs PyTorch (untied head): lm_head has its own weight and wte only the embedding's gradient") {
    tt::GPT model(small_config(false));
    REQUIRE(model.lm_head);
    CHECK(model.parameter_count() == tt::GPT(small_config(true)).parameter_count() + 13 * 8);
    load_gpt(model, "gptu.param.");
    Tensor loss = tt::GPT::loss(model(fx()["gpt.idx"]), fx()["gpt.targets"]);
    CHECK(loss.item() == doctest::Approx(fx()["gptu.loss"].item()).epsilon(1e-5));
    loss.backward();
    CHECK_TENSOR(model.lm_head->weight.grad, fx()["gptu.grad.lm_head.weight"], 2e-5f, 1e-3f);
    CHECK_TENSOR(model.wte->weight.grad, fx()["gptu.grad.wte.weight"], 2e-5f, 1e-3f);
}

TEST_CASE("14 GPT + AdamW: six steps on PyTorch's batches track PyTorch's losses") {
    tt::GPT model(small_config(true));
    load_gpt(model);
    tt::optim::AdamW opt(model.parameters(), {{"lr", 1e-2}, {"weight_decay", 0.1}});
    Tensor batches = fx()["adamw.batches"], expected = fx()["adamw.losses"];  // [6, B, T + 1]
    for (int64_t step = 0; step < 6; ++step) {
        INFO("step " << step);
        Tensor b = batches.select(0, step);
        opt.zero_grad();
        Tensor loss = tt::GPT::loss(model(b.slice(1, 0, 8)), b.slice(1, 1, 9));
        loss.backward();
        opt.step();
        CHECK(loss.item() == doctest::Approx(expected.at({step})).epsilon(1e-4));
    }
}

TEST_CASE("14 GPT KV cache: cached logits equal full recomputation; generation is the same with and without it") {
    tt::Generator init(21);
    tt::GPT model(small_config(true), init);
    Tensor idx = tt::Tensor({2, 8}, {1, 5, 2, 9, 0, 3, 3, 12, 4, 4, 7, 1, 11, 6, 2, 8});
    Tensor full;
    {
        tt::autograd::NoGrad no_grad;
        full = model(idx);
    }
    tt::GPTCache cache = model.make_cache(2);
    CHECK(cache.nbytes() == 2 /*layers*/ * 2 /*k, v*/ * 2 * 2 * 8 * 4 * 4);
    Tensor prefill = model.forward_cached(idx.slice(1, 0, 3), cache);
    CHECK_TENSOR(prefill, full.slice(1, 0, 3), 1e-5f, 1e-4f);
    for (int64_t t = 3; t < 8; ++t) {
        INFO("position " << t);
        CHECK_TENSOR(model.forward_cached(idx.slice(1, t, t + 1), cache), full.slice(1, t, t + 1), 1e-5f, 1e-4f);
    }
    CHECK(cache.length() == 8);
    for (const tt::SamplingOptions& o : {tt::SamplingOptions{0.0f, 0, 1.0f}, tt::SamplingOptions{0.8f, 5, 0.9f}}) {
        INFO("temperature " << o.temperature);
        tt::Generator g1(7), g2(7);
        Tensor a = model.generate(idx.slice(1, 0, 2), 6, o, g1, true);
        Tensor b = model.generate(idx.slice(1, 0, 2), 6, o, g2, false);
        CHECK(a.shape() == Shape{2, 8});
        CHECK_TENSOR_EQ(a, b);
        CHECK_TENSOR_EQ(a.slice(1, 0, 2), idx.slice(1, 0, 2));
    }
    // Without the cache generation goes on past block_size, the context cropped to the last 8 tokens.
    tt::Generator g3(8);
    CHECK(model.generate(idx.slice(1, 0, 2), 10, {}, g3, false).shape() == Shape{2, 12});
}

TEST_CASE("14 sampling: greedy, temperature, top-k, top-p distributions; a seed reproduces the draws") {
    const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f};
    auto probs = [&](float t, int64_t k, float p) { return tt::next_token_probs(logits.data(), 5, {t, k, p}); };
    CHECK(probs(0.0f, 0, 1.0f) == std::vector<float>{0, 1, 0, 0, 0});  // greedy: ties go to the lowest id
    std::vector<float> full = probs(1.0f, 0, 1.0f);
    double z = 0;
    for (float l : logits) z += std::exp(l - 3.0);
    for (int i = 0; i < 5; ++i) CHECK(full[i] == doctest::Approx(std::exp(logits[i] - 3.0) / z));
    std::vector<float> cold = probs(0.5f, 0, 1.0f);  // sharper: the two best share more
    CHECK(cold[1] + cold[3] > full[1] + full[3]);
    // top-k 1 keeps both ids tied at the top; top-k 3 keeps 1, 3, 2
    std::vector<float> k1 = probs(1.0f, 1, 1.0f), k3 = probs(1.0f, 3, 1.0f);
    CHECK(k1 == std::vector<float>{0, 0.5f, 0, 0.5f, 0});
    CHECK(k3[0] == 0.0f);
    CHECK(k3[4] == 0.0f);
    CHECK(k3[2] == doctest::Approx(full[2] / (full[1] + full[2] + full[3])));
    // top-p: the best two hold 2 * 0.3837... = 0.767; p = 0.7 keeps them (the crossing one included), 0.8 adds id 2
    std::vector<float> p7 = probs(1.0f, 0, 0.7f), p8 = probs(1.0f, 0, 0.8f);
    CHECK(p7 == std::vector<float>{0, 0.5f, 0, 0.5f, 0});
    CHECK(p8[2] > 0.0f);
    CHECK(p8[0] == 0.0f);
    // draws follow the distribution and a seed repeats them
    tt::Generator g(11), h(11);
    std::vector<int> counts(5, 0);
    for (int n = 0; n < 4000; ++n) {
        int64_t a = tt::sample_next_token(logits.data(), 5, {1.0f, 3, 1.0f}, g);
        CHECK(a == tt::sample_next_token(logits.data(), 5, {1.0f, 3, 1.0f}, h));
        ++counts[static_cast<size_t>(a)];
    }
    CHECK(counts[0] == 0);
    CHECK(counts[4] == 0);
    CHECK(counts[2] / 4000.0 == doctest::Approx(k3[2]).epsilon(0.1));
}

TEST_CASE("14 transformers: bad input is an error naming what was wrong") {
    TT_CHECK_ERROR_CONTAINS(F::layer_norm(tt::zeros({2, 3}), tt::ones({4})), "weight and bias must be [3]");
    tt::GPT model(small_config(true));
    TT_CHECK_ERROR_CONTAINS(model(tt::zeros({1, 9})), "block_size");
    tt::Generator g(1);
    TT_CHECK_ERROR_CONTAINS(model.generate(tt::zeros({1, 4}), 5, {}, g, true), "generate without the cache");
    const float l[2] = {0, 1};
    TT_CHECK_ERROR_CONTAINS(tt::next_token_probs(l, 2, {1.0f, 0, 1.5f}), "top_p");
}
