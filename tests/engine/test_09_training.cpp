// Module 09 — Training: the losses of torch.nn with every option against PyTorch (tests/fixtures/09_training.txt:
// values and input gradients), finite-difference gradchecks of the new loss kernels, the metrics on hand-worked
// examples, gradient accumulation, the train/eval helpers and a checkpoint whose resume is bit-identical.
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "activation_layers.h"
#include "adam.h"
#include "checkpoint.h"
#include "elementwise.h"
#include "fixtures.h"
#include "functional.h"
#include "gradcheck.h"
#include "linear.h"
#include "loss.h"
#include "losses.h"
#include "metrics.h"
#include "profile.h"
#include "random.h"
#include "reduce.h"
#include "safetensors.h"
#include "sequential.h"
#include "sgd.h"
#include "testing.h"
#include "train_loop.h"

using tt::CrossEntropyOptions;
using tt::Reduction;
using tt::Shape;
using tt::Tensor;
namespace F = tt::F;

namespace {

const tt_test::Fixtures& fx() {
    static const tt_test::Fixtures f("09_training.txt");
    return f;
}

const char* name_of(Reduction r) { return r == Reduction::Mean ? "mean" : r == Reduction::Sum ? "sum" : "none"; }

// loss = fn(x) against the fixture "<tag>.<reduction>.*": the value (NaN where PyTorch gives NaN) and
// d(sum(loss * g))/dx through backward().
void check_case(const std::string& tag, Reduction r, const Tensor& x_value,
                const std::function<Tensor(const Tensor&)>& fn) {
    const std::string key = tag + "." + name_of(r);
    INFO(key);
    Tensor x = x_value.clone().requires_grad_();
    Tensor loss = fn(x);
    Tensor want = fx()[key + ".loss"], nan = fx()[key + ".isnan"];
    REQUIRE(loss.shape() == want.shape());
    for (int64_t i = 0; i < loss.numel(); ++i) {
        const float got = loss.to_vector()[i];
        if (nan.to_vector()[i] == 1.0f) {
            CHECK_MESSAGE(std::isnan(got), key << ": PyTorch gives NaN here, got " << got);
        } else {
            CHECK_MESSAGE(std::abs(got - want.to_vector()[i]) <= 1e-5f + 1e-5f * std::abs(want.to_vector()[i]),
                          key << "[" << i << "]: got " << got << ", PyTorch " << want.to_vector()[i]);
        }
    }
    loss.backward(r == Reduction::None ? fx()[key + ".g"] : Tensor());
    CHECK_TENSOR(x.grad(), fx()[key + ".grad"], 1e-6f, 1e-4f);
}

const Reduction kAll[] = {Reduction::Mean, Reduction::Sum, Reduction::None};

CrossEntropyOptions ce(Reduction r, Tensor weight = Tensor(), float smoothing = 0, int64_t ignore = -100) {
    CrossEntropyOptions o;
    o.weight = weight;
    o.label_smoothing = smoothing;
    o.ignore_index = ignore;
    o.reduction = r;
    return o;
}

}  // namespace

TEST_CASE("09 CrossEntropyLoss: plain, class weights, label smoothing; ignored rows (-100) left out of the mean") {
    Tensor x = fx()["ce.logits"], t = fx()["ce.target"], w = fx()["ce.weight"];
    for (Reduction r : kAll) {
        tt::nn::CrossEntropyLoss plain(ce(r)), weighted(ce(r, w)), smooth(ce(r, Tensor(), 0.2f));
        check_case("ce.plain", r, x, [&](const Tensor& v) { return plain(v, t); });
        check_case("ce.weight", r, x, [&](const Tensor& v) { return weighted(v, t); });
        check_case("ce.smooth", r, x, [&](const Tensor& v) { return smooth(v, t); });
    }
}

