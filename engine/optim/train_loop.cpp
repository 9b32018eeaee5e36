#include "train_loop.h"

#include <cmath>
#include <limits>

#include "error.h"
#include "functional.h"
#include "grad_mode.h"
#include "metrics.h"

namespace tt::optim {

namespace {

bool is_classification(const Tensor& output, const Tensor& target) {
    return output.dim() == 2 && target.dim() == 1 && output.shape(0) == target.shape(0);
}

// Running sums of an epoch.
struct Tally {
    double loss = 0, correct = 0;
    int64_t samples = 0;
    bool classes = true;

    void add(const Tensor& output, const Tensor& target, double batch_loss) {
        const int64_t n = output.dim() ? output.shape(0) : 1;
        loss += batch_loss * static_cast<double>(n);
        samples += n;
        classes = classes && is_classification(output, target);
        if (classes) correct += nn::accuracy(output, target) * static_cast<double>(n);
    }
    EpochResult result(int64_t steps) const {
        EpochResult r;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        r.loss = samples ? loss / static_cast<double>(samples) : nan;
        r.accuracy = samples && classes ? correct / static_cast<double>(samples) : nan;
        r.samples = samples;
        r.steps = steps;
        return r;
    }
};

}  // namespace

BatchSource batches_of(const std::vector<Batch>& batches) {
    size_t i = 0;
    return [&batches, i](Batch& out) mutable {
        if (i == batches.size()) return false;
        out = batches[i++];
        return true;
    };
}

double train_step(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const std::vector<Batch>& micro) {
    TT_CHECK(!micro.empty(), "train_step: no micro-batches");
    double total = 0;
    // BEGIN SOLUTION optimizer.zero_grad(); for each micro-batch: l = loss(model(input), target); total += l.item(); F::mul(l, scalar(1 / k)).backward() (backward adds into every Parameter::grad); then optimizer.step()
    optimizer.zero_grad();
    const float scale = 1.0f / static_cast<float>(micro.size());
    for (const Batch& b : micro) {
        Tensor l = loss(model(b.input), b.target);
        total += l.item();
        F::mul(l, scalar(scale)).backward();
    }
    optimizer.step();
    // END SOLUTION
    return total / static_cast<double>(micro.size());
}

EpochResult train_epoch(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer, const BatchSource& next,
                        int accumulation) {
    TT_CHECK(accumulation >= 1, "train_epoch: accumulation must be >= 1, got " << accumulation);
    model.train();
    Tally tally;
    tally.classes = false;  // accuracy is evaluate()'s: a training step's outputs come from weights it then changes
    int64_t steps = 0;
    std::vector<Batch> group;
    int64_t group_samples = 0;
    Batch b;
    bool more = next(b);
    while (more) {
        group_samples += b.input.dim() ? b.input.shape(0) : 1;
        group.push_back(b);
        more = next(b);
        if (static_cast<int>(group.size()) < accumulation && more) continue;
        const double mean_loss = train_step(model, loss, optimizer, group);
        tally.loss += mean_loss * static_cast<double>(group_samples);
        tally.samples += group_samples;
        ++steps;
        group.clear();
        group_samples = 0;
    }
    return tally.result(steps);
}

EpochResult train_epoch(nn::Module& model, const nn::Loss& loss, Optimizer& optimizer,
                        const std::vector<Batch>& batches, int accumulation) {
    return train_epoch(model, loss, optimizer, batches_of(batches), accumulation);
}

EpochResult evaluate(nn::Module& model, const nn::Loss& loss, const BatchSource& next) {
    const bool was_training = model.is_training();
    model.eval();
    Tally tally;
    {
        autograd::NoGrad no_grad;
        Batch b;
        while (next(b)) {
            Tensor out = model(b.input);
            tally.add(out, b.target, loss(out, b.target).item());
        }
    }
    model.train(was_training);
    return tally.result(0);
}

EpochResult evaluate(nn::Module& model, const nn::Loss& loss, const std::vector<Batch>& batches) {
    return evaluate(model, loss, batches_of(batches));
}

}  // namespace tt::optim
