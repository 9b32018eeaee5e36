// Module 06 — DataLoader: a data set cut into batches, shuffled, augmented and collated (torch.utils.data.DataLoader).
//
//     auto data = std::make_shared<tt::ImageDatasetView>(std::make_shared<tt::ImageDataset>(tt::read_packed(path)));
//     tt::DataLoaderOptions o;
//     o.batch_size = 64; o.shuffle = true; o.seed = 42; o.prefetch = true;
//     tt::DataLoader loader(data, o);
//     for (int epoch = 0; epoch < 3; epoch++)
//         for (tt::Batch& batch : loader) train_step(batch.inputs, batch.labels);   // [64, 1, 28, 28], [64]
//
// Reproducible: the loader owns one Generator seeded with options.seed. Each epoch (each begin(), or
// start_epoch()) draws from it the epoch's order — a Fisher-Yates permutation with integer draws only, the same
// natively and in wasm — and then one 64-bit seed for the epoch's augmentation; batch b's transforms draw from
// Generator(epoch_seed + b). So epoch k of two loaders with one seed is the same, a batch's content does not
// depend on whether a thread made it (prefetch) or when, and a reshuffle happens every epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dataset.h"
#include "prefetch.h"
#include "random.h"
#include "tensor.h"
#include "transforms.h"

namespace tt {

struct DataLoaderOptions {
    int64_t batch_size = 1;
    bool shuffle = false;
    bool drop_last = false;  // leave out a last batch smaller than batch_size
    uint64_t seed = 0;
    bool prefetch = false;                       // make the next batch on a second thread (prefetch.h)
    std::shared_ptr<const Transform> transform;  // per sample, while collating; null: none
};

struct Batch {
    Tensor inputs;      // [B, ...output sample shape], float
    Tensor labels;      // [B], the class indices as floats (what the loss functions of module 09 take)
    int64_t index = 0;  // which batch of its epoch
};

// Time the loader's caller spent waiting in next() for data, and between next() calls (its own compute).
struct LoaderTimes {
    double wait_ms = 0;
    double compute_ms = 0;
    int64_t batches = 0;
};

// torch.randperm(n): 0 .. n-1 in a uniformly random order, Fisher-Yates with randint (sampler.h).
std::vector<int64_t> randperm(int64_t n, Generator& gen);

class DataLoader {
public:
    DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});
    ~DataLoader();
    DataLoader(const DataLoader&) = delete;
    DataLoader& operator=(const DataLoader&) = delete;

    int64_t size() const;  // len(loader): batches per epoch
    const Dataset& dataset() const { return *dataset_; }
    const DataLoaderOptions& options() const { return options_; }
    Shape sample_shape() const { return sample_shape_; }  // after the transform

    void start_epoch();  // draws the next epoch's order and augmentation seed
    // The next batch of the epoch (starting the first epoch if none has started); false after the last one.
    bool next(Batch& batch);

    int64_t epoch() const { return epoch_; }                      // epochs started
    const std::vector<int64_t>& order() const { return order_; }  // this epoch's sample order
    std::vector<int64_t> batch_indices(int64_t b) const;          // the samples of batch b of this epoch
    // Batch b of this epoch, made on the calling thread (next() uses the same code, maybe on the second thread).
    Batch make_batch(int64_t b) const;

    LoaderTimes times() const { return times_; }
    void reset_times() { times_ = {}; }

    class iterator {
    public:
        iterator() = default;
        explicit iterator(DataLoader* loader);
        Batch& operator*() { return batch_; }
        Batch* operator->() { return &batch_; }
        iterator& operator++();
        bool operator!=(const iterator& other) const { return loader_ != other.loader_; }

    private:
        DataLoader* loader_ = nullptr;  // null: the end
        Batch batch_;
    };
    iterator begin();  // starts a new epoch
    iterator end() { return iterator(); }

private:
    // Fills a batch's buffers (inputs: n * numel(sample_shape_) floats, labels: n floats) without making Tensors:
    // this runs on the prefetch thread.
    void collate(const std::vector<int64_t>& indices, uint64_t batch_seed, float* inputs, float* labels) const;
    Batch allocate(int64_t b) const;

    std::shared_ptr<const Dataset> dataset_;
    DataLoaderOptions options_;
    Shape input_shape_;   // the data set's sample shape
    Shape sample_shape_;  // after the transform
    Generator gen_;
    std::vector<int64_t> order_;
    uint64_t epoch_seed_ = 0;
    int64_t epoch_ = 0;
    int64_t cursor_ = 0;  // the next batch next() returns
    bool started_ = false;

    Prefetcher prefetcher_;
    Batch staged_;             // the batch the prefetch thread is filling
    int64_t staged_at_ = -1;   // its index, -1 if none
    double last_return_ = -1;  // when next() last returned a batch (ms), -1 at the start of an epoch
    LoaderTimes times_;
};

}  // namespace tt