TEST_CASE("09 CrossEntropyLoss: weights + ignore_index (a class) + label smoothing together") {
    Tensor x = fx()["ce.logits"], t = fx()["ce.all.target"], w = fx()["ce.weight"];
    for (Reduction r : kAll) {
        tt::nn::CrossEntropyLoss loss(ce(r, w, 0.1f, 1));
        check_case("ce.all", r, x, [&](const Tensor& v) { return loss(v, t); });
    }
}

TEST_CASE("09 CrossEntropyLoss: every row ignored gives NaN for mean (0 / 0, as PyTorch), 0 for sum, zero grads") {
    Tensor x = fx()["ce.logits"], t = fx()["ce.ignored.target"];
    for (Reduction r : {Reduction::Mean, Reduction::Sum})
        check_case("ce.ignored", r, x, [&](const Tensor& v) { return F::cross_entropy(v, t, ce(r, Tensor(), 0.1f)); });
}

TEST_CASE("09 CrossEntropyLoss: logits of +-1e4 give PyTorch's finite loss and gradient (fused log-softmax)") {
    Tensor x = fx()["ce.extreme.logits"], t = fx()["ce.extreme.target"];
    check_case("ce.extreme", Reduction::Mean, x,
               [&](const Tensor& v) { return F::cross_entropy(v, t, ce(Reduction::Mean, Tensor(), 0.1f)); });
}

// The fixtures tell the plausible wrong answers apart: each wrong formula, computed here from PyTorch's own
// per-row losses, misses PyTorch's mean. (A loss built on one of them fails the checks above.)
TEST_CASE("09 CrossEntropyLoss: the checks above separate PyTorch's mean from the plausible wrong ones") {
    std::vector<float> rows = fx()["ce.plain.none.loss"].to_vector(), t = fx()["ce.target"].to_vector();
    std::vector<float> w = fx()["ce.weight"].to_vector();
    double sum = 0, kept = 0;
    for (size_t n = 0; n < rows.size(); ++n) {
        sum += rows[n];
        kept += t[n] != -100;
    }
    const float mean = fx()["ce.plain.mean.loss"].item();
    CHECK(mean == doctest::Approx(sum / kept));
    CHECK(std::abs(mean - sum / rows.size()) > 1e-2);  // mean over all 6 targets, ignored ones included

    std::vector<float> wrows = fx()["ce.weight.none.loss"].to_vector();
    double wsum = 0, wden = 0;
    for (size_t n = 0; n < wrows.size(); ++n) {
        wsum += wrows[n];
        if (t[n] != -100) wden += w[static_cast<size_t>(t[n])];
    }
    const float wmean = fx()["ce.weight.mean.loss"].item();
    CHECK(wmean == doctest::Approx(wsum / wden));
    CHECK(std::abs(wmean - wsum / kept) > 1e-2);  // weights left out of the denominator

    // Smoothing applied to ignored rows would give them a loss; PyTorch gives them 0.
    std::vector<float> smooth = fx()["ce.smooth.none.loss"].to_vector();
    for (size_t n = 0; n < smooth.size(); ++n)
        if (t[n] == -100) CHECK(smooth[n] == 0.0f);
}

TEST_CASE("09 BCEWithLogitsLoss: plain and pos_weight, soft targets, every reduction; +-1e4 logits stay finite") {
    Tensor x = fx()["bce.x"], y = fx()["bce.y"], pw = fx()["bce.pos_weight"];
    for (Reduction r : kAll) {
        tt::nn::BCEWithLogitsLoss plain(Tensor(), r), weighted(pw, r);
        check_case("bce.plain", r, x, [&](const Tensor& v) { return plain(v, y); });
        check_case("bce.pw", r, x, [&](const Tensor& v) { return weighted(v, y); });
    }
    // log(sigmoid(-1e4)) is log(0) = -inf in float: the stable form gives PyTorch's 10000.
    Tensor ye = fx()["bce.extreme.y"];
    check_case("bce.extreme", Reduction::None, fx()["bce.extreme.x"],
               [&](const Tensor& v) { return F::binary_cross_entropy_with_logits(v, ye, Tensor(), Reduction::None); });
}

