// Milestone 2 — CNN training (cnn_trainer.h): data, the seeded batches, one optimizer step at a time, checkpoints.
// The step itself is the course's loop (module 09's train_step): zero_grad, loss(model(x), y).backward(),
// optimizer.step() — written out here because the page also wants the step's training accuracy from its logits.
#include "cnn_trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "adam.h"
#include "checkpoint.h"
#include "dataloader.h"
#include "error.h"
#include "grad_mode.h"
#include "metrics.h"
#include "safetensors.h"
#include "sgd.h"

namespace tt {
namespace {

ClassifierShape shape_of(const std::string& architecture, const std::string& input_shape) {
    int c = 0, h = 0, w = 0;
    char rest = 0;
    TT_CHECK(std::sscanf(input_shape.c_str(), "%dx%dx%d%c", &c, &h, &w, &rest) == 3 && c > 0 && h > 0 && w > 0,
             "Trainer: input shape '" << input_shape << "' is not CxHxW (like 1x28x28)");
    return check_architecture(architecture, c, h, w);
}

const CNNTrainerOptions& checked(const CNNTrainerOptions& o) {
    TT_CHECK(o.optimizer == "sgd" || o.optimizer == "adam" || o.optimizer == "adamw",
             "Trainer: optimizer '" << o.optimizer << "' is not one of sgd, adam, adamw");
    TT_CHECK(o.schedule == "constant" || o.schedule == "cosine" || o.schedule == "step",
             "Trainer: schedule '" << o.schedule << "' is not one of constant, cosine, step");
    TT_CHECK(std::isfinite(o.lr) && o.lr > 0, "Trainer: learning rate must be > 0, got " << o.lr);
    TT_CHECK(o.momentum >= 0 && o.momentum < 1, "Trainer: momentum must be in [0, 1), got " << o.momentum);
    TT_CHECK(o.weight_decay >= 0, "Trainer: weight decay must be >= 0, got " << o.weight_decay);
    TT_CHECK(o.batch_size >= 1 && o.batch_size <= 4096,
             "Trainer: batch size must be in [1, 4096], got " << o.batch_size);
    TT_CHECK(o.epochs >= 1 && o.epochs <= 1000, "Trainer: epochs must be in [1, 1000], got " << o.epochs);
    TT_CHECK(o.warmup >= 0, "Trainer: warm-up steps must be >= 0, got " << o.warmup);
    TT_CHECK(o.step_epochs >= 1 && o.gamma > 0 && o.gamma <= 1,
             "Trainer: step schedule needs step_epochs >= 1 and gamma in (0, 1], got " << o.step_epochs << ", "
                                                                                       << o.gamma);
    TT_CHECK(o.crop_padding >= 0 && o.crop_padding <= 16,
             "Trainer: crop padding must be in [0, 16], got " << o.crop_padding);
    return o;
}

// Two param groups, as the recipes (engine/cli/train.cpp): weight decay on the weights, none on biases and norms.
std::unique_ptr<optim::Optimizer> make_optimizer(nn::Module& net, const CNNTrainerOptions& o) {
    optim::ParamGroup weights, others;
    for (nn::Parameter* p : net.parameters()) (p->value.dim() > 1 ? weights : others).params.push_back(p);
    others.set("weight_decay", 0.0);
    std::vector<optim::ParamGroup> groups{weights};
    if (!others.params.empty()) groups.push_back(others);
    if (o.optimizer == "sgd")
        return std::make_unique<optim::SGD>(groups,
                                            optim::Options{{"lr", o.lr},
                                                           {"momentum", o.momentum},
                                                           {"weight_decay", o.weight_decay}});
    const optim::Options options{{"lr", o.lr}, {"weight_decay", o.weight_decay}};
    if (o.optimizer == "adam") return std::make_unique<optim::Adam>(groups, options);
    return std::make_unique<optim::AdamW>(groups, options);
}

}  // namespace

CNNTrainerOptions CNNTrainerOptions::from_json(const Json& j) {
    TT_CHECK(j.is_object(), "Trainer: the options must be an object");
    CNNTrainerOptions o;
    auto number = [&](const char* key, double fallback) {
        const Json* v = j.find(key);
        if (!v || v->is_null()) return fallback;
        TT_CHECK(v->is_number(), "Trainer: option '" << key << "' must be a number");
        return v->as_number();
    };
    auto text = [&](const char* key, const std::string& fallback) {
        const Json* v = j.find(key);
        if (!v || v->is_null()) return fallback;
        TT_CHECK(v->is_string(), "Trainer: option '" << key << "' must be a string");
        return v->as_string();
    };
    auto flag = [&](const char* key, bool fallback) {
        const Json* v = j.find(key);
        if (!v || v->is_null()) return fallback;
        TT_CHECK(v->is_bool(), "Trainer: option '" << key << "' must be true or false");
        return v->as_bool();
    };
    o.optimizer = text("optimizer", o.optimizer);
    o.lr = number("lr", o.lr);
    o.momentum = number("momentum", o.momentum);
    o.weight_decay = number("weightDecay", o.weight_decay);
    o.schedule = text("schedule", o.schedule);
    o.step_epochs = int(number("stepEpochs", o.step_epochs));
    o.gamma = number("gamma", o.gamma);
    o.warmup = int(number("warmup", o.warmup));
    o.batch_size = int(number("batchSize", o.batch_size));
    o.epochs = int(number("epochs", o.epochs));
    const double seed = number("seed", double(o.seed));
    TT_CHECK(seed >= 0 && seed < 9007199254740992.0 && seed == double(uint64_t(seed)),
             "Trainer: seed must be a non-negative integer, got " << seed);
    o.seed = uint64_t(seed);
    o.crop_padding = int(number("cropPadding", o.crop_padding));
    o.flip = flag("flip", o.flip);
    o.normalize = flag("normalize", o.normalize);
    return o;
}

CNNTrainer::CNNTrainer(const std::string& architecture_text, const std::string& input_shape, const CNNTrainerOptions& o)
    : architecture(architecture_text),
      shape(shape_of(architecture_text, input_shape)),
      options(checked(o)),
      gen_(o.seed) {
    net = build_classifier(architecture, gen_);  // the initial weights: the first draws of the run's generator
    optimizer_ = make_optimizer(*net, options);
    for (const auto& group : optimizer_->param_groups()) base_lrs_.push_back(group.get("lr"));
    mean.assign(size_t(shape.channels), 0.0f);
    stddev.assign(size_t(shape.channels), 1.0f);
    std::vector<std::shared_ptr<const Transform>> steps;
    if (options.crop_padding > 0)
        steps.push_back(std::make_shared<RandomCrop>(shape.height, shape.width, options.crop_padding));
    if (options.flip) steps.push_back(std::make_shared<RandomHorizontalFlip>(0.5f));
    if (!steps.empty()) augment_ = std::make_shared<Compose>(steps);
}

void CNNTrainer::set_data(const std::string& which, ImageDataset d) {
    TT_CHECK(which == "train" || which == "validation",
             "Trainer.setData: which must be 'train' or 'validation', got '" << which << "'");
    TT_CHECK(d.channels == shape.channels && d.height == shape.height && d.width == shape.width,
             "Trainer.setData: the model takes " << shape.channels << "x" << shape.height << "x" << shape.width
                                                 << " images, the " << which << " set has " << d.channels << "x"
                                                 << d.height << "x" << d.width);
    d.num_classes = shape.classes;
    d.validate("Trainer.setData(" + which + ")");  // labels must be below the model's number of outputs
    TT_CHECK(d.count > 0, "Trainer.setData: the " << which << " set is empty");
    if (which == "validation") {
        validation_ = std::move(d);
        return;
    }
    TT_CHECK(step_ == 0 || d.count == train_.count,
             "Trainer.setData: training has started on " << train_.count << " images; a new training set of " << d.count
                                                         << " would change the epochs");
    train_ = std::move(d);
    epoch_drawn_ = -1;
    if (options.normalize) {  // per channel over every training pixel, in [0, 1] units (torchvision's Normalize)
        const int64_t plane = int64_t(shape.height) * shape.width;
        for (int c = 0; c < shape.channels; c++) {
            double sum = 0, sq = 0;
            for (int64_t i = 0; i < train_.count; i++) {
                const uint8_t* p = train_.pixels.data() + (i * shape.channels + c) * plane;
                for (int64_t j = 0; j < plane; j++) sum += p[j], sq += double(p[j]) * p[j];
            }
            const double n = double(train_.count * plane), m = sum / n / 255.0;
            const double var = std::max(0.0, sq / n / (255.0 * 255.0) - m * m);
            mean[size_t(c)] = float(m);
            stddev[size_t(c)] = float(std::max(std::sqrt(var), 1e-3));  // a blank channel must not divide by 0
        }
    }
    if (!schedule_ && options.schedule == "cosine")
        schedule_ = std::make_unique<optim::CosineAnnealingLR>(*optimizer_, total_steps());
    if (!schedule_ && options.schedule == "step")
        schedule_ =
            std::make_unique<optim::StepLR>(*optimizer_, steps_per_epoch() * options.step_epochs, options.gamma);
}

const ImageDataset& CNNTrainer::data(const std::string& which) const {
    TT_CHECK(which == "train" || which == "validation",
             "Trainer: which must be 'train' or 'validation', got '" << which << "'");
    const ImageDataset& d = which == "train" ? train_ : validation_;
    TT_CHECK(d.count > 0, "Trainer: no " << which << " set yet (call setData first)");
    return d;
}

int64_t CNNTrainer::steps_per_epoch() const {
    TT_CHECK(train_.count > 0, "Trainer: no training set yet (call setData('train', ...) first)");
    return (train_.count + options.batch_size - 1) / options.batch_size;
}

int64_t CNNTrainer::epoch() const { return train_.count ? step_ / steps_per_epoch() : 0; }

double CNNTrainer::lr_at(int64_t t, double base) const {
    double lr = schedule_ ? schedule_->lr_at(base, t) : base;
    if (t < options.warmup) lr *= double(t + 1) / double(options.warmup + 1);
    return lr;
}

Tensor CNNTrainer::batch(const ImageDataset& d, const int64_t* indices, int64_t n, Generator* gen) const {
    const int64_t size = d.image_size();
    std::vector<float> x(static_cast<size_t>(n * size));
    d.gather_float(indices, n, x.data());
    if (gen && augment_) {
        const Shape one{shape.channels, shape.height, shape.width};
        std::vector<float> tmp(static_cast<size_t>(size));
        for (int64_t b = 0; b < n; b++) {
            float* img = x.data() + b * size;
            augment_->apply(img, one, tmp.data(), *gen);
            std::copy(tmp.begin(), tmp.end(), img);
        }
    }
    const int64_t plane = int64_t(shape.height) * shape.width;
    for (int64_t b = 0; b < n; b++)
        for (int c = 0; c < shape.channels; c++) {
            float* p = x.data() + (b * shape.channels + c) * plane;
            const float m = mean[size_t(c)], s = stddev[size_t(c)];
            for (int64_t j = 0; j < plane; j++) p[j] = (p[j] - m) / s;
        }
    return Tensor({n, shape.channels, shape.height, shape.width}, std::move(x));
}

void CNNTrainer::start_epoch() {
    epoch_start_ = gen_.get_state();
    order_ = randperm(train_.count, gen_);
    batch_seed_ = (uint64_t(gen_.next_u32()) << 32) | gen_.next_u32();
    epoch_drawn_ = epoch();
}

GeneratorState CNNTrainer::resume_state() const {
    return train_.count && epoch_drawn_ == epoch() ? epoch_start_ : gen_.get_state();
}

CNNStepResult CNNTrainer::train_steps(int k) {
    TT_CHECK(k >= 1, "Trainer.trainSteps: k must be >= 1, got " << k);
    const int64_t spe = steps_per_epoch(), B = options.batch_size;
    CNNStepResult r;
    double loss_sum = 0;
    net->train();
    while (r.steps < k && !finished()) {
        if (epoch_drawn_ != epoch()) start_epoch();
        const int64_t b = step_ % spe, start = b * B, n = std::min(B, train_.count - start);
        Generator augment(batch_seed_ + uint64_t(b));
        default_generator().manual_seed((batch_seed_ + uint64_t(b)) ^ 0xD40Bu);  // Dropout's masks (classifier.h)
        const Tensor input = batch(train_, order_.data() + start, n, &augment);
        std::vector<float> y(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; i++) y[size_t(i)] = float(train_.labels[size_t(order_[size_t(start + i)])]);
        const Tensor target({n}, std::move(y));
        auto& groups = optimizer_->param_groups();
        for (size_t g = 0; g < groups.size(); g++) groups[g].set("lr", lr_at(step_, base_lrs_[g]));
        r.lr = groups[0].get("lr");

        optimizer_->zero_grad();
        const Tensor logits = (*net)(input);
        const Tensor l = loss_(logits, target);
        const double value = l.item();
        TT_CHECK(std::isfinite(value),
                 "Trainer: the loss became " << value << " at step " << step_ << " (learning rate too high?)");
        l.backward();
        optimizer_->step();

        const std::vector<int64_t> predicted = nn::predict_classes(logits);
        for (int64_t i = 0; i < n; i++) r.correct += predicted[size_t(i)] == int64_t(target.data()[i]);
        loss_sum += value * double(n);
        r.samples += n;
        r.steps++;
        step_++;
        if (step_ % spe == 0) {
            r.epoch_end = true;
            break;
        }
    }
    r.loss = r.samples ? loss_sum / double(r.samples) : 0.0;
    return r;
}

CNNEvalResult CNNTrainer::evaluate(const std::string& which, int64_t start, int64_t n) {
    const ImageDataset& d = data(which);
    if (n < 0) n = d.count - start;
    TT_CHECK(start >= 0 && n >= 1 && start + n <= d.count,
             "Trainer.evaluate: images [" << start << ", " << start + n << ") out of range for " << d.count);
    autograd::NoGrad no_grad;
    net->eval();
    const int C = shape.classes;
    CNNEvalResult r;
    r.confusion.assign(size_t(C * C), 0);
    double loss_sum = 0;
    std::vector<int64_t> idx;
    for (int64_t s = start; s < start + n; s += 256) {  // batches of 256, as `tt eval` and milestone 1
        const int64_t b = std::min<int64_t>(256, start + n - s);
        idx.resize(size_t(b));
        std::vector<float> y(static_cast<size_t>(b));
        for (int64_t i = 0; i < b; i++) idx[size_t(i)] = s + i, y[size_t(i)] = float(d.labels[size_t(s + i)]);
        const Tensor target({b}, std::move(y));
        const Tensor logits = (*net)(batch(d, idx.data(), b, nullptr));
        loss_sum += double(loss_(logits, target).item()) * double(b);
        const std::vector<int64_t> predicted = nn::predict_classes(logits);
        for (int64_t i = 0; i < b; i++) {
            const int truth = d.labels[size_t(s + i)], p = int(predicted[size_t(i)]);
            r.predicted.push_back(p);
            r.confusion[size_t(truth * C + p)]++;
            r.correct += truth == p;
        }
    }
    net->train();
    r.count = n;
    r.loss = loss_sum / double(n);
    return r;
}

std::vector<float> CNNTrainer::probabilities(const uint8_t* image) {
    ImageDataset one;
    one.count = 1, one.channels = shape.channels, one.height = shape.height, one.width = shape.width;
    one.num_classes = shape.classes, one.labels = {0};
    one.pixels.assign(image, image + one.image_size());
    autograd::NoGrad no_grad;
    net->eval();
    const int64_t index = 0;
    std::vector<float> p = (*net)(batch(one, &index, 1, nullptr)).contiguous().to_vector();
    net->train();
    const float m = *std::max_element(p.begin(), p.end());
    float sum = 0;
    for (float& v : p) sum += (v = std::exp(v - m));
    for (float& v : p) v /= sum;
    return p;
}

std::vector<uint8_t> CNNTrainer::save_checkpoint() {
    Generator saved;
    saved.set_state(resume_state());
    StateDict state = checkpoint_state_dict(*net, *optimizer_, saved, {epoch(), step_});
    state["norm.mean"] = Tensor({shape.channels}, std::vector<float>(mean));
    state["norm.std"] = Tensor({shape.channels}, std::vector<float>(stddev));
    return save_safetensors(state);
}

void CNNTrainer::load_checkpoint(const std::vector<uint8_t>& bytes) {
    const int64_t spe = steps_per_epoch();
    StateDict state = load_safetensors(bytes, "checkpoint");
    for (const char* key : {"norm.mean", "norm.std"})
        TT_CHECK(state.count(key) && state.at(key).shape() == Shape{shape.channels},
                 "checkpoint: " << key << " is missing or not [" << shape.channels
                                << "] (not a milestone-2 checkpoint?)");
    const std::vector<float> m = state.at("norm.mean").to_vector(), s = state.at("norm.std").to_vector();
    state.erase("norm.mean"), state.erase("norm.std");
    Generator saved;
    const TrainingProgress progress = load_checkpoint_state_dict(state, *net, *optimizer_, saved);
    TT_CHECK(progress.step >= 0 && progress.step <= total_steps() && progress.epoch == progress.step / spe,
             "checkpoint: step " << progress.step << " of epoch " << progress.epoch << " does not fit this run (" << spe
                                 << " steps per epoch, " << options.epochs
                                 << " epochs): was it taken with another training set or batch size?");
    mean = m, stddev = s;
    gen_.set_state(saved.get_state());
    step_ = progress.step;
    epoch_drawn_ = -1;
}

}  // namespace tt
