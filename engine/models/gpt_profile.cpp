#include "gpt_profile.h"

#include <cmath>
#include <memory>
#include <string>

#include "adam.h"
#include "elementwise.h"
#include "error.h"
#include "functional.h"
#include "grad_mode.h"
#include "graph.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "transformer.h"

namespace tt {

namespace {

Tensor random_ids(const Shape& shape, int64_t vocab, Generator& gen) {
    Tensor ids(shape);
    for (int64_t i = 0; i < ids.numel(); ++i)
        ids.data()[i] = static_cast<float>(static_cast<int64_t>(gen.next_u32() % static_cast<uint32_t>(vocab)));
    return ids;
}

}  // namespace

Json profile_attention(const std::vector<int64_t>& lengths, int64_t heads, int64_t head_dim, int repeats) {
    Json rows = Json::array();
    Generator gen(13);
    for (int64_t T : lengths) {
        TT_CHECK(T > 0, "profile_attention: sequence lengths must be > 0, got " << T);
        const Shape shape{1, heads, T, head_dim};
        Tensor q = randn(shape, gen).requires_grad_(), k = randn(shape, gen).requires_grad_(),
               v = randn(shape, gen).requires_grad_(), g = randn(shape, gen);
        Timer timer(1, repeats);
        const double fwd = timer
                               .measure([&] {
                                   autograd::NoGrad no_grad;
                                   F::scaled_dot_product_attention(q, k, v, Tensor(), true);
                               })
                               .median_ms;
        const double both =
            timer.measure([&] { F::scaled_dot_product_attention(q, k, v, Tensor(), true).backward(g); }).median_ms;
        const int64_t saved =
            autograd::graph_stats(F::scaled_dot_product_attention(q, k, v, Tensor(), true)).activation_bytes;
        Json row = Json::object();
        row.set("T", T)
            .set("forward_ms", fwd)
            .set("backward_ms", both > fwd ? both - fwd : 0.0)
            .set("scores_bytes", heads * T * T * 4)
            .set("saved_bytes", saved)
            .set("flops", 4.0 * static_cast<double>(heads) * T * T * head_dim);
        rows.push_back(row);
    }
    return Json::object().set("heads", heads).set("head_dim", head_dim).set("rows", rows);
}

Json profile_decoding(GPT& model, const std::vector<int64_t>& lengths, int repeats) {
    Json rows = Json::array();
    const Tensor prompt({1, 1}, {0.0f});
    for (int64_t n : lengths) {
        TT_CHECK(n > 0 && n + 1 <= model.config.block_size,
                 "profile_decoding: " << n << " new tokens + 1 prompt token must fit block_size "
                                      << model.config.block_size);
        Timer timer(0, repeats);
        const SamplingOptions greedy{0.0f, 0, 1.0f};
        Generator gen(1);
        const double cached = timer.measure([&] { model.generate(prompt, n, greedy, gen, true); }).median_ms / n;
        const double uncached = timer.measure([&] { model.generate(prompt, n, greedy, gen, false); }).median_ms / n;
        Json row = Json::object();
        row.set("tokens", n)
            .set("cached_ms_per_token", cached)
            .set("uncached_ms_per_token", uncached)
            .set("cached_tokens_per_s", 1000.0 / cached)
            .set("uncached_tokens_per_s", 1000.0 / uncached)
            .set("speedup", uncached / cached)
            .set("cache_bytes", model.make_cache(1, n + 1).nbytes());
        rows.push_back(row);
    }
    return Json::object().set("rows", rows);
}

Json profile_parameters(GPT& model) {
    // component name -> [parameters], in the order first seen
    std::vector<std::pair<std::string, int64_t>> parts;
    auto add = [&](const std::string& part, int64_t n) {
        for (auto& p : parts)
            if (p.first == part) {
                p.second += n;
                return;
            }
        parts.emplace_back(part, n);
    };
    for (auto& named : model.named_parameters()) {
        const std::string& name = named.first;
        std::string part = name.substr(0, name.find('.'));
        if (part == "h") {  // "h.3.attn.in_proj_weight" -> "blocks: attn"
            const size_t a = name.find('.', 2) + 1;
            std::string sub = name.substr(a, name.find('.', a) - a);
            part = "blocks: " + (sub == "ln_1" || sub == "ln_2" ? std::string("layer norms") : sub);
        }
        add(part, named.second->value.numel());
    }
    if (!model.lm_head) add("lm_head (tied to wte)", 0);
    Json rows = Json::array();
    int64_t total = 0;
    for (auto& p : parts) {
        rows.push_back(Json::object().set("component", p.first).set("parameters", p.second).set("bytes", p.second * 4));
        total += p.second;
    }
    return Json::object().set("rows", rows).set("total", total).set("total_bytes", total * 4);
}

Json profile_training(GPT& model, int64_t batch, int64_t T, int steps, bool with_optimizer) {
    TT_CHECK(batch > 0 && T > 0 && T <= model.config.block_size && steps > 0,
             "profile_training: needs batch > 0, 0 < T <= block_size and steps > 0");
    Generator gen(14);
    Tensor x = random_ids({batch, T}, model.config.vocab_size, gen);
    Tensor y = random_ids({batch, T}, model.config.vocab_size, gen);
    optim::AdamW opt(model.parameters(), {{"lr", 1e-4}});
    auto step = [&] {
        opt.zero_grad();
        GPT::loss(model(x), y).backward();
        if (with_optimizer) opt.step();
    };
    const double ms = Timer(1, steps).measure(step).median_ms;
    return Json::object()
        .set("batch", batch)
        .set("T", T)
        .set("ms_per_step", ms)
        .set("tokens_per_s", static_cast<double>(batch * T) / ms * 1000.0);
}

Json profile_memory(GPT& model, int64_t batch, const std::vector<int64_t>& lengths) {
    Generator gen(15);
    Json rows = Json::array();
    const GPTConfig& c = model.config;
    for (int64_t T : lengths) {
        Tensor x = random_ids({batch, T}, c.vocab_size, gen), y = random_ids({batch, T}, c.vocab_size, gen);
        Tensor loss = GPT::loss(model(x), y);
        Json row = Json::object();
        row.set("T", T)
            .set("activation_bytes", autograd::graph_stats(loss).activation_bytes)
            .set("scores_bytes", c.n_layer * batch * c.n_head * T * T * 4)
            .set("parameter_bytes", model.parameter_bytes());
        rows.push_back(row);
    }
    return Json::object().set("batch", batch).set("rows", rows);
}

Json profile_residual_gradients(const std::vector<int64_t>& depths) {
    Json rows = Json::array();
    for (int64_t depth : depths) {
        Json row = Json::object();
        row.set("depth", depth);
        for (bool residual : {true, false}) {
            Generator gen(16);
            std::vector<std::shared_ptr<nn::LayerNorm>> norms;
            std::vector<std::shared_ptr<nn::MLP>> mlps;
            for (int64_t i = 0; i < depth; ++i) {
                norms.push_back(std::make_shared<nn::LayerNorm>(64));
                mlps.push_back(std::make_shared<nn::MLP>(64, 256, gen));
            }
            Tensor x0 = randn({8, 16, 64}, gen).requires_grad_(), x = x0;
            for (int64_t i = 0; i < depth; ++i) {
                Tensor f = (*mlps[i])((*norms[i])(x));
                x = residual ? F::add(x, f) : f;
            }
            Tensor g = randn(x.shape(), gen);
            x.backward(g);
            const double in = std::sqrt(static_cast<double>(tt::sum(tt::mul(x0.grad(), x0.grad())).item()));
            const double out = std::sqrt(static_cast<double>(tt::sum(tt::mul(g, g)).item()));
            row.set(residual ? "with_residual" : "without_residual", in / out);
        }
        rows.push_back(row);
    }
    return Json::object().set("rows", rows);
}

}  // namespace tt
