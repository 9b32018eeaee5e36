#include "dataloader.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "error.h"
#include "sampler.h"

namespace tt {
namespace {

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<int64_t> randperm(int64_t n, Generator& gen) {
    TT_CHECK(n >= 0, "randperm: n must be >= 0, got " << n);
    std::vector<int64_t> perm(static_cast<size_t>(n));
    // BEGIN SOLUTION start from 0..n-1; for i from n-1 down to 1, swap perm[i] with perm[j], j = randint(0, i + 1, gen)
    for (int64_t i = 0; i < n; i++) perm[size_t(i)] = i;
    for (int64_t i = n - 1; i > 0; i--) std::swap(perm[size_t(i)], perm[size_t(randint(0, i + 1, gen))]);
    // END SOLUTION
    return perm;
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)), gen_(options_.seed) {
    TT_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
    TT_CHECK(options_.batch_size >= 1, "DataLoader: batch_size must be >= 1, got " << options_.batch_size);
    TT_CHECK(dataset_->size() > 0, "DataLoader: the dataset (" << dataset_->name() << ") is empty: no batches to make");
    input_shape_ = dataset_->sample_shape();
    sample_shape_ = options_.transform ? options_.transform->output_shape(input_shape_) : input_shape_;
}

DataLoader::~DataLoader() {
    prefetcher_.discard();  // the prefetch thread may still be writing into staged_: let it finish first
}

int64_t DataLoader::size() const {
    // BEGIN SOLUTION N samples in batches of batch_size: the last one may be short, and drop_last leaves it out
    const int64_t n = dataset_->size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
    // END SOLUTION
}

void DataLoader::start_epoch() {
    prefetcher_.discard();  // a batch of the old epoch still being made reads order_; nobody takes it
    staged_at_ = -1;
    // BEGIN SOLUTION order_: randperm of the data set's size from gen_ when shuffling, else 0..N-1; then epoch_seed_ from two gen_.next_u32() (high word first), always, so augmentation is seeded with or without shuffle
    const int64_t n = dataset_->size();
    if (options_.shuffle) {
        order_ = randperm(n, gen_);
    } else {
        order_.resize(size_t(n));
        for (int64_t i = 0; i < n; i++) order_[size_t(i)] = i;
    }
    const uint64_t high = gen_.next_u32();
    epoch_seed_ = (high << 32) | gen_.next_u32();
    // END SOLUTION
    epoch_++;
    cursor_ = 0;
    started_ = true;
    last_return_ = -1;
}

std::vector<int64_t> DataLoader::batch_indices(int64_t b) const {
    TT_CHECK(started_, "DataLoader::batch_indices: no epoch has started (call start_epoch or next)");
    TT_CHECK(b >= 0 && b < size(),
             "DataLoader::batch_indices: batch " << b << " is out of range for " << size() << " batches per epoch");
    // BEGIN SOLUTION the slice of order_ from b * batch_size, batch_size long or up to the end of order_
    const int64_t start = b * options_.batch_size;
    const int64_t stop = std::min<int64_t>(start + options_.batch_size, int64_t(order_.size()));
    return std::vector<int64_t>(order_.begin() + start, order_.begin() + stop);
    // END SOLUTION
}

void DataLoader::collate(const std::vector<int64_t>& indices, uint64_t batch_seed, float* inputs, float* labels) const {
    const int64_t n = int64_t(indices.size());
    const int64_t in_size = numel(input_shape_), out_size = numel(sample_shape_);
    std::vector<int64_t> label_values(indices.size());
    // BEGIN SOLUTION dataset_->get_batch the samples (straight into inputs without a transform, else into a scratch std::vector<float> and then options_.transform->apply each sample with one Generator(batch_seed) shared by the batch, in order); labels[k] = the k-th sample's label
    if (!options_.transform) {
        dataset_->get_batch(indices.data(), n, inputs, label_values.data());
    } else {
        std::vector<float> raw(size_t(n * in_size));
        dataset_->get_batch(indices.data(), n, raw.data(), label_values.data());
        Generator gen(batch_seed);
        for (int64_t k = 0; k < n; k++)
            options_.transform->apply(raw.data() + k * in_size, input_shape_, inputs + k * out_size, gen);
    }
    for (int64_t k = 0; k < n; k++) labels[k] = static_cast<float>(label_values[size_t(k)]);
    // END SOLUTION
}

Batch DataLoader::allocate(int64_t b) const {
    const int64_t n = int64_t(batch_indices(b).size());
    Shape shape{n};
    shape.insert(shape.end(), sample_shape_.begin(), sample_shape_.end());
    Batch batch;
    batch.inputs = Tensor(shape);
    batch.labels = Tensor(Shape{n});
    batch.index = b;
    return batch;
}

Batch DataLoader::make_batch(int64_t b) const {
    Batch batch = allocate(b);
    collate(batch_indices(b), epoch_seed_ + uint64_t(b), batch.inputs.data(), batch.labels.data());
    return batch;
}

bool DataLoader::next(Batch& batch) {
    if (!started_) start_epoch();
    const double t0 = now_ms();
    if (last_return_ >= 0) times_.compute_ms += t0 - last_return_;
    if (cursor_ >= size()) {
        last_return_ = -1;
        return false;
    }
    if (staged_at_ == cursor_) {
        prefetcher_.wait();
        batch = std::move(staged_);
        staged_at_ = -1;
    } else {
        batch = make_batch(cursor_);
    }
    cursor_++;
    if (options_.prefetch && cursor_ < size()) {
        // Allocated here, on the caller's thread; the job only fills the buffers.
        staged_ = allocate(cursor_);
        staged_at_ = cursor_;
        float* inputs = staged_.inputs.data();
        float* labels = staged_.labels.data();
        std::vector<int64_t> indices = batch_indices(cursor_);
        const uint64_t seed = epoch_seed_ + uint64_t(cursor_);
        prefetcher_.submit([this, indices, seed, inputs, labels] { collate(indices, seed, inputs, labels); });
    }
    last_return_ = now_ms();
    times_.wait_ms += last_return_ - t0;
    times_.batches++;
    return true;
}

DataLoader::iterator::iterator(DataLoader* loader) : loader_(loader) {
    if (!loader_->next(batch_)) loader_ = nullptr;
}

DataLoader::iterator& DataLoader::iterator::operator++() {
    if (loader_ && !loader_->next(batch_)) loader_ = nullptr;
    return *this;
}

DataLoader::iterator DataLoader::begin() {
    start_epoch();
    return iterator(this);
}

}  // namespace tt