TEST_CASE("09 MSELoss: mean, sum and none") {
    Tensor b = fx()["mse.b"];
    for (Reduction r : kAll) {
        tt::nn::MSELoss loss(r);
        check_case("mse", r, fx()["mse.a"], [&](const Tensor& v) { return loss(v, b); });
    }
}

// Every new loss kernel's backward against central differences, with options that exercise every term.
TEST_CASE("09 gradcheck: cross_entropy (weights, smoothing, ignore_index, none), BCE with logits, MSE sum") {
    Tensor x = tt::randn({5, 4}, 90), t({5}, {1, 3, -100, 0, 1});
    Tensor w({4}, {0.5f, 2.0f, 1.0f, 1.5f});
    Tensor y = tt::rand({5, 4}, 91), pw({4}, {2.0f, 0.5f, 1.0f, 3.0f});
    auto numeric_vs_backward = [](const char* what, const std::function<Tensor(const Tensor&)>& f,
                                  const Tensor& value) {
        INFO(what);
        Tensor v = value.clone().requires_grad_();
        Tensor out = f(v);
        Tensor g = tt::randn(out.shape(), 92);
        out.backward(g);
        CHECK_TENSOR(v.grad(), tt_test::numeric_grad(f, value, g), 2e-3f, 1e-2f);
    };
    for (Reduction r : kAll) {
        numeric_vs_backward(
            "cross_entropy", [&](const Tensor& v) { return F::cross_entropy(v, t, ce(r, w, 0.3f)); }, x);
        numeric_vs_backward(
            "bce_with_logits", [&](const Tensor& v) { return F::binary_cross_entropy_with_logits(v, y, pw, r); }, x);
        numeric_vs_backward(
            "mse_loss", [&](const Tensor& v) { return F::mse_loss(v, y, r); }, x);
    }
}

TEST_CASE("09 losses: bad input is an error naming what was wrong") {
    Tensor x = tt::zeros({2, 3});
    TT_CHECK_ERROR_CONTAINS(F::cross_entropy(x, Tensor({2}, {0, 3}), ce(Reduction::Mean)), "class index");
    TT_CHECK_ERROR_CONTAINS(F::cross_entropy(x, Tensor({2}, {0, 1}), ce(Reduction::Mean, Tensor({2}, {1, 1}))),
                            "weight must be [C] = [3]");
    TT_CHECK_ERROR_CONTAINS(tt::nn::CrossEntropyLoss(ce(Reduction::Mean, Tensor(), 1.5f)), "label_smoothing");
    TT_CHECK_ERROR_CONTAINS(F::binary_cross_entropy_with_logits(x, tt::zeros({2, 3}), Tensor({2}, {1, 1})),
                            "pos_weight");
    TT_CHECK_ERROR_CONTAINS(tt::nn::MSELoss()(x, tt::zeros({3, 2})), "one shape");
}

// Ties go to the first index, like torch.argmax: row 1 ties classes 0 and 2, row 3 is all zeros.
TEST_CASE("09 metrics: accuracy, confusion matrix and per-class accuracy, worked by hand") {
    Tensor logits({5, 3},
                  {0.1f, 0.9f, 0.0f,     // predicts 1
                   2.0f, 1.0f, 2.0f,     // tie 0/2 -> 0
                   0.0f, 0.0f, 5.0f,     // 2
                   0.0f, 0.0f, 0.0f,     // all equal -> 0
                   -1.0f, 3.0f, 2.0f});  // 1
    Tensor target({5}, {1, 2, 2, 0, 0});
    CHECK(tt::nn::predict_classes(logits) == std::vector<int64_t>{1, 0, 2, 0, 1});
    CHECK(tt::nn::accuracy(logits, target) == doctest::Approx(3.0 / 5.0));
    // rows: true class; columns: predicted. Class 0: one right (row 3), one predicted 1 (row 4). Class 1: right.
    // Class 2: one right (row 2), one predicted 0 (row 1).
    Tensor cm = tt::nn::confusion_matrix(logits, target, 3);
    CHECK_TENSOR_EQ(cm, Tensor({3, 3}, {1, 1, 0, 0, 1, 0, 1, 0, 1}));
    CHECK_TENSOR_EQ(tt::nn::per_class_accuracy(cm), Tensor({3}, {0.5f, 1.0f, 0.5f}));
    // A class without samples has no accuracy (NaN), not 0 or 1.
    Tensor pc = tt::nn::per_class_accuracy(tt::nn::confusion_matrix(logits.slice(0, 0, 3), Tensor({3}, {1, 1, 1}), 3));
    CHECK(std::isnan(pc.to_vector()[0]));
    CHECK(pc.to_vector()[1] == doctest::Approx(1.0 / 3.0));
}

