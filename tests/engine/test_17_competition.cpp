// Module 17 — Competition: the managed KV cache against GPT::generate (bit for bit, no cache allocation per
// request, the max-length error), the dynamic batcher on hand-worked arrival schedules, bf16 rounding on hand-worked
// bit patterns and its array kernel against the scalar twin, dynamic loss scaling, mixed-precision training against
// fp32, and logit-averaging ensembles against hand computation.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "batcher.h"
#include "bf16.h"
#include "classifier.h"
#include "ensemble.h"
#include "fixtures.h"
#include "functional.h"
#include "generate.h"
#include "gpt.h"
#include "grad_mode.h"
#include "linear.h"
#include "metrics.h"
#include "mixed_precision.h"
#include "random.h"
#include "sgd.h"
#include "testing.h"

using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

float from_bits(uint32_t b) {
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

uint32_t to_bits(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

tt::GPTConfig small_gpt() {
    tt::GPTConfig c;
    c.vocab_size = 13, c.block_size = 16, c.n_layer = 2, c.n_head = 2, c.n_embd = 8;
    return c;
}

}  // namespace

TEST_CASE("17 bf16: round to nearest even, ties, overflow to Inf, NaN, Inf and denormals on hand-worked bits") {
    struct Case {
        uint32_t in;
        uint16_t out;
        const char* what;
    };
    const std::vector<Case> cases = {
        {0x3f800000u, 0x3f80, "1.0 is exact"},
        {0x3f807fffu, 0x3f80, "just below half: down"},
        {0x3f808000u, 0x3f80, "a tie, kept part even (0x3f80): stays"},
        {0x3f818000u, 0x3f82, "a tie, kept part odd (0x3f81): up to even"},
        {0x3f808001u, 0x3f81, "just above half: up"},
        {0xbf818000u, 0xbf82, "negative tie: magnitude to even"},
        {0x3fffffffu, 0x4000, "carry into the exponent (1.999... -> 2.0)"},
        {0x7f7fffffu, 0x7f80, "the largest float rounds to +Inf"},
        {0x7f800000u, 0x7f80, "+Inf"},
        {0xff800000u, 0xff80, "-Inf"},
        {0x7f800001u, 0x7fc0, "NaN with payload only in the low bits stays NaN (quiet), not Inf"},
        {0x7fffffffu, 0x7fff, "NaN with every payload bit: no carry into the sign"},
        {0xffc00000u, 0xffc0, "negative quiet NaN keeps its sign"},
        {0x00000001u, 0x0000, "the smallest denormal rounds to +0"},
        {0x00008000u, 0x0000, "denormal tie, even: +0"},
        {0x00018000u, 0x0002, "denormal tie, odd: up"},
        {0x0000c000u, 0x0001, "denormal above half: the smallest bf16 denormal"},
        {0x80000000u, 0x8000, "-0 keeps its sign"},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        CHECK(tt::float_to_bf16(from_bits(c.in)) == c.out);
        uint16_t a = 0, r = 0;
        const float x = from_bits(c.in);
        tt::float_to_bf16(&x, &a, 1);
        tt::float_to_bf16_ref(&x, &r, 1);
        CHECK(a == c.out);
        CHECK(r == c.out);
    }
    CHECK(tt::bf16_to_float(0x3f81) == 1.0078125f);
    CHECK(tt::bf16_to_float(0x0001) == std::ldexp(1.0f, -133));  // widening keeps a denormal exact
    CHECK(std::isnan(tt::bf16_to_float(0x7fc0)));
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7 (even: 1); 1 + 3 * 2^-8 halfway between 1 + 2^-7 and 1 + 2^-6
    Tensor x = Tensor({4}, {1.0f + std::ldexp(1.0f, -8), 1.0f + 3 * std::ldexp(1.0f, -8), -3.0f, 1e-3f});
    Tensor y = tt::bf16_round(x.slice(0, 0, 4, 1));
    CHECK(y.to_vector() == std::vector<float>{1.0f, 1.0f + std::ldexp(1.0f, -6), -3.0f, tt::bf16_to_float(0x3a83)});
}

TEST_CASE("17 bf16: the array kernel equals the scalar twin on every upper half with edge and random lower halves") {
    tt::Generator gen(3);
    std::vector<float> x;
    for (uint32_t hi = 0; hi < 0x10000u; ++hi)
        for (uint32_t lo : {0x0000u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu, static_cast<uint32_t>(gen.uniform() * 65536)})
            x.push_back(from_bits(hi << 16 | lo));
    std::vector<uint16_t> fast(x.size()), ref(x.size());
    tt::float_to_bf16(x.data(), fast.data(), static_cast<int64_t>(x.size()));
    tt::float_to_bf16_ref(x.data(), ref.data(), static_cast<int64_t>(x.size()));
    int64_t mismatches = 0;
    for (size_t i = 0; i < x.size(); ++i) mismatches += fast[i] != ref[i] ? 1 : 0;
    CHECK(mismatches == 0);
    // the round trip is the identity on bf16 values
    std::vector<float> back(x.size());
    tt::bf16_to_float(ref.data(), back.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); i += 6) {
        if (std::isnan(back[i])) continue;
        if (tt::float_to_bf16(back[i]) != ref[i] || to_bits(back[i]) != static_cast<uint32_t>(ref[i]) << 16) {
            const std::string what = "round trip of element " + std::to_string(i);
            FAIL_CHECK(what);
            break;
        }
    }
}

