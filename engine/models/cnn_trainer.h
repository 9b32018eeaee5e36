// Milestone 2 — CNN training: a classifier (models/classifier.h grammar) trained a few batches at a time, so a caller
// can report progress and take pause / stop between calls. One trainer for the CNN page's two engines: the reference
// engine's binding (bindings/trainer_inspect.cpp, in the page's worker) and the program the page builds from the
// student's own modules (web/apps/train_cnn_main.cpp), so the same seed gives both the same batches and schedule.
//
// Reproducible to the bit, and resumable from any step: epoch e's order and per-batch seeds come from the Generator
// as it stood when epoch e began, and batch b's augmentation and dropout masks from Generator(batch_seed + b). A
// checkpoint keeps that epoch-start state (meta.rng) with the step count, so loading it redraws the same order and
// continues with batch step - e * steps_per_epoch, exactly as the uninterrupted run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classifier.h"
#include "datasets.h"
#include "json.h"
#include "losses.h"
#include "lr_scheduler.h"
#include "optimizer.h"
#include "random.h"
#include "sequential.h"
#include "transforms.h"

namespace tt {

struct CNNTrainerOptions {
    std::string optimizer = "sgd";  // sgd | adam | adamw
    double lr = 0.05, momentum = 0.9, weight_decay = 1e-4;
    std::string schedule = "cosine";  // constant | cosine (to 0 over the run) | step (x gamma every step_epochs)
    int step_epochs = 2;
    double gamma = 0.5;
    int warmup = 0;  // steps of linear warm-up from lr / warmup
    int batch_size = 64, epochs = 5;
    uint64_t seed = 1;
    int crop_padding = 0;   // augmentation: RandomCrop(H, W, padding); 0: none
    bool flip = false;      // augmentation: RandomHorizontalFlip(0.5)
    bool normalize = true;  // per-channel mean / std of the training set; false: pixel / 255 only (milestone 1)
    // From the page's camelCase keys (batchSize, weightDecay, cropPadding, ...); a missing key keeps the default.
    static CNNTrainerOptions from_json(const Json& j);
};

struct CNNStepResult {
    int steps = 0;    // batches trained by this call
    double loss = 0;  // their mean loss per sample
    int64_t correct = 0, samples = 0;
    double lr = 0;           // the learning rate of the last step
    bool epoch_end = false;  // the call stopped at the end of an epoch
};

struct CNNEvalResult {
    double loss = 0;
    int64_t correct = 0, count = 0;
    std::vector<int32_t> confusion;  // classes x classes, row = true class
    std::vector<int32_t> predicted;  // per image
};

class CNNTrainer {
public:
    CNNTrainer(const std::string& architecture, const std::string& input_shape, const CNNTrainerOptions& options);

    // which: "train" or "validation". Images N x C x H x W bytes; labels N bytes in [0, classes).
    void set_data(const std::string& which, ImageDataset data);
    const ImageDataset& data(const std::string& which) const;

    CNNStepResult train_steps(int k);  // up to k batches, stopping early at the end of an epoch
    CNNEvalResult evaluate(const std::string& which, int64_t start, int64_t n);
    std::vector<float> probabilities(const uint8_t* image);  // softmax of one image (C x H x W bytes)
    // Images of d as the network's input [n, C, H, W]: augmented from gen (null: as they are), then normalised.
    Tensor batch(const ImageDataset& d, const int64_t* indices, int64_t n, Generator* gen) const;

    std::vector<uint8_t> save_checkpoint();
    void load_checkpoint(const std::vector<uint8_t>& bytes);

    int64_t steps_per_epoch() const;
    int64_t step() const { return step_; }
    int64_t epoch() const;  // epochs completed
    int64_t total_steps() const { return steps_per_epoch() * options.epochs; }
    bool finished() const { return step_ >= total_steps(); }

    const std::string architecture;
    const ClassifierShape shape;
    const CNNTrainerOptions options;
    std::shared_ptr<nn::Sequential> net;
    std::vector<float> mean, stddev;  // per channel (0 and 1 without normalisation)

private:
    void start_epoch();  // draws the order and the batch seed of epoch step_ / steps_per_epoch
    double lr_at(int64_t t, double base) const;
    GeneratorState resume_state() const;  // what a checkpoint keeps of gen_

    Generator gen_;
    GeneratorState epoch_start_;  // gen_ before this epoch's draws: what a checkpoint keeps
    std::unique_ptr<optim::Optimizer> optimizer_;
    std::unique_ptr<optim::LRScheduler> schedule_;
    std::vector<double> base_lrs_;
    nn::CrossEntropyLoss loss_;
    ImageDataset train_, validation_;
    std::shared_ptr<const Transform> augment_;
    std::vector<int64_t> order_;
    uint64_t batch_seed_ = 0;
    int64_t step_ = 0;
    int64_t epoch_drawn_ = -1;  // the epoch whose order_ is drawn
};

}  // namespace tt
