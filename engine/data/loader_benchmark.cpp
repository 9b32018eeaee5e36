#include "loader_benchmark.h"

#include <chrono>
#include <memory>
#include <vector>

#include "dataloader.h"
#include "dataset.h"
#include "datasets.h"
#include "error.h"
#include "prefetch.h"
#include "random.h"
#include "transforms.h"

namespace tt {
namespace {

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Json loader_benchmark(const LoaderBenchmarkOptions& o) {
    TT_CHECK(o.samples >= 1 && o.channels >= 1 && o.height >= 1 && o.width >= 1,
             "loader_benchmark: samples, channels, height and width must be >= 1");
    TT_CHECK(o.samples * o.channels * o.height * o.width <= (int64_t(1) << 28),
             "loader_benchmark: the data set would be over 256 MiB");
    TT_CHECK(o.compute_ms >= 0 && o.compute_ms <= 1000,
             "loader_benchmark: compute_ms must be in 0..1000, got " << o.compute_ms);
    auto images = std::make_shared<ImageDataset>();
    images->count = o.samples;
    images->channels = o.channels;
    images->height = o.height;
    images->width = o.width;
    images->num_classes = 10;
    Generator gen(o.seed);
    images->pixels.resize(size_t(images->count * images->image_size()));
    for (uint8_t& p : images->pixels) p = uint8_t(gen.next_u32() >> 24);
    for (int64_t i = 0; i < images->count; i++) images->labels.push_back(uint8_t(gen.next_u32() % 10));

    DataLoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.shuffle = true;
    lo.seed = o.seed + 1;
    lo.prefetch = o.prefetch;
    if (o.augment) {
        const std::vector<float> mean(size_t(o.channels), 0.5f), std(size_t(o.channels), 0.25f);
        lo.transform = std::make_shared<Compose>(
            std::vector<std::shared_ptr<const Transform>>{std::make_shared<RandomCrop>(o.height, o.width, 4),
                                                          std::make_shared<RandomHorizontalFlip>(0.5f),
                                                          std::make_shared<Normalize>(mean, std)});
    }
    auto dataset = std::make_shared<ImageDatasetView>(images);
    DataLoader loader(dataset, lo);
    const double t0 = now_ms();
    for (Batch& batch : loader) {
        (void)batch;
        // Busy, not asleep: a real step keeps its core, so an overlap must come from a second one.
        const double until = now_ms() + o.compute_ms;
        while (now_ms() < until) {}
    }
    const double total = now_ms() - t0;
    const LoaderTimes t = loader.times();
    const int64_t float_bytes = numel(loader.sample_shape()) * int64_t(sizeof(float));
    Json out = Json::object();
    out.set("batches", t.batches)
        .set("samples", o.samples)
        .set("batchSize", o.batch_size)
        .set("waitMs", t.wait_ms)
        .set("computeMs", t.compute_ms)
        .set("totalMs", total)
        .set("batchesPerSecond", total > 0 ? 1000.0 * double(t.batches) / total : 0.0)
        .set("samplesPerSecond", total > 0 ? 1000.0 * double(o.samples) / total : 0.0)
        .set("threaded", Prefetcher::threaded())
        .set("storedBytesPerSample", dataset->stored_sample_bytes())
        .set("floatBytesPerSample", float_bytes)
        .set("batchBytes", float_bytes * o.batch_size);
    return out;
}

}  // namespace tt