TEST_CASE("17 GradScaler: an overflow halves the scale and restarts the count; growth_interval good steps double it") {
    tt::optim::GradScaler s({8.0, 2.0, 0.5, 3});
    CHECK(s.scale() == 8.0);
    s.update(false);
    s.update(false);
    CHECK(s.scale() == 8.0);
    CHECK(s.growth_tracker() == 2);
    s.update(true);
    CHECK(s.scale() == 4.0);
    CHECK(s.growth_tracker() == 0);
    s.update(false);
    s.update(false);
    CHECK(s.scale() == 4.0);
    s.update(false);
    CHECK(s.scale() == 8.0);
    CHECK(s.growth_tracker() == 0);
    tt::nn::Parameter p(Tensor({2}, {0.0f, 0.0f}));
    p.grad = Tensor({2}, {2.0f, -4.0f});
    CHECK_FALSE(s.unscale_({&p}));
    CHECK(p.grad.to_vector() == std::vector<float>{0.25f, -0.5f});
    p.grad = Tensor({2}, {1.0f, std::numeric_limits<float>::infinity()});
    CHECK(s.unscale_({&p}));
    p.grad = Tensor({2}, {std::nanf(""), 1.0f});
    CHECK(s.unscale_({&p}));
}

TEST_CASE("17 mixed precision: an overflowing step is skipped and backs off; fp32 masters keep updates bf16 loses") {
    tt::Generator g(5);
    tt::nn::Linear layer(2, 1, true, g);
    Tensor x = Tensor({2, 2}, {1.0f, 2.0f, -1.0f, 0.5f}), t = Tensor({2, 1}, {3.0f, -1.0f});
    auto loss_fn = [&] { return F::mse_loss(layer(x), t); };
    {
        tt::optim::MixedPrecisionTrainer mp(layer, {1e38, 2.0, 0.5, 1000});
        tt::optim::SGD opt(mp.master_parameters(), {{"lr", 0.1}});
        const std::vector<float> before = mp.master_parameters()[0]->value.to_vector();
        tt::optim::MixedPrecisionStep r = mp.step(opt, loss_fn);  // grads of size ~10 times 1e38: Inf
        CHECK(r.skipped);
        CHECK(r.scale == 1e38);
        CHECK(mp.scaler().scale() == 5e37);
        CHECK(mp.master_parameters()[0]->value.to_vector() == before);
        int steps = 1;  // each skipped step halves the scale until the gradients fit (bounded: a wrong scaler stops)
        while (steps < 40 && mp.step(opt, loss_fn).skipped) ++steps;
        CHECK(steps < 40);
        CHECK(mp.master_parameters()[0]->value.to_vector() != before);
    }
    {
        tt::optim::MixedPrecisionTrainer mp(layer, {1024.0, 2.0, 0.5, 2});
        tt::optim::SGD opt(mp.master_parameters(), {{"lr", 0.01}});
        std::vector<double> scales;
        for (int s = 0; s < 5; ++s) {
            tt::optim::MixedPrecisionStep r = mp.step(opt, loss_fn);
            CHECK_FALSE(r.skipped);
            scales.push_back(r.scale);
        }
        CHECK(scales == std::vector<double>{1024, 1024, 2048, 2048, 4096});
    }
    // w = 1, loss = w (dL/dw = 1), lr 1e-4: each update is below half of bf16's spacing 2^-8 at 1, so a bf16 weight
    // would never move; the fp32 master moves 1e-4 per step and after 100 steps the bf16 copy follows it.
    tt::nn::Linear one(1, 1, false, g);
    one.weight.value.fill_(1.0f);
    tt::optim::MixedPrecisionTrainer mp(one, {1.0, 2.0, 0.5, 1000000});
    tt::optim::SGD opt(mp.master_parameters(), {{"lr", 1e-4}});
    auto w_loss = [&] { return F::sum(one(tt::ones({1, 1}))); };
    mp.step(opt, w_loss);
    CHECK(mp.master_parameters()[0]->value.to_vector()[0] == doctest::Approx(1.0 - 1e-4).epsilon(1e-6));
    CHECK(one.weight.value.to_vector()[0] == 1.0f);
    for (int s = 0; s < 99; ++s) mp.step(opt, w_loss);
    mp.step(opt, w_loss);
    CHECK(mp.master_parameters()[0]->value.to_vector()[0] == doctest::Approx(1.0 - 101e-4).epsilon(1e-5));
    CHECK(one.weight.value.to_vector()[0] == tt::bf16_to_float(tt::float_to_bf16(1.0f - 100e-4f)));
}

