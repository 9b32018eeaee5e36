// Module 06 — what a DataLoader costs: one epoch over a synthetic uint8 image set (seeded random pixels) with a
// simulated training step per batch, timed by the loader itself (LoaderTimes). The lesson's systems panel runs it
// in the browser (bindings/data.cpp → web/js/course/systems/06.mjs); natively it is one call.
#pragma once

#include <cstdint>

#include "json.h"

namespace tt {

struct LoaderBenchmarkOptions {
    int64_t samples = 2048;
    int channels = 3;
    int height = 32;
    int width = 32;
    int64_t batch_size = 64;
    bool prefetch = false;
    bool augment = false;   // RandomCrop(H x W, padding 4), RandomHorizontalFlip(0.5), Normalize
    double compute_ms = 0;  // the simulated step: the calling thread stays busy this long per batch
    uint64_t seed = 0;
};

// {batches, samples, batchSize, waitMs, computeMs, totalMs, batchesPerSecond, samplesPerSecond, threaded,
//  storedBytesPerSample, floatBytesPerSample, batchBytes}
Json loader_benchmark(const LoaderBenchmarkOptions& options);

}  // namespace tt