namespace {

using tt::optim::Batch;

std::shared_ptr<tt::nn::Sequential> make_mlp(uint64_t seed) {
    tt::Generator gen(seed);
    return std::make_shared<tt::nn::Sequential>(
        std::vector<std::shared_ptr<tt::nn::Module>>{std::make_shared<tt::nn::Linear>(4, 8, true, gen),
                                                     std::make_shared<tt::nn::ReLU>(),
                                                     std::make_shared<tt::nn::Linear>(8, 3, true, gen)});
}

// 32 points in 4-D; the class is the argmax of the first three coordinates (learnable by the MLP).
struct Data {
    Tensor x = tt::randn({32, 4}, 40);
    Tensor y = Tensor({32}, [this] {
        std::vector<float> v;
        for (int64_t i : tt::nn::predict_classes(x.slice(1, 0, 3).contiguous())) v.push_back(static_cast<float>(i));
        return v;
    }());
    // Rows `rows` of x (plus noise from gen, if given) and their classes.
    Batch rows(const std::vector<int64_t>& rows, tt::Generator* gen = nullptr) const {
        Batch b{Tensor({static_cast<int64_t>(rows.size()), 4}), Tensor({static_cast<int64_t>(rows.size())})};
        for (size_t i = 0; i < rows.size(); ++i) {
            for (int64_t j = 0; j < 4; ++j)
                b.input.data()[i * 4 + j] = x.data()[rows[i] * 4 + j] + (gen ? 0.01f * gen->normal() : 0.0f);
            b.target.data()[i] = y.data()[rows[i]];
        }
        return b;
    }
};

// `steps` Adam steps, each on 8 rows drawn with `gen` and jittered with its normal() (whose spare value is part of
// the generator's state), so a resume must restore the generator to see the same batches.
void run_steps(tt::nn::Module& model, tt::optim::Optimizer& opt, tt::Generator& gen, int steps) {
    static const Data data;
    tt::nn::CrossEntropyLoss loss;
    for (int s = 0; s < steps; ++s) {
        std::vector<int64_t> rows;
        for (int i = 0; i < 8; ++i) rows.push_back(gen.next_u32() % 32);
        tt::optim::train_step(model, loss, opt, {data.rows(rows, &gen)});
    }
}

void check_same_weights(tt::nn::Module& got, tt::nn::Module& want, bool expect_equal) {
    auto g = got.named_parameters(), w = want.named_parameters();
    REQUIRE(g.size() == w.size());
    bool all_equal = true;
    for (size_t i = 0; i < g.size(); ++i)
        all_equal = all_equal && g[i].second->value.to_vector() == w[i].second->value.to_vector();
    CHECK_MESSAGE(all_equal == expect_equal,
                  (expect_equal ? "weights differ from the uninterrupted run's"
                                : "a broken resume still matched the uninterrupted run"));
}

}  // namespace