namespace {

// A 4 -> 16 -> 3 MLP trained with SGD for `steps` steps on a fixed batch; mixed: bf16 weights and activations.
float train_mlp(bool mixed, int steps, int64_t* activation_elements = nullptr) {
    tt::Generator g(17);
    auto fc1 = std::make_shared<tt::nn::Linear>(4, 16, true, g);
    auto fc2 = std::make_shared<tt::nn::Linear>(16, 3, true, g);
    Tensor x = tt::randn({64, 4}, g), target({64});
    for (int64_t i = 0; i < 64; ++i) {
        const float* r = x.data() + i * 4;
        target.data()[i] = r[0] + r[1] > 0.5f ? 0.0f : (r[2] - r[3] > 0 ? 1.0f : 2.0f);
    }
    tt::nn::Sequential net({fc1, fc2});
    std::unique_ptr<tt::optim::MixedPrecisionTrainer> mp;
    if (mixed) mp = std::make_unique<tt::optim::MixedPrecisionTrainer>(net);
    auto cast = [&](const Tensor& t) { return mp ? mp->cast_activation(t) : t; };
    auto loss_fn = [&] { return F::cross_entropy((*fc2)(cast(F::relu((*fc1)(cast(x))))), target); };
    tt::optim::SGD opt(mp ? mp->master_parameters() : net.parameters(), {{"lr", 0.5}});
    float loss = 0;
    for (int s = 0; s < steps; ++s) {
        if (mp) {
            loss = mp->step(opt, loss_fn).loss;
        } else {
            opt.zero_grad();
            Tensor l = loss_fn();
            loss = l.to_vector()[0];
            l.backward();
            opt.step();
        }
    }
    if (activation_elements && mp) *activation_elements = mp->activation_elements();
    return loss;
}

}  // namespace

