#include "batcher.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "classifier.h"
#include "error.h"
#include "grad_mode.h"

namespace tt {

double BatchSchedule::throughput() const {
    if (batches.empty()) return 0.0;
    const double span = batches.back().finish - first_arrival;
    return span > 0 ? 1000.0 * static_cast<double>(latency.size()) / span : 0.0;
}

double BatchSchedule::mean_latency() const {
    double s = 0;
    for (double l : latency) s += l;
    return latency.empty() ? 0.0 : s / static_cast<double>(latency.size());
}

double BatchSchedule::percentile_latency(double q) const {
    TT_CHECK(q >= 0 && q <= 1, "BatchSchedule::percentile_latency: q = " << q << " must be in [0, 1]");
    if (latency.empty()) return 0.0;
    std::vector<double> sorted = latency;
    std::sort(sorted.begin(), sorted.end());
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[rank == 0 ? 0 : rank - 1];
}

BatchSchedule schedule_batches(const std::vector<double>& arrivals, const BatcherOptions& o,
                               const std::function<double(int64_t)>& service_ms) {
    TT_CHECK(o.max_batch >= 1 && o.max_wait >= 0,
             "schedule_batches: max_batch (" << o.max_batch << ") must be >= 1 and max_wait (" << o.max_wait
                                             << ") >= 0");
    for (size_t i = 1; i < arrivals.size(); ++i)
        TT_CHECK(arrivals[i] >= arrivals[i - 1],
                 "schedule_batches: arrivals must be in time order; request "
                     << i << " arrives at " << arrivals[i] << " ms, before request " << i - 1 << " at "
                     << arrivals[i - 1] << " ms");
    BatchSchedule s;
    s.latency.assign(arrivals.size(), 0.0);
    s.first_arrival = arrivals.empty() ? 0.0 : arrivals.front();
    const auto n = static_cast<int64_t>(arrivals.size());
    double free_at = -std::numeric_limits<double>::infinity();  // when the server finishes its current batch
    int64_t i = 0;                                              // the oldest request not yet in a batch
    while (i < n) {
        RequestBatch b;
        b.first = i;
        // BEGIN SOLUTION the batch is ready at the earlier of: the oldest's arrival + max_wait, and the arrival of request i + max_batch - 1 (the queue is full; none if past the end); it starts at the later of that and free_at, takes every request arrived by its start (up to max_batch), and finishes service_ms(size) later
        const double deadline = arrivals[static_cast<size_t>(i)] + o.max_wait;
        const int64_t last = i + o.max_batch - 1;
        const double full = last < n ? arrivals[static_cast<size_t>(last)] : std::numeric_limits<double>::infinity();
        b.start = std::max(std::min(deadline, full), free_at);
        while (i + b.size < n && b.size < o.max_batch && arrivals[static_cast<size_t>(i + b.size)] <= b.start) ++b.size;
        b.finish = b.start + service_ms(b.size);
        // END SOLUTION
        TT_CHECK(b.size >= 1 && b.finish > b.start,
                 "schedule_batches: a batch must take at least one request and service_ms(B) must be > 0");
        for (int64_t r = b.first; r < b.first + b.size; ++r)
            s.latency[static_cast<size_t>(r)] = b.finish - arrivals[static_cast<size_t>(r)];
        free_at = b.finish;
        i += b.size;
        s.batches.push_back(b);
    }
    return s;
}

std::vector<double> poisson_arrivals(int64_t n, double rate, Generator& gen) {
    TT_CHECK(n >= 0 && rate > 0, "poisson_arrivals: n (" << n << ") must be >= 0 and rate (" << rate << ") > 0");
    std::vector<double> t(static_cast<size_t>(n));
    double now = 0;
    for (auto& a : t) {
        // Inverse CDF of the exponential distribution; 1 - u is in (0, 1], so the log is finite.
        now += -std::log(1.0 - gen.uniform_double()) * 1000.0 / rate;
        a = now;
    }
    return t;
}

Tensor run_batches(nn::Module& model, const Tensor& inputs, const BatchSchedule& schedule) {
    TT_CHECK(inputs.defined() && inputs.dim() >= 1 && inputs.shape(0) == static_cast<int64_t>(schedule.latency.size()),
             "run_batches: inputs must have one row per scheduled request (" << schedule.latency.size() << ")");
    autograd::NoGrad no_grad;
    Tensor out;
    for (const RequestBatch& b : schedule.batches) {
        Tensor y = model.forward(inputs.slice(0, b.first, b.first + b.size).contiguous());
        if (!out.defined()) {
            Shape shape = y.shape();
            shape[0] = inputs.shape(0);
            out = Tensor(shape);
        }
        out.slice(0, b.first, b.first + b.size).copy_(y);
    }
    return out;
}

std::vector<double> measure_service_ms(nn::Module& model, const Tensor& example, int64_t max_batch,
                                       double sample_seconds) {
    TT_CHECK(example.defined() && example.dim() >= 1 && example.shape(0) == 1 && max_batch >= 1,
             "measure_service_ms: example must be one row [1, ...] and max_batch >= 1");
    autograd::NoGrad no_grad;
    std::vector<double> ms;
    for (int64_t b = 1; b <= max_batch; ++b) {
        Shape shape = example.shape();
        shape[0] = b;
        Tensor x(shape);
        for (int64_t r = 0; r < b; ++r) x.slice(0, r, r + 1).copy_(example);
        ms.push_back(1000.0 * time_forward(model, x, sample_seconds));
    }
    return ms;
}

}  // namespace tt