TEST_CASE("09 checkpoint: train 3 steps, save, load into fresh objects, 3 more = 6 uninterrupted steps, bit for bit") {
    tt::optim::Options adam{{"lr", 0.05}};
    auto straight = make_mlp(1);
    tt::optim::Adam straight_opt(straight->parameters(), adam);
    tt::Generator straight_gen(7);
    run_steps(*straight, straight_opt, straight_gen, 6);

    auto first = make_mlp(1);
    tt::optim::Adam first_opt(first->parameters(), adam);
    tt::Generator first_gen(7);
    run_steps(*first, first_opt, first_gen, 3);
    std::vector<uint8_t> bytes = tt::save_checkpoint(*first, first_opt, first_gen, {0, 3});

    // Fresh objects: another initialisation, an optimizer without state, a generator on another seed.
    auto resumed = make_mlp(99);
    tt::optim::Adam resumed_opt(resumed->parameters(), adam);
    tt::Generator resumed_gen(12345);
    tt::TrainingProgress p = tt::load_checkpoint(bytes, *resumed, resumed_opt, resumed_gen);
    CHECK(p.epoch == 0);
    CHECK(p.step == 3);
    run_steps(*resumed, resumed_opt, resumed_gen, 3);
    check_same_weights(*resumed, *straight, true);

    // Resumes that forget a part must NOT match: the RNG state (other batches), or Adam's step count (another bias
    // correction, with the moments restored).
    auto no_rng = make_mlp(99);
    tt::optim::Adam no_rng_opt(no_rng->parameters(), adam);
    tt::Generator no_rng_gen(12345), reseeded(7);
    tt::load_checkpoint(bytes, *no_rng, no_rng_opt, no_rng_gen);
    run_steps(*no_rng, no_rng_opt, reseeded, 3);
    check_same_weights(*no_rng, *straight, false);

    tt::StateDict sd = tt::load_safetensors(bytes);
    for (auto& [key, value] : sd)
        if (key.rfind("optim.state.", 0) == 0 && key.size() > 5 && key.substr(key.size() - 5) == ".step")
            value = tt::scalar(0);
    auto no_step = make_mlp(99);
    tt::optim::Adam no_step_opt(no_step->parameters(), adam);
    tt::Generator no_step_gen(12345);
    tt::load_checkpoint_state_dict(sd, *no_step, no_step_opt, no_step_gen);
    run_steps(*no_step, no_step_opt, no_step_gen, 3);
    check_same_weights(*no_step, *straight, false);
}

TEST_CASE("09 checkpoint: one safetensors file with model., optim. and meta. keys; 64-bit state survives") {
    auto model = make_mlp(1);
    tt::optim::Adam opt(model->parameters(), {{"lr", 0.01}});
    tt::Generator gen(3);
    run_steps(*model, opt, gen, 2);
    gen.normal();                                    // leaves a spare Box-Muller value in the state
    const int64_t big = (int64_t{1} << 40) + 12345;  // beyond float's 24-bit integers
    tt::StateDict sd = tt::load_safetensors(tt::save_checkpoint(*model, opt, gen, {big, big + 1}));
    CHECK(sd.count("model.0.weight") == 1);
    CHECK(sd.count("model.2.bias") == 1);
    CHECK(sd.count("optim.state.0.exp_avg") == 1);
    CHECK(sd.count("optim.param_groups.0.lr") == 1);
    CHECK(sd.at("meta.rng").shape() == Shape{13});
    for (const auto& entry : sd) {  // not a structured binding: doctest's CHECK_MESSAGE captures `key` in a lambda
        const std::string& key = entry.first;
        const bool known = key.rfind("model.", 0) == 0 || key.rfind("optim.", 0) == 0 || key.rfind("meta.", 0) == 0;
        CHECK_MESSAGE(known, key);
    }

    auto other = make_mlp(5);
    tt::optim::Adam other_opt(other->parameters(), {{"lr", 0.01}});
    tt::Generator other_gen(0);
    tt::TrainingProgress p = tt::load_checkpoint_state_dict(sd, *other, other_opt, other_gen);
    CHECK(p.epoch == big);
    CHECK(p.step == big + 1);
    for (int i = 0; i < 5; ++i) CHECK(other_gen.normal() == gen.normal());  // the spare first, then fresh pairs
}