TEST_CASE("17 mixed precision: a small MLP trained with bf16 weights and activations ends within 0.02 of fp32") {
    const float first = train_mlp(false, 1);
    const float fp32 = train_mlp(false, 150);
    int64_t elements = 0;
    const float bf16 = train_mlp(true, 150, &elements);
    INFO("loss: start " << first << ", fp32 " << fp32 << ", bf16 " << bf16);
    CHECK(fp32 < 0.5f * first);
    CHECK(std::fabs(bf16 - fp32) < 0.02f);
    CHECK(elements == 64 * 4 + 64 * 16);  // the two casts of the last step
}

TEST_CASE("17 KV-cache manager: the same tokens as GPT::generate, bit for bit, request after request") {
    tt::Generator init(21);
    tt::GPT model(small_gpt(), init);
    tt::KVCacheManager cache(model, 2, 12);
    // 2 layers * (k, v) * max_batch 2 * C 8 * max_len 12 * 4 bytes, allocated once
    CHECK(cache.nbytes() == 2 * 2 * 2 * 8 * 12 * 4);
    CHECK(tt::kv_cache_bytes(model.config, 2, 12) == cache.nbytes());
    const float* arena0 = cache.arena_data(0);
    const float* arena1 = cache.arena_data(1);
    Tensor prompt = Tensor({2, 3}, {1, 5, 2, 9, 0, 3});
    const std::vector<tt::SamplingOptions> opts = {{0.0f, 0, 1.0f}, {1.0f, 0, 1.0f}, {0.8f, 5, 0.9f}};
    int64_t live_after_first = -1;
    for (size_t r = 0; r < opts.size(); ++r) {
        INFO("request " << r << ", temperature " << opts[r].temperature);
        tt::Generator g1(7 + r), g2(7 + r);
        Tensor want = model.generate(prompt, 9, opts[r], g1, true);  // 3 + 9 = max_len: fits exactly
        Tensor got = tt::generate_cached(model, cache, prompt, 9, opts[r], g2);
        CHECK_TENSOR_EQ(got, want);
        CHECK(g1.next_u32() == g2.next_u32());  // the same number of draws
        // a one-row request in between, shorter, on the same arenas
        tt::Generator g3(40 + r), g4(40 + r);
        CHECK_TENSOR_EQ(tt::generate_cached(model, cache, prompt.slice(0, 1, 2), 4, opts[r], g3),
                        model.generate(prompt.slice(0, 1, 2), 4, opts[r], g4, true));
        if (r == 0) live_after_first = Tensor::live_count();
        CHECK(Tensor::live_count() == live_after_first);
    }
    CHECK(cache.requests() == 6);
    // the cache a request gets is the same object over the same memory, emptied
    tt::GPTCache& a = cache.acquire(2);
    CHECK(a.length() == 0);
    CHECK(&a == &cache.acquire(2));
    CHECK(a.layers[0].k.data() == arena0);
    CHECK(a.layers[1].k.data() == arena1);
    CHECK(a.layers[0].capacity() == 12);
    CHECK(cache.arena_data(0) == arena0);
    CHECK(cache.acquire(1).layers[1].k.shares_storage(a.layers[1].k));
}

TEST_CASE("17 KV-cache manager: a request past max_len or max_batch is refused with the numbers") {
    tt::GPT model(small_gpt());
    tt::KVCacheManager cache(model, 2, 12);
    tt::Generator g(1);
    TT_CHECK_ERROR(tt::generate_cached(model, cache, tt::zeros({1, 3}), 10, {}, g),
                   "generate_cached: the request needs 3 prompt + 10 new = 13 positions, more than the cache's "
                   "max_len 12");
    TT_CHECK_ERROR(tt::generate_cached(model, cache, tt::zeros({3, 2}), 1, {}, g),
                   "generate_cached: a batch of 3 rows, more than the cache's max_batch 2");
    TT_CHECK_ERROR_CONTAINS(tt::KVCacheManager(model, 1, 17), "block_size (16)");
    CHECK(tt::generate_cached(model, cache, tt::zeros({1, 3}), 0, {}, g).shape() == Shape{1, 3});
}

