// Module 17 — Competition: dynamic batching, the trade a model server makes between latency and throughput.
//
// One forward pass over B requests costs far less than B passes over one (the weights are read once, the matmuls
// are wider), so a server gains by waiting for company; but every millisecond waited is latency. A dynamic batcher
// queues requests and starts a batch when either
//     the queue holds max_batch requests               (waiting longer cannot make the batch bigger), or
//     the oldest queued request has waited max_wait    (the latency budget for waiting is spent),
// whichever comes first, and never before the server is free again. A batch takes every request that has arrived
// by its start, up to max_batch. max_batch = 1 is no batching; max_wait = 0 batches only what already queued up.
//
// Time is a simulated clock in milliseconds: requests carry arrival times, and a batch of B requests occupies the
// server for service_ms(B), a cost model (measured from the real model, measure_service_ms) — so a schedule is
// exact and repeatable, and the same arrivals can be replayed under different settings.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "module.h"
#include "random.h"

namespace tt {

struct BatcherOptions {
    int64_t max_batch = 8;  // requests per batch, >= 1
    double max_wait = 5.0;  // ms the oldest queued request may wait before its batch starts, >= 0
};

// (Not `Batch`: that is the DataLoader's tt::Batch. Two classes of one name in one namespace break the one-definition
// rule once both are linked into one program.)
struct RequestBatch {
    double start = 0, finish = 0;  // ms on the simulated clock
    int64_t first = 0, size = 0;   // the requests first .. first + size - 1 (arrival order)
};

struct BatchSchedule {
    std::vector<RequestBatch> batches;
    std::vector<double> latency;                // per request: its batch's finish - its arrival, ms
    double first_arrival = 0;                   // ms
    double throughput() const;                  // requests per second: count / (last finish - first arrival)
    double mean_latency() const;                // ms
    double percentile_latency(double q) const;  // q in [0, 1], nearest rank: 0.5 the median, 0.99 the p99
};

// Schedules requests arriving at `arrivals` (ms, non-decreasing) under `options`; service_ms(B) > 0 is how long a
// batch of B takes.
BatchSchedule schedule_batches(const std::vector<double>& arrivals, const BatcherOptions& options,
                               const std::function<double(int64_t)>& service_ms);

// n arrival times of a Poisson process with `rate` requests per second (exponential gaps), from gen.
std::vector<double> poisson_arrivals(int64_t n, double rate, Generator& gen);

// inputs [N, ...]: runs model on each batch of the schedule (rows first .. first + size - 1 as one forward pass)
// and returns the N outputs in request order.
Tensor run_batches(nn::Module& model, const Tensor& inputs, const BatchSchedule& schedule);

// Median ms of one forward pass of model over a batch of B copies of example [1, ...], for B = 1 .. max_batch:
// entry B - 1. The cost model of schedule_batches, measured (tt::time_forward).
std::vector<double> measure_service_ms(nn::Module& model, const Tensor& example, int64_t max_batch,
                                       double sample_seconds);

}  // namespace tt