TEST_CASE("09 checkpoint_state_dict is a snapshot: training on afterwards leaves it as it was") {
    auto model = make_mlp(1);
    tt::optim::Adam opt(model->parameters(), {{"lr", 0.05}});
    tt::Generator gen(3);
    run_steps(*model, opt, gen, 1);
    const tt::StateDict sd = tt::checkpoint_state_dict(*model, opt, gen, {0, 1});
    const std::vector<float> saved = model->state_dict().at("0.weight").to_vector();
    REQUIRE(sd.at("model.0.weight").to_vector() == saved);
    run_steps(*model, opt, gen, 2);
    REQUIRE(model->state_dict().at("0.weight").to_vector() != saved);  // the steps did change the weights
    CHECK_MESSAGE(sd.at("model.0.weight").to_vector() == saved, "the checkpoint shares the module's tensors");
}

TEST_CASE("09 checkpoint: a wrong or damaged checkpoint is an error naming the key") {
    auto model = make_mlp(1);
    tt::optim::SGD opt(model->parameters(), {{"lr", 0.1}});
    tt::Generator gen(3);
    tt::StateDict sd = tt::checkpoint_state_dict(*model, opt, gen, {});
    tt::StateDict missing = sd;
    missing.erase("meta.rng");
    TT_CHECK_ERROR_CONTAINS(tt::load_checkpoint_state_dict(missing, *model, opt, gen), "meta.rng");
    tt::StateDict extra = sd;
    extra["weights.0"] = tt::scalar(1);
    TT_CHECK_ERROR_CONTAINS(tt::load_checkpoint_state_dict(extra, *model, opt, gen), "weights.0");
    tt::StateDict bad = sd;
    bad["meta.step"] = Tensor({4}, {0.5f, 0, 0, 0});
    TT_CHECK_ERROR_CONTAINS(tt::load_checkpoint_state_dict(bad, *model, opt, gen), "meta.step");
}

TEST_CASE("09 gradient accumulation: 3 micro-batches of 4 (loss / 3) = one batch of 12: gradients and the step") {
    const Data data;
    tt::nn::CrossEntropyLoss loss;
    auto big = make_mlp(2), acc = make_mlp(2);
    tt::optim::Options sgd{{"lr", 0.1}, {"momentum", 0.9}};
    tt::optim::SGD big_opt(big->parameters(), sgd), acc_opt(acc->parameters(), sgd);
    std::vector<int64_t> all;
    for (int64_t i = 0; i < 12; ++i) all.push_back(i * 2 + 1);
    const double big_loss = tt::optim::train_step(*big, loss, big_opt, {data.rows(all)});
    std::vector<Batch> micro;
    for (int k = 0; k < 3; ++k) micro.push_back(data.rows({all.begin() + 4 * k, all.begin() + 4 * k + 4}));
    const double acc_loss = tt::optim::train_step(*acc, loss, acc_opt, micro);
    CHECK(acc_loss == doctest::Approx(big_loss).epsilon(1e-5));
    auto b = big->named_parameters(), a = acc->named_parameters();
    for (size_t i = 0; i < b.size(); ++i) {
        INFO(b[i].first);
        CHECK_TENSOR(a[i].second->grad, b[i].second->grad, 1e-6f, 1e-4f);
        CHECK_TENSOR(a[i].second->value, b[i].second->value, 1e-6f, 1e-5f);
        // Summing the micro-batches' gradients without the 1/k would give 3x the big batch's.
        CHECK_FALSE(tt_test::compare(a[i].second->grad, tt::mul(b[i].second->grad, tt::scalar(3.0f)), 1e-6f, 1e-4f).ok);
    }
}