TEST_CASE("17 batcher: batches close when full, hand-worked") {
    // max_batch 2, max_wait 10 ms, 1 ms per batch: pairs go as soon as the second arrives; the last one waits 10 ms
    const tt::BatchSchedule s = tt::schedule_batches({0, 1, 2, 3, 30}, {2, 10.0}, [](int64_t) { return 1.0; });
    REQUIRE(s.batches.size() == 3);
    CHECK((s.batches[0].start == 1 && s.batches[0].finish == 2 && s.batches[0].first == 0 && s.batches[0].size == 2));
    CHECK((s.batches[1].start == 3 && s.batches[1].finish == 4 && s.batches[1].first == 2 && s.batches[1].size == 2));
    CHECK((s.batches[2].start == 40 && s.batches[2].finish == 41 && s.batches[2].first == 4 && s.batches[2].size == 1));
    CHECK(s.latency == std::vector<double>{2, 1, 2, 1, 11});
    CHECK(s.throughput() == doctest::Approx(5 * 1000.0 / 41));
    CHECK(s.percentile_latency(0.5) == 2);
    CHECK(s.percentile_latency(0.99) == 11);
    CHECK(s.mean_latency() == doctest::Approx(17.0 / 5));
}

TEST_CASE("17 batcher: batches close at the wait limit, and a busy server delays them, hand-worked") {
    // max_batch 4, max_wait 5 ms, a batch of B takes 10 + B ms
    const std::vector<double> arrivals = {0, 2, 3, 20, 21, 22, 23, 24, 40};
    const tt::BatchSchedule s =
        tt::schedule_batches(arrivals, {4, 5.0}, [](int64_t b) { return 10.0 + static_cast<double>(b); });
    std::vector<std::vector<double>> got;
    for (const tt::RequestBatch& b : s.batches)
        got.push_back({b.start, b.finish, static_cast<double>(b.first), static_cast<double>(b.size)});
    // 0: ready at 0 + 5 (not full), takes the 3 arrived by then. 1: full when 23 arrives (its deadline 25 is later).
    // 2: request 7's deadline is 29 but the server is busy until 37; by then only it has arrived. 3: waits for 48.
    CHECK(got == std::vector<std::vector<double>>{{5, 18, 0, 3}, {23, 37, 3, 4}, {37, 48, 7, 1}, {48, 59, 8, 1}});
    CHECK(s.latency == std::vector<double>{18, 16, 15, 17, 16, 15, 14, 24, 19});
    // max_wait 0: whatever has queued goes at once
    const tt::BatchSchedule z = tt::schedule_batches({0, 0, 0, 5}, {8, 0.0}, [](int64_t) { return 1.0; });
    REQUIRE(z.batches.size() == 2);
    CHECK((z.batches[0].size == 3 && z.batches[0].start == 0 && z.batches[1].start == 5));
    // max_batch 1 is one request at a time: a queue
    const tt::BatchSchedule q = tt::schedule_batches({0, 0, 0}, {1, 100.0}, [](int64_t) { return 2.0; });
    CHECK(q.latency == std::vector<double>{2, 4, 6});
    TT_CHECK_ERROR(tt::schedule_batches({0, 3, 2}, {4, 1.0}, [](int64_t) { return 1.0; }),
                   "schedule_batches: arrivals must be in time order; request 2 arrives at 2 ms, before request 1 "
                   "at 3 ms");
}

