#include "gpt.h"

#include <algorithm>

#include "checked.h"
#include "error.h"
#include "functional.h"
#include "grad_mode.h"
#include "transformer.h"

namespace tt {

namespace {
constexpr int64_t kMaxGPTParameters = int64_t(1) << 26;  // 256 MiB of floats; TinyGPT has 0.8 M
}  // namespace

int64_t GPTCache::nbytes() const {
    int64_t n = 0;
    for (const auto& c : layers) n += c.nbytes();
    return n;
}

GPT::GPT(const GPTConfig& c, Generator& gen) : config(c) {
    TT_CHECK(c.vocab_size > 0 && c.block_size > 0 && c.n_layer > 0 && c.n_head > 0 && c.n_embd > 0 &&
                 c.n_embd % c.n_head == 0,
             "GPT: vocab_size, block_size, n_layer, n_head, n_embd must be > 0 and "
             "n_embd a multiple of n_head; got "
                 << c.vocab_size << ", " << c.block_size << ", " << c.n_layer << ", " << c.n_head << ", " << c.n_embd);
    // A config read from an asset's metadata is untrusted: its size is counted (overflow-checked) and bounded before
    // anything is allocated. Per block: 4 C x C attention and 8 C x C MLP weights, 13 C of biases and LayerNorms.
    const char* field = "GPT: the config's parameter count";
    const int64_t C = c.n_embd, per_block = checked_add(checked_mul(12 * C, C, field), 13 * C, field);
    int64_t total = checked_mul(checked_add(c.vocab_size, c.block_size, field), C, field);
    total = checked_add(total, checked_mul(c.n_layer, per_block, field), field);
    if (!c.tie_weights) total = checked_add(total, checked_mul(c.vocab_size, C, field), field);
    TT_CHECK(total <= kMaxGPTParameters,
             "GPT: the config (vocab_size "
                 << c.vocab_size << ", block_size " << c.block_size << ", n_layer " << c.n_layer << ", n_embd " << C
                 << ") has " << total << " parameters, more than the " << kMaxGPTParameters << " a model may have");
    wte = register_module("wte", std::make_shared<nn::Embedding>(c.vocab_size, c.n_embd, -1, gen));
    wpe = register_module("wpe", std::make_shared<nn::Embedding>(c.block_size, c.n_embd, -1, gen));
    h = register_module("h", std::make_shared<nn::Sequential>());
    for (int64_t i = 0; i < c.n_layer; ++i) h->add(std::make_shared<nn::TransformerBlock>(c.n_embd, c.n_head, gen));
    ln_f = register_module("ln_f", std::make_shared<nn::LayerNorm>(c.n_embd));
    if (!c.tie_weights)
        lm_head = register_module("lm_head", std::make_shared<nn::Linear>(c.n_embd, c.vocab_size, false, gen));
    // GPT-2's initialisation: every matrix and table N(0, 0.02), biases 0
    // (LayerNorms keep ones and zeros).
    for (auto& [name, p] : named_parameters()) {
        if (p->value.dim() == 2) normal_(p->value, 0.0f, 0.02f, gen);
        else if (name.find("ln_") == std::string::npos) p->value.fill_(0.0f);
    }
}

Tensor GPT::head(const Tensor& x) {
    Tensor y = (*ln_f)(x);
    return F::linear(y, lm_head ? lm_head->weight.value : wte->weight.value);
}

Tensor GPT::forward(const Tensor& idx) {
    TT_CHECK(idx.defined() && idx.dim() == 2 && idx.shape(1) > 0 && idx.shape(1) <= config.block_size,
             "GPT: idx must be [B, T] token ids with 0 < T <= block_size (" << config.block_size << "), got "
                                                                            << (idx.defined() ? idx.shape() : Shape{}));
    // BEGIN SOLUTION x = wte(idx) + wpe(positions 0 .. T-1) (F::add broadcasts
    // [T, C] over B), through the blocks h, then head(x)
    Tensor x = F::add((*wte)(idx), (*wpe)(arange(idx.shape(1))));
    return head((*h)(x));
    // END SOLUTION
}

Tensor GPT::loss(const Tensor& logits, const Tensor& targets) {
    TT_CHECK(logits.defined() && targets.defined() && logits.dim() == 3 &&
                 (targets.shape() == Shape{logits.shape(0), logits.shape(1)}),
             "GPT::loss: logits [B, T, V] and targets [B, T] do not fit");
    return F::cross_entropy(F::reshape(logits, {-1, logits.shape(2)}), targets.reshape({-1}));
}

Tensor GPT::backward(const Tensor&) {
    TT_CHECK(false,
             "GPT::backward: no hand-written backward; differentiate the "
             "loss with autograd");
    return Tensor();
}

GPTCache GPT::make_cache(int64_t batch, int64_t max_len) const {
    const int64_t n = max_len > 0 ? max_len : config.block_size;
    TT_CHECK(n <= config.block_size, "GPT::make_cache: max_len " << n << " exceeds block_size " << config.block_size);
    GPTCache cache;
    for (int64_t i = 0; i < config.n_layer; ++i)
        cache.layers.emplace_back(batch, config.n_head, n, config.n_embd / config.n_head);
    return cache;
}

Tensor GPT::forward_cached(const Tensor& idx, GPTCache& cache) {
    TT_CHECK(static_cast<int64_t>(cache.layers.size()) == config.n_layer,
             "GPT::forward_cached: the cache has " << cache.layers.size() << " layers, the model " << config.n_layer);
    TT_CHECK(idx.defined() && idx.dim() == 2 && idx.shape(1) > 0,
             "GPT::forward_cached: idx must be [B, Tn] token ids, got " << (idx.defined() ? idx.shape() : Shape{}));
    autograd::NoGrad no_grad;
    const int64_t start = cache.length(), n = idx.shape(1);
    // BEGIN SOLUTION positions start .. start + n - 1 (arange(float, float));
    // each block i runs forward_cached with cache.layers[i]; then head
    Tensor x = F::add((*wte)(idx), (*wpe)(arange(static_cast<float>(start), static_cast<float>(start + n))));
    for (int64_t i = 0; i < config.n_layer; ++i)
        x = static_cast<nn::TransformerBlock&>((*h)[static_cast<size_t>(i)]).forward_cached(x, cache.layers[i]);
    return head(x);
    // END SOLUTION
}

namespace {

// The next token of every row from the last position of logits [B, T, V].
Tensor sample_last(const Tensor& logits, const SamplingOptions& options, Generator& gen) {
    const int64_t B = logits.shape(0), T = logits.shape(1), V = logits.shape(2);
    Tensor lc = logits.contiguous(), next({B, 1});
    for (int64_t b = 0; b < B; ++b)
        next.data()[b] = static_cast<float>(sample_next_token(lc.data() + (b * T + T - 1) * V, V, options, gen));
    return next;
}

Tensor cat_time(const Tensor& a,
                const Tensor& b) {  // [B, Ta] and [B, Tb] -> [B, Ta + Tb]
    Tensor out({a.shape(0), a.shape(1) + b.shape(1)});
    out.slice(1, 0, a.shape(1)).copy_(a);
    out.slice(1, a.shape(1), out.shape(1)).copy_(b);
    return out;
}

}  // namespace

Tensor GPT::generate(const Tensor& idx, int64_t max_new_tokens, const SamplingOptions& options, Generator& gen,
                     bool use_cache) {
    TT_CHECK(idx.defined() && idx.dim() == 2 && idx.shape(1) > 0 && max_new_tokens >= 0,
             "GPT::generate: idx must be [B, T0] with T0 > 0 and max_new_tokens >= 0");
    autograd::NoGrad no_grad;
    Tensor out = idx.contiguous();
    if (max_new_tokens == 0) return out.clone();
    if (use_cache) {
        TT_CHECK(idx.shape(1) + max_new_tokens <= config.block_size,
                 "GPT::generate: " << idx.shape(1) << " + " << max_new_tokens << " tokens do not fit the cache of "
                                   << config.block_size << " positions (block_size); generate without the cache");
        GPTCache cache = make_cache(idx.shape(0), idx.shape(1) + max_new_tokens);
        Tensor logits = forward_cached(out, cache);  // the prompt in one pass ("prefill")
        for (int64_t s = 0; s < max_new_tokens; ++s) {
            Tensor next = sample_last(logits, options, gen);
            out = cat_time(out, next);
            if (s + 1 < max_new_tokens) logits = forward_cached(next, cache);
        }
        return out;
    }
    for (int64_t s = 0; s < max_new_tokens; ++s) {
        const int64_t T = out.shape(1), start = std::max<int64_t>(0, T - config.block_size);
        out = cat_time(out, sample_last(forward(out.slice(1, start, T)), options, gen));
    }
    return out;
}

}  // namespace tt