TEST_CASE("09 train_epoch / evaluate: a small classifier learns; evaluate builds no graph and keeps the mode") {
    const Data data;
    std::vector<Batch> batches;
    for (int64_t k = 0; k < 4; ++k) {
        std::vector<int64_t> rows;
        for (int64_t i = 0; i < 8; ++i) rows.push_back(k * 8 + i);
        batches.push_back(data.rows(rows));
    }
    auto model = make_mlp(4);
    tt::nn::CrossEntropyLoss loss;
    tt::optim::Adam opt(model->parameters(), {{"lr", 0.05}});
    tt::optim::EpochResult before = tt::optim::evaluate(*model, loss, batches);
    CHECK(before.samples == 32);
    CHECK(model->is_training());
    tt::optim::EpochResult first = tt::optim::train_epoch(*model, loss, opt, batches, 2);
    CHECK(first.steps == 2);  // 4 batches, 2 per step
    CHECK(first.samples == 32);
    for (int e = 0; e < 60; ++e) tt::optim::train_epoch(*model, loss, opt, batches);
    tt::optim::EpochResult after = tt::optim::evaluate(*model, loss, batches);
    CHECK(after.loss < before.loss / 3);
    CHECK(after.accuracy >= 0.9);
    CHECK(std::isnan(first.accuracy));  // accuracy is evaluate()'s
}

// The lesson's systems numbers: a checkpoint's bytes by part for the MNIST MLP (784-256-128-10) with Adam, and the
// time of one cross-entropy forward + backward. Asserted loosely (the parts' ratio), printed for the lesson.
TEST_CASE("09 systems: checkpoint bytes by part, loss time per batch") {
    tt::Generator gen(0);
    tt::nn::Sequential mlp(
        std::vector<std::shared_ptr<tt::nn::Module>>{std::make_shared<tt::nn::Linear>(784, 256, true, gen),
                                                     std::make_shared<tt::nn::ReLU>(),
                                                     std::make_shared<tt::nn::Linear>(256, 128, true, gen),
                                                     std::make_shared<tt::nn::ReLU>(),
                                                     std::make_shared<tt::nn::Linear>(128, 10, true, gen)});
    tt::optim::Adam opt(mlp.parameters());
    tt::nn::CrossEntropyLoss loss;
    Tensor x = tt::randn({64, 784}, 1), y = tt::zeros({64});
    tt::optim::train_step(mlp, loss, opt, {{x, y}});
    tt::StateDict sd = tt::checkpoint_state_dict(mlp, opt, gen, {1, 1});
    int64_t model_bytes = 0, optim_bytes = 0, meta_bytes = 0;
    for (const auto& [key, value] : sd) {
        const int64_t b = value.numel() * 4;
        (key.rfind("model.", 0) == 0 ? model_bytes : key.rfind("optim.", 0) == 0 ? optim_bytes : meta_bytes) += b;
    }
    const int64_t file_bytes = static_cast<int64_t>(tt::save_safetensors(sd).size());
    MESSAGE("checkpoint of MLP 784-256-128-10 + Adam: model "
            << model_bytes << " B, optim " << optim_bytes << " B, meta " << meta_bytes << " B, file " << file_bytes
            << " B (header " << file_bytes - model_bytes - optim_bytes - meta_bytes << " B)");
    CHECK(model_bytes == mlp.parameter_bytes());
    CHECK(optim_bytes >= 2 * model_bytes);  // Adam's two moments per weight, plus step counts and options
    CHECK(optim_bytes < 2 * model_bytes + 1024);
    CHECK(meta_bytes == (4 + 4 + 13) * 4);

    for (int64_t classes : {10, 1000}) {
        Tensor logits = tt::randn({256, classes}, 2), target = tt::zeros({256});
        tt::Timing t = tt::Timer(2, 9).measure([&] {
            Tensor l = logits.clone().requires_grad_();
            loss(l, target).backward();
        });
        MESSAGE("cross entropy forward + backward, batch 256 x " << classes << " classes: " << t.median_ms << " ms");
        CHECK(t.median_ms > 0);
    }
}
