#include "metrics.h"

#include <cmath>
#include <limits>

#include "error.h"
#include "loss.h"

namespace tt::nn {

namespace {

// The kernels' checked class index (loss.h), with the metrics' name in its error.
int64_t class_index(const float* target, int64_t n, int64_t classes) {
    return tt::class_index(target, n, classes, "metrics");
}

void check_pair(const Tensor& logits, const Tensor& target, const char* what) {
    TT_CHECK(logits.defined() && logits.dim() == 2,
             what << ": logits must be [N, C], got " << (logits.defined() ? logits.shape() : Shape{}));
    TT_CHECK(target.defined() && target.dim() == 1 && target.shape(0) == logits.shape(0),
             what << ": target must be [N] = [" << logits.shape(0) << "] class indices, got "
                  << (target.defined() ? target.shape() : Shape{}));
}

}  // namespace

std::vector<int64_t> predict_classes(const Tensor& logits) {
    TT_CHECK(logits.defined() && logits.dim() == 2 && logits.shape(1) > 0,
             "predict_classes: logits must be [N, C] with C > 0, got "
                 << (logits.defined() ? logits.shape() : Shape{}));
    const int64_t N = logits.shape(0), C = logits.shape(1);
    Tensor x = logits.contiguous();
    std::vector<int64_t> pred(static_cast<size_t>(N));
    // BEGIN SOLUTION pred[n] = the index of the largest x[n, c]; on a tie the first such index (compare with >, not >=)
    for (int64_t n = 0; n < N; ++n) {
        const float* row = x.data() + n * C;
        int64_t best = 0;
        for (int64_t c = 1; c < C; ++c)
            if (row[c] > row[best]) best = c;
        pred[n] = best;
    }
    // END SOLUTION
    return pred;
}

double accuracy(const Tensor& logits, const Tensor& target) {
    check_pair(logits, target, "accuracy");
    std::vector<int64_t> pred = predict_classes(logits);
    Tensor t = target.contiguous();
    const int64_t N = logits.shape(0), C = logits.shape(1);
    int64_t correct = 0;
    for (int64_t n = 0; n < N; ++n) correct += pred[n] == class_index(t.data(), n, C);
    return N ? static_cast<double>(correct) / static_cast<double>(N) : std::numeric_limits<double>::quiet_NaN();
}

Tensor confusion_matrix(const Tensor& logits, const Tensor& target, int64_t classes) {
    check_pair(logits, target, "confusion_matrix");
    TT_CHECK(logits.shape(1) == classes,
             "confusion_matrix: logits have " << logits.shape(1) << " classes, expected " << classes);
    std::vector<int64_t> pred = predict_classes(logits);
    Tensor t = target.contiguous();
    Tensor m({classes, classes});
    // BEGIN SOLUTION for each row n: m[true class, predicted class] += 1 (the true class from class_index, which checks it)
    for (int64_t n = 0; n < logits.shape(0); ++n) m.data()[class_index(t.data(), n, classes) * classes + pred[n]] += 1;
    // END SOLUTION
    return m;
}

Tensor per_class_accuracy(const Tensor& confusion) {
    TT_CHECK(confusion.defined() && confusion.dim() == 2 && confusion.shape(0) == confusion.shape(1),
             "per_class_accuracy: expected a square [C, C] confusion matrix, got "
                 << (confusion.defined() ? confusion.shape() : Shape{}));
    const int64_t C = confusion.shape(0);
    Tensor m = confusion.contiguous(), out({C});
    for (int64_t i = 0; i < C; ++i) {
        double row = 0;
        for (int64_t j = 0; j < C; ++j) row += m.data()[i * C + j];
        out.data()[i] =
            row > 0 ? static_cast<float>(m.data()[i * C + i] / row) : std::numeric_limits<float>::quiet_NaN();
    }
    return out;
}

}  // namespace tt::nn
