#include "compression_study.h"

#include <algorithm>

#include "classifier.h"
#include "compress_steps.h"
#include "error.h"
#include "grad_mode.h"
#include "losses.h"
#include "metrics.h"
#include "prune.h"
#include "sgd.h"
#include "sparse.h"

namespace tt {

namespace {

int64_t first(const ImageDataset& data, int64_t count, int64_t offset = 0) {
    TT_CHECK(offset >= 0 && offset <= data.count,
             "train_offset " << offset << " is outside the " << data.count << " training images");
    return count < 0 ? data.count - offset : std::min<int64_t>(count, data.count - offset);
}

optim::Batch batch_of(const ImageDataset& data, const std::vector<int64_t>& indices) {
    const int64_t n = static_cast<int64_t>(indices.size());
    std::vector<float> x(static_cast<size_t>(n * data.image_size())), y(static_cast<size_t>(n));
    data.gather_float(indices.data(), n, x.data());
    for (int64_t b = 0; b < n; ++b) y[b] = static_cast<float>(data.labels[indices[b]]);
    return {Tensor({n, data.channels, data.height, data.width}, std::move(x)), Tensor({n}, std::move(y))};
}

// `steps` batches of random training images (with replacement) from one generator: two runs with the same seed see
// the same images in the same order.
std::vector<int64_t> draw(Generator& gen, int64_t offset, int64_t n, int64_t batch) {
    std::vector<int64_t> idx(static_cast<size_t>(batch));
    for (int64_t& i : idx) i = offset + static_cast<int64_t>(gen.uniform_double() * static_cast<double>(n));
    return idx;
}

std::shared_ptr<nn::Sequential> load(const std::string& architecture, const StateDict& weights) {
    Generator gen(0);
    auto net = build_classifier(architecture, gen);
    net->load_state_dict(weights);
    return net;
}

int64_t sparse_bytes(nn::Module& net) {
    int64_t total = 0;
    for (auto& np : net.named_parameters()) {
        const Tensor& w = np.second->value;
        total += w.nbytes();
        if (w.dim() < 2) continue;
        const CsrMatrix a = csr_from_dense(w.reshape({w.shape(0), w.numel() / w.shape(0)}));
        total = total - w.nbytes() + std::min(a.nbytes(), w.nbytes());
    }
    return total;
}

}  // namespace

double test_accuracy(nn::Module& net, const ImageDataset& test, int64_t count) {
    autograd::NoGrad no_grad;
    const bool was_training = net.is_training();
    net.eval();
    const int64_t n = first(test, count);
    double correct = 0;
    for (int64_t start = 0; start < n; start += 256) {
        std::vector<int64_t> idx;
        for (int64_t i = start; i < std::min(n, start + 256); ++i) idx.push_back(i);
        optim::Batch b = batch_of(test, idx);
        correct += nn::accuracy(net(b.input), b.target) * static_cast<double>(idx.size());
    }
    net.train(was_training);
    return n ? 100.0 * correct / static_cast<double>(n) : 0.0;
}

void finetune_pruned(nn::Module& net, const nn::PruningMasks& masks, const ImageDataset& train, int64_t offset,
                     int64_t count, int64_t steps, int64_t batch_size, float lr, uint64_t seed) {
    const int64_t n = first(train, count, offset);
    TT_CHECK(n > 0 && batch_size > 0, "finetune_pruned: no training images, or batch_size " << batch_size);
    Generator gen(seed);
    optim::SGD opt(net.parameters(), {{"lr", lr}, {"momentum", 0.9}});
    nn::CrossEntropyLoss loss;
    net.train();
    for (int64_t step = 0; step < steps; ++step)
        optim::pruned_train_step(net, loss, opt, masks, {batch_of(train, draw(gen, offset, n, batch_size))});
    net.eval();
}

std::vector<PrunePoint> prune_curve(const std::string& architecture, const StateDict& trained,
                                    const ImageDataset& train, const ImageDataset& test,
                                    const PruneCurveOptions& options) {
    TT_CHECK(options.batch_size > 0, "prune_curve: batch_size must be > 0, got " << options.batch_size);
    std::vector<PrunePoint> points;
    const int64_t n_train = first(train, options.train_count, options.train_offset);
    for (double s : options.sparsities) {
        auto net = load(architecture, trained);
        const nn::PruningMasks masks = nn::PruningMasks::magnitude(*net, s, options.global);
        PrunePoint p;
        p.sparsity = s;
        p.accuracy = test_accuracy(*net, test, options.test_count);
        p.dense_bytes = net->parameter_bytes();
        p.sparse_bytes = sparse_bytes(*net);
        if (options.finetune_steps > 0) {
            TT_CHECK(n_train > 0, "prune_curve: fine-tuning needs training images");
            finetune_pruned(*net, masks, train, options.train_offset, n_train, options.finetune_steps,
                            options.batch_size, options.lr, options.seed);
            p.finetuned = test_accuracy(*net, test, options.test_count);
        }
        points.push_back(p);
    }
    return points;
}

DistillResult distill_compare(const std::string& teacher_architecture, const StateDict& teacher_weights,
                              const ImageDataset& train, const ImageDataset& test, const DistillOptions& options) {
    TT_CHECK(options.steps >= 0 && options.batch_size > 0,
             "distill_compare: need steps >= 0 and batch_size > 0, got " << options.steps << " and "
                                                                         << options.batch_size);
    auto teacher = load(teacher_architecture, teacher_weights);
    const int64_t n_train = first(train, options.train_count, options.train_offset);
    TT_CHECK(n_train > 0, "distill_compare: no training images");
    DistillResult r;
    r.teacher = test_accuracy(*teacher, test, options.test_count);
    r.teacher_parameters = teacher->parameter_count();
    for (int distilled = 0; distilled < 2; ++distilled) {
        Generator init(options.seed), batches(options.seed + 1);
        auto student = build_classifier(options.student, init);
        optim::SGD opt(student->parameters(), {{"lr", options.lr}, {"momentum", 0.9}});
        nn::CrossEntropyLoss loss;
        student->train();
        for (int64_t step = 0; step < options.steps; ++step) {
            const optim::Batch b = batch_of(train, draw(batches, options.train_offset, n_train, options.batch_size));
            if (distilled) optim::distill_train_step(*student, *teacher, opt, b, options.temperature, options.alpha);
            else optim::train_step(*student, loss, opt, {b});
        }
        (distilled ? r.distilled : r.alone) = test_accuracy(*student, test, options.test_count);
        r.student_parameters = student->parameter_count();
    }
    return r;
}

}  // namespace tt
