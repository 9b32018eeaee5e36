// `tt train tinygpt` and `tt eval tinygpt`: the seeded native trainer of assets/tinygpt.* (tinygpt.h).
//
// The course's own pieces do the work: GPT and its loss (module 14), AdamW and clip_grad_norm_ (08), autograd (07).
// What stays here is the data side. The corpus is read as Unicode characters; its split comes from the .json beside
// it (datasets/austen.py: [start, end) character ranges of "train" and "validation"), the ranges of each side joined.
// A training batch is batch_size windows of block_size + 1 characters at uniformly drawn starts in the training text
// (one draw per window from a Generator of its own, seeded by the recipe); the targets are the inputs shifted by one.
// The validation loss is the mean cross entropy (nats per character) over every position of a fixed set of windows
// spread evenly over the validation text, evaluated in batches of 32 in order: the same windows and sums every time,
// so `tt eval tinygpt` reproduces the card's number exactly.
// The learning rate: linear warm-up from 0 to lr over warmup_steps, then half a cosine down to min_lr at the last step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adam.h"
#include "clip_grad.h"
#include "error.h"
#include "grad_mode.h"
#include "json.h"
#include "recipes.h"
#include "sha256.h"
#include "tinygpt.h"
#include "tokenizer.h"

namespace tt::cli {

const GPTRecipe& tinygpt_recipe() {
    static const GPTRecipe recipe;
    return recipe;
}

namespace {

std::string read_text(const std::string& path, const std::string& hint) {
    std::ifstream f(path, std::ios::binary);
    TT_CHECK(f.good(), path << " is missing: " << hint);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// The corpus as token ids (index into the sorted distinct characters), split as its .json says.
struct Corpus {
    std::string path, sha256;
    int64_t characters = 0;
    std::vector<uint32_t> vocab;  // code points, sorted: id i is vocab[i]
    std::vector<int32_t> train, validation;
};

std::vector<int32_t> join_ranges(const std::vector<int32_t>& ids, const Json& ranges, const std::string& what,
                                 const std::string& source) {
    TT_CHECK(ranges.is_array(), source << ": \"" << what << "\" must be an array of [start, end] character ranges");
    std::vector<int32_t> out;
    for (const Json& r : ranges.items()) {
        TT_CHECK(r.is_array() && r.items().size() == 2 && r.items()[0].is_number() && r.items()[1].is_number(),
                 source << ": each range of \"" << what << "\" must be [start, end]");
        const double a = r.items()[0].as_number(), b = r.items()[1].as_number();
        TT_CHECK(a >= 0 && a <= b && b <= double(ids.size()),
                 source << ": range [" << a << ", " << b << ") of \"" << what << "\" is outside the corpus's "
                        << ids.size() << " characters");
        out.insert(out.end(), ids.begin() + int64_t(a), ids.begin() + int64_t(b));
    }
    return out;
}

Corpus load_corpus(const std::string& path, int64_t limit, int64_t block_size) {
    const std::string hint =
        "pack it with `make native` (datasets/austen.py; the Debian package comes from `make "
        "setup`), or pass --corpus FILE with FILE's split in the .json beside it";
    Corpus c;
    c.path = path;
    const std::string text = read_text(path, hint);
    const std::string split_path = path.substr(0, path.rfind('.')) + ".json";
    const Json split = parse_json(read_text(split_path, "the corpus's split; " + hint), split_path);
    TT_CHECK(split.is_object() && split.find("train") && split.find("validation"),
             split_path << ": needs \"train\" and \"validation\" ranges");
    const std::vector<uint32_t> chars = utf8_decode(text, path.c_str());
    c.characters = int64_t(chars.size());
    c.sha256 = sha256_hex(text);
    c.vocab = chars;
    std::sort(c.vocab.begin(), c.vocab.end());
    c.vocab.erase(std::unique(c.vocab.begin(), c.vocab.end()), c.vocab.end());
    std::vector<int32_t> ids(chars.size());
    for (size_t i = 0; i < chars.size(); ++i)
        ids[i] = int32_t(std::lower_bound(c.vocab.begin(), c.vocab.end(), chars[i]) - c.vocab.begin());
    c.train = join_ranges(ids, *split.find("train"), "train", split_path);
    c.validation = join_ranges(ids, *split.find("validation"), "validation", split_path);
    if (limit > 0) {
        c.train.resize(std::min<size_t>(c.train.size(), size_t(limit)));
        c.validation.resize(std::min<size_t>(c.validation.size(), size_t(limit)));
    }
    for (const auto* side : {&c.train, &c.validation})
        TT_CHECK(int64_t(side->size()) > block_size + 1,
                 path << ": " << (side == &c.train ? "the training" : "the validation") << " text has " << side->size()
                      << " characters; a window needs " << block_size + 2);
    return c;
}

// Windows at `starts` of `ids`: inputs [n, T] and targets [n, T] (the next character of each).
void fill_windows(const std::vector<int32_t>& ids, const std::vector<int64_t>& starts, int64_t T, Tensor& x,
                  Tensor& y) {
    const int64_t n = int64_t(starts.size());
    x = Tensor({n, T}), y = Tensor({n, T});
    for (int64_t b = 0; b < n; ++b)
        for (int64_t t = 0; t < T; ++t) {
            x.data()[b * T + t] = float(ids[size_t(starts[size_t(b)] + t)]);
            y.data()[b * T + t] = float(ids[size_t(starts[size_t(b)] + t + 1)]);
        }
}

// How many of `wanted` windows of T + 1 characters fit in n characters without overlapping.
int64_t window_count(size_t n, int64_t T, int64_t wanted) {
    return std::max<int64_t>(1, std::min(wanted, (int64_t(n) - T - 1) / T + 1));
}

// Mean loss over window_count windows spread evenly over ids (their starts 0, s, 2s, ... for the largest whole s).
double mean_loss(GPT& model, const std::vector<int32_t>& ids, int64_t wanted) {
    const int64_t T = model.config.block_size, room = int64_t(ids.size()) - T - 1;
    const int64_t count = window_count(ids.size(), T, wanted);
    const int64_t stride = count > 1 ? room / (count - 1) : 0;
    autograd::NoGrad no_grad;
    double sum = 0.0;
    for (int64_t first = 0; first < count; first += 32) {
        std::vector<int64_t> starts;
        for (int64_t i = first; i < std::min(count, first + 32); ++i) starts.push_back(i * stride);
        Tensor x, y;
        fill_windows(ids, starts, T, x, y);
        sum += double(GPT::loss(model(x), y).item()) * double(starts.size());
    }
    return sum / double(count);
}

double rounded(double v, double scale) { return std::round(v * scale) / scale; }

}  // namespace

int train_gpt(const GPTOptions& o) {
    GPTRecipe r = tinygpt_recipe();
    std::string command = "tt train " + r.name;  // what changes the weights: not --out, --quiet
    if (o.steps > 0) command += " --steps " + std::to_string(o.steps), r.steps = o.steps;
    if (o.limit > 0) command += " --limit " + std::to_string(o.limit);
    const Corpus corpus = load_corpus(o.corpus, o.limit, r.config.block_size);
    r.config.vocab_size = int64_t(corpus.vocab.size());

    Generator init_gen(r.seed), data_gen(r.seed ^ 0xDA7A5E7ull);
    GPT model(r.config, init_gen);
    optim::ParamGroup decay, no_decay;
    for (nn::Parameter* p : model.parameters()) (p->value.dim() > 1 ? decay : no_decay).params.push_back(p);
    no_decay.set("weight_decay", 0.0);
    optim::AdamW opt({decay, no_decay}, {{"lr", r.lr}, {"beta2", r.beta2}, {"weight_decay", r.weight_decay}});
    auto lr_at = [&r](int64_t step) {  // step 0, 1, ...
        if (step < r.warmup_steps) return double(r.lr) * double(step + 1) / double(r.warmup_steps);
        const double progress = double(step - r.warmup_steps) / double(std::max<int64_t>(1, r.steps - r.warmup_steps));
        return r.min_lr + (r.lr - r.min_lr) * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
    };
    if (!o.quiet)
        std::printf(
            "train %s: GPT %lld layers x %lld heads, width %lld, context %lld, vocabulary %lld: %lld "
            "parameters; %s: %zu train / %zu validation characters; %lld steps of %lld x %lld\n",
            r.name.c_str(), (long long)r.config.n_layer, (long long)r.config.n_head, (long long)r.config.n_embd,
            (long long)r.config.block_size, (long long)r.config.vocab_size, (long long)model.parameter_count(),
            o.corpus.c_str(), corpus.train.size(), corpus.validation.size(), (long long)r.steps,
            (long long)r.batch_size, (long long)r.config.block_size);
    const int64_t T = r.config.block_size, room = int64_t(corpus.train.size()) - T - 1;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    auto seconds = [&t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    Json history = Json::array();
    double recent = 0.0;  // sum of the batch losses since the last report
    int64_t recent_n = 0;
    model.train();
    for (int64_t step = 0; step < r.steps; ++step) {
        for (auto& g : opt.param_groups()) g.set("lr", lr_at(step));
        std::vector<int64_t> starts(size_t(r.batch_size));
        for (int64_t& s : starts) s = below(data_gen, room + 1);
        Tensor x, y;
        fill_windows(corpus.train, starts, T, x, y);
        opt.zero_grad();
        Tensor loss = GPT::loss(model(x), y);
        loss.backward();
        optim::clip_grad_norm_(model, r.grad_clip);
        opt.step();
        recent += double(loss.item()), ++recent_n;
        if ((step + 1) % r.eval_every == 0 || step + 1 == r.steps) {
            const double val = mean_loss(model, corpus.validation, r.eval_windows);
            history.push_back(Json::object()
                                  .set("step", step + 1)
                                  .set("train_loss", rounded(recent / double(recent_n), 1e4))
                                  .set("val_loss", rounded(val, 1e4))
                                  .set("seconds", rounded(seconds(), 10)));
            if (!o.quiet) {
                std::printf("  step %5lld/%lld  lr %.2e  train %.4f  val~ %.4f  (%.0f s)\n", (long long)(step + 1),
                            (long long)r.steps, lr_at(step), recent / double(recent_n), val, seconds());
                std::fflush(stdout);
            }
            recent = 0.0, recent_n = 0;
        }
    }
    const double train_seconds = seconds(), cpu_seconds = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    const double train_loss = mean_loss(model, corpus.train, r.final_windows);
    const double val_loss = mean_loss(model, corpus.validation, r.final_windows);

    const std::vector<uint8_t> bytes = save_gpt_asset(model, corpus.vocab);
    const std::string stem = o.out_dir + "/" + r.name;
    write_file(stem + ".safetensors", bytes.data(), bytes.size());

    std::string vocab;
    for (uint32_t c : corpus.vocab) utf8_append(vocab, c);
    Json config = Json::object(), data = Json::object(), training = Json::object(), card = Json::object();
    config.set("vocab_size", r.config.vocab_size)
        .set("block_size", r.config.block_size)
        .set("n_layer", r.config.n_layer)
        .set("n_head", r.config.n_head)
        .set("n_embd", r.config.n_embd)
        .set("tie_weights", r.config.tie_weights);
    data.set("corpus", o.corpus)
        .set("sha256", corpus.sha256)
        .set("characters", corpus.characters)
        .set("train_characters", corpus.train.size())
        .set("validation_characters", corpus.validation.size())
        .set("split", "the train / validation ranges of the .json beside the corpus (datasets/austen.py)")
        .set("tokenizer", "one id per character: the corpus's distinct characters in code-point order");
    training.set("seed", r.seed)
        .set("steps", r.steps)
        .set("batch_size", r.batch_size)
        .set("tokens", r.steps * r.batch_size * T)
        .set("optimizer",
             "AdamW beta2 " + Json(r.beta2).dump() + ", weight decay " + Json(r.weight_decay).dump() +
                 " (matrices and tables only), clip_grad_norm_ " + Json(r.grad_clip).dump())
        .set("lr", r.lr)
        .set("lr_schedule",
             "linear warm-up over " + std::to_string(r.warmup_steps) + " steps, cosine to " + Json(r.min_lr).dump())
        .set("loss", "cross entropy, nats per character")
        .set("history", history)
        .set("seconds", rounded(train_seconds, 10))
        .set("cpu_seconds", rounded(cpu_seconds, 10));
    card.set("name", r.name)
        .set("weights", r.name + ".safetensors")
        .set("architecture", "GPT (models/gpt.h), character level")
        .set("config", config)
        .set("vocab", vocab)
        .set("parameters", model.parameter_count())
        .set("bytes", bytes.size())
        .set("data", data)
        .set("training", training)
        .set("eval_windows", window_count(corpus.validation.size(), T, r.final_windows))
        .set("train_loss", train_loss)
        .set("val_loss", val_loss)
        .set("command", command)
        .set("engine", "native, single thread");
    const std::string text = card.dump(2) + "\n";
    write_file(stem + ".json", text.data(), text.size());
    write_index(o.out_dir);
    std::printf(
        "wrote %s.safetensors (%zu bytes) and %s.json: train loss %.4f, validation loss %.4f nats/char in "
        "%.1f s\n",
        stem.c_str(), bytes.size(), stem.c_str(), train_loss, val_loss, train_seconds);
    return 0;
}

int eval_gpt(const GPTOptions& o) {
    const GPTRecipe& r = tinygpt_recipe();
    const std::string path = o.weights.empty() ? o.out_dir + "/" + r.name + ".safetensors" : o.weights;
    LoadedGPT loaded = load_gpt_asset(path);
    const Corpus corpus = load_corpus(o.corpus, o.limit, loaded.model->config.block_size);
    TT_CHECK(corpus.vocab.size() == loaded.vocab.size(),
             path << " has " << loaded.vocab.size() << " characters, " << o.corpus << " " << corpus.vocab.size()
                  << ": not the corpus it was trained on");
    for (size_t i = 0; i < corpus.vocab.size(); ++i) {
        std::string c;
        utf8_append(c, corpus.vocab[i]);
        TT_CHECK(c == loaded.vocab[i],
                 path << ": character " << i << " is '" << loaded.vocab[i] << "', the corpus's '" << c
                      << "': not the corpus it was trained on");
    }
    const auto t0 = std::chrono::steady_clock::now();
    const double val = mean_loss(*loaded.model, corpus.validation, r.final_windows);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    // %.17g: the double the card holds, digit for digit (the test compares them).
    std::printf("%s on %s validation (%lld windows): loss %.17g nats/char in %.0f ms\n", path.c_str(), o.corpus.c_str(),
                (long long)r.final_windows, val, ms);
    return 0;
}

}  // namespace tt::cli