TEST_CASE("17 batcher: a classifier run batch by batch gives every request the output of one whole pass") {
    tt::Generator g(9);
    auto net = tt::build_classifier("flatten linear:6:5 relu linear:5:3", g);
    Tensor x = tt::randn({7, 1, 2, 3}, g);
    tt::Generator ag(2);
    const tt::BatchSchedule s =
        tt::schedule_batches(tt::poisson_arrivals(7, 500.0, ag), {3, 2.0}, [](int64_t b) { return 0.5 * b; });
    CHECK(s.batches.size() >= 3);
    Tensor all;
    {
        tt::autograd::NoGrad no_grad;
        all = net->forward(x);
    }
    CHECK_TENSOR(tt::run_batches(*net, x, s), all, 1e-6f, 1e-6f);
}

TEST_CASE("17 ensemble: logits are averaged (not probabilities), hand-worked; identical members equal one member") {
    Tensor a = Tensor({2, 3}, {1, 2, 3, 0, 0, 0}), b = Tensor({2, 3}, {3, 0, -3, 1, 2, 3});
    CHECK(tt::average_logits({a, b}).to_vector() == std::vector<float>{2, 1, 0, 0.5f, 1, 1.5f});
    // A is sure of class 1, B and C lean to class 0: mean probabilities pick 0 (0.59), mean logits pick 1
    Tensor pa = Tensor({1, 2}, {0, 10}), pb = Tensor({1, 2}, {2, 0});
    Tensor m = tt::average_logits({pa, pb, Tensor({2, 1}, {2, 0}).transpose(0, 1)});
    CHECK(m.to_vector()[0] == doctest::Approx(4.0 / 3));
    CHECK(m.to_vector()[1] == doctest::Approx(10.0 / 3));
    std::vector<std::shared_ptr<tt::nn::Module>> same, mixed;
    for (int k = 0; k < 4; ++k) {
        tt::Generator g(11), h(100 + k);
        same.push_back(tt::build_classifier("flatten linear:4:6 relu linear:6:3", g));
        mixed.push_back(tt::build_classifier("flatten linear:4:6 relu linear:6:3", h));
    }
    tt::Generator dg(1);
    Tensor x = tt::randn({5, 1, 1, 4}, dg);
    tt::Ensemble e2({same[0], same[1]}), e4(same), e3({same[0], same[1], same[2]});
    Tensor one = same[0]->forward(x);
    CHECK_TENSOR_EQ(e2(x), one);  // (a + a) / 2 and (4a) / 4 are exact
    CHECK_TENSOR_EQ(e4.forward(x), one);
    CHECK_TENSOR(e3.forward(x), one, 1e-6f, 1e-6f);
    tt::Ensemble e(mixed);
    Tensor want = tt::average_logits({mixed[0]->forward(x), mixed[1]->forward(x), mixed[2]->forward(x)});
    CHECK_TENSOR(e.forward_first(x, 3), want, 1e-6f, 1e-6f);
    CHECK(e.parameter_count() == 4 * (4 * 6 + 6 + 6 * 3 + 3));
    Tensor labels = Tensor({5}, {0, 1, 2, 1, 0});
    std::vector<tt::EnsemblePoint> curve = tt::ensemble_curve(e, x, labels, 0.002);
    REQUIRE(curve.size() == 4);
    for (int64_t k = 1; k <= 4; ++k) {
        const tt::EnsemblePoint& p = curve[static_cast<size_t>(k - 1)];
        CHECK(p.members == k);
        CHECK(p.accuracy == tt::nn::accuracy(e.forward_first(x, k), labels));
        CHECK(p.parameter_bytes == k * (4 * 6 + 6 + 6 * 3 + 3) * 4);
        CHECK(p.ms_per_example > 0);
    }
    TT_CHECK_ERROR(tt::average_logits({a, Tensor({3, 2})}),
                   "average_logits: member 1's logits are [3, 2], member 0's [2, 3]");
}
